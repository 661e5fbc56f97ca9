"""What the gateway keeps of its own doings, read as it stands now: the upstream writes whose outcome is still
being settled (admins only, like the audit trail) and the latest change events of the outbox (admins and
finance, like the subscription's every event)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.errors import InvalidInput
from gateway.events import Event
from gateway.masking import mask_contact
from gateway.models import Page
from gateway.pagination import MergedList, list_key
from gateway.session._base import SessionBase
from gateway.writes import INTENTS

__all__ = ["MAX_RECENT_EVENTS", "PendingOperation", "Trail"]

#: The most events ``recent_events`` returns: a first screenful, not a way to read the outbox's history.
MAX_RECENT_EVENTS = 100


@dataclass(frozen=True, slots=True)
class PendingOperation:
    """An upstream write whose outcome is not known yet: its reply was lost (or the gateway stopped) and the
    upstream's records do not show it yet. It stays until it is settled, applied or not applied."""

    operation_id: str
    operation: str
    principal: str
    account_id: str
    input: Mapping[str, Any]
    """The input, contact details masked (as the audit trail keeps it)."""
    started_at: datetime
    attempt_ended_at: datetime | None
    """When its last attempt ended (its requests had gone out by then), if the gateway saw it end."""


class Trail(SessionBase):
    def pending_operations(self) -> MergedList[PendingOperation]:
        """The upstream writes still pending now, oldest first (admins only). A write leaves the list when it
        is settled, however that happens (a retry with its key, the sweep, a restart): unlike the audit
        trail's PENDING entries, which stay there as the history of each attempt."""
        self._admins_only("read pending operations")
        store = self.gateway.store

        async def fetch(_: str, offset: int, limit: int) -> Page[PendingOperation]:
            pending = [
                PendingOperation(
                    operation_id=record.id,
                    operation=record.operation,
                    principal=record.principal,
                    account_id=record.account_id,
                    input=mask_contact(record.input),
                    started_at=record.started_at,
                    attempt_ended_at=record.finished_at,
                )
                for record in await store.pending_operations()
                if record.input.get("kind") in INTENTS  # a gateway-owned write is pending only while it runs
            ]
            return Page(tuple(pending[offset : offset + limit]), len(pending))

        return MergedList(list_key("pending-operations"), ["store"], fetch)

    async def recent_events(self, first: int) -> list[Event]:
        """The latest ``first`` change events (1 to ``MAX_RECENT_EVENTS``), newest first: what a subscriber
        missed before it joined. Admins and finance only (a sales key's share of the outbox is the live stream's
        owner-scoped one)."""
        self._not_for_sales("the partner's change events")
        if not 1 <= first <= MAX_RECENT_EVENTS:
            raise InvalidInput(f"first must be 1 to {MAX_RECENT_EVENTS}", "first")
        return await self.gateway.store.latest_events(first)
