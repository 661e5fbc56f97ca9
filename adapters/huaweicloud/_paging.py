"""Offset/limit windows over BSS lists (CONTRACTS.md X.1), answer-shape checks, and the order window."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from gateway.errors import InvalidInput, ProviderProtocolError
from gateway.models import Page

from ._mapping import PROVIDER

__all__ = ["ORDER_WINDOW", "Fetch", "Pager", "Wire", "order_window"]

T = TypeVar("T")
Wire = dict[str, Any]
#: Fetch records ``offset`` to ``offset + limit`` of a list: the answer's JSON object.
Fetch = Callable[[int, int], Awaitable[Wire]]

#: list_customer_orders accepts a creation window of at most one year (H.4.20). Without ``since`` and
#: ``until`` the provider asks for the year up to now; with only ``since``, the year after it (up to
#: now); with only ``until``, the year before it.
ORDER_WINDOW = timedelta(days=365)


def order_window(since: datetime | None, until: datetime | None, now: datetime) -> tuple[datetime, datetime]:
    """The inclusive, whole-second upstream window for ``[since, until)`` (see ``ORDER_WINDOW``)."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"{name} must carry a time zone", field=name)
    if until is None:
        until = now if since is None else min(since + ORDER_WINDOW, now)
    if since is None:
        since = until - ORDER_WINDOW
    if since >= until:
        raise InvalidInput("since must be before until", field="since")
    if until - since > ORDER_WINDOW:
        raise InvalidInput("Huawei Cloud lists orders of at most one year at a time", field="since")
    # Upstream times are whole seconds and inclusive: [since, until) is ceil(since) .. floor(until - 1 µs).
    begin = since.replace(microsecond=0) + (timedelta(seconds=1) if since.microsecond else timedelta(0))
    end = (until - timedelta(microseconds=1)).replace(microsecond=0)
    return begin, end


class Pager:
    """Reads one partner account's offset/limit lists: windows, whole lists, and each answer's shape.

    The provider, the writer and the reconciler are each given the same one."""

    def __init__(self, partner_id: str, page_size: int) -> None:
        self.partner_id = partner_id
        self.page_size = page_size
        """The largest ``limit`` a window sends (the account's ``page_size`` setting)."""

    async def window(
        self,
        operation: str,
        offset: int,
        limit: int,
        fetch: Fetch,
        keys: tuple[str, str],
        item: Callable[[Wire], T],
    ) -> Page[T]:
        """Records ``offset`` to ``offset + limit`` of an offset/limit list, in calls of at most page_size."""
        if offset < 0:
            raise InvalidInput("offset must not be negative", field="offset")
        if limit < 0:
            raise InvalidInput("limit must not be negative", field="limit")
        items: list[T] = []
        position, end = offset, offset + limit
        while True:
            want = min(self.page_size, end - position) or 1  # limit 0 still needs the total
            total, entries = self.page(operation, await fetch(position, want), *keys)
            items.extend(item(entry) for entry in entries)
            position += len(entries)
            if position >= end or position >= total or len(entries) < want:
                break
        return Page(items=tuple(items[:limit]), total=total)

    async def all(self, operation: str, fetch: Fetch, keys: tuple[str, str], size: int) -> list[Wire]:
        """Every record of a list, ``size`` per call (a record added meanwhile may show twice)."""
        found: list[Wire] = []
        while True:
            total, entries = self.page(operation, await fetch(len(found), size), *keys)
            found.extend(entries)
            if not entries or len(found) >= total:
                return found

    def page(self, operation: str, data: Wire, total_key: str, items_key: str) -> tuple[int, list[Wire]]:
        """An answer's total and its records, or a protocol error."""
        total = data.get(total_key)
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise self.protocol_error(operation, f"'{total_key}' is missing or not a non-negative integer")
        return total, self.entries(operation, data, items_key)

    def entries(self, operation: str, data: Wire, key: str) -> list[Wire]:
        """The list of objects under ``key`` (missing or null: empty), or a protocol error."""
        entries = data.get(key, [])
        if entries is None:
            return []
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise self.protocol_error(operation, f"'{key}' is not a list of objects")
        return entries

    def protocol_error(self, operation: str, problem: str) -> ProviderProtocolError:
        return ProviderProtocolError(
            f"Huawei Cloud {operation} returned an unreadable answer: {problem}",
            provider=PROVIDER,
            partner_id=self.partner_id,
        )
