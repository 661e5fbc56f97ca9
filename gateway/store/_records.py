"""The store's records: what it keeps, and the filters it lists them by."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.records import AuditEntry, AuditFilter, ProjectFilter  # shared with the GraphQL layer

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
    """When the outcome became known; for a PENDING operation, when its attempt ended (its last request
    had gone out by then), if the gateway saw it end."""
