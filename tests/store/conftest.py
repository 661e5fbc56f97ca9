"""Store tests run against both back ends: SQLite (a temporary file) and the real PostgreSQL server this
machine kind runs on 127.0.0.1:5432 (``PARTNER_GATEWAY_TEST_POSTGRES`` overrides the URL). Each
PostgreSQL run works in a schema of its own, dropped afterwards."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from gateway.store import Store, open_store, sqlite_url

POSTGRES = os.environ.get("PARTNER_GATEWAY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_answers() -> str | None:
    async def probe() -> None:
        conn = await asyncpg.connect(POSTGRES, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


_POSTGRES_DOWN = _postgres_answers()


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        opened = await open_store(sqlite_url(tmp_path))
        yield opened
        await opened.close()
        return
    if _POSTGRES_DOWN is not None:
        pytest.skip(f"no PostgreSQL at {POSTGRES}: {_POSTGRES_DOWN}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    url = POSTGRES.replace("postgresql://", "postgresql+asyncpg://", 1)
    opened = await open_store(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield opened
    finally:
        await opened.close()
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
