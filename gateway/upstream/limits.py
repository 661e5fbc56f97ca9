"""One account's own limits toward its upstream: a concurrency cap and a rate limit.

The clouds limit how often a partner account may call them (``docs/upstream.md`` has the figures); past
that they throttle, and a burst of a busy page (a hundred credit lookups at once) gets refused upstream.
The gateway stays below on its own:

- concurrency: at most ``max_concurrency`` calls of the account in flight from this process (a slot is
  held until the answer's body has been read). The cap is per process: N replicas may have N times as many
  in flight;
- rate: a token bucket (``rate`` a second, ``burst`` at once) in the ``SharedState``, so with ``[redis]`` the
  replicas share one bucket per account and the cloud sees one account's rate, not the replicas' sum.

Waiting calls go in order of their requests' deadlines, earliest first: one at a time takes a slot, then a
token, and is sent as soon as it has both. Under more traffic than the limits allow, the requests that came
first are answered whole rather than every request partly and late. A call never waits past its request's
deadline (``gateway.deadline``; a call outside a request waits at most ``max_wait``): when its turn, a slot or
the token cannot come in time it is refused with ``UpstreamLimited`` (``UPSTREAM_LIMITED``, ``limit``
``concurrency`` or ``rate``, a ``retryAfter`` hint), at once when the token is known to come too late.
Nothing was sent, so a write is not applied.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from gateway import deadline as request_deadline
from gateway.errors import UpstreamLimited
from gateway.observability.metrics import UPSTREAM_IN_FLIGHT, UPSTREAM_LIMITED
from gateway.upstream.shared import SharedState

__all__ = ["LimitsTransport"]

#: The shortest wait for a token: a bucket a rounding error short of one token is not asked again at once.
MIN_WAIT = 0.001


@dataclass(order=True)
class _Waiter:
    until: float
    seq: int
    turn: asyncio.Event = field(compare=False, default_factory=asyncio.Event)


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
        self._key = f"upstream:{partner_id}:rate"
        self._max_wait = max_wait
        self._sleep = sleep
        self._free: int | None = max_concurrency if max_concurrency > 0 else None
        """Slots free now (None: no cap)."""
        self._queue: list[_Waiter] = []
        """Calls waiting to go, earliest deadline first: only the first may take a slot and a token."""
        self._seq = itertools.count()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = request_deadline.current()
        until = deadline.at if deadline is not None else asyncio.get_running_loop().time() + self._max_wait
        await self._admit(until)
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

    async def _admit(self, until: float) -> None:
        """Wait for this call's turn (earliest deadline first), a slot, then a token; or refuse it."""
        if self._free is None and self.rate <= 0:
            return
        me = _Waiter(until, next(self._seq))
        heapq.heappush(self._queue, me)
        waited: set[str] = set()
        try:
            while self._queue[0] is not me or self._free == 0:
                limit = "concurrency" if self._free == 0 else "rate"  # no slot, or others first for tokens
                waited.add(limit)
                me.turn.clear()
                try:
                    async with asyncio.timeout_at(until):
                        await me.turn.wait()
                except TimeoutError:
                    limit = "concurrency" if self._free == 0 else "rate"
                    raise self._refused(limit, 1.0 if limit == "concurrency" else 1 / self.rate) from None
            if self._free is not None:
                self._free -= 1
            try:
                if await self._token(until):
                    waited.add("rate")
            except BaseException:
                self._give_back()
                raise
        finally:
            self._leave(me)
        for limit in waited:
            UPSTREAM_LIMITED.labels(self.partner_id, limit, "waited").inc()

    async def _token(self, until: float) -> bool:
        """Take a token, sleeping for it if it comes before ``until``: True if it had to wait."""
        if self.rate <= 0:
            return False
        waited = False
        loop = asyncio.get_running_loop()
        while (wait := await self._state.take(self._key, rate=self.rate, burst=self.burst)) > 0:
            if loop.time() + wait >= until:
                raise self._refused("rate", wait)
            waited = True
            await self._sleep(max(wait, MIN_WAIT))
        return waited

    def _refused(self, limit: str, retry_after: float) -> UpstreamLimited:
        UPSTREAM_LIMITED.labels(self.partner_id, limit, "refused").inc()
        why = (
            f"all {self.max_concurrency} of its slots stayed busy"
            if limit == "concurrency"
            else f"its rate limit ({self.rate:g} a second) has no token for it"
        )
        return UpstreamLimited(
            f"the gateway held back a call to the upstream of {self.partner_id}: {why} before the request's "
            "deadline (nothing was sent)",
            limit=limit,
            provider=self.provider,
            partner_id=self.partner_id,
            retry_after=retry_after,
        )

    def _leave(self, me: _Waiter) -> None:
        if self._queue and self._queue[0] is me:
            heapq.heappop(self._queue)
        else:
            self._queue.remove(me)
            heapq.heapify(self._queue)
        self._wake()

    def _give_back(self) -> None:
        if self._free is not None:
            self._free += 1
            self._wake()

    def _wake(self) -> None:
        if self._queue:
            self._queue[0].turn.set()

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
