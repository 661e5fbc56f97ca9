"""Change events for this process's GraphQL subscriptions: one follower of the outbox per process, fanning out.

Every replica reads the same outbox (``Store.events_after``), so an event added through any replica, or by
any replica's detector, reaches the subscribers connected to every replica, on SQLite and on a PostgreSQL
the replicas share. One ``EventStream`` per process runs one follower task while it has subscribers: each
tick it reads what the outbox gained since its cursor, once for all of them (never a query per subscriber),
and offers each event to every subscription that wants it. The follower starts at the outbox's newest event
(``last_event_sequence``) when the first subscription opens and stops when the last one closes, so a
subscription receives the events added after it started, in outbox order.

Wake-ups: the follower polls every ``POLL_INTERVAL`` seconds, and sooner when ``wake`` is called. On
PostgreSQL it also listens for the ``NOTIFY`` that ``insert_events`` sends when events are committed
(``EVENTS_CHANNEL``), on a connection of its own: an event reaches every replica's subscribers within
milliseconds, and within a poll interval if the notification is lost (polling goes on regardless).

Gaps: PostgreSQL hands out sequence numbers when a row is inserted, not when it is committed, so a
transaction that started earlier can commit a lower number after a higher one was read (and numbers burnt by
a rollback or by a duplicate that ``ON CONFLICT DO NOTHING`` skipped never appear). The follower therefore
keeps its cursor below a missing number for ``GAP_GRACE`` seconds after it saw a higher one, reading that
range again each tick (events it has already offered are not offered twice), then gives the number up.

Who sees what: admins and finance every event; a sales principal only the events whose ``owner`` is itself
(its customers' events and what hangs off them); events without an owner (a reseller's funds, a closed
consumption month, anything partner-wide) never reach a sales principal.

Slow subscribers: each subscription has a bounded queue (``QUEUE_SIZE``); one whose queue is full when an
event comes has fallen too far behind and is ended with ``SubscriptionLagged`` rather than held in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Collection
from typing import Any

from gateway.auth import Principal
from gateway.errors import GatewayError, StoreUnavailable, SubscriptionLagged
from gateway.events import Event
from gateway.observability.metrics import (
    SUBSCRIPTION_EVENTS,
    SUBSCRIPTION_POLLS,
    SUBSCRIPTIONS,
    SUBSCRIPTIONS_DROPPED,
)
from gateway.store import EVENTS_CHANNEL, Store

__all__ = [
    "BATCH",
    "GAP_GRACE",
    "POLL_INTERVAL",
    "QUEUE_SIZE",
    "EventStream",
    "Subscription",
]

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.5
"""Seconds between two reads of the outbox while anyone subscribes (sooner when woken)."""
BATCH = 500
"""Events read per query at most: a tick that fills it reads again at once."""
QUEUE_SIZE = 1000
"""Events one subscription may have waiting for its client; one more ends it (``SubscriptionLagged``)."""
GAP_GRACE = 5.0
"""Seconds a missing sequence number is waited for once a higher one was seen (see the module's doc)."""
MAX_HELD = 20_000
"""Events past a missing number the follower remembers at most; past that it gives the gaps up at once."""
RETRY_AFTER_FAILURE = 2.0
"""Seconds the follower waits after the store failed to answer before reading again."""


class Subscription:
    """One subscriber: what it asked for, whom it is for, and its bounded queue of events.

    Iterate it for its events in outbox order; the iteration ends when the stream closes (the process shuts
    down) and raises ``SubscriptionLagged`` when the subscriber fell behind. ``close`` leaves the stream."""

    def __init__(self, stream: EventStream, principal: Principal, types: frozenset[str] | None, size: int) -> None:
        self.principal = principal
        self.types = types
        self._stream = stream
        self._queue: asyncio.Queue[Event | None] = asyncio.Queue(size)
        self._failure: GatewayError | None = None
        self._ended = False

    def wants(self, event: Event) -> bool:
        """Of a type it asked for, and for its principal's eyes (see the module's doc)."""
        if self.types is not None and event.type not in self.types:
            return False
        return self.principal.scoped_owner is None or (
            event.owner is not None and self.principal.sees_owner(event.owner)
        )

    def offer(self, event: Event) -> None:
        """Queue ``event``; a full queue ends the subscription (the follower never waits for a subscriber)."""
        if self._ended:
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            SUBSCRIPTIONS_DROPPED.inc()
            log.warning(
                "a subscription of %s fell more than %d events behind: ended", self.principal.name, self._queue.maxsize
            )
            self.end(
                SubscriptionLagged(
                    f"this subscription fell more than {self._queue.maxsize} events behind and was ended: "
                    "read events as they come, then subscribe again"
                )
            )
        else:
            SUBSCRIPTION_EVENTS.inc()

    def end(self, failure: GatewayError | None = None) -> None:
        """End the iteration: at once, with ``failure`` if given (the events still queued are dropped)."""
        if self._ended:
            return
        self._ended = True
        self._failure = failure
        self._stream._leave(self)
        with contextlib.suppress(asyncio.QueueFull):  # a full queue has no reader waiting to be woken
            self._queue.put_nowait(None)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        while True:
            if self._failure is not None:
                raise self._failure
            if self._ended:
                raise StopAsyncIteration
            event = await self._queue.get()
            if event is not None and not self._ended:
                return event

    async def aclose(self) -> None:
        """Leave the stream (the client completed the operation or went away)."""
        self.end()


class EventStream:
    """This process's follower of the outbox and its subscriptions (see the module's doc)."""

    def __init__(
        self,
        store: Store,
        *,
        interval: float = POLL_INTERVAL,
        batch: int = BATCH,
        queue_size: int = QUEUE_SIZE,
        gap_grace: float = GAP_GRACE,
        listen: bool = True,
    ) -> None:
        self._store = store
        self._interval = interval
        self._batch = batch
        self._queue_size = queue_size
        self._gap_grace = gap_grace
        self._listen = listen and store.dialect == "postgresql"
        self._subscriptions: set[Subscription] = set()
        self._starting = asyncio.Lock()
        self._follower: asyncio.Task[None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._woken = asyncio.Event()
        self._cursor = 0
        """Every event up to this sequence number has been offered, or its number given up."""
        self._held: dict[int, float] = {}
        """Sequence numbers past the cursor already offered, with when each was first read."""
        self._closed = False

    @property
    def subscriptions(self) -> int:
        """How many subscriptions are open on this process."""
        return len(self._subscriptions)

    @property
    def following(self) -> bool:
        """Whether the follower task runs (only while anyone subscribes)."""
        return self._follower is not None and not self._follower.done()

    async def subscribe(self, principal: Principal, types: Collection[str] | None = None) -> Subscription:
        """A new subscription for ``principal`` to events of ``types`` (None: every type), from now on.
        ``StoreUnavailable`` when the follower must start and the store does not answer."""
        if self._closed:
            raise StoreUnavailable("the gateway is shutting down: subscribe again to another replica or later")
        async with self._starting:
            if not self.following:
                self._cursor = await self._store.last_event_sequence()
                self._held.clear()
                self._follower = asyncio.create_task(self._follow(), name="event-stream-follower")
                if self._listen:
                    self._listener = asyncio.create_task(self._listen_for_notifications(), name="event-stream-listen")
            wanted = frozenset(types) if types is not None else None
            subscription = Subscription(self, principal, wanted, self._queue_size)
            self._subscriptions.add(subscription)
        SUBSCRIPTIONS.inc()
        return subscription

    async def close(self) -> None:
        """End every subscription and stop following (the process shuts down)."""
        self._closed = True
        tasks = [task for task in (self._follower, self._listener) if task is not None]
        for subscription in list(self._subscriptions):
            subscription.end()  # the last one cancels the tasks
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _leave(self, subscription: Subscription) -> None:
        if subscription not in self._subscriptions:
            return
        self._subscriptions.discard(subscription)
        SUBSCRIPTIONS.dec()
        if not self._subscriptions:  # nobody left: stop reading the outbox (a new subscriber starts afresh)
            for task in (self._follower, self._listener):
                if task is not None:
                    task.cancel()
            self._follower = self._listener = None

    async def _follow(self) -> None:
        while True:
            self._woken.clear()
            try:
                full = await self._poll()
            except StoreUnavailable as exc:
                SUBSCRIPTION_POLLS.labels("failed").inc()
                log.warning("could not read the outbox for subscriptions (reading again shortly): %s", exc.message)
                await asyncio.sleep(RETRY_AFTER_FAILURE)
                continue
            SUBSCRIPTION_POLLS.labels("ok").inc()
            if full:
                continue  # more is waiting: read on at once
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval):
                    await self._woken.wait()

    async def _poll(self) -> bool:
        """Read the outbox past the cursor once, offer what is new, move the cursor; True if the read was full."""
        window = (max(self._held) - self._cursor) if self._held else 0
        limit = window + self._batch
        events = await self._store.events_after(self._cursor, limit)
        now = time.monotonic()
        for event in events:
            sequence = event.sequence
            assert sequence is not None
            if sequence in self._held:
                continue
            self._held[sequence] = now
            for subscription in list(self._subscriptions):
                if subscription.wants(event):
                    subscription.offer(event)
        self._advance(now)
        return len(events) >= limit

    def _advance(self, now: float) -> None:
        """Move the cursor over every number offered in a row, and over gaps waited for long enough."""
        give_up = len(self._held) > MAX_HELD
        for sequence in sorted(self._held):
            if sequence == self._cursor + 1 or give_up or now - self._held[sequence] >= self._gap_grace:
                self._cursor = sequence
                del self._held[sequence]
            else:
                break

    async def _listen_for_notifications(self) -> None:
        """On PostgreSQL: wake the follower on each ``NOTIFY`` of ``EVENTS_CHANNEL`` (a connection held for it,
        opened again after a failure; polling goes on meanwhile)."""
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure of the extra connection: polling still delivers
                log.info("not listening for event notifications (polling goes on): %s", type(exc).__name__)
            await asyncio.sleep(RETRY_AFTER_FAILURE)

    async def _listen_once(self) -> None:
        """Listen on one connection until it is lost."""

        def notified(*_: object) -> None:
            self._woken.set()

        lost = asyncio.Event()
        async with self._store.engine.connect() as conn:
            raw: Any = (await conn.get_raw_connection()).driver_connection  # asyncpg's own connection
            raw.add_termination_listener(lambda *_: lost.set())
            await raw.add_listener(EVENTS_CHANNEL, notified)
            try:
                await lost.wait()
            finally:
                with contextlib.suppress(Exception):
                    await raw.remove_listener(EVENTS_CHANNEL, notified)
