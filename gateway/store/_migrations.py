"""Schema migrations: numbered steps, each applied once, in order, inside a transaction.

Step 1 creates the first schema. A later change is a new step with explicit DDL (never an edit of an
old step), so every store, old or new, ends at the same shape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.store import _tables as t

__all__ = ["MIGRATIONS", "migrate"]


def _v1(conn: Connection) -> None:
    for table in (t.projects, t.project_events, t.operations, t.audit_log, t.assignments):
        table.create(conn)


MIGRATIONS: tuple[tuple[int, Callable[[Connection], None]], ...] = ((1, _v1),)


async def migrate(engine: AsyncEngine) -> list[int]:
    """Apply the steps the store lacks; return their numbers."""
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: t.schema_migrations.create(c, checkfirst=True))
        done = set((await conn.execute(sa.select(t.schema_migrations.c.version))).scalars())
    applied = []
    for version, step in MIGRATIONS:
        if version in done:
            continue
        async with engine.begin() as conn:
            await conn.run_sync(step)
            await conn.execute(sa.insert(t.schema_migrations).values(version=version, applied_at=datetime.now(UTC)))
        applied.append(version)
    return applied
