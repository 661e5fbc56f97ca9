"""One account's own limits toward its upstream: a concurrency cap and a rate limit.

The clouds limit how often a partner account may call each of their APIs (``docs/upstream.md`` has the
figures); past that they throttle, and a burst of a busy page (a hundred credit lookups at once) gets refused
upstream. The gateway stays below on its own:

- concurrency: at most ``max_concurrency`` calls of the account in flight from this process (a slot is
  held until the answer's body has been read). The cap is per process: N replicas may have N times as many
  in flight;
- rate: a token bucket per upstream operation of the account (``rate`` a second, ``burst`` at once; the
  clouds count per API and per account), kept in the ``SharedState``: with a shared back end (``[redis]``) the
  replicas take from the same buckets, and the cloud sees one account's rate, not the replicas' sum.

Waiting calls go in order of their requests' deadlines, earliest first: the first of an operation's calls
takes a slot (slots too go earliest deadline first), then its operation's token, and is sent at once; when the
token is not there yet it gives the slot back while it waits, so that other operations' calls go meanwhile.
Under more traffic than the limits allow, the requests that came first are answered whole rather than every
request partly and late. A call never waits past its request's deadline (``gateway.deadline``; a call outside
a request waits at most ``max_wait``): when its turn, a slot or its token cannot come in time it is refused
with ``UpstreamLimited`` (``UPSTREAM_LIMITED``, ``limit`` ``concurrency`` or ``rate``, a ``retryAfter``
hint), at once when the token is known to come too late. Nothing was sent, so a write is not applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from gateway import deadline as request_deadline
from gateway.errors import UpstreamLimited
from gateway.observability.metrics import UPSTREAM_IN_FLIGHT, UPSTREAM_LIMITED
from gateway.upstream.call import call_of
from gateway.upstream.observed import mark
from gateway.upstream.shared import SharedState

__all__ = ["LimitsTransport"]

#: The shortest wait for a token: a bucket a rounding error short of one token is not asked again at once.
MIN_WAIT = 0.001


@dataclass(order=True)
class _Waiter:
    until: float
    seq: int
    turn: asyncio.Event = field(compare=False, default_factory=asyncio.Event)


class _Line:
    """Callers waiting for something, earliest deadline first: only the first may go on."""

    def __init__(self) -> None:
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()

    @contextlib.asynccontextmanager
    async def first(self, until: float, ready: Callable[[], bool]) -> AsyncIterator[bool]:
        """Wait until this caller is first in line and ``ready()`` holds (``TimeoutError`` at ``until``); the
        body runs while it is still first. Yields whether it had to wait."""
        me = _Waiter(until, next(self._seq))
        heapq.heappush(self._waiting, me)
        waited = False
        try:
            while self._waiting[0] is not me or not ready():
                waited = True
                me.turn.clear()
                async with asyncio.timeout_at(until):
                    await me.turn.wait()
            yield waited
        finally:
            if self._waiting[0] is me:
                heapq.heappop(self._waiting)
            else:
                self._waiting.remove(me)
                heapq.heapify(self._waiting)
            self.wake()

    def wake(self) -> None:
        if self._waiting:
            self._waiting[0].turn.set()


class LimitsTransport(httpx.AsyncBaseTransport):
    """Holds one account's calls to its concurrency cap and rate limit (see the module docstring).
    ``max_concurrency`` 0 or ``rate`` 0 turns that limit off."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        provider: str,
        partner_id: str,
        state: SharedState,
        max_concurrency: int,
        rate: float,
        burst: int,
        max_wait: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.provider = provider
        self.partner_id = partner_id
        self.max_concurrency = max_concurrency
        self.rate = rate
        self.burst = burst
        self._state = state
        self._max_wait = max_wait
        self._sleep = sleep
        self._free = max_concurrency
        """Slots free now (with a cap)."""
        self._slots = _Line()
        self._tokens: dict[str, _Line] = {}
        """One line per upstream operation (the adapters' names: a bounded set)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = request_deadline.current()
        until = deadline.at if deadline is not None else asyncio.get_running_loop().time() + self._max_wait
        await self._admit(until, call_of(request).operation)
        UPSTREAM_IN_FLIGHT.labels(self.partner_id).inc()
        try:
            response = await self.inner.handle_async_request(request)
        except BaseException:
            self._done()
            raise
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_SlotStream(response, self._done),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def _slot(self, until: float) -> None:
        if self.max_concurrency <= 0:
            return
        try:
            async with self._slots.first(until, lambda: self._free > 0) as waited:
                self._free -= 1
        except TimeoutError:
            raise self._refused("concurrency", 1.0) from None
        if waited:
            UPSTREAM_LIMITED.labels(self.partner_id, "concurrency", "waited").inc()

    async def _admit(self, until: float, operation: str) -> None:
        """A slot, and a token of ``operation``'s bucket, in deadline order; return holding the slot."""
        if self.rate <= 0:
            await self._slot(until)
            return
        line = self._tokens.setdefault(operation, _Line())
        key = f"upstream:{self.partner_id}:rate:{operation}"
        loop = asyncio.get_running_loop()
        first = slept = False
        try:
            async with line.first(until, lambda: True) as waited:  # first of the operation's calls
                first = True
                while True:
                    await self._slot(until)
                    try:
                        wait = await self._state.take(key, rate=self.rate, burst=self.burst)
                    except BaseException:
                        self._give_back()
                        raise
                    if wait <= 0:
                        break  # sent at once, so every window at the upstream sees at most its share of tokens
                    self._give_back()  # no slot is held while waiting for a token: other operations go meanwhile
                    if loop.time() + wait >= until:
                        raise self._refused("rate", wait)
                    slept = True
                    await self._sleep(max(wait, MIN_WAIT))
        except TimeoutError:
            if first:
                raise  # not the wait in line: the shared state's own failure
            raise self._refused("rate", 1 / self.rate) from None  # those before it took the tokens until then
        if waited or slept:
            UPSTREAM_LIMITED.labels(self.partner_id, "rate", "waited").inc()

    def _refused(self, limit: str, retry_after: float) -> UpstreamLimited:
        UPSTREAM_LIMITED.labels(self.partner_id, limit, "refused").inc()
        why = (
            f"all {self.max_concurrency} of its slots stayed busy"
            if limit == "concurrency"
            else f"its rate limit ({self.rate:g} a second) had no token for it"
        )
        error = UpstreamLimited(
            f"the gateway held back a call to the upstream of {self.partner_id}: {why} before the request's "
            "deadline (nothing was sent)",
            limit=limit,
            provider=self.provider,
            partner_id=self.partner_id,
            retry_after=retry_after,
        )
        mark(error, "limited")  # for the observed layer's count: not sent
        return error

    def _give_back(self) -> None:
        if self.max_concurrency > 0:
            self._free += 1
            self._slots.wake()

    def _done(self) -> None:
        UPSTREAM_IN_FLIGHT.labels(self.partner_id).dec()
        self._give_back()


class _SlotStream(httpx.AsyncByteStream):
    """The answer's body; the slot is given back when it is closed (read to the end, or dropped)."""

    def __init__(self, response: httpx.Response, done: Callable[[], None]) -> None:
        self._response = response
        self._done: Callable[[], None] | None = done

    async def __aiter__(self) -> AsyncIterator[bytes]:
        stream = self._response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        async for chunk in stream:
            yield chunk

    async def aclose(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            done()
        await self._response.aclose()
