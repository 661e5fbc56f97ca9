"""The gateway's own state: projects and their history, the operation log (idempotency keys and pending
writes), the audit trail and customer assignments.

One implementation over SQLAlchemy Core serves both back ends: SQLite by default (a file under the data
directory, nothing to install) and PostgreSQL by URL (``postgresql+asyncpg://...``). ``open_store``
applies the migrations the database lacks. Customer assignments are kept in memory for a short while
(``_assignments``: a write through this store is seen at once, another replica's within ``ASSIGNMENTS_TTL``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import functools
import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from gateway.errors import ProjectRefusal, ProjectRuleViolation, StoreUnavailable, VersionConflict
from gateway.events import Event
from gateway.models import Page
from gateway.notifications.deliveries import DeliveryFilter, DeliveryStatus, WebhookDelivery
from gateway.observability.metrics import EVENTS
from gateway.projects import Project, ProjectEvent, Stage
from gateway.store import _rows as r
from gateway.store import _snapshots
from gateway.store import _tables as t
from gateway.store._assignments import TTL as ASSIGNMENTS_TTL
from gateway.store._assignments import Assignments
from gateway.store._errors import Failures
from gateway.store._identity import Marker, StoreIdentity, read_identity, sqlite_file
from gateway.store._migrations import migrate
from gateway.store._records import AuditEntry, AuditFilter, OperationRecord, OperationStatus, ProjectFilter
from gateway.store._snapshots import LeaseLost, Snapshot, SnapshotChange, SnapshotConflict

__all__ = [
    "ASSIGNMENTS_TTL",
    "EVENTS_CHANNEL",
    "MEMORY_URL",
    "AuditEntry",
    "AuditFilter",
    "LeaseLost",
    "OperationRecord",
    "OperationStatus",
    "ProjectFilter",
    "Snapshot",
    "SnapshotChange",
    "SnapshotConflict",
    "Store",
    "StoreIdentity",
    "StoreUnavailable",
    "open_store",
    "sqlite_url",
]

MEMORY_URL = "sqlite+aiosqlite:///:memory:"

#: On PostgreSQL, ``insert_events`` notifies this channel when it added events (delivered at commit): each
#: replica's follower of the outbox (``gateway.notifications.stream``) listens, and reads it at once.
EVENTS_CHANNEL = "partner_gateway_events"

#: How long PostgreSQL is given to accept a connection before the store counts as unavailable.
CONNECT_TIMEOUT = 10.0


def sqlite_url(data_dir: str | Path) -> str:
    return f"sqlite+aiosqlite:///{(Path(data_dir) / 'gateway.db').resolve()}"


async def open_store(url: str, **engine_options: Any) -> Store:
    """Connect, check the store is the one its data directory recorded, migrate, and return it.

    ``MEMORY_URL``: a private in-memory store. ``StoreUnavailable`` when the database cannot be reached,
    or when it is missing or replaced (``_identity``: the message says what, where, and what to do).
    """
    parsed = make_url(url)
    failures = Failures(parsed)
    if url == MEMORY_URL:
        engine_options.setdefault("poolclass", StaticPool)  # one connection, so one in-memory database
    if parsed.get_backend_name() == "postgresql":
        engine_options["connect_args"] = {"timeout": CONNECT_TIMEOUT, **engine_options.get("connect_args", {})}
    database = sqlite_file(parsed)
    marker = Marker(database) if database is not None else None
    recorded = marker.read() if marker is not None else None
    if marker is not None and recorded is not None and not marker.database.exists():
        raise marker.missing(recorded)
    if database is not None:
        with failures.translated("open", report=False):
            database.parent.mkdir(parents=True, exist_ok=True)
    # A PostgreSQL connection can die in the pool (a server restart, a failover, an idle timeout on the way): each
    # checkout pings it first. A SQLite connection cannot (a deleted or replaced file is _ensure_database_file's
    # to find), and its ping was one more trip to the driver's thread on every store call.
    engine_options.setdefault("pool_pre_ping", parsed.get_backend_name() == "postgresql")
    engine = create_async_engine(url, **engine_options)
    try:
        with failures.translated("open", report=False):
            found = await read_identity(engine)
            if marker is not None and recorded is not None:
                marker.verify(found, recorded)
            await migrate(engine)
            identity = found or await read_identity(engine)
        if identity is None:  # pragma: no cover - migration step 3 gives every store its id
            raise StoreUnavailable(f"the store at {parsed.render_as_string()} has no store id after migrating")
        if marker is not None:
            marker.write(identity, recorded)
    except BaseException:
        await engine.dispose()
        raise
    return Store(engine, identity=identity, database=database, url=parsed)


P = ParamSpec("P")
R = TypeVar("R")


def _guarded(
    method: Callable[Concatenate[Store, P], Awaitable[R]],
) -> Callable[Concatenate[Store, P], Awaitable[R]]:
    """Every database failure inside ``method`` becomes ``StoreUnavailable`` (see ``_errors``).

    A call runs to its end even when its caller is cancelled (a request cut off by its deadline, a client
    gone): a write interrupted half-way must not lose what it was recording, and a connection dropped
    mid-statement would take an in-memory store's only database with it."""

    async def call(self: Store, args: Any, kwargs: Any) -> R:
        token = _IN_STORE_CALL.set(True)
        try:
            async with self._serial:
                with self._failures.translated(method.__name__):
                    self._ensure_database_file()
                    return await method(self, *args, **kwargs)
        finally:
            _IN_STORE_CALL.reset(token)

    @functools.wraps(method)
    async def guarded(self: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if _IN_STORE_CALL.get():  # one store method calling another: already shielded and serialised
            with self._failures.translated(method.__name__):
                return await method(self, *args, **kwargs)
        task = asyncio.ensure_future(call(self, args, kwargs))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return await asyncio.shield(task)

    guarded.__store_guarded__ = True  # type: ignore[attr-defined]
    return guarded


#: How long closing waits for store calls still running.
CLOSE_WAIT = 10.0
#: Set inside a store call (and the tasks it starts): a nested call neither shields nor queues again.
_IN_STORE_CALL: contextvars.ContextVar[bool] = contextvars.ContextVar("in_store_call", default=False)


class Store:
    """The gateway's state. Every method raises ``StoreUnavailable`` when the database cannot be used."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        identity: StoreIdentity | None = None,
        database: Path | None = None,
        url: URL | None = None,
    ) -> None:
        self.engine = engine
        self.identity = identity
        """The store's id, read when it was opened."""
        self.database = database
        """A SQLite store's database file (``None`` in memory and on PostgreSQL)."""
        self._failures = Failures(url if url is not None else engine.url)
        self._file_id = _file_id(database) if database is not None else None
        self._inflight: set[asyncio.Future[Any]] = set()
        self._serial: contextlib.AbstractAsyncContextManager[object] = (
            asyncio.Lock() if isinstance(engine.pool, StaticPool) else contextlib.nullcontext()
        )
        """An in-memory store has one connection: two tasks using it at once would interleave their
        transactions (one's rollback undoing the other's write), so its calls take turns."""
        self.assigned = Assignments(self._read_assignments)
        """The customer assignments this replica keeps (``_assignments``: its ``clock`` and ``ttl``)."""

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def close(self) -> None:
        """Close once the calls still running (their callers may be gone) have finished."""
        if self._inflight:
            await asyncio.wait(set(self._inflight), timeout=CLOSE_WAIT)
        await self.engine.dispose()

    def _ensure_database_file(self) -> None:
        """A SQLite database deleted or replaced under a running gateway is unavailable, not silently empty:
        open connections would go on writing to the deleted file, new ones would create an empty one."""
        if self.database is None or self._file_id is None:
            return
        try:
            now = _file_id(self.database)
        except FileNotFoundError:
            now = None
        if now != self._file_id:
            happened = "deleted" if now is None else "replaced"
            raise StoreUnavailable(
                f"the store database {self.database} was {happened} while the gateway was running; "
                "writes can no longer be kept. Restore it, then restart the gateway."
            )

    @_guarded
    async def check(self) -> None:
        """The database answers, can be written, and is still this store (for readiness: bound its time)."""
        c = t.store_identity.c
        async with self.engine.begin() as conn:
            store_id = (await conn.execute(sa.select(c.store_id))).scalar_one_or_none()
            # A write that changes nothing: fails on a read-only database or transaction, costs nothing else.
            await conn.execute(sa.update(t.store_identity).where(sa.false()).values(store_id=c.store_id))
        if self.identity is not None and store_id != self.identity.store_id:
            raise StoreUnavailable(
                f"the store's database was replaced while the gateway was running: it is store {store_id}, "
                f"not {self.identity.store_id}. Restore it, then restart the gateway."
            )

    @contextlib.asynccontextmanager
    async def target_lock(self, name: str) -> AsyncIterator[None]:
        """Hold ``name`` across every gateway replica sharing this store (a PostgreSQL advisory lock, on a
        connection of its own for as long as the write takes). SQLite is one process's store: the
        caller's in-process lock is all there is to take. Only taking and releasing the lock raise
        ``StoreUnavailable``; what the caller raises inside passes through as it is."""
        if self.dialect != "postgresql":
            yield
            return
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with self._failures.translated("target_lock"):
            conn = await self.engine.connect()
            try:
                await conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
            except BaseException:
                await conn.close()
                raise
        try:
            yield
        finally:
            with self._failures.translated("target_lock"):
                try:
                    await conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                finally:
                    await conn.close()

    # --- events (the outbox of change notifications, gateway.events) ----------------------------------

    @_guarded
    async def add_events(self, events: Sequence[Event]) -> list[Event]:
        """Keep ``events`` in the outbox, in their order, once each: an event whose id is already there is
        not added again (a detector that finds a change twice gives it the same id). Returns the events added,
        with their ``sequence``."""
        async with self.engine.begin() as conn:
            return await insert_events(conn, events)

    @_guarded
    async def events_after(self, sequence: int, limit: int, *, types: Collection[str] | None = None) -> list[Event]:
        """Events after ``sequence`` in outbox order, at most ``limit``, optionally of some types only."""
        query = sa.select(t.events).where(t.events.c.sequence > sequence)
        if types is not None:
            query = query.where(t.events.c.type.in_(sorted(types)))
        query = query.order_by(t.events.c.sequence).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [r.notification_of(row) for row in rows]

    @_guarded
    async def latest_events(self, limit: int) -> list[Event]:
        """The newest ``limit`` events, newest first (what happened lately, before a subscriber joined)."""
        query = sa.select(t.events).order_by(t.events.c.sequence.desc()).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [r.notification_of(row) for row in rows]

    @_guarded
    async def last_event_sequence(self) -> int:
        """The newest event's sequence (0: none yet): where a new subscriber starts."""
        async with self.engine.connect() as conn:
            value = (await conn.execute(sa.select(sa.func.max(t.events.c.sequence)))).scalar()
        return int(value or 0)

    @_guarded
    async def get_event(self, event_id: str) -> Event | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(t.events).where(t.events.c.id == event_id))).mappings().first()
        return r.notification_of(row) if row is not None else None

    # --- webhooks (deliveries of the outbox's events: gateway.notifications.webhooks) -------------------------

    @_guarded
    async def webhook_cursor(self, webhook: str) -> int:
        """How far ``webhook`` has followed the outbox: every event up to this sequence has its delivery (0:
        from the start)."""
        c = t.webhook_cursors.c
        async with self.engine.connect() as conn:
            value = (await conn.execute(sa.select(c.sequence).where(c.webhook == webhook))).scalar_one_or_none()
        return int(value or 0)

    @_guarded
    async def start_webhook_cursor(self, webhook: str, at: datetime) -> int:
        """A webhook seen for the first time starts at the end of the outbox (it is told of changes from then on,
        not of the store's whole history); one seen before keeps its cursor. Returns the cursor."""
        cursors = t.webhook_cursors
        insert = t.insert_for(self.dialect)
        end = sa.select(sa.func.coalesce(sa.func.max(t.events.c.sequence), 0)).scalar_subquery()
        async with self.engine.begin() as conn:
            await conn.execute(
                insert(cursors)
                .values(webhook=webhook, sequence=end, updated_at=at)
                .on_conflict_do_nothing(index_elements=[cursors.c.webhook])
            )
            value = (await conn.execute(sa.select(cursors.c.sequence).where(cursors.c.webhook == webhook))).scalar_one()
        return int(value)

    @_guarded
    async def queue_webhook_deliveries(
        self, webhook: str, events: Sequence[Event], at: datetime, *, cursor: int | None = None
    ) -> int:
        """A PENDING delivery of each of ``events`` to ``webhook``, due now, unless it has one already (two
        replicas following the outbox queue each event once: ``ON CONFLICT DO NOTHING``); then, in the same
        transaction, the webhook's cursor moved forward to ``cursor`` (never back). Returns the deliveries added."""
        d = t.webhook_deliveries
        insert = t.insert_for(self.dialect)
        added = 0
        async with self.engine.begin() as conn:
            for event in events:
                assert event.sequence is not None, "an event read from the outbox has its sequence"
                statement = (
                    insert(d)
                    .values(
                        webhook=webhook,
                        event_id=event.id,
                        event_sequence=event.sequence,
                        event_type=event.type,
                        subject=event.subject,
                        status=DeliveryStatus.PENDING.value,
                        attempts=0,
                        next_attempt_at=at,
                        created_at=at,
                    )
                    .on_conflict_do_nothing(index_elements=[d.c.webhook, d.c.event_id])
                    .returning(d.c.id)
                )
                added += (await conn.execute(statement)).scalar_one_or_none() is not None
            if cursor is not None:
                cursors = t.webhook_cursors
                upsert = insert(cursors).values(webhook=webhook, sequence=cursor, updated_at=at)
                await conn.execute(
                    upsert.on_conflict_do_update(
                        index_elements=[cursors.c.webhook],
                        set_={"sequence": upsert.excluded.sequence, "updated_at": upsert.excluded.updated_at},
                        where=cursors.c.sequence < upsert.excluded.sequence,
                    )
                )
        return added

    @_guarded
    async def claim_webhook_deliveries(
        self, webhook: str, claimer: str, now: datetime, until: datetime, limit: int
    ) -> list[tuple[WebhookDelivery, Event]]:
        """Up to ``limit`` deliveries of ``webhook`` that are due, each claimed for ``claimer`` until ``until``,
        with their events. Due: PENDING, its time come, no live claim on it, and no earlier event of its subject
        still PENDING for this webhook (a subject's events arrive in order). Each claim is a compare-and-set
        UPDATE (only a row that is still unclaimed or whose claim expired), so of replicas claiming at once one
        wins each delivery; a claim left by a process that died expires and the delivery is claimed again."""
        d = t.webhook_deliveries
        earlier = d.alias("earlier")
        pending = DeliveryStatus.PENDING.value
        unclaimed = sa.or_(d.c.claim_expires_at.is_(None), d.c.claim_expires_at < now)
        blocked = (
            sa.select(earlier.c.id)
            .where(
                earlier.c.webhook == d.c.webhook,
                earlier.c.subject == d.c.subject,
                earlier.c.status == pending,
                earlier.c.event_sequence < d.c.event_sequence,
            )
            .exists()
        )
        due = (
            sa.select(d.c.id)
            .where(d.c.webhook == webhook, d.c.status == pending, d.c.next_attempt_at <= now, unclaimed, ~blocked)
            .order_by(d.c.next_attempt_at, d.c.event_sequence)
            .limit(limit)
        )
        claimed: list[int] = []
        async with self.engine.begin() as conn:
            for delivery_id in (await conn.execute(due)).scalars().all():
                result = await conn.execute(
                    sa.update(d)
                    .where(d.c.id == delivery_id, d.c.status == pending, unclaimed)
                    .values(claimed_by=claimer, claim_expires_at=until)
                )
                if result.rowcount == 1:
                    claimed.append(int(delivery_id))
            if not claimed:
                return []
            rows = (await conn.execute(sa.select(d).where(d.c.id.in_(claimed)))).mappings().all()
            deliveries = sorted((r.delivery_of(row) for row in rows), key=lambda x: x.event_sequence)
            ids = [delivery.event_id for delivery in deliveries]
            found = (await conn.execute(sa.select(t.events).where(t.events.c.id.in_(ids)))).mappings().all()
        events = {row["id"]: r.notification_of(row) for row in found}
        return [(delivery, events[delivery.event_id]) for delivery in deliveries if delivery.event_id in events]

    @_guarded
    async def webhook_delivered(self, delivery_id: int, at: datetime, status: int) -> bool:
        """Record a 2xx answer: DELIVERED (whoever holds the claim: the event did arrive). False: it was not
        PENDING any more."""
        d = t.webhook_deliveries
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.update(d)
                .where(d.c.id == delivery_id, d.c.status == DeliveryStatus.PENDING.value)
                .values(
                    status=DeliveryStatus.DELIVERED.value,
                    attempts=d.c.attempts + 1,
                    last_attempt_at=at,
                    last_status=status,
                    last_error=None,
                    delivered_at=at,
                    claimed_by=None,
                    claim_expires_at=None,
                )
            )
        return bool(result.rowcount == 1)

    @_guarded
    async def webhook_attempt_failed(
        self,
        delivery_id: int,
        claimer: str,
        at: datetime,
        *,
        attempts: int,
        dead: bool,
        retry_at: datetime,
        status: int | None,
        error: str,
    ) -> bool:
        """Record a failed attempt (the ``attempts``-th) by the holder of the claim: PENDING again, due at
        ``retry_at``, or DEAD. False: the claim was no longer ``claimer``'s (it expired and another took it)."""
        d = t.webhook_deliveries
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.update(d)
                .where(
                    d.c.id == delivery_id,
                    d.c.status == DeliveryStatus.PENDING.value,
                    d.c.claimed_by == claimer,
                )
                .values(
                    status=(DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING).value,
                    attempts=attempts,
                    next_attempt_at=retry_at,
                    last_attempt_at=at,
                    last_status=status,
                    last_error=error[:500],
                    claimed_by=None,
                    claim_expires_at=None,
                )
            )
        return bool(result.rowcount == 1)

    @_guarded
    async def redeliver_webhook(self, delivery_id: int, at: datetime) -> WebhookDelivery | None:
        """Queue a delivery again, due at ``at``, with its attempts from zero (the same event, so the same
        ``webhook-id``). A delivery still PENDING is only made due at ``at``: its attempts stand, as a replica may be
        sending it now and will count its attempt on top of them. None: there is no such delivery."""
        d = t.webhook_deliveries
        pending = d.c.status == DeliveryStatus.PENDING.value
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(d)
                .where(d.c.id == delivery_id)
                .values(
                    status=DeliveryStatus.PENDING.value,
                    attempts=sa.case((pending, d.c.attempts), else_=0),
                    next_attempt_at=at,
                    delivered_at=None,
                )
            )
            row = (await conn.execute(sa.select(d).where(d.c.id == delivery_id))).mappings().first()
        return r.delivery_of(row) if row is not None else None

    @_guarded
    async def get_webhook_delivery(self, delivery_id: int) -> WebhookDelivery | None:
        d = t.webhook_deliveries
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(d).where(d.c.id == delivery_id))).mappings().first()
        return r.delivery_of(row) if row is not None else None

    @_guarded
    async def list_webhook_deliveries(self, where: DeliveryFilter, offset: int, limit: int) -> Page[WebhookDelivery]:
        """Deliveries, newest first, matching ``where``."""
        c = t.webhook_deliveries.c
        conditions: list[Any] = []
        if where.webhook is not None:
            conditions.append(c.webhook == where.webhook)
        if where.status is not None:
            conditions.append(c.status == where.status.value)
        if where.event_type is not None:
            conditions.append(c.event_type == where.event_type)
        query = sa.select(t.webhook_deliveries).where(*conditions)
        async with self.engine.connect() as conn:
            total = (await conn.execute(sa.select(sa.func.count()).select_from(query.subquery()))).scalar_one()
            rows = (await conn.execute(query.order_by(c.id.desc()).offset(offset).limit(limit))).mappings()
            return Page(tuple(r.delivery_of(row) for row in rows), int(total))

    @_guarded
    async def pending_webhook_deliveries(self) -> dict[str, int]:
        """PENDING deliveries per webhook (for the gauge)."""
        c = t.webhook_deliveries.c
        query = (
            sa.select(c.webhook, sa.func.count()).where(c.status == DeliveryStatus.PENDING.value).group_by(c.webhook)
        )
        async with self.engine.connect() as conn:
            return {webhook: int(count) for webhook, count in await conn.execute(query)}

    # --- change detection: snapshots and leases (gateway.notifications.detect; migration 6) --------------

    @_guarded
    async def take_lease(self, name: str, holder: str, now: datetime, expires_at: datetime) -> bool:
        """Take lease ``name`` for ``holder`` until ``expires_at``, or renew it: True if ``holder`` holds it now
        (it was free, lapsed at ``now``, or already its own). Two replicas asking at once: one gets it."""
        async with self.engine.begin() as conn:
            return await _snapshots.take(conn, name, holder, now, expires_at)

    @_guarded
    async def release_lease(self, name: str, holder: str) -> None:
        """Give lease ``name`` up (if ``holder`` still holds it), so another replica takes it at once."""
        async with self.engine.begin() as conn:
            await _snapshots.release(conn, name, holder)

    @_guarded
    async def lease_holder(self, name: str, now: datetime) -> str | None:
        """Who holds lease ``name`` at ``now`` (None: nobody, or it lapsed)."""
        c = t.leases.c
        async with self.engine.connect() as conn:
            query = sa.select(c.holder).where(c.name == name, c.expires_at >= now)
            return (await conn.execute(query)).scalar_one_or_none()

    @_guarded
    async def snapshots(self, account_id: str) -> dict[tuple[str, str], Snapshot]:
        """What change detection last saw of one account, by (kind, key)."""
        async with self.engine.connect() as conn:
            return await _snapshots.read(conn, account_id)

    @_guarded
    async def save_snapshots(
        self,
        account_id: str,
        changes: Sequence[SnapshotChange],
        events: Sequence[Event],
        *,
        lease: tuple[str, str] | None = None,
        now: datetime,
        lease_until: datetime | None = None,
    ) -> list[Event]:
        """In one transaction: renew ``lease`` (name, holder) until ``lease_until``, write ``changes`` (each by
        compare-and-set on the version it was read at) and add ``events`` to the outbox; returns the events
        added. ``LeaseLost`` or ``SnapshotConflict``: nothing was saved and no event added."""
        async with self.engine.begin() as conn:
            if lease is not None:
                await _snapshots.renew(conn, *lease, now, lease_until or now)
            await _snapshots.apply_changes(conn, account_id, changes, now)
            return await insert_events(conn, events)

    # --- projects ---------------------------------------------------------------------------------

    @_guarded
    async def insert_project(self, project: Project, actor: str) -> Project:
        """Store a new filing; ``ProjectRuleViolation`` (``DUPLICATE_OPPORTUNITY``) if another project of the
        provider has its opportunity id (the unique index decides, across processes)."""
        with _one_project_per_opportunity(project):
            async with self.engine.begin() as conn:
                result = await conn.execute(sa.insert(t.projects).values(**r.project_row(project)))
                project_id = int(result.inserted_primary_key[0])  # type: ignore[index]
                stored = r.with_id(project, project_id)
                event = ProjectEvent(project_id, project.created_at, actor, "FILED", project.name, project.stage)
                await conn.execute(sa.insert(t.project_events).values(**r.event_row(event)))
        return stored

    @_guarded
    async def save_project(self, project: Project, event: ProjectEvent, *, events: Sequence[Event] = ()) -> Project:
        """Store a change made to version ``project.version - 1``; ``VersionConflict`` if that is stale,
        ``ProjectRuleViolation`` (``DUPLICATE_OPPORTUNITY``) if it links an opportunity another project has.
        ``events`` (change notifications: ``project.stage_changed``, ...) go to the outbox in the same
        transaction: kept if and only if the change is."""
        with _one_project_per_opportunity(project):
            async with self.engine.begin() as conn:
                result = await conn.execute(
                    sa.update(t.projects)
                    .where(t.projects.c.id == project.id, t.projects.c.version == project.version - 1)
                    .values(**r.project_row(project))
                )
                if result.rowcount != 1:
                    raise VersionConflict(f"project {project.id} was changed by someone else: read it again")
                await conn.execute(sa.insert(t.project_events).values(**r.event_row(event)))
                await insert_events(conn, events)
        return project

    @_guarded
    async def get_project(self, project_id: int) -> Project | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(t.projects).where(t.projects.c.id == project_id))).mappings().first()
        return r.project_of(row) if row else None

    @_guarded
    async def list_projects(self, where: ProjectFilter, offset: int, limit: int) -> Page[Project]:
        """Projects, newest first (then by id), matching ``where``."""
        c = t.projects.c
        conditions: list[Any] = []
        if where.account_ids is not None:
            conditions.append(c.account_id.in_(where.account_ids))
        if where.customer_id is not None:
            conditions.append(c.customer_id == where.customer_id)
        if where.customer_ids is not None:
            conditions.append(c.customer_id.in_(sorted(where.customer_ids)))
        if where.stage is not None:
            conditions.append(c.stage == where.stage.value)
        if where.status is not None:
            conditions.append(c.status == where.status.value)
        if where.owner is not None:
            conditions.append(c.owner == where.owner)
        if where.search:
            pattern = f"%{where.search.lower()}%"
            conditions.append(sa.or_(sa.func.lower(c.name).like(pattern), sa.func.lower(c.customer_name).like(pattern)))
        query = sa.select(t.projects).where(*conditions)
        async with self.engine.connect() as conn:
            total = (await conn.execute(sa.select(sa.func.count()).select_from(query.subquery()))).scalar_one()
            rows = (
                await conn.execute(query.order_by(c.created_at.desc(), c.id.desc()).offset(offset).limit(limit))
            ).mappings()
            return Page(tuple(r.project_of(row) for row in rows), int(total))

    @_guarded
    async def project_events(self, project_id: int) -> list[ProjectEvent]:
        c = t.project_events.c
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(sa.select(t.project_events).where(c.project_id == project_id).order_by(c.id))
            ).mappings()
            return [
                ProjectEvent(
                    project_id=row["project_id"],
                    at=r.utc(row["at"]),  # type: ignore[arg-type]
                    actor=row["actor"],
                    kind=row["kind"],
                    detail=row["detail"],
                    stage=Stage(row["stage"]) if row["stage"] else None,
                )
                for row in rows
            ]

    # --- operations: idempotency keys and pending writes ----------------------------------------------

    @_guarded
    async def claim_operation(self, record: OperationRecord) -> tuple[OperationRecord, bool]:
        """Insert ``record``; if its principal already holds its idempotency key, return that record instead.

        Keys are per principal: another principal's same key is a different operation. The unique
        (principal, idempotency_key) is the arbiter across concurrent requests and gateway replicas alike.
        """
        try:
            async with self.engine.begin() as conn:
                await conn.execute(sa.insert(t.operations).values(**r.operation_row(record)))
            return record, True
        except IntegrityError:
            existing = await self.operation_by_key(record.principal, record.idempotency_key or "")
            if existing is None:  # pragma: no cover - the row that collided vanished
                raise
            return existing, False

    @_guarded
    async def operation_by_key(self, principal: str, key: str) -> OperationRecord | None:
        """The operation ``principal`` started with idempotency key ``key``, if any (never another's)."""
        c = t.operations.c
        async with self.engine.connect() as conn:
            query = sa.select(t.operations).where(c.principal == principal, c.idempotency_key == key)
            row = (await conn.execute(query)).mappings().first()
        return r.operation_of(row) if row else None

    @_guarded
    async def get_operation(self, operation_id: str) -> OperationRecord | None:
        async with self.engine.connect() as conn:
            row = (
                (await conn.execute(sa.select(t.operations).where(t.operations.c.id == operation_id)))
                .mappings()
                .first()
            )
        return r.operation_of(row) if row else None

    @_guarded
    async def finish_operation(
        self,
        operation_id: str,
        status: str,
        *,
        result: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
        at: datetime,
        input: Mapping[str, Any] | None = None,
        events: Sequence[Event] = (),
    ) -> None:
        """Record an operation's outcome; ``input`` replaces the stored input (its contact details masked
        once nothing needs them to settle the write). ``events`` (``operation.settled``) go to the outbox in
        the same transaction."""
        values: dict[str, Any] = {
            "status": status,
            "result": r.dumps(result) if result is not None else None,
            "error": r.dumps(error) if error is not None else None,
            "finished_at": at,
        }
        if input is not None:
            values["input"] = r.dumps(input)
        async with self.engine.begin() as conn:
            await conn.execute(sa.update(t.operations).where(t.operations.c.id == operation_id).values(**values))
            await insert_events(conn, events)

    @_guarded
    async def release_operation(self, operation_id: str, *, events: Sequence[Event] = ()) -> None:
        """Forget an operation that never reached the upstream, so its key may be used again; ``events``
        (``operation.settled`` for a pending write settled as not applied) go to the outbox with it."""
        async with self.engine.begin() as conn:
            await conn.execute(sa.delete(t.operations).where(t.operations.c.id == operation_id))
            await insert_events(conn, events)

    @_guarded
    async def pending_operations(self, account_id: str | None = None) -> list[OperationRecord]:
        """Operations whose outcome is not known yet, oldest first (of one partner account, if given)."""
        c = t.operations.c
        async with self.engine.connect() as conn:
            query = sa.select(t.operations).where(c.status == OperationStatus.PENDING).order_by(c.started_at)
            if account_id is not None:
                query = query.where(c.account_id == account_id)
            rows = (await conn.execute(query)).mappings()
            return [r.operation_of(row) for row in rows]

    @_guarded
    async def operations_since(self, account_id: str, operation: str, since: datetime) -> list[OperationRecord]:
        """Operations of one kind on one account started at or after ``since`` (for reconciliation)."""
        c = t.operations.c
        async with self.engine.connect() as conn:
            query = sa.select(t.operations).where(
                c.account_id == account_id, c.operation == operation, c.started_at >= since
            )
            return [r.operation_of(row) for row in (await conn.execute(query)).mappings()]

    # --- audit -------------------------------------------------------------------------------------

    @_guarded
    async def audit(self, entry: AuditEntry) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(sa.insert(t.audit_log).values(**r.audit_row(entry)))

    @_guarded
    async def list_audit(self, where: AuditFilter, offset: int, limit: int) -> Page[AuditEntry]:
        """The audit trail, newest first, matching ``where``."""
        c = t.audit_log.c
        conditions: list[Any] = []
        if where.principal is not None:
            conditions.append(c.principal == where.principal)
        if where.operation is not None:
            conditions.append(c.operation == where.operation)
        if where.outcome is not None:
            conditions.append(c.outcome == where.outcome)
        if where.since is not None:
            conditions.append(c.at >= where.since)
        if where.until is not None:
            conditions.append(c.at < where.until)
        query = sa.select(t.audit_log).where(*conditions)
        async with self.engine.connect() as conn:
            total = (await conn.execute(sa.select(sa.func.count()).select_from(query.subquery()))).scalar_one()
            rows = (await conn.execute(query.order_by(c.id.desc()).offset(offset).limit(limit))).mappings()
            return Page(tuple(r.audit_of(row) for row in rows), int(total))

    # --- assignments (客户分配) ----------------------------------------------------------------------

    @_guarded
    async def assign(self, account_id: str, customer_id: str, owner: str, by: str, at: datetime) -> None:
        c = t.assignments.c
        values = {"owner": owner, "assigned_by": by, "assigned_at": at}
        update = sa.update(t.assignments).where(c.account_id == account_id, c.customer_id == customer_id)
        insert = sa.insert(t.assignments).values(account_id=account_id, customer_id=customer_id, **values)
        try:
            async with self.engine.begin() as conn:
                if (await conn.execute(update.values(**values))).rowcount == 0:
                    await conn.execute(insert)
        except IntegrityError:  # a concurrent first assignment inserted it meanwhile: this one is the later
            async with self.engine.begin() as conn:
                await conn.execute(update.values(**values))
        finally:  # committed (or not): the next read here reads the database
            self.assigned.forget(account_id)

    async def assignments(self, account_id: str) -> Mapping[str, str]:
        """The account's customer assignments (customer id -> owner): this replica's copy, read at most
        ``ASSIGNMENTS_TTL`` seconds ago, and read anew after a write through ``assign``. Not to be changed."""
        return await self.assigned.get(account_id)

    assignments.__store_guarded__ = True  # type: ignore[attr-defined]  # its reads are _read_assignments'

    @_guarded
    async def _read_assignments(self, account_id: str) -> dict[str, str]:
        c = t.assignments.c
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(c.customer_id, c.owner).where(c.account_id == account_id))
            return {customer_id: owner for customer_id, owner in rows}


