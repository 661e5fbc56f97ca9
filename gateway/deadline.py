"""One deadline per GraphQL request (``[limits] request_timeout_seconds``), kept in a context variable.

The endpoint starts it (``started``); every upstream call made while answering the request sees it through
``DeadlineTransport``, the transport under each account's ``httpx`` client:

- a call that would start after the deadline is not sent: ``DeadlineExceeded`` with ``outcome_unknown``
  false (nothing went out, so a write is truly not applied);
- a call in flight at the deadline is cut off, its answer's body too: ``DeadlineExceeded`` with
  ``outcome_unknown`` true, so a write is treated as any lost reply is (``gateway.operations`` keeps it
  pending and settles it from the upstream's records; the client retries its key).

Resolvers turn the error into ``null`` and an error at their path, so the request answers by the deadline
with whatever else it has. The endpoint's backstop (``GRACE`` after the deadline) answers even if something
else hangs.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx

from gateway.errors import DeadlineExceeded

__all__ = ["GRACE", "Deadline", "DeadlineTransport", "current", "exceeded", "started"]

#: How long after the deadline the endpoint's backstop answers if the request has not (seconds).
GRACE = 0.5


@dataclass(frozen=True, slots=True)
class Deadline:
    at: float
    """In the event loop's clock (``loop.time()``)."""
    seconds: float
    """The request's whole allowance, for messages."""

    def remaining(self) -> float:
        return self.at - asyncio.get_running_loop().time()


_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("gateway_deadline", default=None)


def current() -> Deadline | None:
    """The deadline of the request being answered, if any."""
    return _current.get()


@contextlib.contextmanager
def started(seconds: float) -> Iterator[Deadline]:
    """Set a deadline ``seconds`` from now for the code run (and the tasks started) inside."""
    deadline = Deadline(asyncio.get_running_loop().time() + seconds, seconds)
    token = _current.set(deadline)
    try:
        yield deadline
    finally:
        _current.reset(token)


def exceeded(deadline: Deadline, *, provider: str, partner_id: str, sent: bool) -> DeadlineExceeded:
    """The error of an upstream call that ``deadline`` stopped: cut off in flight (``sent``: its outcome is
    unknown) or never sent."""
    what = "was cut off at" if sent else "was not sent: past"
    return DeadlineExceeded(
        f"the upstream call {what} the request's deadline ({deadline.seconds:g} s)",
        provider=provider,
        partner_id=partner_id,
        outcome_unknown=sent,
    )


class DeadlineTransport(httpx.AsyncBaseTransport):
    """Holds one account's upstream calls to the current request's deadline (see the module docstring)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, provider: str, partner_id: str) -> None:
        self.inner = inner
        self.provider = provider
        self.partner_id = partner_id

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        deadline = current()
        if deadline is None:
            return await self.inner.handle_async_request(request)
        if deadline.remaining() <= 0:
            raise self._exceeded(deadline, sent=False)
        try:
            async with asyncio.timeout_at(deadline.at):
                response = await self.inner.handle_async_request(request)
        except TimeoutError:
            raise self._exceeded(deadline, sent=True) from None
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_DeadlineStream(response, deadline, self),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()

    def _exceeded(self, deadline: Deadline, *, sent: bool) -> DeadlineExceeded:
        return exceeded(deadline, provider=self.provider, partner_id=self.partner_id, sent=sent)


class _DeadlineStream(httpx.AsyncByteStream):
    """A response body read under the deadline (over a network, the body comes after the headers)."""

    def __init__(self, response: httpx.Response, deadline: Deadline, transport: DeadlineTransport) -> None:
        self._response = response
        self._deadline = deadline
        self._transport = transport

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunks = self._response.aiter_raw().__aiter__()
        while True:
            try:
                async with asyncio.timeout_at(self._deadline.at):
                    chunk = await anext(chunks, None)
            except TimeoutError:
                raise self._transport._exceeded(self._deadline, sent=True) from None
            if chunk is None:
                return
            yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()
