"""Retries toward an upstream: one policy, in one place (tenacity).

A call is repeated only when repeating it cannot apply anything twice:

- a read (``idempotent=True``) after any retryable failure (timeout, connection, HTTP 5xx, throttling);
- any call refused before it was applied: throttled, or never sent (``outcome_unknown`` false);
- never a write whose outcome is unknown (the request may have been applied and the reply lost):
  that one is reported, for the caller to reconcile against the upstream's own records.

Backoff is exponential with full jitter, bounded in attempts and total time, and never shorter than an
upstream's ``retry_after`` hint.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import tenacity

from gateway.errors import ProviderError, ProviderThrottled

__all__ = ["DEFAULT_POLICY", "RetryPolicy", "call_with_retries", "may_retry"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 5.0
    max_total: float = 20.0
    """Give up once this many seconds have passed since the first attempt."""


DEFAULT_POLICY = RetryPolicy()


def may_retry(error: BaseException, *, idempotent: bool) -> bool:
    """Whether repeating the failed call is safe and may succeed."""
    if not isinstance(error, ProviderError) or not error.retryable:
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


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    idempotent: bool,
    policy: RetryPolicy = DEFAULT_POLICY,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    rng: random.Random | None = None,
) -> T:
    """Run ``call`` and repeat it per the module's rules; the last error is raised as it was."""
    retrying = tenacity.AsyncRetrying(
        sleep=sleep or asyncio.sleep,
        stop=tenacity.stop_after_attempt(policy.attempts) | tenacity.stop_after_delay(policy.max_total),
        wait=_backoff(policy, rng or random.Random()),  # noqa: S311 - jitter, not cryptography
        retry=tenacity.retry_if_exception(lambda exc: may_retry(exc, idempotent=idempotent)),
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await call()
    raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover
