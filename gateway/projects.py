"""Deal registrations (项目报备): owned by the gateway, since neither cloud has an API for them (X.3).

A project is filed for one customer of one partner account and moves through six stages, in order and
one at a time, or is closed as lost. Where the account's partner program says so
(``ProgramFacts.projects_need_approval``; Aliyun: DOMAIN.md) the filing must be approved by the cloud's BD
and then confirmed by the customer before it may move past the first stage; the gateway records both.
Linking the upstream opportunity id makes Aliyun orders that carry it (``ProjectId``) show under the
project. Every change is an event in the project's history; concurrent edits are caught by a version
number the caller sends back.

These functions are pure: they check a change and return the changed project and its event.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from gateway.errors import InvalidInput, ProjectRuleViolation

__all__ = [
    "Approval",
    "Project",
    "ProjectEvent",
    "ProjectStatus",
    "Stage",
    "advance",
    "close_lost",
    "confirm_by_customer",
    "file_project",
    "link_opportunity",
    "record_approval",
    "set_win_rate",
]


class Stage(enum.Enum):
    POTENTIAL_OPPORTUNITY = "POTENTIAL_OPPORTUNITY"  # 潜在商机
    CONFIRMED_OPPORTUNITY = "CONFIRMED_OPPORTUNITY"  # 确认商机
    SOLUTION_COMMUNICATION = "SOLUTION_COMMUNICATION"  # 方案沟通
    BUSINESS_NEGOTIATION = "BUSINESS_NEGOTIATION"  # 商务谈判
    SIGNED = "SIGNED"  # 签约完成
    REVENUE_RECOGNIZED = "REVENUE_RECOGNIZED"  # 收入确认

    @property
    def index(self) -> int:
        return list(Stage).index(self)


class ProjectStatus(enum.Enum):
    IN_PROGRESS = "IN_PROGRESS"
    WON = "WON"  # revenue recognized
    LOST = "LOST"


class Approval(enum.Enum):
    NOT_REQUIRED = "NOT_REQUIRED"
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


@dataclass(frozen=True, slots=True)
class ProjectEvent:
    project_id: int
    at: datetime
    actor: str
    kind: str
    detail: str = ""
    stage: Stage | None = None


@dataclass(frozen=True, slots=True)
class Project:
    id: int  # 0 until stored
    account_id: str
    provider: str
    customer_id: str
    customer_name: str
    name: str
    stage: Stage
    status: ProjectStatus
    win_rate: Decimal  # percent, 0 to 100
    approval: Approval
    customer_confirmed: bool
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int = 1
    industry: str | None = None
    description: str | None = None
    opportunity_id: str | None = None
    owner: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


#: An upstream opportunity id: the number orders carry (64-bit at most, so at most 20 digits).
_OPPORTUNITY_ID = re.compile(r"[0-9]{1,20}")


def _win_rate(value: Decimal, field: str = "winRate") -> Decimal:
    # NaN first: comparing a NaN Decimal raises (InvalidOperation), it is not just false.
    if (
        not value.is_finite() or not Decimal(0) <= value <= Decimal(100) or value.as_tuple().exponent < -2  # type: ignore[operator]
    ):
        raise InvalidInput("win rate is a percentage from 0 to 100 with at most two decimals", field=field)
    return value


def file_project(
    *,
    account_id: str,
    provider: str,
    approval_required: bool,
    customer_id: str,
    customer_name: str,
    name: str,
    actor: str,
    now: datetime,
    win_rate: Decimal = Decimal(10),
    industry: str | None = None,
    description: str | None = None,
    owner: str | None = None,
) -> Project:
    """A new filing. ``approval_required`` is the account's ``program.projects_need_approval``: the filing
    then waits for the cloud's approval and the customer's confirmation."""
    if not name.strip():
        raise InvalidInput("a project needs a name", field="name")
    if len(name) > 200:
        raise InvalidInput("a project name has at most 200 characters", field="name")
    approval = Approval.PENDING if approval_required else Approval.NOT_REQUIRED
    return Project(
        id=0,
        account_id=account_id,
        provider=provider,
        customer_id=customer_id,
        customer_name=customer_name,
        name=name.strip(),
        stage=Stage.POTENTIAL_OPPORTUNITY,
        status=ProjectStatus.IN_PROGRESS,
        win_rate=_win_rate(win_rate, "input.winRate"),
        approval=approval,
        customer_confirmed=approval is Approval.NOT_REQUIRED,
        created_by=actor,
        created_at=now,
        updated_at=now,
        industry=industry,
        description=description,
        owner=owner,
    )


def _open(project: Project) -> None:
    if project.status is not ProjectStatus.IN_PROGRESS:
        raise ProjectRuleViolation(f"project {project.id} is closed ({project.status.value})")


def _changed(
    project: Project, now: datetime, actor: str, kind: str, detail: str = "", **changes: object
) -> tuple[Project, ProjectEvent]:
    updated = replace(project, updated_at=now, version=project.version + 1, **changes)  # type: ignore[arg-type]
    return updated, ProjectEvent(project.id, now, actor, kind, detail, updated.stage)


def record_approval(
    project: Project, approved: bool, *, actor: str, now: datetime, note: str = ""
) -> tuple[Project, ProjectEvent]:
    """Record the cloud BD's decision on the filing."""
    _open(project)
    if project.approval is not Approval.PENDING:
        raise ProjectRuleViolation(f"the filing is not awaiting approval (it is {project.approval.value})")
    if approved:
        return _changed(project, now, actor, "APPROVED", note, approval=Approval.APPROVED)
    return _changed(project, now, actor, "REJECTED", note, approval=Approval.REJECTED, status=ProjectStatus.LOST)


