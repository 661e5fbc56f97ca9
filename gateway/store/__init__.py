"""The gateway's own state: projects and their history, the operation log (idempotency keys and pending
writes), the audit trail and customer assignments.

One implementation over SQLAlchemy Core serves both back ends: SQLite by default (a file under the data
directory, nothing to install) and PostgreSQL by URL (``postgresql+asyncpg://...``). ``open_store``
applies the migrations the database lacks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import RowMapping
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from gateway.errors import VersionConflict
from gateway.models import Page
from gateway.projects import Approval, Project, ProjectEvent, ProjectStatus, Stage
from gateway.store import _tables as t
from gateway.store._migrations import migrate

__all__ = [
    "MEMORY_URL",
    "AuditEntry",
    "AuditFilter",
    "OperationRecord",
    "OperationStatus",
    "ProjectFilter",
    "Store",
    "open_store",
    "sqlite_url",
]


class OperationStatus:
    PENDING = "PENDING"  # sent, or about to be: the outcome is not known yet
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class OperationRecord:
    """One logical write: its idempotency key, input, and (once known) its outcome."""

    id: str
    idempotency_key: str | None
    principal: str
    operation: str
    account_id: str
    input: Mapping[str, Any]
    input_hash: str
    status: str
    started_at: datetime
    result: Mapping[str, Any] | None = None
    error: Mapping[str, Any] | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    principal: str
    operation: str
    input: Mapping[str, Any]
    outcome: str
    account_id: str | None = None
    error_code: str | None = None
    request_ids: tuple[str, ...] = ()
    operation_id: str | None = None
    duration_ms: int | None = None
    id: int = 0


@dataclass(frozen=True, slots=True)
class AuditFilter:
    principal: str | None = None
    operation: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ProjectFilter:
    account_ids: tuple[str, ...] | None = None
    customer_id: str | None = None
    stage: Stage | None = None
    status: ProjectStatus | None = None
    owner: str | None = None
    search: str | None = None
    customer_ids: frozenset[str] | None = field(default=None)
    """For sales principals: only projects of these (their own) customers."""


def sqlite_url(data_dir: str | Path) -> str:
    return f"sqlite+aiosqlite:///{(Path(data_dir) / 'gateway.db').resolve()}"


MEMORY_URL = "sqlite+aiosqlite:///:memory:"


async def open_store(url: str, **engine_options: Any) -> Store:
    """Connect, migrate, and return the store at ``url`` (``MEMORY_URL``: a private in-memory one)."""
    if url == MEMORY_URL:
        engine_options.setdefault("poolclass", StaticPool)  # one connection, so one in-memory database
    elif (database := make_url(url).database) and make_url(url).get_backend_name() == "sqlite":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, pool_pre_ping=True, **engine_options)
    await migrate(engine)
    return Store(engine)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def close(self) -> None:
        await self.engine.dispose()

    @contextlib.asynccontextmanager
    async def target_lock(self, name: str) -> AsyncIterator[None]:
        """Hold ``name`` across every gateway replica sharing this store (a PostgreSQL advisory lock, on a
        connection of its own for as long as the write takes). SQLite is one process's store: the
        caller's in-process lock is all there is to take."""
        if self.dialect != "postgresql":
            yield
            return
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                await conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})

    # --- projects ---------------------------------------------------------------------------------

    async def insert_project(self, project: Project, actor: str) -> Project:
        async with self.engine.begin() as conn:
            result = await conn.execute(sa.insert(t.projects).values(**_project_row(project)))
            project_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            stored = _with_id(project, project_id)
            event = ProjectEvent(project_id, project.created_at, actor, "FILED", project.name, project.stage)
            await conn.execute(sa.insert(t.project_events).values(**_event_row(event)))
        return stored

    async def save_project(self, project: Project, event: ProjectEvent) -> Project:
        """Store a change made to version ``project.version - 1``; ``VersionConflict`` if that is stale."""
        async with self.engine.begin() as conn:
            result = await conn.execute(
                sa.update(t.projects)
                .where(t.projects.c.id == project.id, t.projects.c.version == project.version - 1)
                .values(**_project_row(project))
            )
            if result.rowcount != 1:
                raise VersionConflict(f"project {project.id} was changed by someone else: read it again")
            await conn.execute(sa.insert(t.project_events).values(**_event_row(event)))
        return project

    async def get_project(self, project_id: int) -> Project | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(sa.select(t.projects).where(t.projects.c.id == project_id))).mappings().first()
        return _project(row) if row else None

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
            return Page(tuple(_project(row) for row in rows), int(total))

    async def project_events(self, project_id: int) -> list[ProjectEvent]:
        c = t.project_events.c
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(sa.select(t.project_events).where(c.project_id == project_id).order_by(c.id))
            ).mappings()
            return [
                ProjectEvent(
                    project_id=row["project_id"],
                    at=_utc(row["at"]),  # type: ignore[arg-type]
                    actor=row["actor"],
                    kind=row["kind"],
                    detail=row["detail"],
                    stage=Stage(row["stage"]) if row["stage"] else None,
                )
                for row in rows
            ]

    # --- operations: idempotency keys and pending writes ----------------------------------------------

    async def claim_operation(self, record: OperationRecord) -> tuple[OperationRecord, bool]:
        """Insert ``record``; if its idempotency key is taken, return the existing record instead.

        The unique key is the arbiter across concurrent requests and gateway replicas alike.
        """
        try:
            async with self.engine.begin() as conn:
                await conn.execute(sa.insert(t.operations).values(**_operation_row(record)))
            return record, True
        except IntegrityError:
            existing = await self.operation_by_key(record.idempotency_key or "")
            if existing is None:  # pragma: no cover - the row that collided vanished
                raise
            return existing, False

    async def operation_by_key(self, key: str) -> OperationRecord | None:
        async with self.engine.connect() as conn:
            query = sa.select(t.operations).where(t.operations.c.idempotency_key == key)
            row = (await conn.execute(query)).mappings().first()
        return _operation(row) if row else None

    async def get_operation(self, operation_id: str) -> OperationRecord | None:
        async with self.engine.connect() as conn:
            row = (
                (await conn.execute(sa.select(t.operations).where(t.operations.c.id == operation_id)))
                .mappings()
                .first()
            )
        return _operation(row) if row else None

    async def finish_operation(
        self,
        operation_id: str,
        status: str,
        *,
        result: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
        at: datetime,
    ) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(t.operations)
                .where(t.operations.c.id == operation_id)
                .values(
                    status=status,
                    result=_json(result) if result is not None else None,
                    error=_json(error) if error is not None else None,
                    finished_at=at,
                )
            )

    async def release_operation(self, operation_id: str) -> None:
        """Forget an operation that never reached the upstream, so its key may be used again."""
        async with self.engine.begin() as conn:
            await conn.execute(sa.delete(t.operations).where(t.operations.c.id == operation_id))

    async def pending_operations(self) -> list[OperationRecord]:
        c = t.operations.c
        async with self.engine.connect() as conn:
            query = sa.select(t.operations).where(c.status == OperationStatus.PENDING).order_by(c.started_at)
            rows = (await conn.execute(query)).mappings()
            return [_operation(row) for row in rows]

    async def operations_since(self, account_id: str, operation: str, since: datetime) -> list[OperationRecord]:
        """Operations of one kind on one account started at or after ``since`` (for reconciliation)."""
        c = t.operations.c
        async with self.engine.connect() as conn:
            query = sa.select(t.operations).where(
                c.account_id == account_id, c.operation == operation, c.started_at >= since
            )
            return [_operation(row) for row in (await conn.execute(query)).mappings()]

    # --- audit -------------------------------------------------------------------------------------

    async def audit(self, entry: AuditEntry) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(sa.insert(t.audit_log).values(**_audit_row(entry)))

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
            return Page(tuple(_audit(row) for row in rows), int(total))

    # --- assignments (客户分配) ----------------------------------------------------------------------

    async def assign(self, account_id: str, customer_id: str, owner: str, by: str, at: datetime) -> None:
        c = t.assignments.c
        async with self.engine.begin() as conn:
            updated = await conn.execute(
                sa.update(t.assignments)
                .where(c.account_id == account_id, c.customer_id == customer_id)
                .values(owner=owner, assigned_by=by, assigned_at=at)
            )
            if updated.rowcount == 0:
                await conn.execute(
                    sa.insert(t.assignments).values(
                        account_id=account_id, customer_id=customer_id, owner=owner, assigned_by=by, assigned_at=at
                    )
                )

    async def assignments(self, account_id: str) -> dict[str, str]:
        c = t.assignments.c
        async with self.engine.connect() as conn:
            rows = await conn.execute(sa.select(c.customer_id, c.owner).where(c.account_id == account_id))
            return {customer_id: owner for customer_id, owner in rows}


