"""Relay building blocks: the ``Node`` interface, generic connections, and one way to build them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from gateway.models import Page
from gateway.pagination import MergedList, Position

__all__ = ["Connection", "Edge", "Node", "PageInfo", "connection", "local_list"]

T = TypeVar("T")
D = TypeVar("D")

_LOCAL = "local"


@strawberry.interface(description="An object with a global id: opaque, stable across restarts.")
class Node:
    id: strawberry.ID


@strawberry.type(description="Where a page stands in its list (Relay).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="One item of a page and its cursor (Relay).")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to resume right after this item.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="One page of a list merged over the partner accounts (Relay: `first`, `after`).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's items with their cursors.")
    page_info: PageInfo = strawberry.field(description="Whether there is more, and the page's first and last cursor.")
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(
        description="Items in all pages, summed over every partner account that answered (with filters: a full scan)."
    )
    async def total_count(self, info: strawberry.Info) -> int:
        return await self.counter()

    @strawberry.field(description="The page's items (the edges' nodes, without cursors).")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


async def connection(
    info: strawberry.Info[Any, Any],
    merged: MergedList[D],
    first: int | None,
    after: str | None,
    convert: Callable[[Position, D], T],
) -> Connection[T]:
    """A page of ``merged`` as a connection; accounts that failed are reported beside the data."""
    context = info.context
    window = await merged.window(first, after)
    context.report(window.failures, info.path, merged.key)
    edges = [Edge(cursor=position.cursor(merged.key), node=convert(position, item)) for position, item in window.items]

    async def count() -> int:
        total = await merged.count()
        context.report(merged.failures, info.path, merged.key)
        return total

    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=window.has_next_page,
            has_previous_page=window.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        counter=count,
    )


def local_list(key: str, items: Sequence[D]) -> MergedList[D]:
    """A list the gateway holds itself, paged like the upstream ones."""

    async def fetch(_: str, offset: int, limit: int) -> Page[D]:
        return Page(tuple(items[offset : offset + limit]), len(items))

    return MergedList(key, [_LOCAL], fetch)