def confirm_by_customer(project: Project, *, actor: str, now: datetime) -> tuple[Project, ProjectEvent]:
    _open(project)
    if project.approval is not Approval.APPROVED:
        raise ProjectRuleViolation("the customer confirms a filing only after the BD has approved it")
    if project.customer_confirmed:
        raise ProjectRuleViolation("the customer has already confirmed this filing")
    return _changed(project, now, actor, "CUSTOMER_CONFIRMED", customer_confirmed=True)


def advance(project: Project, to: Stage, *, actor: str, now: datetime) -> tuple[Project, ProjectEvent]:
    """Move to the next stage: forward only, one stage at a time, and only once filed and confirmed."""
    _open(project)
    if to.index != project.stage.index + 1:
        raise ProjectRuleViolation(
            f"a project moves forward one stage at a time: from {project.stage.value} the next is "
            + (list(Stage)[project.stage.index + 1].value if project.stage.index + 1 < len(Stage) else "none")
        )
    if project.approval not in (Approval.APPROVED, Approval.NOT_REQUIRED):
        raise ProjectRuleViolation("the filing must be approved before the project moves on")
    if not project.customer_confirmed:
        raise ProjectRuleViolation("the customer must confirm the filing before the project moves on")
    status = ProjectStatus.WON if to is Stage.REVENUE_RECOGNIZED else ProjectStatus.IN_PROGRESS
    win_rate = Decimal(100) if to in (Stage.SIGNED, Stage.REVENUE_RECOGNIZED) else project.win_rate
    return _changed(
        project, now, actor, "STAGE", f"{project.stage.value} -> {to.value}", stage=to, status=status, win_rate=win_rate
    )


def close_lost(project: Project, reason: str, *, actor: str, now: datetime) -> tuple[Project, ProjectEvent]:
    _open(project)
    if project.stage.index >= Stage.SIGNED.index:
        raise ProjectRuleViolation("a signed project cannot be closed as lost")
    return _changed(project, now, actor, "LOST", reason, status=ProjectStatus.LOST, win_rate=Decimal(0))


def set_win_rate(project: Project, win_rate: Decimal, *, actor: str, now: datetime) -> tuple[Project, ProjectEvent]:
    _open(project)
    return _changed(project, now, actor, "WIN_RATE", f"{project.win_rate} -> {win_rate}", win_rate=_win_rate(win_rate))


def link_opportunity(
    project: Project, opportunity_id: str, *, actor: str, now: datetime
) -> tuple[Project, ProjectEvent]:
    if not _OPPORTUNITY_ID.fullmatch(opportunity_id):  # ASCII: str.isdigit() also takes "１２３" and "١٢٣"
        raise InvalidInput("an upstream opportunity id is a number (the id orders carry)", field="opportunityId")
    return _changed(project, now, actor, "LINKED", opportunity_id, opportunity_id=opportunity_id)
