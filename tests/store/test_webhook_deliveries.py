"""Webhook deliveries in the store (migration 7) on both back ends: one per (event, webhook) however often it is
queued; a claim is won by one claimer and taken over once it expires; a subject's later event is not due while an
earlier one is PENDING (a DEAD one no longer holds it); failed attempts by a claim's holder only; DELIVERED is kept
whoever holds the claim; redelivery; the cursor starts at the end of the outbox and only moves forward."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from gateway.events import new_event
from gateway.notifications.deliveries import DeliveryFilter, DeliveryStatus
from gateway.store import Store
from tests.store.conftest import T0

pytestmark = pytest.mark.anyio
LEASE = timedelta(seconds=30)


async def test_a_delivery_is_queued_once_and_claimed_by_one_claimer_until_its_claim_expires(store: Store) -> None:
    added = await store.add_events([new_event("customer.created", "customer/a/1", {})])
    assert await store.queue_webhook_deliveries("crm", added, T0) == 1
    assert await store.queue_webhook_deliveries("crm", added, T0) == 0  # a second replica, the same event
    assert await store.queue_webhook_deliveries("erp", added, T0) == 1  # another webhook: its own
    claims = await asyncio.gather(
        *(store.claim_webhook_deliveries("crm", f"replica-{n}", T0, T0 + LEASE, 10) for n in range(4))
    )
    assert sorted(len(claimed) for claimed in claims) == [0, 0, 0, 1]
    [(delivery, event)] = next(claimed for claimed in claims if claimed)
    assert (delivery.event_id, event.id, delivery.status, delivery.attempts) == (added[0].id, added[0].id, "PENDING", 0)
    assert await store.claim_webhook_deliveries("crm", "late", T0 + LEASE / 2, T0 + LEASE, 10) == []
    taken_over = await store.claim_webhook_deliveries("crm", "late", T0 + LEASE * 2, T0 + LEASE * 3, 10)
    assert [d.id for d, _ in taken_over] == [delivery.id]  # the first claimer died: its claim expired


async def test_a_subjects_later_event_waits_for_an_earlier_pending_one(store: Store) -> None:
    first, second, other = await store.add_events(
        [
            new_event("customer.created", "customer/a/1", {}),
            new_event("customer.frozen", "customer/a/1", {}),
            new_event("customer.created", "customer/a/2", {}),
        ]
    )
    await store.queue_webhook_deliveries("crm", [first, second, other], T0)
    claimed = await store.claim_webhook_deliveries("crm", "me", T0, T0 + LEASE, 10)
    assert [e.id for _, e in claimed] == [first.id, other.id]
    by_event = {e.id: d for d, e in claimed}
    retry_at = T0 + timedelta(seconds=5)
    failed = {"attempts": 1, "dead": False, "retry_at": retry_at, "status": 500, "error": "HTTP 500"}
    assert not await store.webhook_attempt_failed(by_event[first.id].id, "someone-else", T0, **failed)
    assert await store.webhook_attempt_failed(by_event[first.id].id, "me", T0, **failed)
    assert await store.webhook_delivered(by_event[other.id].id, T0, 200)
    assert await store.claim_webhook_deliveries("crm", "me", T0, T0 + LEASE, 10) == []  # the first backs off
    again = await store.claim_webhook_deliveries("crm", "me", retry_at, retry_at + LEASE, 10)
    assert [e.id for _, e in again] == [first.id]  # the second still waits behind it
    dead = {**failed, "attempts": 2, "dead": True}
    assert await store.webhook_attempt_failed(again[0][0].id, "me", retry_at, **dead)
    after = await store.claim_webhook_deliveries("crm", "me", retry_at, retry_at + LEASE, 10)
    assert [e.id for _, e in after] == [second.id]  # a DEAD one holds nothing back
    listed = {d.event_id: d for d in (await store.list_webhook_deliveries(DeliveryFilter(), 0, 10)).items}
    assert (listed[first.id].status, listed[first.id].attempts, listed[first.id].last_error) == (
        DeliveryStatus.DEAD,
        2,
        "HTTP 500",
    )
    assert (listed[other.id].status, listed[other.id].last_status) == (DeliveryStatus.DELIVERED, 200)
    assert await store.pending_webhook_deliveries() == {"crm": 1}
    dead_only = await store.list_webhook_deliveries(DeliveryFilter(webhook="crm", status=DeliveryStatus.DEAD), 0, 10)
    assert [d.event_id for d in dead_only.items] == [first.id]
    frozen = await store.list_webhook_deliveries(DeliveryFilter(event_type="customer.frozen"), 0, 10)
    assert [d.event_id for d in frozen.items] == [second.id]

    requeued = await store.redeliver_webhook(listed[first.id].id, retry_at)
    assert requeued is not None
    assert (requeued.status, requeued.attempts, requeued.event_id) == (DeliveryStatus.PENDING, 0, first.id)
    # A 2xx is kept whoever holds the claim (the event did arrive); never twice.
    assert await store.webhook_delivered(requeued.id, retry_at, 204)
    assert not await store.webhook_delivered(requeued.id, retry_at, 204)


async def test_the_cursor_starts_at_the_end_of_the_outbox_and_only_moves_forward(store: Store) -> None:
    await store.add_events([new_event("customer.created", f"customer/a/{n}", {}) for n in range(3)])
    end = await store.last_event_sequence()
    assert await store.webhook_cursor("crm") == 0
    assert await store.start_webhook_cursor("crm", T0) == end
    await store.add_events([new_event("customer.created", "customer/a/9", {})])
    assert await store.start_webhook_cursor("crm", T0) == end  # known: kept
    await store.queue_webhook_deliveries("crm", [], T0, cursor=end + 1)
    await store.queue_webhook_deliveries("crm", [], T0, cursor=end)  # a slower replica: never back
    assert await store.webhook_cursor("crm") == end + 1


async def test_redelivering_a_delivery_being_sent_keeps_its_attempts(store: Store) -> None:
    """An admin's redelivery of a PENDING delivery a replica is sending only makes it due: the sender's failed
    attempt then counts on top of the attempts made, not of a count reset under it."""
    added = await store.add_events([new_event("customer.created", "customer/a/2", {})])
    await store.queue_webhook_deliveries("crm", added, T0)
    [(delivery, _)] = await store.claim_webhook_deliveries("crm", "sender", T0, T0 + LEASE, 10)
    failed = await store.webhook_attempt_failed(
        delivery.id, "sender", T0, attempts=1, dead=False, retry_at=T0, status=500, error="HTTP 500"
    )
    assert failed
    [(delivery, _)] = await store.claim_webhook_deliveries("crm", "sender", T0, T0 + LEASE, 10)
    redelivered = await store.redeliver_webhook(delivery.id, T0)
    assert redelivered is not None
    assert (redelivered.status, redelivered.attempts) == ("PENDING", 1)
