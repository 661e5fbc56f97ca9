"""Records the application layer hands out: a write's outcome, an audit entry, and the filters over the
gateway's own lists (projects, the audit trail).

They live here, apart from the store and the operation runner that produce them, so the GraphQL layer
can name them without importing either (``gateway.store`` and ``gateway.operations`` re-export them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.projects import ProjectStatus, Stage
from gateway.writes import Receipt

__all__ = ["AuditEntry", "AuditFilter", "Outcome", "ProjectFilter"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a write came to: its operation id, the upstream's receipt, and whether this is a replay of
    the first attempt's answer (``replayed``) or was read back from the upstream's records (``reconciled``)."""

    operation_id: str
    receipt: Receipt
    replayed: bool
    reconciled: bool = False


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One attempt at a mutation and how it ended (``outcome``: SUCCEEDED, REJECTED, REPLAYED, ...)."""

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
