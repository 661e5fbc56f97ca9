"""The store's connection pool: a PostgreSQL connection the server dropped while it sat in the pool is replaced
before use (each checkout pings it), not a failed request."""

from __future__ import annotations

import asyncpg
import pytest
import sqlalchemy as sa

from gateway.store import open_store
from tests.store.conftest import T0, Place
from tests.support.backing import POSTGRES

pytestmark = pytest.mark.anyio


async def test_a_postgresql_connection_dropped_in_the_pool_is_replaced(postgres: Place) -> None:
    store = await open_store(postgres.url, **postgres.options)
    try:
        await store.assign("hw", "c1", "wang", "admin", T0)
        async with store.engine.connect() as conn:  # the pool's connection, returned to it afterwards
            pid = (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()
        admin = await asyncpg.connect(POSTGRES)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)  # a restart, a failover, a timeout
        finally:
            await admin.close()
        store.assigned.forget("hw")
        assert await store.assignments("hw") == {"c1": "wang"}
        async with store.engine.connect() as conn:
            assert (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one() != pid
    finally:
        await store.close()
