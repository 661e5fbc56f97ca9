"""Store failures are one typed error, ``StoreUnavailable``, raised from the cause and without secrets:
against stores that really cannot be used (a refused connection, read-only databases, a held lock)."""

from __future__ import annotations

import inspect
import sqlite3
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.errors import StoreUnavailable, VersionConflict
from gateway.events import new_event
from gateway.notifications.deliveries import DeliveryFilter
from gateway.projects import ProjectEvent, file_project
from gateway.store import (
    AuditEntry,
    AuditFilter,
    OperationRecord,
    OperationStatus,
    ProjectFilter,
    SnapshotChange,
    Store,
    open_store,
    sqlite_url,
)
from gateway.store._errors import Failures
from tests.store.conftest import Place
from tests.support.servers import free_port

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PASSWORD = "pw-SECRET-9x"
PROJECT = file_project(
    account_id="hw",
    provider="huaweicloud",
    customer_id="c1",
    customer_name="客户",
    name="ERP",
    actor="a",
    now=T0,
    approval_required=False,
)
RECORD = OperationRecord(
    id="op-1",
    idempotency_key="K",
    principal="finance",
    operation="transferFunds",
    account_id="hw",
    input={},
    input_hash="h",
    status=OperationStatus.PENDING,
    started_at=T0,
)
AUDIT = AuditEntry(at=T0, principal="finance", operation="transferFunds", input={}, outcome="SUCCEEDED")

Call = Callable[[Store], Awaitable[Any]]

#: One call of every method that reads the database.
READS: dict[str, Call] = {
    "get_project": lambda s: s.get_project(1),
    "list_projects": lambda s: s.list_projects(ProjectFilter(), 0, 10),
    "project_events": lambda s: s.project_events(1),
    "operation_by_key": lambda s: s.operation_by_key("finance", "K"),
    "get_operation": lambda s: s.get_operation("op-1"),
    "pending_operations": lambda s: s.pending_operations(),
    "operations_since": lambda s: s.operations_since("hw", "transferFunds", T0),
    "list_audit": lambda s: s.list_audit(AuditFilter(), 0, 10),
    "assignments": lambda s: s.assignments("hw"),
    # the outbox (issue #13)
    "events_after": lambda s: s.events_after(0, 10),
    "latest_events": lambda s: s.latest_events(10),
    "last_event_sequence": lambda s: s.last_event_sequence(),
    "get_event": lambda s: s.get_event("evt_1"),
    # Webhook deliveries (gateway.notifications.webhooks); with nothing due, a claim only reads.
    "webhook_cursor": lambda s: s.webhook_cursor("crm"),
    "claim_webhook_deliveries": lambda s: s.claim_webhook_deliveries("crm", "me", T0, T0, 10),
    "get_webhook_delivery": lambda s: s.get_webhook_delivery(1),
    "list_webhook_deliveries": lambda s: s.list_webhook_deliveries(DeliveryFilter(), 0, 10),
    "pending_webhook_deliveries": lambda s: s.pending_webhook_deliveries(),
    # change detection (issue #13)
    "lease_holder": lambda s: s.lease_holder("detect/hw", T0),
    "snapshots": lambda s: s.snapshots("hw"),
}
#: ... and of every method that writes it (``check`` proves the store can be written).
WRITES: dict[str, Call] = {
    "insert_project": lambda s: s.insert_project(PROJECT, "a"),
    "save_project": lambda s: s.save_project(
        replace(PROJECT, id=1, version=2, name="ERP 2"), ProjectEvent(1, T0, "a", "RENAMED", "ERP 2")
    ),
    "claim_operation": lambda s: s.claim_operation(replace(RECORD, id=str(uuid.uuid4()), idempotency_key="K2")),
    "finish_operation": lambda s: s.finish_operation("op-1", OperationStatus.SUCCEEDED, result={}, at=T0),
    "release_operation": lambda s: s.release_operation("op-1"),
    "audit": lambda s: s.audit(AUDIT),
    "assign": lambda s: s.assign("hw", "c1", "wang", "admin", T0),
    "check": lambda s: s.check(),
    "add_events": lambda s: s.add_events([new_event("customer.created", "customer/hw/c1", {}, account_id="hw")]),
    "start_webhook_cursor": lambda s: s.start_webhook_cursor("crm", T0),
    "queue_webhook_deliveries": lambda s: s.queue_webhook_deliveries("crm", [], T0, cursor=1),
    "webhook_delivered": lambda s: s.webhook_delivered(1, T0, 200),
    "webhook_attempt_failed": lambda s: s.webhook_attempt_failed(
        1, "me", T0, attempts=1, dead=False, retry_at=T0, status=500, error="HTTP 500"
    ),
    "redeliver_webhook": lambda s: s.redeliver_webhook(1, T0),
    # change detection (issue #13)
    "take_lease": lambda s: s.take_lease("detect/hw", "me", T0, T0),
    "release_lease": lambda s: s.release_lease("detect/hw", "me"),
    "save_snapshots": lambda s: s.save_snapshots(
        "hw", [SnapshotChange("funds", "c1", {"low": True}, None)], [], now=T0
    ),
}


def test_every_store_method_is_guarded_and_listed_here() -> None:
    """A new method without the guard, or without a case in READS/WRITES, fails here."""
    methods = {
        name
        for name, member in inspect.getmembers(Store, inspect.iscoroutinefunction)
        if not name.startswith("_") and name != "close"
    }
    assert methods == set(READS) | set(WRITES)
    assert all(getattr(getattr(Store, name), "__store_guarded__", False) for name in methods)


