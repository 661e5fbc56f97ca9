"""Rows to records and back: the store's tables as the domain's dataclasses."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import RowMapping

from gateway.events import Event
from gateway.notifications.deliveries import DeliveryStatus, WebhookDelivery
from gateway.projects import (
    Approval,
    ConfigurationStatus,
    Project,
    ProjectConfiguration,
    ProjectEvent,
    ProjectStatus,
    Stage,
)
from gateway.store._records import AuditEntry, OperationRecord

__all__ = [
    "audit_of",
    "audit_row",
    "delivery_of",
    "dumps",
    "event_row",
    "notification_of",
    "notification_row",
    "operation_of",
    "operation_row",
    "project_of",
    "project_row",
    "utc",
    "with_id",
]


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def with_id(project: Project, project_id: int) -> Project:
    return replace(project, id=project_id)


def project_row(p: Project) -> dict[str, Any]:
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
        "third_party": p.third_party,
        "test_project": p.test_project,
        "bid": p.bid,
        "configurations": dumps(
            [
                {
                    "number": c.number,
                    "name": c.name,
                    "status": c.status.value,
                    "createdAt": c.created_at.isoformat(),
                    "updatedAt": c.updated_at.isoformat(),
                }
                for c in p.configurations
            ]
        ),
    }


def _configuration(data: dict[str, Any]) -> ProjectConfiguration:
    return ProjectConfiguration(
        number=int(data["number"]),
        name=str(data["name"]),
        status=ConfigurationStatus(data["status"]),
        created_at=datetime.fromisoformat(data["createdAt"]),
        updated_at=datetime.fromisoformat(data["updatedAt"]),
    )


def project_of(row: RowMapping) -> Project:
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
        created_at=utc(row["created_at"]),  # type: ignore[arg-type]
        updated_at=utc(row["updated_at"]),  # type: ignore[arg-type]
        version=int(row["version"]),
        industry=row["industry"],
        description=row["description"],
        opportunity_id=row["opportunity_id"],
        owner=row["owner"],
        third_party=bool(row["third_party"]),
        test_project=bool(row["test_project"]),
        bid=bool(row["bid"]),
        configurations=tuple(_configuration(c) for c in json.loads(row["configurations"] or "[]")),
    )


def event_row(e: ProjectEvent) -> dict[str, Any]:
    return {
        "project_id": e.project_id,
        "at": e.at,
        "actor": e.actor,
        "kind": e.kind,
        "detail": e.detail,
        "stage": e.stage.value if e.stage else None,
    }


def operation_row(r: OperationRecord) -> dict[str, Any]:
    return {
        "id": r.id,
        "idempotency_key": r.idempotency_key,
        "principal": r.principal,
        "operation": r.operation,
        "account_id": r.account_id,
        "input": dumps(r.input),
        "input_hash": r.input_hash,
        "status": r.status,
        "result": dumps(r.result) if r.result is not None else None,
        "error": dumps(r.error) if r.error is not None else None,
        "started_at": r.started_at,
        "finished_at": r.finished_at,
    }


def operation_of(row: RowMapping) -> OperationRecord:
    return OperationRecord(
        id=row["id"],
        idempotency_key=row["idempotency_key"],
        principal=row["principal"],
        operation=row["operation"],
        account_id=row["account_id"],
        input=json.loads(row["input"]),
        input_hash=row["input_hash"],
        status=row["status"],
        started_at=utc(row["started_at"]),  # type: ignore[arg-type]
        result=json.loads(row["result"]) if row["result"] else None,
        error=json.loads(row["error"]) if row["error"] else None,
        finished_at=utc(row["finished_at"]),
    )


def audit_row(e: AuditEntry) -> dict[str, Any]:
    return {
        "at": e.at,
        "principal": e.principal,
        "operation": e.operation,
        "account_id": e.account_id,
        "input": dumps(e.input),
        "outcome": e.outcome,
        "error_code": e.error_code,
        "request_ids": dumps(list(e.request_ids)),
        "operation_id": e.operation_id,
        "duration_ms": e.duration_ms,
    }


def audit_of(row: RowMapping) -> AuditEntry:
    return AuditEntry(
        id=int(row["id"]),
        at=utc(row["at"]),  # type: ignore[arg-type]
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


def notification_row(e: Event) -> dict[str, Any]:
    """An outbox row (``events``): its ``sequence`` is given by the database."""
    return {
        "id": e.id,
        "type": e.type,
        "subject": e.subject,
        "account_id": e.account_id,
        "owner": e.owner,
        "occurred_at": e.occurred_at,
        "data": dumps(dict(e.data)),
    }


def notification_of(row: RowMapping) -> Event:
    occurred = utc(row["occurred_at"])
    assert occurred is not None
    return Event(
        id=row["id"],
        type=row["type"],
        subject=row["subject"],
        occurred_at=occurred,
        data=json.loads(row["data"]),
        account_id=row["account_id"],
        owner=row["owner"],
        sequence=int(row["sequence"]),
    )


def delivery_of(row: RowMapping) -> WebhookDelivery:
    """A ``webhook_deliveries`` row (the claim columns stay the store's)."""
    next_attempt, created = utc(row["next_attempt_at"]), utc(row["created_at"])
    assert next_attempt is not None
    assert created is not None
    return WebhookDelivery(
        id=int(row["id"]),
        webhook=row["webhook"],
        event_id=row["event_id"],
        event_sequence=int(row["event_sequence"]),
        event_type=row["event_type"],
        subject=row["subject"],
        status=DeliveryStatus(row["status"]),
        attempts=int(row["attempts"]),
        next_attempt_at=next_attempt,
        created_at=created,
        last_attempt_at=utc(row["last_attempt_at"]),
        last_status=row["last_status"],
        last_error=row["last_error"],
        delivered_at=utc(row["delivered_at"]),
    )
