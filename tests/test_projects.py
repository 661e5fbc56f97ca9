from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.aliyun import plugin as aliyun
from adapters.huaweicloud import plugin as huaweicloud
from gateway.errors import InvalidInput
from gateway.projects import (
    Approval,
    Project,
    ProjectRuleViolation,
    ProjectStatus,
    Stage,
    advance,
    close_lost,
    confirm_by_customer,
    file_project,
    link_opportunity,
    record_approval,
    set_win_rate,
)
from gateway.provider import ProviderPlugin

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def new(plugin: ProviderPlugin = aliyun) -> Project:
    """A filing for an account of ``plugin``, whose program says whether filings need approval."""
    return file_project(
        account_id="a",
        provider=plugin.name,
        approval_required=plugin.program.projects_need_approval,
        customer_id="c",
        customer_name="客户",
        name="ERP",
        actor="li",
        now=NOW,
    )


def ready(plugin: ProviderPlugin = aliyun) -> Project:
    project = new(plugin)
    if project.approval is Approval.PENDING:
        project, _ = record_approval(project, True, actor="bd", now=NOW)
        project, _ = confirm_by_customer(project, actor="customer", now=NOW)
    return project


def test_aliyun_filings_need_bd_approval_then_the_customer() -> None:
    project = new()
    assert project.approval is Approval.PENDING
    with pytest.raises(ProjectRuleViolation, match="approved"):
        advance(project, Stage.CONFIRMED_OPPORTUNITY, actor="li", now=NOW)
    with pytest.raises(ProjectRuleViolation, match="only after the BD"):
        confirm_by_customer(project, actor="customer", now=NOW)
    approved, event = record_approval(project, True, actor="bd", now=NOW)
    assert (approved.version, event.kind) == (2, "APPROVED")
    with pytest.raises(ProjectRuleViolation, match="customer must confirm"):
        advance(approved, Stage.CONFIRMED_OPPORTUNITY, actor="li", now=NOW)
    rejected, _ = record_approval(project, False, actor="bd", now=NOW)
    assert rejected.status is ProjectStatus.LOST


def test_huawei_filings_need_no_approval() -> None:
    project = new(huaweicloud)
    assert project.approval is Approval.NOT_REQUIRED
    moved, _ = advance(project, Stage.CONFIRMED_OPPORTUNITY, actor="li", now=NOW)
    assert moved.stage is Stage.CONFIRMED_OPPORTUNITY


def test_stages_move_forward_one_at_a_time_to_won() -> None:
    project = ready()
    with pytest.raises(ProjectRuleViolation, match="one stage at a time"):
        advance(project, Stage.SOLUTION_COMMUNICATION, actor="li", now=NOW)
    for stage in list(Stage)[1:]:
        project, event = advance(project, stage, actor="li", now=NOW)
        assert event.stage is stage
    assert project.status is ProjectStatus.WON
    assert project.win_rate == Decimal(100)
    with pytest.raises(ProjectRuleViolation, match="closed"):
        advance(project, Stage.SIGNED, actor="li", now=NOW)
    back = ready()
    back, _ = advance(back, Stage.CONFIRMED_OPPORTUNITY, actor="li", now=NOW)
    with pytest.raises(ProjectRuleViolation):
        advance(back, Stage.POTENTIAL_OPPORTUNITY, actor="li", now=NOW)


def test_lost_win_rate_and_links() -> None:
    project = ready()
    lost, event = close_lost(project, "went with a competitor", actor="li", now=NOW)
    assert (lost.status, lost.win_rate, event.detail) == (ProjectStatus.LOST, Decimal(0), "went with a competitor")
    with pytest.raises(ProjectRuleViolation):
        set_win_rate(lost, Decimal(50), actor="li", now=NOW)
    rated, _ = set_win_rate(project, Decimal("33.33"), actor="li", now=NOW)
    assert rated.win_rate == Decimal("33.33")
    for bad in (Decimal(101), Decimal(-1), Decimal("1.234")):
        with pytest.raises(InvalidInput):
            set_win_rate(project, bad, actor="li", now=NOW)
    linked, _ = link_opportunity(project, "202611220001", actor="li", now=NOW)
    assert linked.opportunity_id == "202611220001"
    with pytest.raises(InvalidInput):
        link_opportunity(project, "abc", actor="li", now=NOW)
    signed = ready()
    for stage in list(Stage)[1:5]:
        signed, _ = advance(signed, stage, actor="li", now=NOW)
    with pytest.raises(ProjectRuleViolation, match="signed"):
        close_lost(signed, "late", actor="li", now=NOW)