def unreachable_url() -> str:
    return f"postgresql+asyncpg://gateway:{PASSWORD}@127.0.0.1:{free_port()}/gateway"


def assert_secret_free(error: StoreUnavailable) -> None:
    for shown in (error.message, str(error), repr(error)):
        assert PASSWORD not in shown
        assert "pw-SECRET" not in shown


@pytest.mark.parametrize("name", sorted({*READS, *WRITES}))
async def test_every_method_on_a_refused_connection_is_store_unavailable(name: str) -> None:
    url = unreachable_url()
    store = Store(create_async_engine(url, connect_args={"timeout": 2}), url=sa.engine.make_url(url))
    try:
        with pytest.raises(StoreUnavailable) as failed:
            await {**READS, **WRITES}[name](store)
    finally:
        await store.close()
    assert failed.value.code == "STORE_UNAVAILABLE"
    assert "Connect call failed" in failed.value.message
    assert isinstance(failed.value.__cause__, OSError)
    assert_secret_free(failed.value)


async def test_opening_a_store_whose_server_refuses_is_store_unavailable_without_the_password() -> None:
    with pytest.raises(StoreUnavailable) as failed:
        await open_store(unreachable_url())
    assert "Connect call failed" in failed.value.message
    assert_secret_free(failed.value)


async def test_a_password_the_driver_repeats_is_scrubbed(postgres: Place) -> None:
    """PostgreSQL names the role it refuses; a password that is also in the message is masked."""
    role = f"gw_{PASSWORD}"
    url = postgres.url.replace("postgres@", f"{role}:{PASSWORD}@", 1)
    with pytest.raises(StoreUnavailable) as failed:
        await open_store(url)
    assert "gw_***" in failed.value.message  # the role "gw_<password>" does not exist
    assert_secret_free(failed.value)


def test_a_url_encoded_password_is_scrubbed_in_both_spellings() -> None:
    failures = Failures(sa.engine.make_url("postgresql+asyncpg://gw:p%40ss%2Fw0rd@db/gateway"))
    assert failures.scrub("role gw, p@ss/w0rd or p%40ss%2Fw0rd") == "role gw, *** or ***"


async def test_a_target_lock_that_cannot_be_taken_is_store_unavailable() -> None:
    url = unreachable_url()
    store = Store(create_async_engine(url, connect_args={"timeout": 2}), url=sa.engine.make_url(url))
    try:
        with pytest.raises(StoreUnavailable) as failed:
            async with store.target_lock("hw/customer:c1"):
                pytest.fail("the lock was not taken: the body must not run")
    finally:
        await store.close()
    assert_secret_free(failed.value)


async def test_a_target_lock_lets_the_callers_own_errors_through(postgres: Place) -> None:
    store = await open_store(postgres.url, **postgres.options)
    try:
        with pytest.raises(VersionConflict):
            async with store.target_lock("hw/customer:c1"):
                raise VersionConflict("the caller's own")
        async with store.target_lock("hw/customer:c1"):  # and the lock was released
            pass
    finally:
        await store.close()


async def seeded(url: str, **options: Any) -> None:
    """A store with one row of each kind, for the read-only cases."""
    store = await open_store(url, **options)
    try:
        project = await store.insert_project(PROJECT, "a")
        assert project.id == 1
        await store.claim_operation(RECORD)
        await store.audit(AUDIT)
        await store.assign("hw", "c1", "li", "admin", T0)
    finally:
        await store.close()


async def assert_read_only(store: Store, cause: str) -> None:
    for call in READS.values():
        await call(store)  # reading still works
    for name, call in WRITES.items():
        with pytest.raises(StoreUnavailable) as failed:
            await call(store)
        assert cause in failed.value.message, name
    assert (await store.get_project(1)) == replace(PROJECT, id=1)
    assert (await store.operation_by_key("finance", "K")) == RECORD


async def test_a_read_only_sqlite_database(tmp_path: Path) -> None:
    """Running as root, file permissions stop nothing: the database is opened read-only instead."""
    await seeded(sqlite_url(tmp_path))
    store = await open_store(f"sqlite+aiosqlite:///file:{tmp_path / 'gateway.db'}?mode=ro&uri=true")
    try:
        await assert_read_only(store, "attempt to write a readonly database (OperationalError)")
    finally:
        await store.close()


async def test_a_read_only_postgresql_session(postgres: Place) -> None:
    await seeded(postgres.url, **postgres.options)
    settings = {**postgres.options["connect_args"]["server_settings"], "default_transaction_read_only": "on"}
    store = await open_store(postgres.url, connect_args={"server_settings": settings})
    try:
        await assert_read_only(store, "in a read-only transaction")
    finally:
        await store.close()


async def test_a_sqlite_database_locked_by_another_process(tmp_path: Path) -> None:
    await seeded(sqlite_url(tmp_path))
    store = await open_store(f"{sqlite_url(tmp_path)}?timeout=0.1")
    holder = sqlite3.connect(tmp_path / "gateway.db", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        for _name, call in {**READS, **WRITES}.items():
            with pytest.raises(StoreUnavailable, match=r"database is locked \(OperationalError\)"):
                await call(store)
        holder.execute("ROLLBACK")
        assert (await store.get_project(1)) is not None  # and it recovers once the lock is gone
        assert (await store.list_projects(ProjectFilter(), 0, 1)).items[0].win_rate == Decimal(10)
    finally:
        holder.close()
        await store.close()
