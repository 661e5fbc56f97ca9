"""Customer assignments as one replica keeps them: read from the database at most once every ``TTL`` seconds.

Assignments (客户分配) are read by every request that lists or loads customers, and written by a person's hand,
rarely: reading them from the database each time was a fifth of a customer page's CPU (issue #14). A replica
keeps each account's assignments for ``TTL`` seconds after it started reading them:

- a write through this replica (``Store.assign``) drops the account's copy once the write has ended, so any
  read that starts after it sees it;
- another replica's write is seen here within ``TTL`` (plus the time one read takes): no copy is served for
  longer. A sales key may see, or miss, a customer reassigned on another replica for at most that long.

A short expiry rather than a version check: a check is a round trip to the database on every request, which
is most of what the read itself cost. Concurrent reads of an expired copy share one read of the database; a
failed read is not kept (the next caller reads again and gets the store's error).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

__all__ = ["TTL", "Assignments"]

#: Seconds a replica serves the assignments it read before reading them again.
TTL = 2.0

Read = Callable[[str], Awaitable[Mapping[str, str]]]


class Assignments:
    """Each account's assignments (native customer id -> owner) as last read through ``read``."""

    def __init__(self, read: Read, *, ttl: float = TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._read = read
        self.ttl = ttl
        self.clock = clock
        """What expiry is measured by (tests move it)."""
        self._kept: dict[str, tuple[float, asyncio.Future[Mapping[str, str]]]] = {}

    async def get(self, account_id: str) -> Mapping[str, str]:
        """The account's assignments, read at most ``ttl`` seconds ago; a caller's cancellation leaves the shared
        read running for the others."""
        now = self.clock()
        kept = self._kept.get(account_id)
        if kept is None or now >= kept[0]:
            read = asyncio.ensure_future(self._read(account_id))
            kept = (now + self.ttl, read)
            self._kept[account_id] = kept
            read.add_done_callback(lambda done: self._settled(account_id, done))
        return await asyncio.shield(kept[1])

    def forget(self, account_id: str) -> None:
        """Drop the account's copy: the next ``get`` reads the database (after a write to it)."""
        self._kept.pop(account_id, None)

    def _settled(self, account_id: str, read: asyncio.Future[Mapping[str, str]]) -> None:
        if not read.cancelled() and read.exception() is None:
            return
        kept = self._kept.get(account_id)
        if kept is not None and kept[1] is read:
            del self._kept[account_id]
