"""The store's records: what it keeps, and the filters it lists them by."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.projects import ProjectStatus, Stage

__all__ = ["AuditEntry", "AuditFilter", "OperationRecord", "OperationStatus", "ProjectFilter"]


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
