"""Deal registrations (项目报备): owned by the gateway, since neither cloud has an API for them (X.3).

A project is filed for one customer of one partner account and moves through six stages, in order and
one at a time, or is closed as lost. Where the account's partner program says so
(``ProgramFacts.projects_need_approval``; Aliyun: DOMAIN.md) the filing must be approved by the cloud's BD
and then confirmed by the customer before it may move past the first stage; the gateway records both.
Linking the upstream opportunity id makes Aliyun orders that carry it (``ProjectId``) show under the
project; an opportunity has one project at most (the store's unique index decides, across processes).
A project carries the flags the consoles show (third-party, test project, bid), fixed once the customer
has confirmed the filing, and its configuration lists (配置单), each with a status that starts as a draft.
Every change is an event in the project's history; concurrent edits are caught by a version number the
caller sends back. Every refusal says why (``gateway.errors.ProjectRefusal``).

These functions are pure: they check a change and return the changed project and its event.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from gateway.errors import InvalidInput, ProjectRefusal, ProjectRuleViolation
from gateway.events import Event, new_event

__all__ = [
    "MAX_CONFIGURATIONS",
    "Approval",
    "ConfigurationStatus",
    "Project",
    "ProjectConfiguration",
    "ProjectEvent",
    "ProjectStatus",
    "Stage",
    "add_configuration",
    "advance",
    "check_opportunity_id",
    "close_lost",
    "confirm_by_customer",
    "file_project",
    "link_opportunity",
    "notifications",
    "record_approval",
    "set_configuration_status",
    "set_flags",
    "set_win_rate",
]

#: Configuration lists one project may hold (the store keeps them in the project's row).
MAX_CONFIGURATIONS = 20


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


class ConfigurationStatus(enum.Enum):
    """Where a configuration list (配置单) stands. It starts as a DRAFT; CONFIRMED and CANCELLED are final."""

    DRAFT = "DRAFT"  # 草稿
    SUBMITTED = "SUBMITTED"  # sent to the customer (or the cloud) to confirm
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


#: The moves a configuration list may make (a submitted one may come back to a draft for edits).
CONFIGURATION_MOVES: dict[ConfigurationStatus, frozenset[ConfigurationStatus]] = {
    ConfigurationStatus.DRAFT: frozenset({ConfigurationStatus.SUBMITTED, ConfigurationStatus.CANCELLED}),
    ConfigurationStatus.SUBMITTED: frozenset(
        {ConfigurationStatus.CONFIRMED, ConfigurationStatus.DRAFT, ConfigurationStatus.CANCELLED}
    ),
    ConfigurationStatus.CONFIRMED: frozenset(),
    ConfigurationStatus.CANCELLED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class ProjectConfiguration:
    """One configuration list (配置单) of a project: what is to be bought, by name, and its status."""

    number: int  # 1, 2, ... within its project
    name: str
    status: ConfigurationStatus
    created_at: datetime
    updated_at: datetime


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
    third_party: bool = False  # 第三方: sold through a third party
    test_project: bool = False  # 测试项目: a trial, not a sale
    bid: bool = False  # 招投标: won or lost through a tender
    configurations: tuple[ProjectConfiguration, ...] = ()
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


def check_opportunity_id(opportunity_id: str, field: str = "opportunityId") -> str:
    """An upstream opportunity id as orders carry it: ASCII digits (``str.isdigit`` also takes "１２３")."""
    if not _OPPORTUNITY_ID.fullmatch(opportunity_id):
        raise InvalidInput("an upstream opportunity id is a number (the id orders carry)", field=field)
    return opportunity_id


def _refused(message: str, reason: ProjectRefusal, field: str | None = None) -> ProjectRuleViolation:
    return ProjectRuleViolation(message, reason, field)


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
    opportunity_id: str | None = None,
    third_party: bool = False,
    test_project: bool = False,
    bid: bool = False,
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
        opportunity_id=check_opportunity_id(opportunity_id, "input.opportunityId") if opportunity_id else None,
        third_party=third_party,
        test_project=test_project,
        bid=bid,
    )


def _open(project: Project) -> None:
    if project.status is not ProjectStatus.IN_PROGRESS:
        raise _refused(f"project {project.id} is closed ({project.status.value})", ProjectRefusal.PROJECT_CLOSED)


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
        raise _refused(
            f"the filing is not awaiting approval (it is {project.approval.value})",
            ProjectRefusal.NOT_AWAITING_APPROVAL,
        )
    if approved:
        return _changed(project, now, actor, "APPROVED", note, approval=Approval.APPROVED)
    return _changed(project, now, actor, "REJECTED", note, approval=Approval.REJECTED, status=ProjectStatus.LOST)


def confirm_by_customer(project: Project, *, actor: str, now: datetime) -> tuple[Project, ProjectEvent]:
    _open(project)
    if project.approval is not Approval.APPROVED:
        raise _refused("the customer confirms a filing only after the BD has approved it", ProjectRefusal.NOT_APPROVED)
    if project.customer_confirmed:
        raise _refused("the customer has already confirmed this filing", ProjectRefusal.ALREADY_CONFIRMED)
    return _changed(project, now, actor, "CUSTOMER_CONFIRMED", customer_confirmed=True)


def advance(project: Project, to: Stage, *, actor: str, now: datetime) -> tuple[Project, ProjectEvent]:
    """Move to the next stage: forward only, one stage at a time, and only once filed and confirmed."""
    _open(project)
    if to.index != project.stage.index + 1:
        following = list(Stage)[project.stage.index + 1].value if project.stage.index + 1 < len(Stage) else "none"
        raise _refused(
            f"a project moves forward one stage at a time: from {project.stage.value} the next is {following}",
            ProjectRefusal.STAGE_BACKWARDS if to.index <= project.stage.index else ProjectRefusal.STAGE_SKIPPED,
            "to",
        )
    if project.approval not in (Approval.APPROVED, Approval.NOT_REQUIRED):
        raise _refused("the filing must be approved before the project moves on", ProjectRefusal.NOT_APPROVED)
    if not project.customer_confirmed:
        raise _refused("the customer must confirm the filing before the project moves on", ProjectRefusal.NOT_CONFIRMED)
    status = ProjectStatus.WON if to is Stage.REVENUE_RECOGNIZED else ProjectStatus.IN_PROGRESS
    win_rate = Decimal(100) if to in (Stage.SIGNED, Stage.REVENUE_RECOGNIZED) else project.win_rate
    return _changed(
        project, now, actor, "STAGE", f"{project.stage.value} -> {to.value}", stage=to, status=status, win_rate=win_rate
    )


def close_lost(project: Project, reason: str, *, actor: str, now: datetime) -> tuple[Project, ProjectEvent]:
    _open(project)
    if project.stage.index >= Stage.SIGNED.index:
        raise _refused("a signed project cannot be closed as lost", ProjectRefusal.SIGNED)
    return _changed(project, now, actor, "LOST", reason, status=ProjectStatus.LOST, win_rate=Decimal(0))


def set_win_rate(project: Project, win_rate: Decimal, *, actor: str, now: datetime) -> tuple[Project, ProjectEvent]:
    _open(project)
    return _changed(project, now, actor, "WIN_RATE", f"{project.win_rate} -> {win_rate}", win_rate=_win_rate(win_rate))


def link_opportunity(
    project: Project, opportunity_id: str, *, actor: str, now: datetime
) -> tuple[Project, ProjectEvent]:
    check_opportunity_id(opportunity_id)
    return _changed(project, now, actor, "LINKED", opportunity_id, opportunity_id=opportunity_id)


def set_flags(
    project: Project,
    *,
    third_party: bool | None = None,
    test_project: bool | None = None,
    bid: bool | None = None,
    actor: str,
    now: datetime,
) -> tuple[Project, ProjectEvent]:
    """Change the filing's flags (``None``: as it is), while it is open and not yet confirmed by the customer
    (a program without confirmation: while it is open)."""
    _open(project)
    if project.approval is not Approval.NOT_REQUIRED and project.customer_confirmed:
        raise _refused(
            "the customer has confirmed the filing: its flags stay as confirmed", ProjectRefusal.FILING_CONFIRMED
        )
    wanted = {"third_party": third_party, "test_project": test_project, "bid": bid}
    changes = {name: value for name, value in wanted.items() if value is not None}
    if not changes:
        raise InvalidInput("give at least one of thirdParty, testProject and bid")
    detail = ", ".join(f"{name}={str(value).lower()}" for name, value in changes.items())
    return _changed(project, now, actor, "FLAGS", detail, **changes)


def add_configuration(project: Project, name: str, *, actor: str, now: datetime) -> tuple[Project, ProjectEvent]:
    """A new configuration list, as a DRAFT, numbered after the project's others."""
    _open(project)
    if not name.strip() or len(name) > 200:
        raise InvalidInput("a configuration list needs a name of 1 to 200 characters", field="name")
    if len(project.configurations) >= MAX_CONFIGURATIONS:
        raise _refused(
            f"a project holds at most {MAX_CONFIGURATIONS} configuration lists", ProjectRefusal.TOO_MANY_CONFIGURATIONS
        )
    number = max((c.number for c in project.configurations), default=0) + 1
    added = ProjectConfiguration(number, name.strip(), ConfigurationStatus.DRAFT, now, now)
    detail = f"#{number} {added.name}: {added.status.value}"
    return _changed(project, now, actor, "CONFIGURATION", detail, configurations=(*project.configurations, added))


