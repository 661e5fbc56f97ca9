"""Relay building blocks: the ``Node`` interface and generic connections."""

from __future__ import annotations

from typing import Generic, TypeVar

import strawberry

__all__ = ["Connection", "Edge", "Node", "PageInfo"]

T = TypeVar("T")


@strawberry.interface(description="An object with a global id: opaque, stable across restarts.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Items in all pages, summed over every partner account.")

    @strawberry.field
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]
