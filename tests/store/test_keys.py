"""Idempotency keys belong to their principal (migration step 2), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.store import OperationStatus, Store, open_store
from gateway.store import _tables as t
from gateway.store._migrations import MIGRATIONS, migrate
from tests.store.conftest import T0, Place, operation

pytestmark = pytest.mark.anyio


async def test_the_same_key_of_two_principals_is_two_operations(store: Store) -> None:
    admins, created_a = await store.claim_operation(operation("K", principal="admin", amount="7.00"))
    wangs, created_w = await store.claim_operation(operation("K", principal="wang", amount="9.00"))
    assert created_a
    assert created_w
    assert admins.id != wangs.id
    by_admin = await store.operation_by_key("admin", "K")
    by_wang = await store.operation_by_key("wang", "K")
    assert by_admin is not None
    assert by_admin.id == admins.id
    assert by_admin.input["amount"] == "7.00"
    assert by_wang is not None
    assert by_wang.id == wangs.id
    assert by_wang.input["amount"] == "9.00"
    assert await store.operation_by_key("li", "K") is None  # nobody else sees either


async def test_the_same_key_of_one_principal_is_the_existing_operation(store: Store) -> None:
    first, _ = await store.claim_operation(operation("K", principal="admin"))
    await store.finish_operation(first.id, OperationStatus.SUCCEEDED, result={"transferId": "t1"}, at=T0)
    again, created = await store.claim_operation(operation("K", principal="admin", amount="99.00"))
    assert not created
    assert again.id == first.id
    assert again.result == {"transferId": "t1"}
    assert again.input_hash == "hash-10.00"  # the caller compares it with its own: a conflict


async def test_concurrent_claims_of_one_principals_key_create_exactly_one(store: Store) -> None:
    attempts = [operation("K", principal=principal) for principal in ("admin", "wang") for _ in range(6)]
    claims = await asyncio.gather(*(store.claim_operation(a) for a in attempts))
    created = [stored for stored, was_created in claims if was_created]
    assert sorted(stored.principal for stored in created) == ["admin", "wang"]
    for principal in ("admin", "wang"):
        winner = next(stored for stored in created if stored.principal == principal)
        assert {stored.id for stored, _ in claims if stored.principal == principal} == {winner.id}


async def test_a_v1_store_with_rows_migrates_and_keeps_them(place: Place) -> None:
    """A store made by step 1 alone, with operations (one key used by one principal), then upgraded."""
    engine = create_async_engine(place.url, **place.options)
    try:
        assert await migrate(engine, MIGRATIONS[:1]) == [1]
        async with engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO operations (id, idempotency_key, principal, operation, account_id, input, input_hash,"
                    " status, result, started_at, finished_at) VALUES (:id, :key, :principal, 'transferFunds', 'hw',"
                    " '{\"amount\": \"5.00\"}', 'h', :status, :result, :at, :at)"
                ).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),
                [
                    {
                        "id": "op-1",
                        "key": "K",
                        "principal": "admin",
                        "status": "SUCCEEDED",
                        "result": '{"t": 1}',
                        "at": T0,
                    },
                    {"id": "op-2", "key": "L", "principal": "wang", "status": "PENDING", "result": None, "at": T0},
                ],
            )
            with pytest.raises(sa.exc.IntegrityError):  # v1: a key is global
                async with conn.begin_nested():
                    await conn.execute(
                        sa.text(
                            "INSERT INTO operations (id, idempotency_key, principal, operation, account_id, input,"
                            " input_hash, status, started_at) VALUES ('x', 'K', 'wang', 'o', 'hw', '{}', 'h', 'P',"
                            " CURRENT_TIMESTAMP)"
                        )
                    )
    finally:
        await engine.dispose()

    store = await open_store(place.url, **place.options)
    try:
        assert await migrate(store.engine) == []
        kept = await store.operation_by_key("admin", "K")
        assert kept is not None
        assert (kept.id, kept.status, kept.result, kept.input, kept.started_at) == (
            "op-1",
            "SUCCEEDED",
            {"t": 1},
            {"amount": "5.00"},
            T0,
        )
        assert [op.id for op in await store.pending_operations()] == ["op-2"]
        # Now the key is admin's own: wang's K is a new operation, admin's K still the old one.
        assert (await store.claim_operation(operation("K", principal="wang")))[1] is True
        assert (await store.claim_operation(operation("K", principal="admin")))[0].id == "op-1"
        operations = sa.select(sa.func.count()).select_from(t.operations)
        async with store.engine.connect() as conn:
            assert (await conn.execute(operations)).scalar_one() == 3
    finally:
        await store.close()


async def test_the_migrated_schema_has_the_shape_tables_describes(store: Store) -> None:
    def shape(conn: Connection) -> dict[str, object]:
        inspector = sa.inspect(conn)
        return {
            "tables": set(inspector.get_table_names()),
            "unique": {tuple(u["column_names"]) for u in inspector.get_unique_constraints("operations")},
            "indexes": {
                tuple(i["column_names"])
                for i in inspector.get_indexes("operations")
                if "duplicates_constraint" not in i  # PostgreSQL's index behind the unique constraint
            },
            "columns": [c["name"] for c in inspector.get_columns("operations")],
        }

    async with store.engine.connect() as conn:
        found = await conn.run_sync(shape)
    assert found["tables"] == set(t.metadata.tables)
    assert found["unique"] == {("principal", "idempotency_key")}
    assert found["indexes"] == {("status",)}
    assert found["columns"] == [c.name for c in t.operations.columns]


async def test_a_failing_step_leaves_nothing_behind(place: Place) -> None:
    """Each step is one transaction, DDL included (SQLite too): a step that fails half-way is not half-applied."""

    def broken(conn: Connection) -> None:
        conn.exec_driver_sql("CREATE TABLE half_done (x INTEGER)")
        conn.exec_driver_sql("SELECT no_such_column FROM half_done")

    engine = create_async_engine(place.url, **place.options)
    try:
        with pytest.raises(sa.exc.DBAPIError):
            await migrate(engine, [*MIGRATIONS, (99, broken)])
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
            versions = set((await conn.execute(sa.select(t.schema_migrations.c.version))).scalars())
        assert "half_done" not in tables
        assert versions == {version for version, _ in MIGRATIONS}
    finally:
        await engine.dispose()
