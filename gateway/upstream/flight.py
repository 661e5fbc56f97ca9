"""Single flight and short-lived caching of upstream reads, in this process and across replicas.

``FlightTransport`` stands over one partner account's lower layers (``gateway.upstream``). For a read (a
request its adapter tagged ``idempotent``):

- identical reads are one key: the account, the account's *generation* (below), the method, the URL with
  its query, the headers but those that differ at every send (signatures, their dates and nonces, tracing)
  and the body, hashed (sha256) so that a key is bounded;
- a read in flight in this process is joined: its callers await one upstream call, and each gets its own
  copy of the one answer, read to its end;
- the answer is put in ``SharedState``: a slow-changing read's (regions, price quotes) for its
  ``cache_seconds``, a funds read's (customers' balances and credit) for the account's ``funds_seconds``
  (``[upstream] funds_cache_seconds``), in which any identical read is answered with it (``hit``); any other
  read's for
  ``share_seconds``, in which it answers the identical reads of the GraphQL requests that began before it
  arrived (``shared``): their upstream call was in flight while they ran, which is what single flight
  gives, and no caller is ever answered with what was read before its request began. Sharing only calls
  still in flight is not enough: twenty identical pages sent together do not reach their identical reads
  together, as each request's own work (store lookups, mapping a hundred rows) spreads them over a second
  or two;
- across replicas, the sender claims the key for as long as its call may take (the request's connect and
  read timeouts). A replica that finds the key claimed waits for the answer (``SharedState.changed``,
  looking again every ``poll_seconds``), bounded by its deadline; if the claim goes or lapses with no
  answer, it sends the read itself;
- only 2xx answers are put: a failure is never cached. The callers in this process that joined a call
  that failed get its failure: it is one upstream answer, their retry policy decides on a retry, and
  repeating the call once per joiner would multiply the load on a failing cloud by the number of callers,
  which is what single flight is there to prevent.

Each caller's result (``hit``: a slow-changing read's cached answer; ``shared``: the answer of a call made for
another caller; ``miss``: its own call went upstream) is counted in ``UPSTREAM_CACHE`` and set in the
response's ``EXTENSION``.

The shared call runs in a task of its own under its first caller's context (that caller's deadline, and its
cost meter: the call is that request's). A caller that goes (cancelled, or at its own earlier deadline)
leaves the call running for the others; a caller with a later deadline than the call's, which that deadline
cut off, tries again on its own time.

Writes (and untagged requests) pass through, and replace the account's generation in ``SharedState``, which
every replica reads, before they are sent (a read from then on joins no call begun before the write, and no
answer read before it) and after (nor one read while the write was under way). A generation is a random
token: one that expired or was evicted is replaced by a new one, never by an old one, so at worst the
account's cache starts afresh.

Reads made inside ``fresh_reads()`` are always sent: they join no call on its way and take no stored answer.
Settling a write whose outcome is unknown from the upstream's records needs that: "the records do not show
it" proves nothing unless they were read after the moment it is asked about (``gateway.operations``).

A ``SharedState`` that fails (a Redis down) costs the sharing, not the read: the read is sent on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TypeVar

import httpx

from gateway import deadline as deadlines
from gateway.deadline import Deadline
from gateway.errors import DeadlineExceeded
from gateway.observability.metrics import UPSTREAM_CACHE
from gateway.upstream import observed
from gateway.upstream.call import UpstreamCall, call_of
from gateway.upstream.shared import SharedState

__all__ = ["EXTENSION", "FlightTransport", "fresh_reads", "in_fresh_reads", "request_key"]

log = logging.getLogger(__name__)

#: The ``httpx.Response.extensions`` key that says where a read's answer came from: hit, miss or shared.
EXTENSION = "partner_gateway.flight"

#: Headers that differ at every send of one read: the signatures and their dates and nonces (CONTRACTS.md
#: A.2.1, H.2), and tracing. Every other header is part of the key (``X-Language`` changes the answer).
PER_SEND_HEADERS = frozenset(
    {
        "authorization",
        "x-acs-date",
        "x-acs-signature-nonce",
        "x-sdk-date",
        "traceparent",
        "tracestate",
        "baggage",
        "x-request-id",
    }
)

#: How long a read's answer is kept for the identical reads of requests that began before it arrived (here,
#: and on the replicas waiting on its flight). A request that long is near its deadline (10 s by default).
SHARE_SECONDS = 5.0
#: How often a caller waiting on another replica's flight looks again (a notification missed, a claim lapsed).
POLL_SECONDS = 0.2
#: How long an account's generation lives unless a write replaces it (then the account's cache starts afresh).
GENERATION_SECONDS = 7 * 86_400.0
#: A claim lasts as long as its call may take: the request's connect and read timeouts, or this.
CLAIM_SECONDS = 30.0
#: How long past its own deadline a caller waits on a call cut off at that deadline (it ends by it).
_SLACK = 0.25
_MAGIC = b"pgw-answer/1\n"

T = TypeVar("T")

_FRESH: ContextVar[bool] = ContextVar("partner_gateway_fresh_reads", default=False)


@contextlib.contextmanager
def fresh_reads() -> Iterator[None]:
    """Send every read made inside (and in the tasks it starts): none joins a call or takes a stored answer."""
    token = _FRESH.set(True)
    try:
        yield
    finally:
        _FRESH.reset(token)


def in_fresh_reads() -> bool:
    """Whether reads made here are sent whatever is on its way or stored (``fresh_reads``)."""
    return _FRESH.get()


def request_key(account_id: str, generation: str, request: httpx.Request) -> str:
    """The hashed identity of a read (see the module docstring); the request's body must have been read."""
    digest = hashlib.sha256()
    for part in (account_id, generation, request.method, str(request.url)):
        digest.update(part.encode("utf-8") + b"\0")
    headers = sorted((name.lower(), value) for name, value in request.headers.raw)
    for name, value in headers:
        if name.decode("latin-1") not in PER_SEND_HEADERS:
            digest.update(name + b":" + value + b"\n")
    digest.update(b"\0" + request.content)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Answer:
    """An upstream answer, read to its end: what callers share and replicas cache."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    received: float
    """When it arrived (``time.time()``: replicas compare it)."""
    source: str = "miss"
    """hit (a slow-changing read's cached answer), shared (the answer of another's call), miss (sent here)."""

    def serves(self, call: UpstreamCall, began: float) -> bool:
        """Whether it may answer ``call`` for a request that began at ``began`` (see the module docstring)."""
        return call.cache_seconds > 0 or self.received >= began

    def encode(self) -> bytes:
        headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in self.headers]
        head = {"status": self.status, "headers": headers, "received": self.received}
        return _MAGIC + json.dumps(head, separators=(",", ":")).encode("ascii") + b"\n" + self.body

    @classmethod
    def decode(cls, raw: bytes | None, source: str) -> Answer | None:
        """The answer stored in ``raw``, or None (nothing there, or something else: a claim, garbage)."""
        if raw is None or not raw.startswith(_MAGIC):
            return None
        head, newline, body = raw[len(_MAGIC) :].partition(b"\n")
        try:
            meta = json.loads(head)
            headers = tuple((k.encode("latin-1"), v.encode("latin-1")) for k, v in meta["headers"])
            status, received = int(meta["status"]), float(meta["received"])
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeError):
            return None
        return cls(status, headers, body, received, source) if newline else None

    def response(self, result: str) -> httpx.Response:
        """A fresh response for one caller (its body is its own stream). A cached or shared answer is marked
        so for the observed layer above: it was not sent for this caller."""
        response = httpx.Response(
            self.status, headers=list(self.headers), stream=httpx.ByteStream(self.body), extensions={EXTENSION: result}
        )
        if result != "miss":
            observed.mark(response, "cached" if result == "hit" else "shared")
        return response


@dataclass(frozen=True, slots=True)
class _Flight:
    task: asyncio.Task[Answer]
    deadline: Deadline | None
    """The deadline the call runs under: its first caller's."""


