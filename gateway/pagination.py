"""One Relay-style list over the lists of several partner accounts.

Order (public behaviour): partner accounts in configuration order; within an account, the upstream's
own order. A cursor names an item's position in its account's *upstream* list (account id, offset),
so a page resumes exactly after the previous page's last item whatever paging the upstream has
(adapters turn an offset window into page numbers or record offsets), and with a filter too: the
gateway scans the upstream list from that position and keeps what matches.

A cursor is bound to the list it came from (type and filters): using it on another is an input error.

When an account's upstream fails, the list goes on without it and reports the failure
(``Window.failures``), so a caller can return partial results with an error naming the account.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from gateway.errors import InvalidInput, ProviderError
from gateway.ids import decode_opaque, encode_opaque
from gateway.models import Page

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "AccountFailure",
    "Fetch",
    "MergedList",
    "Position",
    "Window",
    "list_key",
    "page_size",
]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
SCAN_CHUNK = 100
"""Upstream window size while scanning for items that match a filter."""
_CURSOR_PREFIX = "pos2"

#: Fetches ``limit`` items from ``offset`` of one account's list (``limit`` may be 0: total only).
Fetch = Callable[[str, int, int], Awaitable[Page[T]]]


def list_key(*parts: object) -> str:
    """A short, stable name for a list and its filters, carried in its cursors."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class Position:
    account_id: str
    offset: int

    def cursor(self, key: str) -> str:
        return encode_opaque(f"{_CURSOR_PREFIX}:{key}:{self.account_id}:{self.offset}")

    @classmethod
    def from_cursor(cls, cursor: str, key: str) -> Position:
        parts = decode_opaque(cursor, "cursor", "after").split(":")
        if len(parts) != 4 or parts[0] != _CURSOR_PREFIX or not parts[2] or not parts[3].isdigit():
            raise InvalidInput("malformed cursor", field="after")
        if parts[1] != key:
            raise InvalidInput("the cursor belongs to another list or other filters", field="after")
        return cls(parts[2], int(parts[3]))


@dataclass(frozen=True, slots=True)
class AccountFailure:
    account_id: str
    error: ProviderError


@dataclass(frozen=True, slots=True)
class Window(Generic[T]):
    items: tuple[tuple[Position, T], ...]
    has_next_page: bool
    has_previous_page: bool
    failures: tuple[AccountFailure, ...]


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE_SIZE}", field="first")
    return size


class MergedList(Generic[T]):
    """The concatenated lists of ``account_ids``, optionally filtered by ``predicate``.

    One instance serves one request: upstream answers are memoised, so ``window`` and ``count``
    in the same request do not ask twice.
    """

    def __init__(
        self,
        key: str,
        account_ids: Sequence[str],
        fetch: Fetch[T],
        predicate: Callable[[T], bool] | None = None,
        *,
        scan_chunk: int = SCAN_CHUNK,
        failed: Iterable[AccountFailure] = (),
    ) -> None:
        self.key = key
        self.account_ids = list(account_ids)
        self._fetch = fetch
        self._predicate = predicate
        self._scan_chunk = scan_chunk
        self._pages: dict[tuple[str, int, int], Page[T]] = {}
        self._totals: dict[str, int] = {}
        self._failures: dict[str, AccountFailure] = {f.account_id: f for f in failed}
        self._count: int | None = None

    @property
    def failures(self) -> tuple[AccountFailure, ...]:
        return tuple(self._failures.values())

    async def window(self, first: int | None, after: str | None) -> Window[T]:
        size = page_size(first)
        start_index, start_offset = self._start(after)
        chunk = size if self._predicate is None else max(size + 1, self._scan_chunk)
        offsets = {i: (start_offset if i == start_index else 0) for i in range(start_index, len(self.account_ids))}
        # Every account from the cursor on is asked at once; later pages of an account only if needed.
        firsts = await self._gather({i: (offset, chunk) for i, offset in offsets.items()})
        wanted = size if self._predicate is None else size + 1  # one more tells whether a next page exists
        items: list[tuple[Position, T]] = []
        last_index = start_index
        for index in offsets:
            account_id, offset, page = self.account_ids[index], offsets[index], firsts[index]
            while page is not None and len(items) < wanted:
                for n, item in enumerate(page.items):
                    if self._predicate is None or self._predicate(item):
                        items.append((Position(account_id, offset + n), item))
                        last_index = index
                        if len(items) == wanted:
                            break
                offset += len(page.items)
                if len(items) == wanted or not page.items or offset >= page.total:
                    break
                page = await self._page(account_id, offset, chunk if self._predicate else wanted - len(items))
            if len(items) == wanted:
                break
        if self._predicate is not None:
            has_next = len(items) > size
            items = items[:size]
        else:
            has_next = bool(items) and self._remaining_after(items[-1][0], last_index) > 0
        return Window(
            items=tuple(items),
            has_next_page=has_next,
            has_previous_page=start_index > 0 or start_offset > 0,
            failures=self.failures,
        )

    async def count(self) -> int:
        """How many items the whole list holds (with a filter: a scan of every account)."""
        if self._count is None:
            counts = await asyncio.gather(*(self._count_account(a) for a in self.account_ids))
            self._count = sum(counts)
        return self._count

    def _start(self, after: str | None) -> tuple[int, int]:
        if after is None:
            return 0, 0
        position = Position.from_cursor(after, self.key)
        if position.account_id not in self.account_ids:
            raise InvalidInput("the cursor refers to a partner account that is not in this list", field="after")
        return self.account_ids.index(position.account_id), position.offset + 1

    def _remaining_after(self, last: Position, last_index: int) -> int:
        later = self.account_ids[last_index + 1 :]
        return self._totals.get(last.account_id, 0) - last.offset - 1 + sum(self._totals.get(a, 0) for a in later)

    async def _gather(self, windows: dict[int, tuple[int, int]]) -> dict[int, Page[T] | None]:
        pages = await asyncio.gather(*(self._page(self.account_ids[i], o, n) for i, (o, n) in windows.items()))
        return dict(zip(windows, pages, strict=True))

    async def _page(self, account_id: str, offset: int, limit: int) -> Page[T] | None:
        """One upstream window (memoised); None if the account has failed."""
        if account_id in self._failures:
            return None
        memo = (account_id, offset, limit)
        if memo not in self._pages:
            try:
                self._pages[memo] = await self._fetch(account_id, offset, limit)
            except ProviderError as exc:
                self._failures.setdefault(account_id, AccountFailure(account_id, exc))
                return None
            self._totals[account_id] = self._pages[memo].total
        return self._pages[memo]

    async def _count_account(self, account_id: str) -> int:
        if self._predicate is None:
            if account_id not in self._totals:
                await self._page(account_id, 0, 0)
            return self._totals.get(account_id, 0)
        matched, offset = 0, 0
        while (page := await self._page(account_id, offset, self._scan_chunk)) is not None and page.items:
            matched += sum(1 for item in page.items if self._predicate(item))
            offset += len(page.items)
            if offset >= page.total:
                break
        return matched
