"""Upstream calls counted per GraphQL request: the ``actual`` of ``extensions.cost``.

Every partner account's transport stack has ``MeteredTransport`` at its bottom (``gateway.upstream``), so
only requests that really go upstream count: not an answer from the cache or shared with an identical read
in flight (``gateway.upstream.flight``), nor a request refused before it was sent. The GraphQL layer opens a
``Meter`` per request (``metered``). The meter lives in a context variable, so the tasks a request starts
(resolvers, data loaders, the single-flight task that sends a read for all its callers, under its first
caller's context) count into it, and calls no request made (the sweep, a health check) count nowhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

import httpx

__all__ = ["Meter", "MeteredTransport", "metered"]


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


class MeteredTransport(httpx.AsyncBaseTransport):
    """Counts each request it sends on into the meter of the request being served, if any."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        meter = _CURRENT.get()
        if meter is not None:
            meter.calls += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