class FlightTransport(httpx.AsyncBaseTransport):
    """Shares identical reads of one partner account, and caches the slow-changing ones (module docstring)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        state: SharedState,
        *,
        provider: str,
        partner_id: str,
        share_seconds: float = SHARE_SECONDS,
        poll_seconds: float = POLL_SECONDS,
        funds_seconds: float = 0.0,
    ) -> None:
        self.inner = inner
        self.provider = provider
        self.partner_id = partner_id
        self._state = _Tolerant(state, partner_id)
        self._share_seconds = share_seconds
        self._poll_seconds = poll_seconds
        self._funds_seconds = funds_seconds
        self._prefix = f"upstream:{partner_id}:"
        self._flights: dict[str, _Flight] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = call_of(request)
        if not call.idempotent:
            return await self._write(request)
        await request.aread()
        if call.funds and not call.cache_seconds:
            call = replace(call, cache_seconds=self._funds_seconds)
        return await self._read(request, call)

    async def aclose(self) -> None:
        flights = [flight.task for flight in self._flights.values()]
        for task in flights:
            task.cancel()
        await asyncio.gather(*flights, return_exceptions=True)
        await self.inner.aclose()

    # -- reads ------------------------------------------------------------------------------------------------

    async def _read(self, request: httpx.Request, call: UpstreamCall) -> httpx.Response:
        if _FRESH.get():
            answer = await self._send(request)
            UPSTREAM_CACHE.labels(self.partner_id, "miss").inc()
            return answer.response("miss")
        deadline = deadlines.current()
        began = _began(deadline)
        own = False
        while True:
            generation = await self._generation()
            key = request_key(self.partner_id, generation, request)
            joined = self._flights.get(key)
            leading = own or joined is None or joined.task.done()
            flight = self._start(key, request, call, deadline, began) if leading or joined is None else joined
            try:
                answer = await self._wait(flight, deadline)
            except DeadlineExceeded:
                if _later(deadline, flight.deadline) and (deadline is None or deadline.remaining() > 0):
                    continue  # the call was cut off at its first caller's deadline; this caller has time left
                raise
            if not answer.serves(call, began):
                own = True  # the flight joined took an answer older than this caller's request: read anew
                continue
            result = answer.source if leading or answer.source == "hit" else "shared"
            UPSTREAM_CACHE.labels(self.partner_id, result).inc()
            return answer.response(result)

    def _start(
        self, key: str, request: httpx.Request, call: UpstreamCall, deadline: Deadline | None, began: float
    ) -> _Flight:
        fly = self._fly(key, request, call, deadline, began)
        task = asyncio.get_running_loop().create_task(fly, name=f"flight {key}")
        flight = _Flight(task, deadline)
        self._flights[key] = flight

        def finished(done: asyncio.Task[Answer]) -> None:
            if self._flights.get(key) is flight:
                del self._flights[key]
            if not done.cancelled():
                done.exception()  # retrieved: a failure whose callers have all gone is not "never retrieved"

        task.add_done_callback(finished)
        return flight

    async def _wait(self, flight: _Flight, deadline: Deadline | None) -> Answer:
        """The flight's answer, or ``DeadlineExceeded`` at this caller's deadline; the flight goes on."""
        bound = None
        if deadline is not None:
            bound = deadline.at if _later(flight.deadline, deadline) else deadline.at + _SLACK
        try:
            async with asyncio.timeout_at(bound) as scope:
                return await asyncio.shield(flight.task)
        except TimeoutError:
            if scope.expired() and deadline is not None:
                raise self._exceeded(deadline, sent=True) from None
            raise
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if flight.task.cancelled() and (current is None or not current.cancelling()):
                raise httpx.ConnectError("the upstream transport is shut down") from None
            raise

    async def _fly(
        self, key: str, request: httpx.Request, call: UpstreamCall, deadline: Deadline | None, began: float
    ) -> Answer:
        """The one call behind a key: a stored answer that serves it, another replica's, or this one's own."""
        answer_key, claim_key = f"{self._prefix}answer:{key}", f"{self._prefix}flight:{key}"
        source = "hit" if call.cache_seconds > 0 else "shared"
        stored = Answer.decode(await self._state.get(answer_key), source)
        if stored is not None and stored.serves(call, began):
            return stored
        while not await self._state.claim(claim_key, _claim_seconds(request)):
            await self._changed(claim_key, deadline)  # another replica is sending it
            stored = Answer.decode(await self._state.get(answer_key), source)
            if stored is not None and stored.serves(call, began):
                return stored
        try:
            answer = await self._send(request)
            if 200 <= answer.status < 300:
                await self._state.put(answer_key, answer.encode(), max(call.cache_seconds, self._share_seconds))
            return answer
        finally:
            await self._state.release(claim_key)

    async def _send(self, request: httpx.Request) -> Answer:
        response = await self.inner.handle_async_request(request)
        headers = tuple(response.headers.raw)
        if response.is_stream_consumed:  # built in memory (a test's cloud): its body is decoded already
            body = response.content
            headers = tuple((k, v) for k, v in headers if k.lower() not in (b"content-encoding", b"content-length"))
        else:
            try:
                body = b"".join([chunk async for chunk in response.aiter_raw()])  # as sent: callers decode it
            finally:
                await response.aclose()
        return Answer(response.status_code, headers, body, time.time())

    async def _changed(self, key: str, deadline: Deadline | None) -> None:
        """Wait for ``key`` to change, at most ``poll_seconds``; ``DeadlineExceeded`` once past the deadline."""
        wait = self._poll_seconds
        if deadline is not None:
            if deadline.remaining() <= 0:
                raise self._exceeded(deadline, sent=False)
            wait = min(wait, deadline.remaining())
        try:
            async with asyncio.timeout(wait):
                await self._state.changed(key)
        except TimeoutError:
            pass

    async def _generation(self) -> str:
        """The account's generation: a token that every write replaces (made here if there is none)."""
        key = f"{self._prefix}generation"
        current = await self._state.get(key)
        if current:
            return current.decode("latin-1")
        await self._state.put(key, secrets.token_hex(16).encode("ascii"), GENERATION_SECONDS)
        current = await self._state.get(key)  # another caller's, if it put one meanwhile
        return current.decode("latin-1") if current else secrets.token_hex(16)  # no state: this call alone

    # -- writes -----------------------------------------------------------------------------------------------

    async def _write(self, request: httpx.Request) -> httpx.Response:
        await self._bump()
        try:
            return await self.inner.handle_async_request(request)
        finally:
            await self._bump()

    async def _bump(self) -> None:
        await self._state.put(f"{self._prefix}generation", secrets.token_hex(16).encode("ascii"), GENERATION_SECONDS)

    def _exceeded(self, deadline: Deadline, *, sent: bool) -> DeadlineExceeded:
        return deadlines.exceeded(deadline, provider=self.provider, partner_id=self.partner_id, sent=sent)