def _with_id(project: Project, project_id: int) -> Project:
    return replace(project, id=project_id)


def _project_row(p: Project) -> dict[str, Any]:
    return {
        "account_id": p.account_id,
        "provider": p.provider,
        "customer_id": p.customer_id,
        "customer_name": p.customer_name,
        "name": p.name,
        "stage": p.stage.value,
        "status": p.status.value,
        "win_rate": str(p.win_rate),
        "approval": p.approval.value,
        "customer_confirmed": p.customer_confirmed,
        "industry": p.industry,
        "description": p.description,
        "opportunity_id": p.opportunity_id,
        "owner": p.owner,
        "created_by": p.created_by,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "version": p.version,
    }


def _project(row: RowMapping) -> Project:
    return Project(
        id=int(row["id"]),
        account_id=row["account_id"],
        provider=row["provider"],
        customer_id=row["customer_id"],
        customer_name=row["customer_name"],
        name=row["name"],
        stage=Stage(row["stage"]),
        status=ProjectStatus(row["status"]),
        win_rate=Decimal(row["win_rate"]),
        approval=Approval(row["approval"]),
        customer_confirmed=bool(row["customer_confirmed"]),
        created_by=row["created_by"],
        created_at=_utc(row["created_at"]),  # type: ignore[arg-type]
        updated_at=_utc(row["updated_at"]),  # type: ignore[arg-type]
        version=int(row["version"]),
        industry=row["industry"],
        description=row["description"],
        opportunity_id=row["opportunity_id"],
        owner=row["owner"],
    )


