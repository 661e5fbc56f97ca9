"""Store tests run against both back ends: SQLite (a temporary file) and the real PostgreSQL server this
machine kind runs on 127.0.0.1:5432 (``PARTNER_GATEWAY_TEST_POSTGRES`` overrides the URL). Each
PostgreSQL run works in a schema of its own, dropped afterwards."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from gateway.store import OperationRecord, OperationStatus, Store, open_store, sqlite_url
from tests.support.backing import POSTGRES, postgres_problem

_POSTGRES_DOWN = postgres_problem()  # probed at import, outside any event loop


@dataclass(frozen=True)
class Place:
    """Where an empty store can be made: a URL and the engine options ``open_store`` takes with it."""

    url: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def dialect(self) -> str:
        return "postgresql" if self.url.startswith("postgresql") else "sqlite"


@contextlib.asynccontextmanager
async def postgres_place() -> AsyncIterator[Place]:
    """A schema of its own on the PostgreSQL server, dropped afterwards."""
    if _POSTGRES_DOWN is not None:
        pytest.skip(f"no PostgreSQL at {POSTGRES}: {_POSTGRES_DOWN}")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(POSTGRES)
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = POSTGRES.replace("postgresql://", "postgresql+asyncpg://", 1)
        yield Place(url, {"connect_args": {"server_settings": {"search_path": schema}}})
    finally:
        await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def place(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Place]:
    """An empty store's place on each back end."""
    if request.param == "sqlite":
        yield Place(sqlite_url(tmp_path))
        return
    async with postgres_place() as where:
        yield where


@pytest.fixture
async def postgres() -> AsyncIterator[Place]:
    """An empty store's place on PostgreSQL only."""
    async with postgres_place() as where:
        yield where


@pytest.fixture
async def store(place: Place) -> AsyncIterator[Store]:
    opened = await open_store(place.url, **place.options)
    try:
        yield opened
    finally:
        await opened.close()


T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def operation(
    key: str | None,
    *,
    principal: str = "finance",
    amount: str = "10.00",
    status: str = OperationStatus.PENDING,
    result: dict[str, str] | None = None,
) -> OperationRecord:
    """A transfer's operation record, as the operation runner claims one."""
    return OperationRecord(
        id=str(uuid.uuid4()),
        idempotency_key=key,
        principal=principal,
        operation="transferFunds",
        account_id="hw",
        input={"customerId": "c1", "amount": amount},
        input_hash=f"hash-{amount}",
        status=status,
        started_at=T0,
        result=result,
    )
