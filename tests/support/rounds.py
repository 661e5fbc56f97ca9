"""Round trips, counted without a clock: an upstream that answers its requests in rounds.

Requests that arrive while a round is open join it; the round is answered, all together, once the event loop has
gone ``idle`` turns with no new arrival. A request that could only be sent after some answer (the next page once
the total is known, a balance once the customer is listed) falls in a later round, so ``Rounds.rounds`` shows how
many round trips a read costs and what went out together: what latency would make of it, without timing anything.

``RoundsTransport`` wraps an httpx transport (an adapter's client), ``RoundsApp`` an ASGI app (a simulator behind the
gateway's whole stack). One ``Rounds`` may stand behind several (both clouds): their requests share the rounds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from gateway.provider import ASGIApp

__all__ = ["Rounds", "RoundsApp", "RoundsTransport", "label_of"]

#: Loop turns without an arrival that close a round: far more than a request needs to go from a resolver down the
#: transport stack, far less than anything in these tests waits for.
IDLE_TURNS = 40


class Rounds:
    """The rounds of requests an upstream (or several) answered, each a list of labels in arrival order."""

    def __init__(self, idle: int = IDLE_TURNS) -> None:
        self.idle = idle
        self.rounds: list[list[str]] = []
        self._open: asyncio.Event | None = None
        self._arrivals = 0
        self._in_flight = 0
        self.most_in_flight = 0
        """The most requests that were in flight at once (sent, not yet answered)."""

    async def enter(self, label: str) -> None:
        """Join the open round (or open one) and wait until it is answered."""
        if self._open is None:
            self._open = asyncio.Event()
            self.rounds.append([])
            asyncio.get_running_loop().create_task(self._close(self._open))
        opened = self._open
        self.rounds[-1].append(label)
        self._arrivals += 1
        self._in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self._in_flight)
        try:
            await opened.wait()
        finally:
            self._in_flight -= 1

    async def _close(self, event: asyncio.Event) -> None:
        seen = -1
        while seen != self._arrivals:
            seen = self._arrivals
            for _ in range(self.idle):
                await asyncio.sleep(0)
        self._open = None
        event.set()

    @property
    def answered(self) -> int:
        """How many rounds have been answered so far."""
        return len(self.rounds) - (self._open is not None)

    def of(self, prefix: str) -> list[list[str]]:
        """The rounds with only the labels starting with ``prefix`` (rounds without any left out)."""
        kept = [[label for label in labels if label.startswith(prefix)] for labels in self.rounds]
        return [labels for labels in kept if labels]

    def clear(self) -> None:
        self.rounds.clear()
        self.most_in_flight = 0


def label_of(method: str, path: str, headers: dict[str, str], query: str) -> str:
    """``Action query`` for Aliyun (the action header), ``METHOD path query`` for anything else."""
    action = headers.get("x-acs-action")
    head = action if action else f"{method} {path}"
    return f"{head} {query}".strip()


class RoundsTransport(httpx.AsyncBaseTransport):
    """An httpx transport whose requests are answered in ``rounds``."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, rounds: Rounds, label: Callable[[httpx.Request], str] | None = None
    ) -> None:
        self.inner = inner
        self.rounds = rounds
        self._label = label or (
            lambda r: label_of(r.method, r.url.path, dict(r.headers), r.url.query.decode("ascii", "replace"))
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.rounds.enter(self._label(request))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class RoundsApp:
    """An ASGI app (a simulator) whose HTTP requests are answered in ``rounds``; ``name`` prefixes their labels."""

    def __init__(self, app: ASGIApp, rounds: Rounds, name: str) -> None:
        self.app = app
        self.rounds = rounds
        self.name = name

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
            query = scope.get("query_string", b"").decode("ascii", "replace")
            await self.rounds.enter(f"{self.name} {label_of(scope['method'], scope['path'], headers, query)}")
        await self.app(scope, receive, send)

    def __getattr__(self, name: str) -> Any:  # the simulator's own attributes (faults, state) stay reachable
        return getattr(self.app, name)
