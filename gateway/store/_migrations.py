"""Schema migrations: numbered steps, each applied once, in order, inside a transaction.

Step 1 creates the first schema (frozen in ``_schema_v1``). A later change is a new step with explicit DDL
(never an edit of an old step), so every store, old or new, ends at the shape ``_tables`` describes.

Each step runs in a transaction of its own that first takes the store's migration lock (SQLite:
``BEGIN IMMEDIATE``, which also makes the step's DDL transactional, as Python's sqlite3 module would
otherwise run DDL outside any transaction; PostgreSQL: a transaction-scoped advisory lock), then checks
again that the step is still missing: two gateways starting at once apply each step once.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.store import _schema_v1 as v1
from gateway.store import _tables as t

__all__ = ["MIGRATIONS", "Step", "migrate"]

Step = Callable[[Connection], None]

#: An arbitrary constant: the key of the advisory lock PostgreSQL migrations hold ("gwmigrat" in ASCII).
_PG_MIGRATION_LOCK = 0x67776D6967726174


def _v1(conn: Connection) -> None:
    for table in (v1.projects, v1.project_events, v1.operations, v1.audit_log, v1.assignments):
        table.create(conn)


def _v2_keys_per_principal(conn: Connection) -> None:
    """Idempotency keys belong to their principal: unique on (principal, idempotency_key), not on the key.

    SQLite cannot drop the inline UNIQUE of step 1, so the table is rebuilt with its rows; PostgreSQL swaps
    the constraint (step 1 left it unnamed: PostgreSQL named it ``operations_idempotency_key_key``)."""
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("ALTER TABLE operations DROP CONSTRAINT operations_idempotency_key_key")
        conn.exec_driver_sql(
            "ALTER TABLE operations ADD CONSTRAINT uq_operations_principal_key UNIQUE (principal, idempotency_key)"
        )
        return
    columns = (
        "id, idempotency_key, principal, operation, account_id, input, input_hash, status, result, error, "
        "started_at, finished_at"
    )
    conn.exec_driver_sql(
        """CREATE TABLE operations_v2 (
            id VARCHAR(36) NOT NULL,
            idempotency_key VARCHAR(200),
            principal VARCHAR(100) NOT NULL,
            operation VARCHAR(64) NOT NULL,
            account_id VARCHAR(64) NOT NULL,
            input TEXT NOT NULL,
            input_hash VARCHAR(64) NOT NULL,
            status VARCHAR(16) NOT NULL,
            result TEXT,
            error TEXT,
            started_at DATETIME NOT NULL,
            finished_at DATETIME,
            PRIMARY KEY (id),
            CONSTRAINT uq_operations_principal_key UNIQUE (principal, idempotency_key)
        )"""
    )
    conn.exec_driver_sql(f"INSERT INTO operations_v2 ({columns}) SELECT {columns} FROM operations")  # noqa: S608
    conn.exec_driver_sql("DROP TABLE operations")
    conn.exec_driver_sql("ALTER TABLE operations_v2 RENAME TO operations")
    conn.exec_driver_sql("CREATE INDEX ix_operations_status ON operations (status)")


def _v3_store_identity(conn: Connection) -> None:
    """The store's random id, which the data directory's marker file repeats (see ``_identity``)."""
    timestamp = "DATETIME" if conn.dialect.name == "sqlite" else "TIMESTAMP WITH TIME ZONE"
    conn.exec_driver_sql(
        f"""CREATE TABLE store_identity (
            id INTEGER NOT NULL CONSTRAINT ck_store_identity_one_row CHECK (id = 1),
            store_id VARCHAR(32) NOT NULL,
            created_at {timestamp} NOT NULL,
            PRIMARY KEY (id)
        )"""
    )
    insert = sa.text("INSERT INTO store_identity (id, store_id, created_at) VALUES (1, :store_id, :created_at)")
    conn.execute(
        insert.bindparams(sa.bindparam("created_at", type_=sa.DateTime(timezone=True))),
        {"store_id": secrets.token_hex(16), "created_at": datetime.now(UTC)},
    )


def _v4_project_filing_details(conn: Connection) -> None:
    """Projects get the filing's flags and its configuration lists, and one project per upstream opportunity.

    The unique index on (provider, opportunity_id) decides between concurrent filings and replicas. A store
    that already holds two projects of one opportunity keeps the link on the older one; each later one is
    unlinked, one version on, with an ``UNLINKED`` event in its history that names the project keeping it."""
    false = "0" if conn.dialect.name == "sqlite" else "false"
    for column in ("third_party", "test_project", "bid"):
        conn.exec_driver_sql(f"ALTER TABLE projects ADD COLUMN {column} BOOLEAN NOT NULL DEFAULT {false}")
    conn.exec_driver_sql("ALTER TABLE projects ADD COLUMN configurations TEXT NOT NULL DEFAULT '[]'")
    linked = conn.exec_driver_sql(
        "SELECT id, provider, opportunity_id, stage FROM projects WHERE opportunity_id IS NOT NULL ORDER BY id"
    ).all()
    holder: dict[tuple[str, str], int] = {}
    now = datetime.now(UTC)
    for project_id, provider, opportunity_id, stage in linked:
        first = holder.setdefault((provider, opportunity_id), project_id)
        if first == project_id:
            continue
        conn.execute(
            sa.text(
                "UPDATE projects SET opportunity_id = NULL, version = version + 1, updated_at = :at WHERE id = :id"
            ).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),
            {"at": now, "id": project_id},
        )
        conn.execute(
            sa.text(
                "INSERT INTO project_events (project_id, at, actor, kind, detail, stage)"
                " VALUES (:id, :at, 'gateway (store migration 4)', 'UNLINKED', :detail, :stage)"
            ).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True))),
            {"id": project_id, "at": now, "detail": f"{opportunity_id} is project {first}'s", "stage": stage},
        )
    conn.exec_driver_sql("CREATE UNIQUE INDEX uq_projects_provider_opportunity ON projects (provider, opportunity_id)")


def _v5_events(conn: Connection) -> None:
    """The outbox of change notifications (``gateway.events``), in the shape of step 5 (frozen here: a later
    change is a later step)."""
    frozen = sa.MetaData()
    sa.Table(
        "events",
        frozen,
        sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("type", sa.String(64), nullable=False, index=True),
        sa.Column("subject", sa.String(200), nullable=False, index=True),
        sa.Column("account_id", sa.String(64), index=True),
        sa.Column("owner", sa.String(100)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    ).create(conn)


def _v6_detection(conn: Connection) -> None:
    """Change detection (``gateway.notifications.detect``): what each account's poller last saw upstream
    (``snapshots``: one row per account, kind and key, its state as JSON and a version that moves with every
    change) and who polls each account (``leases``: one row per lease, its holder and when it lapses). In the
    shape of step 6 (frozen here: a later change is a later step)."""
    frozen = sa.MetaData()
    sa.Table(
        "snapshots",
        frozen,
        sa.Column("account_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ).create(conn)
    sa.Table(
        "leases",
        frozen,
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    ).create(conn)


def _v7_webhook_deliveries(conn: Connection) -> None:
    """Webhook deliveries (one per event and webhook, with the claim a replica holds while sending) and each
    webhook's cursor in the outbox, in the shape of step 7 (frozen here)."""
    frozen = sa.MetaData()
    sa.Table(
        "webhook_deliveries",
        frozen,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("webhook", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_sequence", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claim_expires_at", sa.DateTime(timezone=True)),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.String(500)),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("webhook", "event_id", name="uq_webhook_deliveries_event"),
        sa.Index("ix_webhook_deliveries_due", "webhook", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_subject", "webhook", "subject", "event_sequence"),
    ).create(conn)
    sa.Table(
        "webhook_cursors",
        frozen,
        sa.Column("webhook", sa.String(64), primary_key=True),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ).create(conn)


