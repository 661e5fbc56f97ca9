"""State the replicas of one gateway share: token buckets, cached answers and single-flight claims.

``SharedState`` is the seam. ``LocalState`` keeps it in this process (the embedded default: nothing to
install); with ``[redis] url`` a Redis back end stands in for it, so rate limits, caches and single flight
hold across every gateway process that names the same Redis.

Keys are namespaced by the caller (``upstream:<account>:...``, ``principal:<name>``); values are bytes.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["LocalState", "SharedState"]


class SharedState(Protocol):
    async def take(self, key: str, *, rate: float, burst: float) -> float:
        """Take one token from the bucket ``key`` (it refills at ``rate`` a second and holds at most ``burst``):
        0.0 when taken, else the seconds until one will be there (nothing is taken then)."""
        ...

    async def get(self, key: str) -> bytes | None:
        """The value stored under ``key``, if it has not expired."""
        ...

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds."""
        ...

    async def claim(self, key: str, ttl: float) -> bool:
        """Take ``key`` if nobody holds it (it lapses after ``ttl`` seconds unless released): True if taken."""
        ...

    async def release(self, key: str) -> None:
        """Give up a claim (or drop a value)."""
        ...

    async def changed(self, key: str) -> None:
        """Wait until ``key`` is put or released: how a caller waiting on another's single-flight claim learns
        that the answer is there (callers bound the wait with ``asyncio.timeout``; a claim lapses too)."""
        ...

    async def close(self) -> None: ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class LocalState:
    """``SharedState`` in this process: what one replica (or the embedded demo) needs."""

    def __init__(self, maxsize: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._maxsize = maxsize
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._values: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._waiters: dict[str, asyncio.Event] = {}

    async def take(self, key: str, *, rate: float, burst: float) -> float:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(burst, now)
            while len(self._buckets) > self._maxsize:
                self._buckets.popitem(last=False)  # the least recently used: a new bucket starts full anyway
        else:
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            self._buckets.move_to_end(key)
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate if rate > 0 else math.inf

    async def get(self, key: str) -> bytes | None:
        entry = self._values.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._values[key]
            return None
        return entry[1]

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        self._values[key] = (self._clock() + ttl, value)
        self._values.move_to_end(key)
        while len(self._values) > self._maxsize:
            self._values.popitem(last=False)
        self._wake(key)

    async def claim(self, key: str, ttl: float) -> bool:
        if await self.get(key) is not None:
            return False
        await self.put(key, b"", ttl)
        return True

    async def release(self, key: str) -> None:
        self._values.pop(key, None)
        self._wake(key)

    async def changed(self, key: str) -> None:
        await self._waiters.setdefault(key, asyncio.Event()).wait()

    async def close(self) -> None:
        self._values.clear()
        self._buckets.clear()

    def _wake(self, key: str) -> None:
        event = self._waiters.pop(key, None)
        if event is not None:
            event.set()
