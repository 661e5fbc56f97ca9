"""The outbox of change notifications (gateway.events) on both back ends: events kept once each, in order, read
back after a sequence and by type; an event added twice (two replicas detecting the same change) is kept once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from gateway.events import EVENT_TYPES, event_payload, new_event
from gateway.store import Store

pytestmark = pytest.mark.anyio


async def test_events_are_kept_once_in_order_and_read_back(store: Store) -> None:
    assert await store.last_event_sequence() == 0
    first = new_event("customer.created", "customer/acc/1", {"customerId": "1"}, account_id="acc", owner="王芳")
    second = new_event("voucher.issued", "voucher/acc/9", {"voucherId": "9", "faceValue": {"amount": "8.00"}})
    added = await store.add_events([first, second])
    assert [e.id for e in added] == [first.id, second.id]
    assert added[0].sequence is not None
    assert added[1].sequence == added[0].sequence + 1
    again = await store.add_events([first])  # found twice, kept once
    assert again == []
    read = await store.events_after(0, 10)
    assert [(e.id, e.type, e.owner, e.data) for e in read] == [
        (first.id, "customer.created", "王芳", {"customerId": "1"}),
        (second.id, "voucher.issued", None, {"voucherId": "9", "faceValue": {"amount": "8.00"}}),
    ]
    assert await store.events_after(added[0].sequence, 10) == [added[1]]
    assert [e.id for e in await store.events_after(0, 10, types={"voucher.issued"})] == [second.id]
    assert await store.last_event_sequence() == added[1].sequence
    found = await store.get_event(first.id)
    assert found is not None
    assert found.occurred_at == first.occurred_at.astimezone(UTC)
    assert await store.get_event("evt_missing") is None


async def test_two_writers_adding_the_same_event_keep_it_once(store: Store) -> None:
    event = new_event("customer.frozen", "customer/acc/7", {"customerId": "7"}, account_id="acc")
    results = await asyncio.gather(*(store.add_events([event]) for _ in range(5)))
    assert sum(len(added) for added in results) == 1
    assert [e.id for e in await store.events_after(0, 10)] == [event.id]


def test_an_event_has_a_known_type_and_an_aware_time() -> None:
    assert len(EVENT_TYPES) == 14
    with pytest.raises(ValueError, match="unknown event type"):
        new_event("customer.deleted", "customer/a/1", {})
    with pytest.raises(ValueError, match="timezone-aware"):
        new_event("customer.created", "customer/a/1", {}, at=datetime(2026, 12, 1))  # noqa: DTZ001
    payload = event_payload(new_event("project.approved", "project/3", {"projectId": "3"}, account_id="a"))
    assert set(payload) == {"id", "type", "timestamp", "data"}
    assert payload["data"] == {"projectId": "3", "subject": "project/3", "accountId": "a"}