def _began(deadline: Deadline | None) -> float:
    """When the request being served began (``time.time()``); a call outside any request: now."""
    now = time.time()
    if deadline is None:
        return now
    return now - (asyncio.get_running_loop().time() - (deadline.at - deadline.seconds))


def _later(one: Deadline | None, other: Deadline | None) -> bool:
    """Whether ``one`` ends after ``other`` (no deadline is the latest)."""
    if other is None:
        return False
    return one is None or one.at > other.at


def _claim_seconds(request: httpx.Request) -> float:
    timeouts = request.extensions.get("timeout") or {}
    seconds = sum(value for name in ("connect", "read") if isinstance(value := timeouts.get(name), int | float))
    return float(seconds) if seconds > 0 else CLAIM_SECONDS


class _Tolerant:
    """``SharedState`` whose failures cost sharing, not reads: logged (once per outage), then as if empty."""

    def __init__(self, state: SharedState, partner_id: str) -> None:
        self._state = state
        self._partner_id = partner_id
        self._failing = False

    async def get(self, key: str) -> bytes | None:
        return await self._guard(self._state.get(key), None)

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        await self._guard(self._state.put(key, value, ttl), None)

    async def claim(self, key: str, ttl: float) -> bool:
        return await self._guard(self._state.claim(key, ttl), True)  # nobody to wait for: send

    async def release(self, key: str) -> None:
        await self._guard(self._state.release(key), None)

    async def changed(self, key: str) -> None:
        async def wait() -> bool:
            await self._state.changed(key)
            return True

        if not await self._guard(wait(), False):
            await asyncio.Event().wait()  # nothing to be told by: the caller's bound (a poll) ends the wait

    async def _guard(self, operation: Awaitable[T], fallback: T) -> T:
        try:
            result = await operation
        except Exception as exc:  # any back end's failure: the read goes on without sharing
            if not self._failing:
                log.warning(
                    "shared state failed for account %s (%s): reads are sent unshared until it answers",
                    self._partner_id,
                    type(exc).__name__,
                )
            self._failing = True
            return fallback
        if self._failing:
            log.warning("shared state answers again for account %s", self._partner_id)
            self._failing = False
        return result