MIGRATIONS: tuple[tuple[int, Step], ...] = (
    (1, _v1),
    (2, _v2_keys_per_principal),
    (3, _v3_store_identity),
    (4, _v4_project_filing_details),
    (5, _v5_events),
    (6, _v6_detection),
    (7, _v7_webhook_deliveries),
)


async def migrate(engine: AsyncEngine, steps: Sequence[tuple[int, Step]] = MIGRATIONS) -> list[int]:
    """Apply the ``steps`` the store lacks; return their numbers."""
    async with engine.begin() as conn:
        await _lock(conn)  # two replicas starting on a new database: one creates the table, the other waits
        await conn.run_sync(lambda c: t.schema_migrations.create(c, checkfirst=True))
        done = set((await conn.execute(sa.select(t.schema_migrations.c.version))).scalars())
    applied = []
    for version, step in steps:
        if version in done:
            continue
        async with engine.begin() as conn:
            await _lock(conn)
            query = sa.select(t.schema_migrations.c.version).where(t.schema_migrations.c.version == version)
            if (await conn.execute(query)).first() is not None:
                continue  # another gateway applied it meanwhile
            await conn.run_sync(step)
            await conn.execute(sa.insert(t.schema_migrations).values(version=version, applied_at=datetime.now(UTC)))
        applied.append(version)
    return applied


async def _lock(conn: AsyncConnection) -> None:
    if conn.dialect.name == "sqlite":
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        await conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
