"""Mutations on projects (deal registrations, 项目报备), and the audit trail and pending operations (admins)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from gateway import projects as domain
from gateway.errors import GatewayError
from gateway.ids import decode_number_id
from gateway.records import AuditEntry, AuditFilter
from gateway.schema.context import Context
from gateway.schema.json import jsonable
from gateway.schema.mutations_customers import customer_ref
from gateway.schema.projects import ConfigurationStatusEnum, Project, StageEnum
from gateway.schema.relay import Connection, connection
from gateway.schema.results import (
    IdempotencyConflictError,
    InvalidInputError,
    ProjectRuleViolationError,
    RuleViolationError,
    VersionConflictError,
    error_result,
)
from gateway.schema.validation import check_text
from gateway.session import PendingOperation as PendingOperationRecord

__all__ = ["AuditQuery", "ProjectMutation"]

Info = strawberry.Info[Context, None]


@strawberry.type(description="A project as it is after a filing or a change.")
class ProjectPayload:
    project: Project
    replayed: bool = strawberry.field(default=False, description="True when a filing's key was used before.")


ProjectResult = Annotated[
    ProjectPayload
    | ProjectRuleViolationError
    | RuleViolationError
    | InvalidInputError
    | IdempotencyConflictError
    | VersionConflictError,
    strawberry.union(
        "ProjectResult",
        description="The project, or why not: ProjectRuleViolationError (a project rule, with its reason), "
        "RuleViolationError (NOT_FOUND, or a customer not the partner's), or malformed input or a conflict.",
    ),
]


@strawberry.input(description="A new filing (项目报备).")
class FileProjectInput:
    customer_id: strawberry.ID
    name: str
    win_rate: Decimal = Decimal(10)
    industry: str | None = None
    description: str | None = None
    opportunity_id: str | None = strawberry.field(
        default=None, description="The upstream opportunity id, if known: one project per opportunity."
    )
    third_party: bool = strawberry.field(default=False, description="第三方: sold through a third party.")
    test_project: bool = strawberry.field(default=False, description="测试项目: a trial, not a sale.")
    bid: bool = strawberry.field(default=False, description="招投标: decided by a tender.")


async def _change(project_id: strawberry.ID, change: Callable[[str], Awaitable[domain.Project]]) -> Any:
    """One change to a project, by its global id: the project after it, or the refusal."""
    try:
        number = decode_number_id(project_id, "Project", "projectId")
        saved = await change(number)
    except GatewayError as exc:
        return error_result(exc)
    return ProjectPayload(project=Project.from_domain(saved))


@strawberry.type
class ProjectMutation:
    @strawberry.mutation(description="File a deal registration (项目报备) for one of the partner's customers.")
    async def file_project(self, info: Info, input: FileProjectInput, idempotency_key: str) -> ProjectResult:
        try:
            check_text(input)
            account_id, native_id = customer_ref(input.customer_id, "input.customerId")
            project, replayed = await info.context.session.file_project(
                account_id,
                native_id,
                name=input.name,
                win_rate=input.win_rate,
                industry=input.industry,
                description=input.description,
                key=idempotency_key,
                opportunity_id=input.opportunity_id,
                third_party=input.third_party,
                test_project=input.test_project,
                bid=input.bid,
            )
        except GatewayError as exc:
            return error_result(exc, {"input": input})
        return ProjectPayload(project=Project.from_domain(project), replayed=replayed)

    @strawberry.mutation(description="Record the cloud BD's approval or rejection of a filing (Aliyun).")
    async def record_project_approval(
        self, info: Info, project_id: strawberry.ID, version: int, approved: bool, note: str = ""
    ) -> ProjectResult:
        session = info.context.session
        return await _change(project_id, lambda n: session.record_project_approval(n, version, approved, note))

    @strawberry.mutation(
        description="Record that the customer confirmed the filing (Aliyun: Billing > Purchase orders)."
    )
    async def confirm_project(self, info: Info, project_id: strawberry.ID, version: int) -> ProjectResult:
        session = info.context.session
        return await _change(project_id, lambda n: session.confirm_project(n, version))

    @strawberry.mutation(description="Move a project to the next stage (forward only, one stage at a time).")
    async def advance_project(
        self,
        info: Info,
        project_id: strawberry.ID,
        version: int,
        to: StageEnum,  # type: ignore[valid-type]
    ) -> ProjectResult:
        session = info.context.session
        return await _change(project_id, lambda n: session.advance_project(n, version, to))

    @strawberry.mutation(description="Close a project as lost.")
    async def close_project_lost(
        self, info: Info, project_id: strawberry.ID, version: int, reason: str
    ) -> ProjectResult:
        session = info.context.session
        return await _change(project_id, lambda n: session.close_project_lost(n, version, reason))

    @strawberry.mutation(description="Set a project's win rate (percent).")
    async def set_project_win_rate(
        self, info: Info, project_id: strawberry.ID, version: int, win_rate: Decimal
    ) -> ProjectResult:
        session = info.context.session
        return await _change(project_id, lambda n: session.set_project_win_rate(n, version, win_rate))

    @strawberry.mutation(
        description="Link the upstream opportunity id, so Aliyun orders carrying it show under the project."
    )
    async def link_project_opportunity(
        self, info: Info, project_id: strawberry.ID, version: int, opportunity_id: str
    ) -> ProjectResult:
        session = info.context.session
        return await _change(project_id, lambda n: session.link_project_opportunity(n, version, opportunity_id))

    @strawberry.mutation(
        description="Set the filing's third-party, test-project and bid flags (null: as it is), until the customer "
        "has confirmed the filing."
    )
    async def set_project_flags(
        self,
        info: Info,
        project_id: strawberry.ID,
        version: int,
        third_party: bool | None = None,
        test_project: bool | None = None,
        bid: bool | None = None,
    ) -> ProjectResult:
        session = info.context.session
        return await _change(
            project_id,
            lambda n: session.set_project_flags(
                n, version, third_party=third_party, test_project=test_project, bid=bid
            ),
        )

    @strawberry.mutation(description="Add a configuration list (配置单) to a project, as a DRAFT.")
    async def add_project_configuration(
        self, info: Info, project_id: strawberry.ID, version: int, name: str
    ) -> ProjectResult:
        session = info.context.session
        return await _change(project_id, lambda n: session.add_project_configuration(n, version, name))

    @strawberry.mutation(description="Move one of a project's configuration lists to another status.")
    async def set_project_configuration_status(
        self,
        info: Info,
        project_id: strawberry.ID,
        version: int,
        number: int,
        status: ConfigurationStatusEnum,  # type: ignore[valid-type]
    ) -> ProjectResult:
        session = info.context.session
        return await _change(project_id, lambda n: session.set_project_configuration_status(n, version, number, status))


@strawberry.type(description="One attempt at a mutation.")
class AuditRecord:
    id: strawberry.ID
    at: datetime
    principal: str
    operation: str
    partner_account: str | None
    input: JSON = strawberry.field(description="The input, secrets removed.")
    outcome: str = strawberry.field(
        description="SUCCEEDED, RECONCILED, REPLAYED, FAILED, REJECTED, CONFLICT, NOT_APPLIED or PENDING."
    )
    error_code: str | None
    request_ids: list[str]
    operation_id: str | None
    duration_ms: int | None


@strawberry.input
class AuditFilterInput:
    principal: str | None = None
    operation: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _record(entry: AuditEntry) -> AuditRecord:
    return AuditRecord(
        id=strawberry.ID(str(entry.id)),
        at=entry.at,
        principal=entry.principal,
        operation=entry.operation,
        partner_account=entry.account_id,
        input=jsonable(entry.input),
        outcome=entry.outcome,
        error_code=entry.error_code,
        request_ids=list(entry.request_ids),
        operation_id=entry.operation_id,
        duration_ms=entry.duration_ms,
    )


@strawberry.type(
    description="An upstream write whose outcome is not known yet: its reply was lost (or the gateway stopped) and "
    "the upstream's records do not show it yet. It is settled, applied or not applied, when its key is sent again, "
    "by the gateway's sweep or at its next start; then it leaves `pendingOperations`."
)
class PendingOperation:
    operation_id: strawberry.ID = strawberry.field(
        description="The operation's id, as the audit trail's `operationId` and the `operation.settled` event name it."
    )
    operation: str = strawberry.field(description="The mutation, e.g. transferFunds.")
    principal: str = strawberry.field(description="Who sent it.")
    partner_account: str = strawberry.field(description="The partner account it was sent to (its configured id).")
    input: JSON = strawberry.field(description="The input, contact details masked.")
    started_at: datetime = strawberry.field(description="When it was first sent.")
    attempt_ended_at: datetime | None = strawberry.field(
        description="When its last attempt ended without an answer (null: the gateway did not see it end)."
    )


def _pending(record: PendingOperationRecord) -> PendingOperation:
    return PendingOperation(
        operation_id=strawberry.ID(record.operation_id),
        operation=record.operation,
        principal=record.principal,
        partner_account=record.account_id,
        input=jsonable(dict(record.input)),
        started_at=record.started_at,
        attempt_ended_at=record.attempt_ended_at,
    )


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Every mutation attempt, newest first (admins only).")
    async def audit_log(
        self, info: Info, first: int | None = 20, after: str | None = None, filter: AuditFilterInput | None = None
    ) -> Connection[AuditRecord]:
        f = filter or AuditFilterInput()
        where = AuditFilter(
            principal=f.principal, operation=f.operation, outcome=f.outcome, since=f.since, until=f.until
        )
        listing = info.context.session.audit_log(where)
        return await connection(info, listing, first, after, lambda _, entry: _record(entry))

    @strawberry.field(
        description="The upstream writes whose outcome is still being settled now, oldest first (admins only). "
        "Unlike the audit trail's PENDING entries, which stay as the history of each attempt, an operation leaves "
        "this list once it is settled."
    )
    async def pending_operations(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[PendingOperation]:
        listing = info.context.session.pending_operations()
        return await connection(info, listing, first, after, lambda _, record: _pending(record))
