"""Change detection's part of the store (migration 6) on both back ends: leases taken by one holder at a time
and taken over once lapsed, snapshots saved by compare-and-set together with their events (all or nothing),
and the events of the gateway's own writes kept in the write's transaction."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

import pytest

from gateway.errors import VersionConflict
from gateway.events import new_event
from gateway.projects import Approval, Project, ProjectStatus, Stage, file_project, notifications, record_approval
from gateway.store import LeaseLost, OperationStatus, SnapshotChange, SnapshotConflict, Store
from tests.store.conftest import T0, operation

pytestmark = pytest.mark.anyio

LEASE = timedelta(seconds=30)


async def test_one_holder_at_a_time_and_a_lapsed_lease_is_taken_over(store: Store) -> None:
    assert await store.take_lease("detect/a", "one", T0, T0 + LEASE) is True
    assert await store.take_lease("detect/a", "two", T0 + timedelta(seconds=1), T0 + LEASE) is False
    assert await store.take_lease("detect/a", "one", T0 + timedelta(seconds=2), T0 + 2 * LEASE) is True  # renewed
    assert await store.lease_holder("detect/a", T0 + LEASE) == "one"
    assert await store.take_lease("detect/b", "two", T0, T0 + LEASE) is True  # another account, another lease
    later = T0 + 2 * LEASE + timedelta(seconds=1)  # "one" stopped renewing: its lease lapsed
    assert await store.lease_holder("detect/a", later) is None
    assert await store.take_lease("detect/a", "two", later, later + LEASE) is True
    assert await store.take_lease("detect/a", "one", later, later + LEASE) is False
    await store.release_lease("detect/a", "one")  # not its own any more: nothing happens
    assert await store.lease_holder("detect/a", later) == "two"
    await store.release_lease("detect/a", "two")
    assert await store.take_lease("detect/a", "one", later, later + LEASE) is True


async def test_holders_racing_for_a_lease_get_it_once(store: Store) -> None:
    for round_ in range(3):
        now = T0 + round_ * 2 * LEASE  # each round the previous lease has lapsed
        taken = await asyncio.gather(*(store.take_lease("detect/x", f"h{i}", now, now + LEASE) for i in range(6)))
        assert sum(taken) == 1


async def test_snapshots_and_their_events_are_saved_together_by_compare_and_set(store: Store) -> None:
    assert await store.take_lease("detect/a", "one", T0, T0 + LEASE)
    first = new_event("customer.created", "customer/a/1", {"customerId": "1"}, account_id="a", id="evt_first")
    added = await store.save_snapshots(
        "a",
        [SnapshotChange("customers", "1", {"status": "INVITED"}, None)],
        [first],
        lease=("detect/a", "one"),
        now=T0,
        lease_until=T0 + LEASE,
    )
    assert [e.id for e in added] == ["evt_first"]
    snapshots = await store.snapshots("a")
    assert snapshots[("customers", "1")].state == {"status": "INVITED"}
    assert snapshots[("customers", "1")].version == 1
    assert await store.snapshots("b") == {}

    # A reading older than what was saved meanwhile: nothing saved, the event not added.
    stale = new_event("customer.invitation_expired", "customer/a/1", {}, account_id="a", id="evt_stale")
    with pytest.raises(SnapshotConflict):
        await store.save_snapshots(
            "a", [SnapshotChange("customers", "1", {"status": "X"}, None)], [stale], lease=("detect/a", "one"), now=T0
        )
    with pytest.raises(SnapshotConflict):
        await store.save_snapshots("a", [SnapshotChange("customers", "1", {"status": "X"}, 7)], [stale], now=T0)
    assert await store.get_event("evt_stale") is None
    assert (await store.snapshots("a"))[("customers", "1")].version == 1

    moved = await store.save_snapshots(
        "a", [SnapshotChange("customers", "1", {"status": "ASSOCIATED"}, 1)], [first, stale], now=T0
    )
    assert [e.id for e in moved] == ["evt_stale"]  # the first again: kept once
    assert (await store.snapshots("a"))[("customers", "1")].version == 2
    await store.save_snapshots("a", [SnapshotChange("customers", "1", None, 2)], [], now=T0)  # gone upstream
    assert await store.snapshots("a") == {}


async def test_a_poller_that_lost_its_lease_saves_nothing(store: Store) -> None:
    assert await store.take_lease("detect/a", "one", T0, T0 + LEASE)
    later = T0 + 2 * LEASE
    assert await store.take_lease("detect/a", "two", later, later + LEASE)  # "one" was too slow: taken over
    event = new_event("customer.frozen", "customer/a/1", {}, account_id="a", id="evt_late")
    with pytest.raises(LeaseLost):
        await store.save_snapshots(
            "a",
            [SnapshotChange("customers", "1", {"frozen": True}, None)],
            [event],
            lease=("detect/a", "one"),
            now=later,
            lease_until=later + LEASE,
        )
    assert await store.snapshots("a") == {}
    assert await store.get_event("evt_late") is None
    assert await store.lease_holder("detect/a", later) == "two"


def _project() -> Project:
    return file_project(
        account_id="a",
        provider="p",
        approval_required=True,
        customer_id="c1",
        customer_name="Acme",
        name="Cloud move",
        actor="admin",
        now=T0,
        owner="王芳",
    )


async def test_project_events_are_kept_with_the_change_and_only_with_it(store: Store) -> None:
    stored = await store.insert_project(_project(), "admin")
    approved, change = record_approval(stored, True, actor="bd", now=T0)
    events = notifications(stored, approved, change)
    assert [(e.type, e.owner, e.subject) for e in events] == [("project.approved", "王芳", f"project/{stored.id}")]
    await store.save_project(approved, change, events=events)
    assert [e.id for e in await store.events_after(0, 10)] == [events[0].id]

    # The same change on a stale version is refused, and its event is not kept.
    again = dataclasses.replace(approved, version=approved.version)  # version - 1 is no longer current
    stale = notifications(stored, again, change)
    with pytest.raises(VersionConflict):
        await store.save_project(again, change, events=stale)
    assert [e.id for e in await store.events_after(0, 10)] == [events[0].id]


def test_project_changes_give_their_events() -> None:
    project = dataclasses.replace(_project(), id=4)
    approved, change = record_approval(project, True, actor="bd", now=T0)
    assert [e.type for e in notifications(project, approved, change)] == ["project.approved"]
    rejected, change = record_approval(project, False, actor="bd", now=T0)
    (lost,) = notifications(project, rejected, change)
    assert (lost.type, lost.data["status"], lost.data["fromStatus"]) == (
        "project.stage_changed",
        ProjectStatus.LOST.value,
        ProjectStatus.IN_PROGRESS.value,
    )
    confirmed = dataclasses.replace(approved, customer_confirmed=True, version=approved.version + 1)
    assert [e.type for e in notifications(approved, confirmed, change)] == ["project.confirmed"]
    advanced = dataclasses.replace(confirmed, stage=Stage.CONFIRMED_OPPORTUNITY)
    (moved,) = notifications(confirmed, advanced, change)
    assert (moved.type, moved.data["fromStage"], moved.data["toStage"]) == (
        "project.stage_changed",
        "POTENTIAL_OPPORTUNITY",
        "CONFIRMED_OPPORTUNITY",
    )
    assert notifications(advanced, dataclasses.replace(advanced, name="Renamed"), change) == []
    assert approved.approval is Approval.APPROVED


async def test_a_settled_operation_event_is_kept_with_its_outcome(store: Store) -> None:
    record = operation("k1")
    await store.claim_operation(record)
    settled = new_event("operation.settled", f"operation/{record.id}", {"outcome": "APPLIED"}, account_id="hw")
    await store.finish_operation(record.id, OperationStatus.SUCCEEDED, result={}, at=T0, events=[settled])
    assert [e.id for e in await store.events_after(0, 10)] == [settled.id]
    other = operation("k2")
    await store.claim_operation(other)
    dropped = new_event("operation.settled", f"operation/{other.id}", {"outcome": "NOT_APPLIED"}, account_id="hw")
    await store.release_operation(other.id, events=[dropped])
    assert await store.get_operation(other.id) is None
    assert [e.id for e in await store.events_after(0, 10)] == [settled.id, dropped.id]
