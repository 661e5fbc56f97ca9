"""One account's circuit breaker: when its upstream keeps failing, stop waiting for it.

States (per account, per process):

- closed: calls go; failures are counted. ``failures`` in a row, or an error rate of ``error_rate`` among the
  calls of the last ``window`` seconds (once there are ``min_calls`` of them), open the circuit;
- open: calls are refused at once, without being sent (``ProviderUnavailable`` held back by the gateway:
  ``PROVIDER_UNAVAILABLE`` with a ``retryAfter`` hint; nothing went out, so a write is not applied). After
  ``open_seconds`` it turns half-open;
- half-open: ``probes`` calls go through; when all of them succeed the circuit closes, when one fails it opens
  again for twice as long as the last time (up to ``max_open_seconds``).

What counts as a failure of health: a transport error (connect or read timeout, refused or dropped connection),
an HTTP 5xx, and a call cut off in flight at its request's deadline (a hanging upstream). A throttling reply
or a business error (4xx) is an answer: the upstream is up. A call that never went out (refused below, or
past its deadline before it was sent) and a cancelled call count for nothing.

``BreakerTransport`` is the layer of ``gateway.upstream`` that asks the breaker before every call; it sits
above the deadline layer, so the deadline's cut-off of a hanging call reaches it as a failure.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx

from gateway.errors import DeadlineExceeded, ProviderUnavailable
from gateway.observability.metrics import CIRCUIT_OPEN
from gateway.upstream.observed import mark

__all__ = ["BreakerPolicy", "BreakerTransport", "CircuitBreaker", "Outcome", "Refused", "State"]

log = logging.getLogger(__name__)

#: The hint given while the half-open probes are out: their answers come within a request's time.
PROBING_HINT = 1.0


class State(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class Outcome(enum.Enum):
    SUCCESS = "success"
    FAILURE = "failure"
    NEUTRAL = "neutral"
    """Says nothing of the upstream's health: never sent, or cancelled."""


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    failures: int = 5
    error_rate: float = 0.5
    min_calls: int = 20
    window: float = 30.0
    open_seconds: float = 5.0
    max_open_seconds: float = 60.0
    probes: int = 1


