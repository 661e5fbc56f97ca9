"""Projects (deal registrations, 项目报备): gateway-owned, read here, written by the project mutations."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway import projects as domain
from gateway.filters import OrderFilter
from gateway.ids import encode_global_id
from gateway.records import ProjectFilter
from gateway.schema.context import Context
from gateway.schema.partners import Partner, partner_ids
from gateway.schema.relay import Connection, Node, connection

if TYPE_CHECKING:
    from gateway.schema.catalog import Order
    from gateway.schema.customers import Customer

__all__ = ["Project", "ProjectFilterInput", "ProjectQuery", "projects_connection"]

Info = strawberry.Info[Context, None]

StageEnum = strawberry.enum(
    domain.Stage,
    name="ProjectStage",
    description="In order: 潜在商机, 确认商机, 方案沟通, 商务谈判, 签约完成, 收入确认.",
)
ProjectStatusEnum = strawberry.enum(domain.ProjectStatus, name="ProjectStatus")
ApprovalEnum = strawberry.enum(domain.Approval, name="ProjectApproval")
ConfigurationStatusEnum = strawberry.enum(
    domain.ConfigurationStatus,
    name="ConfigurationStatus",
    description="A configuration list's status. DRAFT (草稿) -> SUBMITTED -> CONFIRMED; DRAFT or SUBMITTED -> "
    "CANCELLED; SUBMITTED -> DRAFT for edits. CONFIRMED and CANCELLED are final.",
)


@strawberry.type(description="A configuration list (配置单) of a project: what is to be bought, and its status.")
class ProjectConfiguration:
    number: int = strawberry.field(description="Its number within the project (1, 2, ...): what changes name.")
    name: str = strawberry.field(description="The configuration list's name.")
    status: ConfigurationStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="DRAFT, SUBMITTED, CONFIRMED or CANCELLED."
    )
    created_at: datetime = strawberry.field(description="When it was added.")
    updated_at: datetime = strawberry.field(description="When its status last changed.")

    @classmethod
    def from_domain(cls, configuration: domain.ProjectConfiguration) -> ProjectConfiguration:
        return cls(
            number=configuration.number,
            name=configuration.name,
            status=configuration.status,
            created_at=configuration.created_at,
            updated_at=configuration.updated_at,
        )


@strawberry.type(description="One change in a project's history.")
class ProjectEvent:
    at: datetime
    actor: str
    kind: str
    detail: str
    stage: StageEnum | None  # type: ignore[valid-type]


@strawberry.type(description="A deal registration filed by the distributor for one customer.")
class Project(Node):
    id: strawberry.ID
    number: int
    name: str
    customer_name: str
    stage: StageEnum  # type: ignore[valid-type]
    status: ProjectStatusEnum  # type: ignore[valid-type]
    win_rate: Decimal = strawberry.field(description="Percent, 0 to 100.")
    approval: ApprovalEnum  # type: ignore[valid-type]
    customer_confirmed: bool
    opportunity_id: str | None = strawberry.field(description="The upstream opportunity id (Aliyun ProjectId).")
    industry: str | None
    description: str | None
    owner: str | None
    third_party: bool = strawberry.field(description="第三方: sold through a third party.")
    test_project: bool = strawberry.field(description="测试项目: a trial, not a sale.")
    bid: bool = strawberry.field(description="招投标: decided by a tender.")
    configurations: list[ProjectConfiguration] = strawberry.field(
        description="Its configuration lists (配置单), in the order they were added."
    )
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int = strawberry.field(description="Send it back with a change: a stale version is a CONFLICT.")
    record: strawberry.Private[domain.Project]

    @classmethod
    def from_domain(cls, project: domain.Project) -> Project:
        return cls(
            id=strawberry.ID(encode_global_id("Project", str(project.id))),
            number=project.id,
            name=project.name,
            customer_name=project.customer_name,
            stage=project.stage,
            status=project.status,
            win_rate=project.win_rate,
            approval=project.approval,
            customer_confirmed=project.customer_confirmed,
            opportunity_id=project.opportunity_id,
            industry=project.industry,
            description=project.description,
            owner=project.owner,
            third_party=project.third_party,
            test_project=project.test_project,
            bid=project.bid,
            configurations=[ProjectConfiguration.from_domain(c) for c in project.configurations],
            created_by=project.created_by,
            created_at=project.created_at,
            updated_at=project.updated_at,
            version=project.version,
            record=project,
        )

    @strawberry.field
    def partner(self, info: Info) -> Partner:
        return Partner.from_account(info.context.session.account(self.record.account_id))

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("gateway.schema.customers")] | None:
        from gateway.schema.catalog import visible_customer

        return await visible_customer(
            info, info.context.session.account(self.record.account_id), self.record.customer_id
        )

    @strawberry.field(description="Every change, oldest first.")
    async def history(self, info: Info) -> list[ProjectEvent]:
        events = await info.context.session.project_history(self.record)
        return [ProjectEvent(at=e.at, actor=e.actor, kind=e.kind, detail=e.detail, stage=e.stage) for e in events]

    @strawberry.field(description="Upstream orders carrying this project's opportunity id.")
    async def orders(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[Order, strawberry.lazy("gateway.schema.catalog")]] | None:
        from gateway.schema.catalog import orders_connection

        where = OrderFilter(
            partner_ids=(self.record.account_id,),
            customer_id=self.record.customer_id,
            project_id=self.record.opportunity_id or "\0none",
        )
        return await orders_connection(info, where, first, after)


@strawberry.input
class ProjectFilterInput:
    partner_ids: list[strawberry.ID] | None = None
    customer_id: str | None = None
    stage: StageEnum | None = None  # type: ignore[valid-type]
    status: ProjectStatusEnum | None = None  # type: ignore[valid-type]
    owner: str | None = None
    search: str | None = strawberry.field(default=None, description="Part of the project or customer name.")


async def projects_connection(
    info: Info, filter: ProjectFilterInput | None, first: int | None, after: str | None
) -> Connection[Project]:
    f = filter or ProjectFilterInput()
    where = ProjectFilter(
        account_ids=partner_ids(f.partner_ids),
        customer_id=f.customer_id,
        stage=f.stage,
        status=f.status,
        owner=f.owner,
        search=f.search,
    )
    listing = info.context.session.projects(where)
    return await connection(info, listing, first, after, lambda _, project: Project.from_domain(project))


@strawberry.type
class ProjectQuery:
    @strawberry.field(description="Deal registrations, newest first (sales keys: their own).")
    async def projects(
        self, info: Info, first: int | None = 20, after: str | None = None, filter: ProjectFilterInput | None = None
    ) -> Connection[Project]:
        return await projects_connection(info, filter, first, after)
