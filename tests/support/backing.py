"""The servers several replicas share, as this machine kind runs them: Redis on 127.0.0.1:6379 and PostgreSQL
on 127.0.0.1:5432 (``PARTNER_GATEWAY_TEST_REDIS`` and ``PARTNER_GATEWAY_TEST_POSTGRES`` override the URLs).

Each is probed once per test run; a test that needs one skips only when it truly does not answer (CI runs
on a machine that has both, so there they run). Every test gets a place of its own: a Redis key prefix
(its keys deleted afterwards) and a PostgreSQL database (dropped afterwards), so tests and their gateway
processes never see each other's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from redis import Redis
from redis.exceptions import RedisError

__all__ = [
    "POSTGRES",
    "REDIS",
    "fresh_database",
    "postgres_problem",
    "redis_prefix",
    "require_postgres",
    "require_redis",
]

REDIS = os.environ.get("PARTNER_GATEWAY_TEST_REDIS", "redis://127.0.0.1:6379/0")
POSTGRES = os.environ.get("PARTNER_GATEWAY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")

_probed: dict[str, str | None] = {}


def _redis_problem() -> str | None:
    try:
        with Redis.from_url(REDIS, socket_connect_timeout=3, socket_timeout=3) as client:
            client.ping()
    except (RedisError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def postgres_problem() -> str | None:
    async def probe() -> None:
        conn = await asyncpg.connect(POSTGRES, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def require_redis() -> None:
    """Skip the calling test when no Redis answers at ``REDIS`` (probed once)."""
    if "redis" not in _probed:
        _probed["redis"] = _redis_problem()
    if _probed["redis"] is not None:
        pytest.skip(f"no Redis at {REDIS}: {_probed['redis']}")


def require_postgres() -> None:
    """Skip the calling test when no PostgreSQL answers at ``POSTGRES`` (probed once, outside any event loop)."""
    if "postgres" not in _probed:
        _probed["postgres"] = postgres_problem()
    if _probed["postgres"] is not None:
        pytest.skip(f"no PostgreSQL at {POSTGRES}: {_probed['postgres']}")


@contextlib.contextmanager
def redis_prefix() -> Iterator[str]:
    """A key prefix of its own on the test Redis; its keys are deleted afterwards."""
    require_redis()
    prefix = f"pgw-test-{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        with Redis.from_url(REDIS) as client:
            names = list(client.scan_iter(match=f"{prefix}*", count=1000))
            if names:
                client.delete(*names)


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """An empty database of its own on the test PostgreSQL server, as a store URL
    (``postgresql+asyncpg://...``); dropped afterwards, its connections cut. For a test that runs gateway
    processes: a database, because a store URL cannot name a schema."""
    require_postgres()
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        base = POSTGRES.replace("postgresql://", "postgresql+asyncpg://", 1)
        yield f"{base.rsplit('/', 1)[0]}/{name}"
    finally:
        asyncio.run(_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    conn = await asyncpg.connect(POSTGRES, timeout=10)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