class Refused(Exception):
    """The circuit is open: try again in ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"circuit open: retry in {retry_after:.3g} s")
        self.retry_after = retry_after


class _Window:
    """Calls and failures over the last ``seconds``, in ten buckets (bounded memory at any call rate)."""

    def __init__(self, seconds: float) -> None:
        self._width = seconds / 10
        self._buckets: deque[list[int]] = deque()  # [bucket index, calls, failures]
        self.calls = 0
        self.failures = 0

    def add(self, now: float, failed: bool) -> None:
        index = math.floor(now / self._width)
        while self._buckets and self._buckets[0][0] <= index - 10:
            _, calls, failures = self._buckets.popleft()
            self.calls -= calls
            self.failures -= failures
        if not self._buckets or self._buckets[-1][0] != index:
            self._buckets.append([index, 0, 0])
        self._buckets[-1][1] += 1
        self._buckets[-1][2] += int(failed)
        self.calls += 1
        self.failures += int(failed)

    def clear(self) -> None:
        self._buckets.clear()
        self.calls = self.failures = 0


class CircuitBreaker:
    """The state machine of the module docstring. ``name`` labels logs and the ``CIRCUIT_OPEN`` gauge."""

    def __init__(self, policy: BreakerPolicy, *, name: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.name = name
        self._clock = clock
        self._state = State.CLOSED
        self._consecutive = 0
        self._window = _Window(policy.window)
        self._opened_at = 0.0
        self._open_for = 0.0
        self._trips = 0  # openings since the circuit was last closed: each doubles the open time
        self._probing = 0
        self._probed = 0
        self._half_opened = 0  # half-open spells so far: a probe of an earlier one is ignored
        CIRCUIT_OPEN.labels(name).set(0)

    @property
    def state(self) -> State:
        if self._state is State.OPEN and self._clock() >= self._opened_at + self._open_for:
            self._state = State.HALF_OPEN
            self._probing = self._probed = 0
            self._half_opened += 1
            log.info("circuit of %s half-open: letting %d probe(s) through", self.name, self.policy.probes)
        return self._state

    def admit(self) -> int | None:
        """Let a call go: None, or for a half-open probe its spell's number (give it back to ``record``).
        Raises ``Refused`` while the circuit is open, and in half-open once the probes are out."""
        state = self.state
        if state is State.CLOSED:
            return None
        if state is State.OPEN:
            raise Refused(self._opened_at + self._open_for - self._clock())
        if self._probing + self._probed >= self.policy.probes:
            raise Refused(PROBING_HINT)
        self._probing += 1
        return self._half_opened

    def record(self, outcome: Outcome, *, probe: int | None) -> None:
        """What became of a call ``admit`` let go (``probe``: what ``admit`` returned)."""
        if probe is not None:
            if self._state is not State.HALF_OPEN or probe != self._half_opened:
                return  # a probe of a spell already over
            self._probing -= 1
            if outcome is Outcome.FAILURE:
                self._open()
            elif outcome is Outcome.SUCCESS:
                self._probed += 1
                if self._probed >= self.policy.probes:
                    self._close()
            return
        if self._state is not State.CLOSED or outcome is Outcome.NEUTRAL:
            return  # a call let go before the circuit opened, or one that says nothing of health
        failed = outcome is Outcome.FAILURE
        self._consecutive = self._consecutive + 1 if failed else 0
        self._window.add(self._clock(), failed)
        window = self._window
        if self._consecutive >= self.policy.failures or (
            window.calls >= self.policy.min_calls and window.failures >= self.policy.error_rate * window.calls
        ):
            self._open()

    def _open(self) -> None:
        self._open_for = min(self.policy.max_open_seconds, self.policy.open_seconds * 2**self._trips)
        self._trips += 1
        self._opened_at = self._clock()
        self._state = State.OPEN
        CIRCUIT_OPEN.labels(self.name).set(1)
        log.warning("circuit of %s open for %.3g s: its upstream is failing", self.name, self._open_for)

    def _close(self) -> None:
        self._state = State.CLOSED
        self._trips = self._consecutive = 0
        self._window.clear()
        CIRCUIT_OPEN.labels(self.name).set(0)
        log.warning("circuit of %s closed: its upstream answers again", self.name)


def _failure(error: BaseException) -> Outcome:
    if isinstance(error, httpx.TransportError):
        return Outcome.FAILURE
    if isinstance(error, DeadlineExceeded) and error.outcome_unknown:
        return Outcome.FAILURE  # cut off in flight: the upstream did not answer in time
    return Outcome.NEUTRAL


class BreakerTransport(httpx.AsyncBaseTransport):
    """Asks the account's breaker before each call and tells it how the call went (see the module docstring)."""

    def __init__(
        self, inner: httpx.AsyncBaseTransport, breaker: CircuitBreaker, *, provider: str, partner_id: str
    ) -> None:
        self.inner = inner
        self.breaker = breaker
        self.provider = provider
        self.partner_id = partner_id

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            probe = self.breaker.admit()
        except Refused as refused:
            error = ProviderUnavailable(
                f"the upstream of {self.partner_id} is failing, so calls are refused without being sent "
                f"(circuit open); try again in {refused.retry_after:.3g} s",
                provider=self.provider,
                partner_id=self.partner_id,
                retry_after=refused.retry_after,
                held_back=True,
            )
            mark(error, "circuit_open")  # for the observed layer's count: not sent
            raise error from None
        try:
            response = await self.inner.handle_async_request(request)
        except BaseException as error:
            self.breaker.record(_failure(error), probe=probe)
            raise
        if response.status_code >= 500:
            self.breaker.record(Outcome.FAILURE, probe=probe)
            return response
        # An answer, so far: it is a success once its body has come in (a body cut off counts as a failure).
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_RecordedStream(response, self.breaker, probe),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class _RecordedStream(httpx.AsyncByteStream):
    def __init__(self, response: httpx.Response, breaker: CircuitBreaker, probe: int | None) -> None:
        self._response = response
        self._breaker = breaker
        self._probe = probe
        self._recorded = False

    def _record(self, outcome: Outcome) -> None:
        if not self._recorded:
            self._recorded = True
            self._breaker.record(outcome, probe=self._probe)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        stream = self._response.stream
        assert isinstance(stream, httpx.AsyncByteStream)
        try:
            async for chunk in stream:
                yield chunk
        except BaseException as error:
            self._record(_failure(error))
            raise
        self._record(Outcome.SUCCESS)

    async def aclose(self) -> None:
        self._record(Outcome.SUCCESS)  # closed unread: the upstream answered all the same
        await self._response.aclose()