def _event_row(e: ProjectEvent) -> dict[str, Any]:
    return {
        "project_id": e.project_id,
        "at": e.at,
        "actor": e.actor,
        "kind": e.kind,
        "detail": e.detail,
        "stage": e.stage.value if e.stage else None,
    }


def _operation_row(r: OperationRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "idempotency_key": r.idempotency_key,
        "principal": r.principal,
        "operation": r.operation,
        "account_id": r.account_id,
        "input": _json(r.input),
        "input_hash": r.input_hash,
        "status": r.status,
        "result": _json(r.result) if r.result is not None else None,
        "error": _json(r.error) if r.error is not None else None,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
    }


def _operation(row: RowMapping) -> OperationRecord:
    return OperationRecord(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        principal=row["principal"],
        operation=row["operation"],
        account_id=row["account_id"],
        input=json.loads(row["input"]),
        input_hash=row["input_hash"],
        status=row["status"],
        started_at=_utc(row["started_at"]),  # type: ignore[arg-type]
        result=json.loads(row["result"]) if row["result"] else None,
        error=json.loads(row["error"]) if row["error"] else None,
        finished_at=_utc(row["finished_at"]),
    )


def _audit_row(e: AuditEntry) -> dict[str, Any]:
    return {
        "at": e.at,
        "principal": e.principal,
        "operation": e.operation,
        "account_id": e.account_id,
        "input": _json(e.input),
        "outcome": e.outcome,
        "error_code": e.error_code,
        "request_ids": _json(list(e.request_ids)),
        "operation_id": e.operation_id,
        "duration_ms": e.duration_ms,
    }


def _audit(row: RowMapping) -> AuditEntry:
    return AuditEntry(
        id=int(row["id"]),
        at=_utc(row["at"]),  # type: ignore[arg-type]
        principal=row["principal"],
        operation=row["operation"],
        account_id=row["account_id"],
        input=json.loads(row["input"]),
        outcome=row["outcome"],
        error_code=row["error_code"],
        request_ids=tuple(json.loads(row["request_ids"])),
        operation_id=row["operation_id"],
        duration_ms=row["duration_ms"],
    )
