"""One Relay-style connection over the lists of several partner accounts.

Order (documented public behaviour): partner accounts in configuration order; within an account, the
upstream's own order. A cursor names an item's position (account id, offset in that account's list),
so a page resumes exactly after the previous page's last item, whatever paging the upstream has
(adapters turn an offset window into page numbers or record offsets).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gateway.errors import GatewayError, InvalidInput
from gateway.ids import decode_opaque, encode_opaque
from gateway.models import Page

__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "Position", "Window", "merged_window"]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_CURSOR_PREFIX = "pos1"


@dataclass(frozen=True, slots=True)
class Position:
    account_id: str
    offset: int

    def cursor(self) -> str:
        return encode_opaque(f"{_CURSOR_PREFIX}:{self.account_id}:{self.offset}")

    @classmethod
    def from_cursor(cls, cursor: str) -> Position:
        prefix, _, rest = decode_opaque(cursor, "cursor", "after").partition(":")
        account_id, _, offset = rest.rpartition(":")
        if prefix != _CURSOR_PREFIX or not account_id or not offset.isdigit():
            raise InvalidInput("malformed cursor", field="after")
        return cls(account_id, int(offset))


@dataclass(frozen=True, slots=True)
class Window(Generic[T]):
    items: tuple[tuple[Position, T], ...]
    total: int
    has_next_page: bool
    has_previous_page: bool


#: Fetches ``limit`` items from ``offset`` of one account's list (``limit`` may be 0: total only).
Fetch = Callable[[str, int, int], Coroutine[Any, Any, Page[T]]]


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InvalidInput(f"first must be between 1 and {MAX_PAGE_SIZE}", field="first")
    return size


async def merged_window(account_ids: Sequence[str], fetch: Fetch[T], first: int | None, after: str | None) -> Window[T]:
    """The ``first`` items after the cursor ``after`` across all accounts, fetched concurrently."""
    size = page_size(first)
    start_index, start_offset = 0, 0
    if after is not None:
        position = Position.from_cursor(after)
        if position.account_id not in account_ids:
            raise InvalidInput("the cursor refers to a partner account that is not configured", field="after")
        start_index, start_offset = account_ids.index(position.account_id), position.offset + 1

    def window_of(index: int) -> tuple[int, int]:
        if index < start_index:
            return 0, 0  # before the cursor: only its total is needed
        return (start_offset if index == start_index else 0), size

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(fetch(account_id, *window_of(i))) for i, account_id in enumerate(account_ids)]
    except BaseExceptionGroup as failed:
        # One account's failure fails the page (partial results come with #5): surface the typed error.
        cause: BaseException = next(
            (exc for exc in failed.exceptions if isinstance(exc, GatewayError)), failed.exceptions[0]
        )
        raise cause from None
    pages = [task.result() for task in tasks]

    items: list[tuple[Position, T]] = []
    for index in range(start_index, len(account_ids)):
        offset = window_of(index)[0]
        taken = pages[index].items[: size - len(items)]
        items.extend((Position(account_ids[index], offset + n), item) for n, item in enumerate(taken))
        # Stop at an account that is not exhausted (a full page, or an upstream's short page):
        # the next page resumes from the last position instead of skipping what was not returned.
        if len(items) == size or offset + len(taken) < pages[index].total:
            break

    remaining = 0
    if items:
        last = items[-1][0]
        last_index = account_ids.index(last.account_id)
        remaining = pages[last_index].total - last.offset - 1 + sum(p.total for p in pages[last_index + 1 :])
    return Window(
        items=tuple(items),
        total=sum(p.total for p in pages),
        has_next_page=remaining > 0,
        has_previous_page=start_index > 0 or start_offset > 0,
    )
