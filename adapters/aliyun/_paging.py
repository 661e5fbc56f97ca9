"""Offset windows over the Agency API's page-number lists (CONTRACTS.md X.1, A.6.5), answer-shape checks,
and per-id reads. Pages and per-id reads go out together: the account's limits (``gateway.upstream.limits``)
are the one place that bounds how many are in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from adapters.aliyun import _errors
from gateway.errors import InvalidInput, ProviderProtocolError

__all__ = ["Fetch", "check_window", "each", "pages_of", "read_range", "rows_at", "total_at", "unreadable"]

T = TypeVar("T")

#: Fetch page ``number`` of ``size`` rows: the list's total and the page's rows.
Fetch = Callable[[int, int], Awaitable[tuple[int, list[dict[str, Any]]]]]


def check_window(offset: int, limit: int) -> None:
    if offset < 0:
        raise InvalidInput("offset must not be negative", field="offset")
    if limit < 0:
        raise InvalidInput("limit must not be negative", field="limit")


async def read_range(fetch: Fetch, lo: int, hi: int, size: int) -> tuple[int, list[dict[str, Any]]]:
    """Rows ``lo`` to ``hi`` of a list and its total, fetching only the pages that hold them (one
    cheap page of one row when the range is empty): the first, which gives the total, then every other
    page the range needs at once (page numbers are offsets: nothing makes them wait on each other)."""
    if hi <= lo:
        total, _ = await fetch(1, 1)
        return total, []
    first = lo // size + 1
    total, rows = await fetch(first, size)
    last = (min(hi, total) - 1) // size + 1
    pages = [rows, *await pages_of(fetch, range(first + 1, last + 1), size)]
    start = (first - 1) * size
    flat = [row for page in _until_short(pages, size) for row in page]
    return total, flat[max(lo - start, 0) : max(min(hi, total) - start, 0)]


async def pages_of(fetch: Fetch, numbers: Iterable[int], size: int) -> list[list[dict[str, Any]]]:
    """The rows of pages ``numbers``, all asked for at once (the account's limits bound what goes out)."""
    answers = await asyncio.gather(*(fetch(number, size) for number in numbers))
    return [rows for _, rows in answers]


def _until_short(pages: Sequence[list[dict[str, Any]]], size: int) -> Iterator[list[dict[str, Any]]]:
    """The pages up to the first short one: past it the list shrank while it was read, and what follows
    would repeat or skip rows."""
    for page in pages:
        yield page
        if len(page) < size:
            return


def unreadable(body: Mapping[str, object], action: str, partner_id: str, problem: object) -> ProviderProtocolError:
    """An answer of ``action`` that cannot be read (keeps its RequestId)."""
    request_id = body.get("RequestId")
    return ProviderProtocolError(
        f"Aliyun {action} answer is not readable: {problem}",
        provider=_errors.PROVIDER,
        partner_id=partner_id,
        request_id=str(request_id) if request_id else None,
    )


def rows_at(body: Mapping[str, Any], path: Sequence[str], *, action: str, partner_id: str) -> list[dict[str, Any]]:
    """The list of objects at ``path`` (missing or null: empty), or a protocol error."""
    value: Any = body
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        raise unreadable(body, action, partner_id, f"{'.'.join(path)} is not a list of objects")
    return value


def total_at(body: Mapping[str, Any], path: Sequence[str], *, action: str, partner_id: str) -> int:
    """The integer total at ``path``, or a protocol error."""
    value: Any = body
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise unreadable(body, action, partner_id, f"{'.'.join(path)} is not an integer") from exc


async def each(ids: Sequence[str], one: Callable[[str], Awaitable[T | None]]) -> dict[str, T]:
    """``one`` per distinct id, all at once (the API has no batch form); ``None`` answers are left out.
    The account's limits (``gateway.upstream.limits``) are what bounds how many go out together."""
    unique = list(dict.fromkeys(ids))
    results = await asyncio.gather(*(one(native_id) for native_id in unique))
    return {key: value for key, value in zip(unique, results, strict=True) if value is not None}
