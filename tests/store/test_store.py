"""The store, on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from gateway.models import Page
from gateway.projects import Stage, advance, confirm_by_customer, file_project, record_approval
from gateway.store import (
    AuditEntry,
    AuditFilter,
    OperationStatus,
    ProjectFilter,
    Store,
    VersionConflict,
    open_store,
)
from gateway.store._migrations import migrate
from tests.store.conftest import T0, Place, operation

pytestmark = pytest.mark.anyio


def _connect_args(store: Store) -> dict[str, object]:
    """The schema the test store works in (tests/store/conftest.py), for a second engine on it."""
    return {"server_settings": {"search_path": store.engine.dialect.default_schema_name or "public"}}


def filed(n: int, account: str = "aliyun-a", provider: str = "aliyun", owner: str = "wang") -> object:
    return file_project(
        account_id=account,
        provider=provider,
        approval_required=provider == "aliyun",
        customer_id=f"c{n}",
        customer_name=f"客户 {n}",
        name=f"Project {n}",
        actor="admin",
        now=T0 + timedelta(minutes=n),
        win_rate=Decimal("20.5"),
        owner=owner,
    )


async def test_migrations_are_applied_once(store: Store) -> None:
    assert await migrate(store.engine) == []  # open_store applied them already


async def test_projects_round_trip_with_history_and_version_checks(store: Store) -> None:
    project = await store.insert_project(filed(1), "admin")  # type: ignore[arg-type]
    assert project.id > 0
    assert await store.get_project(project.id) == project
    approved, event = record_approval(project, True, actor="bd", now=T0 + timedelta(hours=1))
    await store.save_project(approved, event)
    confirmed, event = confirm_by_customer(approved, actor="customer", now=T0 + timedelta(hours=2))
    await store.save_project(confirmed, event)
    # A second editor who still holds the approved version loses the race.
    moved, event = advance(confirmed, Stage.CONFIRMED_OPPORTUNITY, actor="li", now=T0 + timedelta(hours=3))
    await store.save_project(moved, event)
    with pytest.raises(VersionConflict):
        await store.save_project(moved, event)
    current = await store.get_project(project.id)
    assert current is not None
    assert current.stage is Stage.CONFIRMED_OPPORTUNITY
    assert current.win_rate == Decimal("20.5")
    assert current.version == 4
    history = await store.project_events(project.id)
    assert [e.kind for e in history] == ["FILED", "APPROVED", "CUSTOMER_CONFIRMED", "STAGE"]
    assert history[-1].at == T0 + timedelta(hours=3)


async def test_projects_are_listed_newest_first_with_filters(store: Store) -> None:
    for n in range(5):
        await store.insert_project(filed(n, owner="wang" if n % 2 else "li"), "admin")  # type: ignore[arg-type]
    await store.insert_project(filed(9, account="hw", provider="huaweicloud"), "admin")  # type: ignore[arg-type]
    page = await store.list_projects(ProjectFilter(account_ids=("aliyun-a",)), 0, 3)
    assert page.total == 5
    assert [p.name for p in page.items] == ["Project 4", "Project 3", "Project 2"]
    assert (await store.list_projects(ProjectFilter(owner="wang"), 0, 10)).total == 3  # 1, 3 and 9
    assert [p.name for p in (await store.list_projects(ProjectFilter(search="客户 2"), 0, 10)).items] == ["Project 2"]
    scoped = await store.list_projects(ProjectFilter(customer_ids=frozenset({"c1", "c4"})), 0, 10)
    assert {p.customer_id for p in scoped.items} == {"c1", "c4"}


async def test_an_idempotency_key_is_claimed_once_even_concurrently(store: Store) -> None:
    attempts = [operation("key-1") for _ in range(8)]
    claims = await asyncio.gather(*(store.claim_operation(a) for a in attempts))
    winners = [stored for stored, created in claims if created]
    assert len(winners) == 1
    assert {stored.id for stored, _ in claims} == {winners[0].id}
    await store.finish_operation(winners[0].id, OperationStatus.SUCCEEDED, result={"transferId": "t1"}, at=T0)
    again, created = await store.claim_operation(operation("key-1"))
    assert not created
    assert again.status == OperationStatus.SUCCEEDED
    assert again.result == {"transferId": "t1"}
    assert again.input == {"customerId": "c1", "amount": "10.00"}


async def test_pending_operations_are_found_and_released(store: Store) -> None:
    pending, _ = await store.claim_operation(operation("key-p"))
    done, _ = await store.claim_operation(operation("key-d"))
    await store.finish_operation(done.id, OperationStatus.FAILED, error={"code": "X"}, at=T0)
    assert [op.id for op in await store.pending_operations()] == [pending.id]
    assert [op.id for op in await store.operations_since("hw", "transferFunds", T0)] != []
    await store.release_operation(pending.id)
    assert await store.pending_operations() == []
    assert (await store.claim_operation(operation("key-p")))[1] is True  # the key is free again


async def test_audit_trail_filters_newest_first(store: Store) -> None:
    for n in range(4):
        await store.audit(
            AuditEntry(
                at=T0 + timedelta(seconds=n),
                principal="finance" if n % 2 else "wang",
                operation="transferFunds",
                input={"n": n},
                outcome="SUCCEEDED" if n < 3 else "FAILED",
                request_ids=(f"req-{n}",),
            )
        )
    page: Page[AuditEntry] = await store.list_audit(AuditFilter(principal="finance"), 0, 10)
    assert [e.input["n"] for e in page.items] == [3, 1]
    assert page.items[0].request_ids == ("req-3",)
    assert page.items[0].at == T0 + timedelta(seconds=3)
    assert (await store.list_audit(AuditFilter(outcome="FAILED"), 0, 10)).total == 1
    assert (await store.list_audit(AuditFilter(since=T0 + timedelta(seconds=2)), 0, 10)).total == 2


async def test_assignments_upsert(store: Store) -> None:
    await store.assign("hw", "c1", "wang", "admin", T0)
    await store.assign("hw", "c1", "li", "admin", T0)
    await store.assign("hw", "c2", "wang", "admin", T0)
    assert await store.assignments("hw") == {"c1": "li", "c2": "wang"}
    assert await store.assignments("other") == {}


async def test_a_target_lock_is_held_across_stores_sharing_a_database(store: Store) -> None:
    """Two gateway replicas share one PostgreSQL store: the second waits for the first's write."""
    if store.dialect != "postgresql":
        # SQLite is one process's store: the lock there is the process's own (gateway.operations).
        async with store.target_lock("hw/customer:c1"):
            return
    other = await open_store(store.engine.url.render_as_string(hide_password=False), connect_args=_connect_args(store))
    events: list[str] = []
    try:

        async def replica(engine_store: Store, name: str, hold: float) -> None:
            async with engine_store.target_lock("hw/customer:c1"):
                events.append(f"{name} in")
                await asyncio.sleep(hold)
                events.append(f"{name} out")

        first = asyncio.create_task(replica(store, "a", 0.3))
        await asyncio.sleep(0.05)
        await asyncio.gather(replica(other, "b", 0), first)
        async with other.target_lock("hw/customer:c2"), store.target_lock("hw/customer:c3"):
            events.append("other targets do not wait")
    finally:
        await other.close()
    assert events == ["a in", "a out", "b in", "b out", "other targets do not wait"]


async def test_replicas_starting_at_once_on_a_new_database_both_open_it(place: Place) -> None:
    # Both would create the migrations table; without the lock around it, one fails with "already exists".
    stores = await asyncio.gather(*(open_store(place.url, **place.options) for _ in range(4)))
    try:
        assert len({store.identity.store_id for store in stores if store.identity}) == 1  # one store, made once
        assert await migrate(stores[0].engine) == []
    finally:
        for store in stores:
            await store.close()
