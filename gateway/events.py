"""Change notifications: what the gateway tells webhooks and subscribers (issue #13).

Neither partner API pushes anything, so the gateway finds changes itself (polling each account and comparing with
what the store remembers) or knows them at its own writes. Every change becomes one ``Event``, stored once in the
store's outbox (``Store.add_events``, or inside the transaction of the write it reports) before anything is
delivered: a process that dies after detecting a change delivers it after restart, and nothing is sent twice
under two ids.

An event's ``id`` is its identity everywhere: the Standard Webhooks ``webhook-id`` and the subscription's id, so a
receiver de-duplicates redeliveries by it. ``subject`` names what the event is about (``customer/<account>/<id>``,
``project/<id>``, ...): deliveries keep the order of events of one subject. ``owner`` is the salesperson the subject
belongs to, for the same owner scoping as the graph (None: not a salesperson's).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["EVENT_TYPES", "Event", "event_json", "event_payload", "new_event"]

#: Every event type, as webhooks subscribe to them and subscriptions filter them.
EVENT_TYPES: tuple[str, ...] = (
    "customer.created",
    "customer.invitation_accepted",
    "customer.invitation_expired",
    "customer.frozen",
    "customer.unfrozen",
    "customer.balance_low",
    "voucher.issued",
    "voucher.expiring",
    "reseller.funds_changed",
    "consumption.month_closed",
    "project.stage_changed",
    "project.approved",
    "project.confirmed",
    "operation.settled",
)
_TYPES = frozenset(EVENT_TYPES)


@dataclass(frozen=True, slots=True)
class Event:
    """One change, as the outbox keeps it."""

    id: str
    type: str
    subject: str
    occurred_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    """What changed, JSON-able (ids as strings, amounts as decimal strings with their currency)."""
    account_id: str | None = None
    """The partner account it concerns (None: the gateway's own, e.g. a project without one)."""
    owner: str | None = None
    sequence: int | None = None
    """Its place in the outbox (given by the store): events are delivered and streamed in this order."""

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValueError(f"unknown event type {self.type!r}")
        if self.occurred_at.tzinfo is None:
            raise ValueError("an event's time is timezone-aware")


def new_event(
    type: str,
    subject: str,
    data: Mapping[str, Any],
    *,
    account_id: str | None = None,
    owner: str | None = None,
    at: datetime | None = None,
    id: str | None = None,
) -> Event:
    """A new event with a fresh id (``evt_`` and 32 hex digits), or ``id`` where the caller derives one (a
    detector that must give a change found twice the same id)."""
    return Event(
        id=id or f"evt_{uuid.uuid4().hex}",
        type=type,
        subject=subject,
        occurred_at=at or datetime.now(UTC),
        data=dict(data),
        account_id=account_id,
        owner=owner,
    )


def event_payload(event: Event) -> dict[str, Any]:
    """The JSON a webhook receives (the Standard Webhooks shape: ``type``, ``timestamp``, ``data``) and a
    subscription streams."""
    return {
        "id": event.id,
        "type": event.type,
        "timestamp": event.occurred_at.isoformat(),
        "data": {**event.data, "subject": event.subject, "accountId": event.account_id},
    }


def event_json(event: Event) -> str:
    """The payload as compact JSON (what is signed and sent)."""
    return json.dumps(event_payload(event), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
