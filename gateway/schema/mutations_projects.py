"""Mutations on projects (deal registrations, 项目报备), and the audit trail (admins)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from gateway import projects as domain
from gateway.errors import Forbidden, GatewayError, NotFound, Reason, RuleViolation, VersionConflict
from gateway.ids import decode_global_id
from gateway.models import Customer as DomainCustomer
from gateway.models import Page
from gateway.pagination import MergedList, list_key
from gateway.schema.context import Context
from gateway.schema.json import jsonable
from gateway.schema.mutations_customers import customer_ref
from gateway.schema.projects import Project, StageEnum
from gateway.schema.relay import Connection, connection
from gateway.schema.results import (
    IdempotencyConflictError,
    InvalidInputError,
    RuleViolationError,
    VersionConflictError,
    error_result,
)
from gateway.store import AuditEntry, AuditFilter

__all__ = ["AuditQuery", "ProjectMutation"]

Info = strawberry.Info[Context, None]


@strawberry.type
class ProjectPayload:
    project: Project
    replayed: bool = False


ProjectResult = Annotated[
    ProjectPayload | RuleViolationError | InvalidInputError | IdempotencyConflictError | VersionConflictError,
    strawberry.union("ProjectResult"),
]


@strawberry.input
class FileProjectInput:
    customer_id: strawberry.ID
    name: str
    win_rate: Decimal = Decimal(10)
    industry: str | None = None
    description: str | None = None


async def _change(
    info: Info, project_id: strawberry.ID, version: int, change: Callable[[domain.Project, str, datetime], Any]
) -> Any:
    """Apply one rule-checked change to a project, if the caller's ``version`` is still current."""
    store, principal = info.context.gateway.store, info.context.principal
    try:
        (number,) = decode_global_id(project_id, "Project", 1)
        project = await store.get_project(int(number)) if number.isdigit() else None
        if project is None or not principal.sees_owner(project.owner):
            raise NotFound(f"no project {project_id}")
        if project.version != version:
            raise VersionConflict(f"project {project.id} is at version {project.version}, not {version}: read it again")
        updated, event = change(project, principal.name, datetime.now(UTC))
        saved = await store.save_project(updated, event)
    except NotFound as exc:
        return error_result(RuleViolation(exc.message, Reason.NOT_FOUND, "projectId"))
    except GatewayError as exc:
        return error_result(exc)
    return ProjectPayload(project=Project.from_domain(saved))


@strawberry.type
class ProjectMutation:
    @strawberry.mutation(description="File a deal registration (项目报备) for one of the partner's customers.")
    async def file_project(self, info: Info, input: FileProjectInput, idempotency_key: str) -> ProjectResult:
        session, store, principal = info.context.session, info.context.gateway.store, info.context.principal
        try:
            account_id, native_id = customer_ref(input.customer_id)
            account = info.context.gateway.provider(account_id).account

            async def authorize() -> DomainCustomer:
                found = (await session.get_customers(account_id, [native_id])).get(native_id)
                if found is None or not principal.sees_owner(found.owner):
                    # DOMAIN.md: a customer of another partner cannot be filed by this one.
                    raise RuleViolation(
                        f"{native_id} is not a customer of {account_id}",
                        Reason.CUSTOMER_OF_ANOTHER_PARTNER,
                        "customerId",
                    )
                return found

            async def file() -> dict[str, Any]:
                found = await authorize()
                project = domain.file_project(
                    account_id=account_id,
                    provider=account.provider,
                    approval_required=account.program.projects_need_approval,
                    customer_id=native_id,
                    customer_name=found.name,
                    name=input.name,
                    actor=principal.name,
                    now=datetime.now(UTC),
                    win_rate=input.win_rate,
                    industry=input.industry,
                    description=input.description,
                    owner=found.owner,
                )
                stored = await store.insert_project(project, principal.name)
                return {"projectId": stored.id}

            data = {
                "accountId": account_id,
                "customerId": native_id,
                "name": input.name,
                "winRate": str(input.win_rate),
            }
            result, replayed = await info.context.gateway.operations.run_local(
                principal, "fileProject", data, idempotency_key, file, authorize=authorize
            )
            project = await store.get_project(int(result["projectId"]))
        except GatewayError as exc:
            return error_result(exc)
        assert project is not None
        return ProjectPayload(project=Project.from_domain(project), replayed=replayed)

    @strawberry.mutation(description="Record the cloud BD's approval or rejection of a filing (Aliyun).")
    async def record_project_approval(
        self, info: Info, project_id: strawberry.ID, version: int, approved: bool, note: str = ""
    ) -> ProjectResult:
        return await _change(
            info,
            project_id,
            version,
            lambda p, who, now: domain.record_approval(p, approved, actor=who, now=now, note=note),
        )

    @strawberry.mutation(
        description="Record that the customer confirmed the filing (Aliyun: Billing > Purchase orders)."
    )
    async def confirm_project(self, info: Info, project_id: strawberry.ID, version: int) -> ProjectResult:
        return await _change(
            info, project_id, version, lambda p, who, now: domain.confirm_by_customer(p, actor=who, now=now)
        )

    @strawberry.mutation(description="Move a project to the next stage (forward only, one stage at a time).")
    async def advance_project(
        self,
        info: Info,
        project_id: strawberry.ID,
        version: int,
        to: StageEnum,  # type: ignore[valid-type]
    ) -> ProjectResult:
        return await _change(info, project_id, version, lambda p, who, now: domain.advance(p, to, actor=who, now=now))

    @strawberry.mutation(description="Close a project as lost.")
    async def close_project_lost(
        self, info: Info, project_id: strawberry.ID, version: int, reason: str
    ) -> ProjectResult:
        return await _change(
            info, project_id, version, lambda p, who, now: domain.close_lost(p, reason, actor=who, now=now)
        )

    @strawberry.mutation(description="Set a project's win rate (percent).")
    async def set_project_win_rate(
        self, info: Info, project_id: strawberry.ID, version: int, win_rate: Decimal
    ) -> ProjectResult:
        return await _change(
            info, project_id, version, lambda p, who, now: domain.set_win_rate(p, win_rate, actor=who, now=now)
        )

    @strawberry.mutation(
        description="Link the upstream opportunity id, so Aliyun orders carrying it show under the project."
    )
    async def link_project_opportunity(
        self, info: Info, project_id: strawberry.ID, version: int, opportunity_id: str
    ) -> ProjectResult:
        return await _change(
            info,
            project_id,
            version,
            lambda p, who, now: domain.link_opportunity(p, opportunity_id, actor=who, now=now),
        )


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


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Every mutation attempt, newest first (admins only).")
    async def audit_log(
        self, info: Info, first: int | None = 20, after: str | None = None, filter: AuditFilterInput | None = None
    ) -> Connection[AuditRecord]:
        if info.context.principal.role.value != "admin":
            raise Forbidden("only admin keys read the audit trail")
        f = filter or AuditFilterInput()
        where = AuditFilter(
            principal=f.principal, operation=f.operation, outcome=f.outcome, since=f.since, until=f.until
        )
        store = info.context.gateway.store

        async def fetch(_: str, offset: int, limit: int) -> Page[AuditEntry]:
            return await store.list_audit(where, offset, limit)

        listing = MergedList(list_key("audit", where), ["store"], fetch)
        return await connection(info, listing, first, after, lambda _, entry: _record(entry))
