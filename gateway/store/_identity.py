"""A store that cannot lose its memory silently.

Every store has a random id, kept in its database (``store_identity``, migration step 3). A SQLite store
also keeps it in a marker file beside the database in the data directory (``gateway.store-id`` for
``gateway.db``), written when the store is created and refreshed at every start. At start:

- marker present, database missing: refuse (the database was deleted; an empty one would forget every
  idempotency key, and a retried write that had succeeded would be applied again);
- marker present, database's id different (or none): refuse (the database was replaced);
- no marker: the database is adopted and the marker written (a new store, or one from before markers).

Removing the marker is how an operator starts empty, or adopts another database, deliberately.
PostgreSQL stores have no data directory: their id lives in the database only (see README, "State").
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.errors import StoreUnavailable
from gateway.store import _tables as t

__all__ = ["Marker", "StoreIdentity", "read_identity", "sqlite_file"]

log = logging.getLogger("gateway.store")

MARKER_SUFFIX = ".store-id"


@dataclass(frozen=True, slots=True)
class StoreIdentity:
    """Which store this is: its random id and when it was created."""

    store_id: str
    created_at: datetime


def sqlite_file(url: URL) -> Path | None:
    """The database file of a SQLite URL (``None``: not SQLite, or in memory)."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if str(url.query.get("uri", "")).lower() == "true":  # file:path?mode=ro style (sqlite3's URI filenames)
        if url.query.get("mode") == "memory":
            return None
        database = database.removeprefix("file:")
    if database in ("", ":memory:"):
        return None
    return Path(database).resolve()


async def read_identity(engine: AsyncEngine) -> StoreIdentity | None:
    """The database's id; ``None`` when it has none (empty, or from before migration step 3)."""
    async with engine.connect() as conn:
        if not await conn.run_sync(lambda c: sa.inspect(c).has_table(t.store_identity.name)):
            return None
        row = (await conn.execute(sa.select(t.store_identity.c.store_id, t.store_identity.c.created_at))).first()
    if row is None:
        return None
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return StoreIdentity(row.store_id, created)


@dataclass(frozen=True, slots=True)
class MarkerRecord:
    store_id: str
    initialised_at: str
    last_opened_at: str


@dataclass(frozen=True, slots=True)
class Marker:
    """The data directory's record that a store was initialised there, beside its ``database``."""

    database: Path

    @property
    def path(self) -> Path:
        return self.database.with_name(self.database.stem + MARKER_SUFFIX)

    def read(self) -> MarkerRecord | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return MarkerRecord(str(data["store_id"]), str(data["initialised_at"]), str(data["last_opened_at"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreUnavailable(
                f"the store marker {self.path} cannot be read ({type(exc).__name__}: {exc}). "
                f"It records which store belongs to {self.database}; restore it, or remove it to adopt "
                f"{self.database} as it is."
            ) from exc

    def write(self, identity: StoreIdentity, previous: MarkerRecord | None) -> None:
        """Record ``identity`` (a new marker, or a refreshed ``last_opened_at``), atomically."""
        record = {
            "store_id": identity.store_id,
            "database": self.database.name,
            "initialised_at": previous.initialised_at if previous else _when(identity.created_at),
            "last_opened_at": _when(datetime.now(UTC)),
            "note": "Written by partner-gateway. Remove this file only to start with an empty store deliberately.",
        }
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            temporary.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                temporary.unlink()
            if previous is None:  # without its marker, the store would not be protected: do not start
                raise StoreUnavailable(f"cannot write the store marker {self.path}: {exc}") from exc
            log.warning("could not refresh the store marker %s: %s", self.path, exc)

    def verify(self, found: StoreIdentity | None, recorded: MarkerRecord) -> None:
        """Refuse a database that is not the store the marker records."""
        if found is not None and found.store_id == recorded.store_id:
            return
        what = f"is store {found.store_id} (created {_when(found.created_at)})" if found else "has no store id"
        raise StoreUnavailable(
            f"the database {self.database} {what}, but the marker {self.path} records store {recorded.store_id} "
            f"(initialised {recorded.initialised_at}, last opened {recorded.last_opened_at}): "
            "the database was replaced. Put the original database back; or, to use this one deliberately "
            f"(the original's operation log, idempotency keys and audit trail are then gone), remove {self.path}."
        )

    def missing(self, recorded: MarkerRecord) -> StoreUnavailable:
        return StoreUnavailable(
            f"the store database {self.database} is missing, but the marker {self.path} records that store "
            f"{recorded.store_id} was initialised there {recorded.initialised_at} (last opened "
            f"{recorded.last_opened_at}). Starting now would begin an empty store that has forgotten every "
            "idempotency key, so a retried write that had already succeeded would be applied again. Restore the "
            "database from a backup (or point [store] data_dir or PARTNER_GATEWAY_DATA at the right directory); "
            f"to start with an empty store deliberately, remove {self.path}."
        )


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
