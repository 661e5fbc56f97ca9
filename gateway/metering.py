"""Upstream calls counted per GraphQL request: the ``actual`` of ``extensions.cost``.

The app gives every partner account's ``httpx.AsyncClient`` the ``count_upstream_call`` request hook; the
GraphQL layer opens a ``Meter`` per request (``metered``). The meter lives in a context variable, so the
tasks a request starts (resolvers, data loaders) count into it, and calls no request made (the sweep, a
health check) count nowhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

import httpx

__all__ = ["Meter", "count_upstream_call", "metered"]


@dataclass(slots=True)
class Meter:
    """Upstream HTTP requests sent for one GraphQL request (each retry counts: the upstream saw it)."""

    calls: int = 0


_CURRENT: ContextVar[Meter | None] = ContextVar("partner_gateway_meter", default=None)


@contextlib.contextmanager
def metered(meter: Meter) -> Iterator[Meter]:
    """Count the upstream calls made in this context (and the tasks it starts) into ``meter``."""
    token = _CURRENT.set(meter)
    try:
        yield meter
    finally:
        _CURRENT.reset(token)


async def count_upstream_call(request: httpx.Request) -> None:
    """An ``httpx`` request event hook: one more call for the request being served, if any."""
    meter = _CURRENT.get()
    if meter is not None:
        meter.calls += 1
