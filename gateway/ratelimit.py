"""``[limits] requests_per_minute``: how many requests one principal may send.

A token bucket per principal (``Principal.name``: an API key's name, ``jwt:<subject>``, the open mode's
anonymous admin): it holds up to a minute's worth of requests and refills at the rate, so a front end may
burst (a page load fires a dozen queries) and a runaway loop or a leaked key is held to the rate. A request
past it is refused before anything runs, with the whole seconds until the bucket holds a request again.

``RateLimiter`` is the seam: the in-process ``TokenBuckets`` counts per process; ``SharedBuckets`` takes
from the replicas' ``SharedState`` (Redis, with ``[redis]``), so several gateway processes count together
(and, while Redis fails, each process on its own: ``gateway.upstream.redis_state``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from gateway.upstream.shared import SharedState

__all__ = ["RateLimiter", "SharedBuckets", "TokenBuckets"]

#: Past this many tracked principals, buckets that have refilled completely are forgotten (they hold nothing).
PRUNE_AT = 10_000


class RateLimiter(Protocol):
    """Counts requests per principal."""

    async def acquire(self, principal: str) -> int | None:
        """Take one request from ``principal``'s allowance: None when it may go ahead, else the whole seconds
        (at least 1) until it may try again."""
        ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """In-process token buckets: ``per_minute`` requests a minute per principal, bursts up to ``per_minute``."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        """Tokens per second."""
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._pruned_at = -math.inf

    async def acquire(self, principal: str) -> int | None:
        now = self._clock()
        bucket = self._buckets.get(principal)
        if bucket is None:
            if len(self._buckets) >= PRUNE_AT and now - self._pruned_at >= self.capacity / self.rate:
                self._prune(now)  # at most once per refill time: a scan that frees nothing is not repeated
            bucket = self._buckets[principal] = _Bucket(self.capacity, now)
        else:
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def _prune(self, now: float) -> None:
        self._pruned_at = now
        full = [
            name
            for name, bucket in self._buckets.items()
            if bucket.tokens + (now - bucket.at) * self.rate >= self.capacity
        ]
        for name in full:
            del self._buckets[name]


class SharedBuckets:
    """Token buckets in the replicas' ``SharedState``: ``per_minute`` requests a minute per principal across
    every gateway process that shares it, bursts up to ``per_minute``."""

    def __init__(self, state: SharedState, per_minute: int) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._state = state

    async def acquire(self, principal: str) -> int | None:
        wait = await self._state.take(f"principal:{principal}", rate=self.rate, burst=self.capacity)
        if wait <= 0:
            return None
        return max(1, math.ceil(wait))