@contextlib.contextmanager
def _one_project_per_opportunity(project: Project) -> Iterator[None]:
    """The unique index on (provider, opportunity_id), refusing a write, as the typed refusal it is."""
    try:
        yield
    except IntegrityError as exc:
        if "opportunity" not in str(exc.orig):  # SQLite names the columns, PostgreSQL the index
            raise
        raise ProjectRuleViolation(
            f"the upstream opportunity {project.opportunity_id} already has a project",
            ProjectRefusal.DUPLICATE_OPPORTUNITY,
            "opportunityId",
        ) from None


def _file_id(path: Path) -> tuple[int, int]:
    """Which file ``path`` is: deleting or replacing it changes this."""
    status = os.stat(path)
    return status.st_dev, status.st_ino


async def insert_events(conn: AsyncConnection, events: Sequence[Event]) -> list[Event]:
    """Insert the events not already in the outbox, inside the caller's transaction (a gateway-owned write
    and the events it reports commit together); the added ones come back with their ``sequence``. Two
    replicas adding the same event id at once add it once (``ON CONFLICT DO NOTHING``: no error, no race). On
    PostgreSQL, adding any notifies ``EVENTS_CHANNEL``."""
    insert = t.insert_for(conn.dialect.name)
    added = []
    for event in events:
        statement = (
            insert(t.events)
            .values(**r.notification_row(event))
            .on_conflict_do_nothing(index_elements=[t.events.c.id])
            .returning(t.events.c.sequence)
        )
        sequence = (await conn.execute(statement)).scalar_one_or_none()
        if sequence is not None:
            added.append(dataclasses.replace(event, sequence=int(sequence)))
    for event in added:  # partner_gateway_events_total: every event once, by whichever write added it
        EVENTS.labels(event.type).inc()
    if added and conn.dialect.name == "postgresql":  # a wake-up for every replica's follower, sent at commit
        await conn.execute(sa.select(sa.func.pg_notify(EVENTS_CHANNEL, "")))
    return added
