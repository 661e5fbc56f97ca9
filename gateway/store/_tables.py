"""The store's tables (the latest shape; ``_migrations`` builds it step by step)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

schema_migrations = sa.Table(
    "schema_migrations",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

projects = sa.Table(
    "projects",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(64), nullable=False, index=True),
    sa.Column("provider", sa.String(64), nullable=False),
    sa.Column("customer_id", sa.String(64), nullable=False, index=True),
    sa.Column("customer_name", sa.String(200), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("stage", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("win_rate", sa.String(8), nullable=False),  # a decimal string: SQLite has no exact decimal
    sa.Column("approval", sa.String(16), nullable=False),
    sa.Column("customer_confirmed", sa.Boolean, nullable=False),
    sa.Column("industry", sa.String(100)),
    sa.Column("description", sa.Text),
    sa.Column("opportunity_id", sa.String(32), index=True),
    sa.Column("owner", sa.String(100)),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # Step 4: the filing's flags, its configuration lists (JSON) and one project per upstream opportunity.
    sa.Column("third_party", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("test_project", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("bid", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("configurations", sa.Text, nullable=False, server_default="[]"),
    sa.Index("uq_projects_provider_opportunity", "provider", "opportunity_id", unique=True),
)

project_events = sa.Table(
    "project_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id"), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("stage", sa.String(32)),
)

operations = sa.Table(
    "operations",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("idempotency_key", sa.String(200)),
    sa.Column("principal", sa.String(100), nullable=False),
    sa.Column("operation", sa.String(64), nullable=False),
    sa.Column("account_id", sa.String(64), nullable=False),
    sa.Column("input", sa.Text, nullable=False),  # JSON, secrets removed
    sa.Column("input_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("result", sa.Text),  # JSON
    sa.Column("error", sa.Text),  # JSON
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    # A key is its principal's own: another principal's same key is another operation (step 2).
    sa.UniqueConstraint("principal", "idempotency_key", name="uq_operations_principal_key"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("principal", sa.String(100), nullable=False, index=True),
    sa.Column("operation", sa.String(64), nullable=False, index=True),
    sa.Column("account_id", sa.String(64)),
    sa.Column("input", sa.Text, nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("error_code", sa.String(64)),
    sa.Column("request_ids", sa.Text, nullable=False),  # JSON list
    sa.Column("operation_id", sa.String(36)),
    sa.Column("duration_ms", sa.Integer),
)

assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column("account_id", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(100), nullable=False),
    sa.Column("assigned_by", sa.String(100), nullable=False),
    sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
)

store_identity = sa.Table(
    "store_identity",
    metadata,
    # One row: the random id this store was given when it was created (step 3), which the data directory's
    # marker file repeats, so a deleted or replaced database is noticed at start (``_identity``).
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("store_id", sa.String(32), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("id = 1", name="ck_store_identity_one_row"),
)


events = sa.Table(
    "events",
    metadata,
    # The outbox (gateway.events): every change, stored once before any delivery, in the order of ``sequence``.
    sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("type", sa.String(64), nullable=False, index=True),
    sa.Column("subject", sa.String(200), nullable=False, index=True),
    sa.Column("account_id", sa.String(64), index=True),
    sa.Column("owner", sa.String(100)),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # JSON
)

snapshots = sa.Table(
    "snapshots",
    metadata,
    # Step 6: what change detection last saw upstream, per account, kind and key (gateway.notifications.detect).
    # A kind's row with the empty key marks that kind's baseline as taken.
    sa.Column("account_id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("state", sa.Text, nullable=False),  # JSON
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

leases = sa.Table(
    "leases",
    metadata,
    # Step 6: one holder per name (an account's poller) until ``expires_at``; taken over once it lapses.
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("holder", sa.String(200), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

# --- webhooks (step 7: gateway.notifications.webhooks) ------------------------------------------------------------

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    # One per (event, webhook): its status, attempts and the replica's claim on it while it is being sent.
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
)

webhook_cursors = sa.Table(
    "webhook_cursors",
    metadata,
    # How far each webhook has followed the outbox: every event up to ``sequence`` has its delivery row.
    sa.Column("webhook", sa.String(64), primary_key=True),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)


def insert_for(dialect: str) -> Callable[[sa.Table], Any]:
    """The dialect's ``insert`` (for ``ON CONFLICT``). PostgreSQL's dialect is imported by a store on PostgreSQL
    only: it costs a start on SQLite ~30 ms of CPU."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
