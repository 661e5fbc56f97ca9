"""Webhook delivery per the Standard Webhooks specification (https://www.standardwebhooks.com/).

Each ``[[webhooks]]`` table gets a worker in every gateway process (started and stopped with the app's
lifespan). A worker

* follows the outbox (``gateway.events``, the store's ``events``): each event of the webhook's types gets one
  delivery row (``webhook_deliveries``, one per event and webhook), and the webhook's cursor in the store moves
  past it. Two replicas queue an event once (the row is unique); the cursor only moves forward. A webhook's
  first start puts its cursor at the end of the outbox: it is told of what happens from then on;
* sends what is due: a POST of the event's JSON (``gateway.events.event_json``) with the headers
  ``webhook-id`` (the event's id: the same on every attempt, so receivers de-duplicate by it),
  ``webhook-timestamp`` and ``webhook-signature`` (``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body``
  under the ``whsec_`` secret), signed by the ``standardwebhooks`` library that receivers verify with;
* records the outcome. Only a 2xx makes a delivery DELIVERED (at least once: a process that dies mid-send
  leaves its claim to expire, and the event is sent again with the same ``webhook-id``). Anything else (another
  status, a redirect, which is never followed, a timeout, a refused connection) is a failed attempt: the
  delivery is due again after an exponential backoff with full jitter, and DEAD after ``max_attempts``.

Order and isolation: a subject's later event is not sent while an earlier one of the same webhook is PENDING
(DEAD ones no longer hold it back). Each webhook has its own worker, HTTP connections and at most
``concurrency`` requests in flight, each cut off at ``timeout_seconds``: a receiver that fails or hangs delays
only its own deliveries, and within them only the subject it is stuck on while slots are free.

Across replicas each delivery is sent by one process at a time: a worker claims due rows with a
compare-and-set UPDATE that holds until ``timeout_seconds`` and a margin have passed (``Store.
claim_webhook_deliveries``), on SQLite and PostgreSQL alike.

Gaps in the outbox: PostgreSQL hands out sequence numbers when a row is inserted, not when it commits, so an
event may become visible after a later one (and ``ON CONFLICT DO NOTHING`` or a rollback leaves numbers that
never appear). Every event seen is queued at once; the cursor moves past a missing number only once
``GAP_SECONDS`` have passed since a later number was seen (a transaction still open by then is not waited for).

Nothing here logs the secret or an event's body: a failed attempt is logged and recorded by its webhook, event
id, HTTP status and a short reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from standardwebhooks import Webhook

from gateway import __version__
from gateway.config import WebhookEntry
from gateway.errors import StoreUnavailable
from gateway.events import Event, event_json
from gateway.notifications.deliveries import WebhookDelivery
from gateway.observability.metrics import WEBHOOK_DELIVERIES, WEBHOOK_PENDING
from gateway.store import Store

__all__ = ["BATCH", "GAP_SECONDS", "WebhookWorker", "WebhookWorkers", "backoff", "signed_headers"]

log = logging.getLogger(__name__)

USER_AGENT = f"partner-gateway/{__version__} (webhooks)"
#: Events read from the outbox per query while following it.
BATCH = 200
#: How long a missing outbox number is waited for once a later one is visible (see the module's doc).
GAP_SECONDS = 10.0
#: A claim lasts the request's timeout, half as long again, and this: time to record the outcome.
CLAIM_MARGIN_SECONDS = 1.0


def signed_headers(signer: Webhook, event: Event, body: str, at: datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt at ``event`` (``body``: its JSON) sent at ``at``."""
    return {
        "webhook-id": event.id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signer.sign(event.id, at, body),
    }


def backoff(attempts: int, base: float, cap: float, rng: random.Random) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: exponential backoff with full jitter
    (uniform between 0 and ``min(cap, base * 2 ** (attempts - 1))``), so receivers that come back are not
    hit by every delivery at once."""
    return rng.uniform(0.0, min(cap, base * 2.0 ** max(0, attempts - 1)))


def _reason(exc: BaseException) -> str:
    """A failed request, briefly: never the URL (its query may hold a token), the headers or the body."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the receiver closed the connection or broke the protocol"
    return f"request failed ({type(exc).__name__})"


class WebhookWorker:
    """Delivers the outbox's events to one webhook, from this process (see the module's doc)."""

    def __init__(
        self,
        entry: WebhookEntry,
        store: Store,
        client: httpx.AsyncClient,
        *,
        instance: str,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = entry.webhook
        self.name = entry.webhook.name
        self.store = store
        self.client = client
        self.claimer = f"{instance}/{self.name}"[:64]
        self._signer = Webhook(entry.secret.reveal())
        self._types = frozenset(entry.webhook.types)
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._clock = clock
        self._sending: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._marks: list[tuple[int, float]] = []
        """(sequence seen, when): every number up to it was handed out by then (see ``_follow``)."""
        self._store_down = False
        self._started = False

    async def begin(self) -> None:
        """Put a new webhook's cursor at the end of the outbox (once: a known webhook keeps its place)."""
        if not self._started:
            await self.store.start_webhook_cursor(self.name, self._clock())
            self._started = True

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.config.timeout_seconds * 1.5 + CLAIM_MARGIN_SECONDS)

    async def run(self) -> None:
        """Follow and send until cancelled; a store that fails is logged once and tried again each poll."""
        try:
            followed = -math.inf
            while True:
                try:
                    # The outbox is followed once a poll interval; a wake-up in between (a finished send freed a
                    # slot, and a subject's next event may be due) only dispatches what is queued already.
                    if time.monotonic() - followed >= self.config.poll_seconds:
                        followed = time.monotonic()
                        await self.step()
                    else:
                        await self._dispatch()
                    if self._store_down:
                        log.warning("webhook %s: the store answers again", self.name)
                    self._store_down = False
                except StoreUnavailable as exc:
                    if not self._store_down:
                        log.error("webhook %s: deliveries wait, the store is unavailable: %s", self.name, exc.message)
                    self._store_down = True
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.config.poll_seconds):
                        await self._wake.wait()
                self._wake.clear()
        finally:
            for task in self._sending:
                task.cancel()
            if self._sending:
                await asyncio.gather(*self._sending, return_exceptions=True)

    async def step(self) -> int:
        """Queue what the outbox has new, then start sending what is due; returns the deliveries started."""
        await self.begin()
        await self._follow()
        return await self._dispatch()

    async def _follow(self) -> None:
        """Queue a delivery for each new event of the webhook's types; move the cursor past what is settled."""
        cursor = await self.store.webhook_cursor(self.name)
        position, seen = cursor, set[int]()
        while True:
            events = await self.store.events_after(position, BATCH)
            if not events:
                break
            wanted = [event for event in events if event.type in self._types]
            seen.update(event.sequence for event in events if event.sequence is not None)
            position = max(position, *(event.sequence for event in events if event.sequence is not None))
            if wanted:
                await self.store.queue_webhook_deliveries(self.name, wanted, self._clock())
            if len(events) < BATCH:
                break
        now = time.monotonic()
        if position > cursor:
            self._marks.append((position, now))
        # Numbers up to a mark older than GAP_SECONDS were all handed out that long ago: missing ones are given
        # up on. Past that, the cursor moves over the numbers seen without a gap.
        settled = max((mark for mark, at in self._marks if now - at >= GAP_SECONDS), default=cursor)
        target = max(cursor, settled)
        while target + 1 in seen:
            target += 1
        self._marks = [(mark, at) for mark, at in self._marks if mark > target]
        if target > cursor:
            await self.store.queue_webhook_deliveries(self.name, [], self._clock(), cursor=target)

    async def _dispatch(self) -> int:
        free = self.config.concurrency - len(self._sending)
        if free <= 0:
            return 0
        now = self._clock()
        claimed = await self.store.claim_webhook_deliveries(self.name, self.claimer, now, now + self.lease, free)
        for delivery, event in claimed:
            task = asyncio.create_task(self._send(delivery, event), name=f"webhook-{self.name}-{delivery.id}")
            self._sending.add(task)
            task.add_done_callback(self._sent)
        return len(claimed)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        self._wake.set()  # a slot is free, and the subject's next event may be due
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("webhook %s: a delivery failed unexpectedly: %r", self.name, exc)

    async def _send(self, delivery: WebhookDelivery, event: Event) -> None:
        body = event_json(event)
        at = self._clock()
        headers = {
            **signed_headers(self._signer, event, body, at),
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }
        status: int | None = None
        error: str | None = None
        try:
            async with asyncio.timeout(self.config.timeout_seconds):
                # Streamed and closed unread: the receiver's answer is its status, whatever it sends.
                async with self.client.stream("POST", self.config.url, content=body.encode(), headers=headers) as r:
                    status = r.status_code
        except (TimeoutError, httpx.HTTPError) as exc:
            error = _reason(exc)
        if status is not None and 200 <= status < 300:
            await self._delivered(delivery, status)
            return
        if status is not None:
            error = f"HTTP {status}" + (" (redirects are not followed)" if 300 <= status < 400 else "")
        await self._failed(delivery, status, error or "failed")

    async def _delivered(self, delivery: WebhookDelivery, status: int) -> None:
        WEBHOOK_DELIVERIES.labels(self.name, "delivered").inc()
        await self.store.webhook_delivered(delivery.id, self._clock(), status)
        log.info("webhook %s: event %s delivered (HTTP %s)", self.name, delivery.event_id, status)

    async def _failed(self, delivery: WebhookDelivery, status: int | None, error: str) -> None:
        attempts = delivery.attempts + 1
        dead = attempts >= self.config.max_attempts
        wait = (
            0.0 if dead else backoff(attempts, self.config.backoff_seconds, self.config.max_backoff_seconds, self._rng)
        )
        at = self._clock()
        WEBHOOK_DELIVERIES.labels(self.name, "dead" if dead else "failed").inc()
        recorded = await self.store.webhook_attempt_failed(
            delivery.id,
            self.claimer,
            at,
            attempts=attempts,
            dead=dead,
            retry_at=at + timedelta(seconds=wait),
            status=status,
            error=error,
        )
        if not recorded:
            log.warning(
                "webhook %s: event %s: the claim expired before the outcome was kept", self.name, delivery.event_id
            )
        elif dead:
            log.error(
                "webhook %s: event %s is DEAD after %d attempts (last: %s); an admin may redeliver it",
                self.name,
                delivery.event_id,
                attempts,
                error,
            )
        else:
            log.warning(
                "webhook %s: event %s attempt %d failed (%s); next in %.1f s",
                self.name,
                delivery.event_id,
                attempts,
                error,
                wait,
            )


class WebhookWorkers:
    """Every configured webhook's worker in this process, with one HTTP client each (connections to one
    receiver never wait on another's), and the pending gauge. Start with ``start``, end with ``close``."""

    def __init__(self, entries: Sequence[WebhookEntry], store: Store, *, instance: str | None = None) -> None:
        self.instance = instance or uuid.uuid4().hex[:12]
        self.store = store
        self.workers = [WebhookWorker(entry, store, _client(entry), instance=self.instance) for entry in entries]
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Place new webhooks' cursors (before the app serves: an event stored from now on is theirs), then run
        the workers. A store that fails here is not fatal: each worker places its cursor when the store answers."""
        for worker in self.workers:
            try:
                await worker.begin()
            except StoreUnavailable as exc:
                log.error("webhook %s: could not read its place in the outbox yet: %s", worker.name, exc.message)
        for worker in self.workers:
            self._tasks.append(asyncio.create_task(worker.run(), name=f"webhook-{worker.name}"))
        if self.workers:
            self._tasks.append(asyncio.create_task(self._gauge(), name="webhook-gauge"))

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for worker in self.workers:
            await worker.client.aclose()

    async def _gauge(self, every: float = 5.0) -> None:
        names = [worker.name for worker in self.workers]
        while True:
            with contextlib.suppress(StoreUnavailable):
                pending = await self.store.pending_webhook_deliveries()
                for name in names:
                    WEBHOOK_PENDING.labels(name).set(pending.get(name, 0))
            await asyncio.sleep(every)


def _client(entry: WebhookEntry) -> httpx.AsyncClient:
    """A receiver's own client: redirects never followed, its pool as large as its concurrency, through the
    proxy the environment names for its URL (as the accounts' clients), no credentials from ``.netrc``."""
    webhook = entry.webhook
    limits = httpx.Limits(max_connections=webhook.concurrency, max_keepalive_connections=webhook.concurrency)
    return httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(proxy=_proxy_for(webhook.url), limits=limits),
        follow_redirects=False,
        timeout=httpx.Timeout(webhook.timeout_seconds),
        trust_env=False,
    )


def _proxy_for(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")
