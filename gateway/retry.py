"""Retries toward an upstream: one policy, in one place (tenacity).

A call is repeated only when repeating it cannot apply anything twice:

- a read (``idempotent=True``) after any retryable failure (timeout, connection, HTTP 5xx, throttling);
- any call refused before it was applied: throttled, or never sent (``outcome_unknown`` false);
- never a write whose outcome is unknown (the request may have been applied and the reply lost):
  that one is reported, for the caller to reconcile against the upstream's own records;
- never a call the gateway itself held back (``held_back``: the account's circuit is open, or its own limits
  refused it): the gateway decided it should not go now, and repeating it at once would not change that.

Backoff is exponential with full jitter, bounded in attempts and total time, and never shorter than an
upstream's ``retry_after`` hint. Two more bounds keep retries from making an outage worse:

- the request's deadline (``gateway.deadline``): when the next wait would end past it, the loop stops and
  the last real error is raised (a retry that cannot be answered in time is not worth its wait);
- the account's retry budget (``RetryBudget``, as Apollo Router and Finagle do it): retries may be at most a
  share of the account's first attempts over a sliding window, plus a small floor. While an upstream fails
  everything, each call costs it one request and a fraction of another, not ``attempts`` requests.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import tenacity
from tenacity.stop import stop_base

from gateway import deadline as request_deadline
from gateway.errors import ProviderError, ProviderThrottled
from gateway.observability.metrics import UPSTREAM_RETRIES

__all__ = ["DEFAULT_POLICY", "RetryBudget", "RetryPolicy", "call_with_retries", "may_retry"]

T = TypeVar("T")


class RetryBudget:
    """One account's retry budget over a sliding window of ``window`` seconds: a retry may be sent while the
    retries sent in the window stay under ``min_per_second * window + ratio * first attempts in the window``.

    Per process (each replica budgets its own traffic). ``clock`` is for tests.
    """

    def __init__(
        self,
        account: str,
        *,
        ratio: float = 0.2,
        min_per_second: float = 1.0,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.account = account
        self.ratio = ratio
        self.min_per_second = min_per_second
        self.window = window
        self._clock = clock
        self._firsts: deque[float] = deque()
        self._retries: deque[float] = deque()

    def first_attempt(self) -> None:
        """A call starts: it adds ``ratio`` of a retry to the budget."""
        self._firsts.append(self._clock())

    def try_retry(self) -> bool:
        """Take one retry from the budget: False (and nothing taken) when it is spent."""
        now = self._clock()
        for times in (self._firsts, self._retries):
            while times and times[0] <= now - self.window:
                times.popleft()
        allowed = self.min_per_second * self.window + self.ratio * len(self._firsts)
        if len(self._retries) + 1 > allowed:
            UPSTREAM_RETRIES.labels(self.account, "denied").inc()
            return False
        self._retries.append(now)
        UPSTREAM_RETRIES.labels(self.account, "sent").inc()
        return True


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 5.0
    max_total: float = 20.0
    """Give up once this many seconds have passed since the first attempt."""
    budget: RetryBudget | None = field(default=None, compare=False)
    """The account's retry budget, shared by all its calls; None: unbudgeted."""


DEFAULT_POLICY = RetryPolicy()


def may_retry(error: BaseException, *, idempotent: bool) -> bool:
    """Whether repeating the failed call is safe and may succeed."""
    if not isinstance(error, ProviderError) or not error.retryable or error.held_back:
        return False
    if isinstance(error, ProviderThrottled):
        return True  # refused before anything was applied
    return idempotent or not error.outcome_unknown


def _backoff(policy: RetryPolicy, rng: random.Random) -> Callable[[tenacity.RetryCallState], float]:
    def wait(state: tenacity.RetryCallState) -> float:
        ceiling = min(policy.max_delay, policy.base_delay * 2 ** (state.attempt_number - 1))
        delay = rng.uniform(0, ceiling)
        error = state.outcome.exception() if state.outcome is not None else None
        hint = getattr(error, "retry_after", None)
        if isinstance(hint, int | float) and hint > 0:
            delay = max(delay, min(float(hint), policy.max_total))
        return delay

    return wait


class _PastTheDeadline(stop_base):
    """Stop when the coming wait would end at or past the request's deadline (tenacity computes the wait
    before it asks whether to stop)."""

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        deadline = request_deadline.current()
        return deadline is not None and retry_state.upcoming_sleep >= deadline.remaining()


class _OverBudget(stop_base):
    """Stop when the account's retry budget has no retry left. Asked last, so that only a retry that would
    really be sent takes from the budget."""

    def __init__(self, budget: RetryBudget | None) -> None:
        self.budget = budget

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self.budget is not None and not self.budget.try_retry()


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    idempotent: bool,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run ``call`` and repeat it per the module's rules; the last error is raised as it was."""
    if policy.budget is not None:
        policy.budget.first_attempt()
    retrying = tenacity.AsyncRetrying(
        sleep=sleep or asyncio.sleep,
        stop=(
            tenacity.stop_after_attempt(policy.attempts)
            | tenacity.stop_after_delay(policy.max_total)
            | _PastTheDeadline()
            | _OverBudget(policy.budget)
        ),
        wait=_backoff(policy, rng or random.Random()),  # noqa: S311 - jitter, not cryptography
        retry=tenacity.retry_if_exception(lambda exc: may_retry(exc, idempotent=idempotent)),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover
