"""One account's own limits toward its upstream: a concurrency cap and a rate limit.

The clouds limit how often a partner account may call them (``docs/upstream.md`` has the figures); past
that they throttle, and a burst of a busy page (a hundred credit lookups at once) gets refused upstream.
The gateway stays below on its own:

- concurrency: at most ``max_concurrency`` calls of the account in flight from this process (a slot is
  held until the answer's body has been read). The cap is per process: N replicas may have N times as many
  in flight;
- rate: a token bucket (``rate`` a second, ``burst`` at once) in the ``SharedState``, so with ``[redis]`` the
  replicas share one bucket per account and the cloud sees one account's rate, not the replicas' sum.

A call first waits for a slot, then for a token, and is sent as soon as it has both. It never waits past its
request's deadline (``gateway.deadline``; a call outside a request waits at most ``max_wait``): when the slot
or the token cannot come in time it is refused at once with ``UpstreamLimited`` (``UPSTREAM_LIMITED``,
``limit`` ``concurrency`` or ``rate``, a ``retryAfter`` hint). Nothing was sent, so a write is not applied.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx

from gateway import deadline as request_deadline
from gateway.errors import UpstreamLimited
from gateway.observability.metrics import UPSTREAM_IN_FLIGHT, UPSTREAM_LIMITED
from gateway.upstream.shared import SharedState

__all__ = ["LimitsTransport"]

#: The shortest wait for a token: a bucket a rounding error short of one token is not asked again at once.
MIN_WAIT = 0.001


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
        self._state = state
        self._slots = asyncio.Semaphore(max_concurrency) if max_concurrency > 0 else None
        self.max_concurrency = max_concurrency
        self.rate = rate
        self.burst = burst
        self._key = f"upstream:{partner_id}:rate"
        self._max_wait = max_wait
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        loop = asyncio.get_running_loop()
        deadline = request_deadline.current()
        until = deadline.at if deadline is not None else loop.time() + self._max_wait
        await self._slot(until)
        try:
            await self._token(until)
            UPSTREAM_IN_FLIGHT.labels(self.partner_id).inc()
        except BaseException:
            self._release()
            raise
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
        if self._slots is None:
            return
        if not self._slots.locked():
            await self._slots.acquire()
            return
        try:
            async with asyncio.timeout_at(until):
                await self._slots.acquire()
        except TimeoutError:
            UPSTREAM_LIMITED.labels(self.partner_id, "concurrency", "refused").inc()
            raise self._refused("concurrency", f"all {self.max_concurrency} of its slots stayed busy", 1.0) from None
        UPSTREAM_LIMITED.labels(self.partner_id, "concurrency", "waited").inc()

    async def _token(self, until: float) -> None:
        if self.rate <= 0:
            return
        waited = False
        loop = asyncio.get_running_loop()
        while (wait := await self._state.take(self._key, rate=self.rate, burst=self.burst)) > 0:
            if loop.time() + wait >= until:
                UPSTREAM_LIMITED.labels(self.partner_id, "rate", "refused").inc()
                raise self._refused("rate", f"its rate limit ({self.rate:g} a second) has no token left", wait)
            waited = True
            await self._sleep(max(wait, MIN_WAIT))
        if waited:
            UPSTREAM_LIMITED.labels(self.partner_id, "rate", "waited").inc()

    def _refused(self, limit: str, why: str, retry_after: float) -> UpstreamLimited:
        return UpstreamLimited(
            f"the gateway held back a call to the upstream of {self.partner_id}: {why} before the request's "
            "deadline (nothing was sent)",
            limit=limit,
            provider=self.provider,
            partner_id=self.partner_id,
            retry_after=retry_after,
        )

    def _release(self) -> None:
        if self._slots is not None:
            self._slots.release()

    def _done(self) -> None:
        UPSTREAM_IN_FLIGHT.labels(self.partner_id).dec()
        self._release()


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