def set_configuration_status(
    project: Project, number: int, status: ConfigurationStatus, *, actor: str, now: datetime
) -> tuple[Project, ProjectEvent]:
    """Move one configuration list along ``CONFIGURATION_MOVES``."""
    _open(project)
    found = next((c for c in project.configurations if c.number == number), None)
    if found is None:
        raise _refused(
            f"project {project.id} has no configuration list {number}", ProjectRefusal.CONFIGURATION_NOT_FOUND, "number"
        )
    if status not in CONFIGURATION_MOVES[found.status]:
        raise _refused(
            f"configuration list {number} is {found.status.value}: it cannot become {status.value}",
            ProjectRefusal.CONFIGURATION_STATUS,
            "status",
        )
    moved = replace(found, status=status, updated_at=now)
    configurations = tuple(moved if c.number == number else c for c in project.configurations)
    detail = f"#{number} {found.status.value} -> {status.value}"
    return _changed(project, now, actor, "CONFIGURATION", detail, configurations=configurations)


# --- change notifications (issue #13): what a change tells webhooks and subscribers --------------------


def notifications(before: Project, after: Project, event: ProjectEvent) -> list[Event]:
    """The change notifications (``gateway.events``) of one saved change, for the outbox in the change's own
    transaction, owned by the project's owner: ``project.stage_changed`` when the stage or the status moved (a
    stage advanced, a project won, closed as lost or rejected), ``project.approved`` when the BD approved the
    filing, ``project.confirmed`` when the customer confirmed it. Other changes (win rate, flags, lists) none."""
    common = {
        "projectId": str(after.id),
        "customerId": after.customer_id,
        "name": after.name,
        "version": after.version,
        "actor": event.actor,
    }
    subject = f"project/{after.id}"
    found: list[tuple[str, dict[str, object]]] = []
    if after.stage is not before.stage or after.status is not before.status:
        moved: dict[str, object] = {
            "fromStage": before.stage.value,
            "toStage": after.stage.value,
            "fromStatus": before.status.value,
            "status": after.status.value,
        }
        found.append(("project.stage_changed", moved))
    if after.approval is Approval.APPROVED and before.approval is not Approval.APPROVED:
        found.append(("project.approved", {"approval": after.approval.value}))
    if after.customer_confirmed and not before.customer_confirmed:
        found.append(("project.confirmed", {}))
    return [
        new_event(kind, subject, {**common, **data}, account_id=after.account_id, owner=after.owner, at=event.at)
        for kind, data in found
    ]
