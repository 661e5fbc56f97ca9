"""Change detection's part of the store (migration 6): what each account's poller last saw upstream
(``snapshots``) and who polls each account (``leases``).

A lease is taken with one compare-and-set statement that SQLite and PostgreSQL both run atomically: an
``UPDATE`` that succeeds only for the lease's holder or once the lease has lapsed, else an ``INSERT ... ON
CONFLICT DO NOTHING`` for a lease nobody has held yet. Of two replicas trying at once, exactly one gets a row.

Snapshots change by compare-and-set on their ``version``, in the transaction that also adds the events the
change gives (``insert_events``) and renews the poller's lease: a poller that lost its lease, or whose reading
is older than what another poller saved meanwhile, saves nothing and adds no event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.store import _rows as r
from gateway.store import _tables as t

__all__ = [
    "LeaseLost",
    "Snapshot",
    "SnapshotChange",
    "SnapshotConflict",
    "apply_changes",
    "read",
    "release",
    "renew",
    "take",
]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a poller last saw of one thing: its state (JSON-able) and the version that moved with each change."""

    state: Mapping[str, Any]
    version: int


@dataclass(frozen=True, slots=True)
class SnapshotChange:
    """One snapshot to write: ``state`` None deletes it; ``version`` is the one read (None: it was absent)."""

    kind: str
    key: str
    state: Mapping[str, Any] | None
    version: int | None


class SnapshotConflict(Exception):
    """Another poller saved a newer snapshot since this one read it: nothing was saved."""


class LeaseLost(Exception):
    """The poller no longer holds its lease (it lapsed and another replica took it): nothing was saved."""


def _insert(conn: AsyncConnection) -> Any:
    return t.insert_for(conn.dialect.name)


async def read(conn: AsyncConnection, account_id: str) -> dict[tuple[str, str], Snapshot]:
    """Every snapshot of one account, by (kind, key)."""
    c = t.snapshots.c
    rows = await conn.execute(sa.select(c.kind, c.key, c.state, c.version).where(c.account_id == account_id))
    return {(kind, key): Snapshot(json.loads(state), int(version)) for kind, key, state, version in rows}


async def take(conn: AsyncConnection, name: str, holder: str, now: datetime, expires_at: datetime) -> bool:
    """Take or renew lease ``name`` for ``holder`` until ``expires_at``: True if ``holder`` has it now."""
    c = t.leases.c
    updated = await conn.execute(
        sa.update(t.leases)
        .where(c.name == name, sa.or_(c.holder == holder, c.expires_at < now))
        .values(holder=holder, expires_at=expires_at)
    )
    if updated.rowcount == 1:
        return True
    inserted = await conn.execute(
        _insert(conn)(t.leases)
        .values(name=name, holder=holder, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=[c.name])
        .returning(c.name)
    )
    return inserted.scalar_one_or_none() is not None


async def renew(conn: AsyncConnection, name: str, holder: str, now: datetime, expires_at: datetime) -> None:
    """Renew a lease ``holder`` still holds (not lapsed, or lapsed and not taken): ``LeaseLost`` otherwise."""
    c = t.leases.c
    result = await conn.execute(
        sa.update(t.leases).where(c.name == name, c.holder == holder).values(expires_at=expires_at).returning(c.name)
    )
    if result.scalar_one_or_none() is None:
        raise LeaseLost(f"lease {name} is no longer held by {holder}")


async def release(conn: AsyncConnection, name: str, holder: str) -> None:
    c = t.leases.c
    await conn.execute(sa.delete(t.leases).where(c.name == name, c.holder == holder))


async def apply_changes(
    conn: AsyncConnection, account_id: str, changes: Sequence[SnapshotChange], now: datetime
) -> None:
    """Write ``changes`` by compare-and-set on each version: ``SnapshotConflict`` (the caller's transaction
    rolls back) when one was changed, added or deleted by another poller since it was read."""
    c = t.snapshots.c
    for change in changes:
        where = (c.account_id == account_id, c.kind == change.kind, c.key == change.key)
        if change.version is None:
            if change.state is None:
                continue
            result = await conn.execute(
                _insert(conn)(t.snapshots)
                .values(
                    account_id=account_id,
                    kind=change.kind,
                    key=change.key,
                    state=r.dumps(dict(change.state)),
                    version=1,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=[c.account_id, c.kind, c.key])
                .returning(c.version)
            )
        elif change.state is None:
            result = await conn.execute(
                sa.delete(t.snapshots).where(*where, c.version == change.version).returning(c.version)
            )
        else:
            result = await conn.execute(
                sa.update(t.snapshots)
                .where(*where, c.version == change.version)
                .values(state=r.dumps(dict(change.state)), version=change.version + 1, updated_at=now)
                .returning(c.version)
            )
        if result.scalar_one_or_none() is None:
            raise SnapshotConflict(f"snapshot {change.kind}/{change.key} of {account_id} moved since it was read")
