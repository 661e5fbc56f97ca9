"""Projects (deal registrations, gateway-owned) for real simulator customers through the GraphQL API, and the
audit trail of mutation attempts: each change with its history, and its error paths."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.ids import encode_global_id
from tests.support.mutations_demo import (
    ALIYUN,
    HUAWEI,
    HUAWEI_T2_DOMAIN,
    RECEIPT,
    REFUSALS,
    SALES_OWNER,
    Demo,
    demo,
    global_id,
    key,
    partner_id,
)

pytestmark = pytest.mark.anyio

PROJECT = """project { id number name customerName stage status winRate approval customerConfirmed opportunityId
  owner createdBy version customer { id } history { actor kind detail stage }
  orders(first: 50) { nodes { nativeId projectId customer { id } } } }"""
RESULT = f"""__typename ... on ProjectPayload {{ replayed {PROJECT} }}
  ... on RuleViolationError {{ message reason field }} ... on ProjectRuleViolationError {{ message code rule field }}
  ... on InvalidInputError {{ message field }}
  ... on IdempotencyConflictError {{ key }} ... on VersionConflictError {{ message }}"""
FILE = f"""mutation($input: FileProjectInput!, $key: String!) {{
  fileProject(input: $input, idempotencyKey: $key) {{ {RESULT} }} }}"""
APPROVE = f"""mutation($id: ID!, $version: Int!, $approved: Boolean!) {{
  recordProjectApproval(projectId: $id, version: $version, approved: $approved, note: "BD 已审批") {{ {RESULT} }} }}"""
CONFIRM = (
    f"""mutation($id: ID!, $version: Int!) {{ confirmProject(projectId: $id, version: $version) {{ {RESULT} }} }}"""
)
ADVANCE = f"""mutation($id: ID!, $version: Int!, $to: ProjectStage!) {{
  advanceProject(projectId: $id, version: $version, to: $to) {{ {RESULT} }} }}"""
LOST = f"""mutation($id: ID!, $version: Int!, $reason: String!) {{
  closeProjectLost(projectId: $id, version: $version, reason: $reason) {{ {RESULT} }} }}"""
WIN_RATE = f"""mutation($id: ID!, $version: Int!, $rate: Decimal!) {{
  setProjectWinRate(projectId: $id, version: $version, winRate: $rate) {{ {RESULT} }} }}"""
LINK = f"""mutation($id: ID!, $version: Int!, $opportunity: String!) {{
  linkProjectOpportunity(projectId: $id, version: $version, opportunityId: $opportunity) {{ {RESULT} }} }}"""
PROJECTS = (
    """query($filter: ProjectFilterInput) { projects(first: 50, filter: $filter) { totalCount nodes { id owner } } }"""
)
STAGES = [
    "POTENTIAL_OPPORTUNITY",
    "CONFIRMED_OPPORTUNITY",
    "SOLUTION_COMMUNICATION",
    "BUSINESS_NEGOTIATION",
    "SIGNED",
    "REVENUE_RECOGNIZED",
]
ORDERS = (
    """{ orders(first: 100, filter: {provider: "aliyun"}) { nodes { nativeId projectId customer { id owner } } } }"""
)
CUSTOMERS = """query($filter: CustomerFilterInput) {
  customers(first: 100, filter: $filter) { nodes { id nativeId name owner } } }"""
AUDIT = """query($filter: AuditFilterInput) { auditLog(first: 50, filter: $filter) {
  totalCount nodes { principal operation partnerAccount outcome errorCode requestIds operationId input } } }"""


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running_demo:
        yield running_demo


async def aliyun_customers(gw: Demo) -> list[dict[str, Any]]:
    where = {"partnerIds": [partner_id(ALIYUN)], "status": "ASSOCIATED"}
    nodes: list[dict[str, Any]] = (await gw.ask(CUSTOMERS, filter=where))["customers"]["nodes"]
    return nodes


def payload(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["__typename"] == "ProjectPayload", answer
    project: dict[str, Any] = answer["project"]
    return project


async def test_an_aliyun_project_is_approved_confirmed_and_moved_through_all_six_stages(gw: Demo) -> None:
    orders = (await gw.ask(ORDERS))["orders"]["nodes"]
    order = next(o for o in orders if o["projectId"])
    customer_id = order["customer"]["id"]
    filing = {"customerId": customer_id, "name": "数据中台上云", "winRate": "30", "industry": "零售"}
    filed = payload(await gw.one(FILE, input=filing, key=key()))
    assert (filed["stage"], filed["status"], filed["approval"]) == ("POTENTIAL_OPPORTUNITY", "IN_PROGRESS", "PENDING")
    assert (filed["customerConfirmed"], filed["version"], filed["customer"]["id"]) == (False, 1, customer_id)
    assert filed["owner"] == order["customer"]["owner"]
    project_id, version = filed["id"], filed["version"]

    early = await gw.one(ADVANCE, id=project_id, version=version, to="CONFIRMED_OPPORTUNITY")
    assert (early["__typename"], early["rule"]) == ("ProjectRuleViolationError", "NOT_APPROVED")
    assert early["code"] == "PROJECT_RULE_VIOLATION"
    approved = payload(await gw.one(APPROVE, id=project_id, version=version, approved=True))
    assert (approved["approval"], approved["version"]) == ("APPROVED", 2)
    stale = await gw.one(CONFIRM, id=project_id, version=version)
    assert stale["__typename"] == "VersionConflictError"
    confirmed = payload(await gw.one(CONFIRM, id=project_id, version=approved["version"]))
    assert confirmed["customerConfirmed"] is True

    linked = payload(await gw.one(LINK, id=project_id, version=confirmed["version"], opportunity=order["projectId"]))
    assert linked["opportunityId"] == order["projectId"]
    listed = linked["orders"]["nodes"]
    assert order["nativeId"] in {o["nativeId"] for o in listed}
    assert {o["projectId"] for o in listed} == {order["projectId"]}
    not_a_number = await gw.one(LINK, id=project_id, version=linked["version"], opportunity="P-1")
    assert (not_a_number["__typename"], not_a_number["field"]) == ("InvalidInputError", "opportunityId")

    rated = payload(await gw.one(WIN_RATE, id=project_id, version=linked["version"], rate="60"))
    assert rated["winRate"] == "60"
    wrong_rate = await gw.one(WIN_RATE, id=project_id, version=rated["version"], rate="150")
    assert (wrong_rate["__typename"], wrong_rate["field"]) == ("InvalidInputError", "winRate")

    skip = await gw.one(ADVANCE, id=project_id, version=rated["version"], to="BUSINESS_NEGOTIATION")
    assert (skip["__typename"], skip["rule"], skip["field"]) == ("ProjectRuleViolationError", "STAGE_SKIPPED", "to")
    assert "one stage at a time" in skip["message"]
    current = rated
    for stage in STAGES[1:]:
        current = payload(await gw.one(ADVANCE, id=project_id, version=current["version"], to=stage))
        assert current["stage"] == stage
        assert current["history"][-1] == {
            "actor": "admin",
            "kind": "STAGE",
            "detail": f"{STAGES[STAGES.index(stage) - 1]} -> {stage}",
            "stage": stage,
        }
    assert (current["status"], current["winRate"]) == ("WON", "100")
    assert [e["kind"] for e in current["history"]] == [
        "FILED",
        "APPROVED",
        "CUSTOMER_CONFIRMED",
        "LINKED",
        "WIN_RATE",
        *["STAGE"] * 5,
    ]
    backwards = await gw.one(ADVANCE, id=project_id, version=current["version"], to="SIGNED")
    assert (backwards["__typename"], backwards["rule"]) == ("ProjectRuleViolationError", "PROJECT_CLOSED")
    lost = await gw.one(LOST, id=project_id, version=current["version"], reason="late")
    assert (lost["__typename"], lost["rule"]) == ("ProjectRuleViolationError", "PROJECT_CLOSED")  # won: closed


async def test_projects_are_closed_lost_rejected_and_only_for_the_partners_own_customers(gw: Demo) -> None:
    customer = (await aliyun_customers(gw))[0]
    filed = payload(await gw.one(FILE, input={"customerId": customer["id"], "name": "灾备方案"}, key=key()))
    lost = payload(await gw.one(LOST, id=filed["id"], version=filed["version"], reason="预算取消"))
    assert (lost["status"], lost["winRate"]) == ("LOST", "0")
    assert lost["history"][-1]["detail"] == "预算取消"
    closed = await gw.one(WIN_RATE, id=filed["id"], version=lost["version"], rate="20")
    assert (closed["__typename"], closed["rule"]) == ("ProjectRuleViolationError", "PROJECT_CLOSED")

    second = payload(await gw.one(FILE, input={"customerId": customer["id"], "name": "视频上云"}, key=key()))
    rejected = payload(await gw.one(APPROVE, id=second["id"], version=second["version"], approved=False))
    assert (rejected["approval"], rejected["status"]) == ("REJECTED", "LOST")

    huawei = (await gw.ask(CUSTOMERS, filter={"partnerIds": [partner_id(HUAWEI)]}))["customers"]["nodes"][0]
    no_approval = payload(await gw.one(FILE, input={"customerId": huawei["id"], "name": "华为项目"}, key=key()))
    assert (no_approval["approval"], no_approval["customerConfirmed"]) == ("NOT_REQUIRED", True)
    moved = payload(await gw.one(ADVANCE, id=no_approval["id"], version=1, to="CONFIRMED_OPPORTUNITY"))
    assert moved["stage"] == "CONFIRMED_OPPORTUNITY"

    for foreign in (
        global_id("Customer", ALIYUN, "1200000000000001"),  # an account of another partner (simulator docs)
        global_id("Customer", ALIYUN, huawei["nativeId"]),  # the other account's customer, under this one
        global_id("Customer", HUAWEI, HUAWEI_T2_DOMAIN),  # a tier-2 reseller, not a customer
    ):
        refused = await gw.one(FILE, input={"customerId": foreign, "name": "越权报备"}, key=key())
        assert (refused["__typename"], refused["reason"], refused["field"]) == (
            "RuleViolationError",
            "CUSTOMER_OF_ANOTHER_PARTNER",
            "input.customerId",
        )
    unknown = await gw.one(ADVANCE, id=encode_global_id("Project", "999999"), version=1, to="SIGNED")
    assert (unknown["__typename"], unknown["reason"], unknown["field"]) == (
        "RuleViolationError",
        "NOT_FOUND",
        "projectId",
    )


async def test_a_sales_key_files_and_sees_only_its_own_projects_and_a_repeated_key_is_replayed(gw: Demo) -> None:
    customers = await aliyun_customers(gw)
    mine = next(c for c in customers if c["owner"] == SALES_OWNER)
    theirs = next(c for c in customers if c["owner"] != SALES_OWNER)
    filing_key = key()
    filing = {"customerId": mine["id"], "name": "私有云迁移", "winRate": "25"}
    first = await gw.one(FILE, "k-sales", input=filing, key=filing_key)
    project = payload(first)
    assert (first["replayed"], project["owner"], project["createdBy"]) == (False, SALES_OWNER, "wang.fang")
    again = await gw.one(FILE, "k-sales", input=filing, key=filing_key)
    assert (again["replayed"], payload(again)["id"]) == (True, project["id"])
    conflict = await gw.one(FILE, "k-sales", input={**filing, "winRate": "26"}, key=filing_key)
    assert conflict == {"__typename": "IdempotencyConflictError", "key": filing_key}

    refused = await gw.one(FILE, "k-sales", input={"customerId": theirs["id"], "name": "别人的客户"}, key=key())
    assert (refused["__typename"], refused["reason"]) == ("RuleViolationError", "CUSTOMER_OF_ANOTHER_PARTNER")
    admin_filed = payload(await gw.one(FILE, input={"customerId": theirs["id"], "name": "管理员报备"}, key=key()))

    everyone = (await gw.ask(PROJECTS))["projects"]
    assert everyone["totalCount"] == 2
    own = (await gw.ask(PROJECTS, "k-sales"))["projects"]
    assert (own["totalCount"], [p["id"] for p in own["nodes"]]) == (1, [project["id"]])
    hidden = await gw.one(CONFIRM, "k-sales", id=admin_filed["id"], version=1)
    assert (hidden["__typename"], hidden["reason"]) == ("RuleViolationError", "NOT_FOUND")

    log = (await gw.ask(AUDIT, filter={"operation": "fileProject"}))["auditLog"]
    outcomes = [(n["principal"], n["outcome"]) for n in log["nodes"]]
    assert outcomes == [
        ("admin", "SUCCEEDED"),
        ("wang.fang", "REJECTED"),
        ("wang.fang", "CONFLICT"),
        ("wang.fang", "REPLAYED"),
        ("wang.fang", "SUCCEEDED"),
    ]


async def test_the_audit_log_shows_every_attempt_and_its_outcome_to_admins(gw: Demo) -> None:
    huawei = await gw.ask(CUSTOMERS, filter={"partnerIds": [partner_id(HUAWEI)], "accountType": "RESALE"})
    target = huawei["customers"]["nodes"][0]["id"]
    transfer = f"""mutation($amount: Decimal!, $key: String!) {{
      transferFunds(customerId: "{target}", amount: {{amount: $amount}}, idempotencyKey: $key) {{
        __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""
    reclaim = transfer.replace("transferFunds", "reclaimFunds")
    once = key()
    done = await gw.one(transfer, "k-finance", amount="20.00", key=once)
    await gw.one(transfer, "k-finance", amount="20.00", key=once)
    await gw.one(transfer, "k-finance", amount="21.00", key=once)
    await gw.one(transfer, "k-sales", amount="20.00", key=key())
    failed = await gw.one(reclaim, "k-admin", amount="9999999.00", key=key())

    log = (await gw.ask(AUDIT, filter={"operation": "transferFunds"}))["auditLog"]
    entries = log["nodes"]
    assert [(e["principal"], e["outcome"]) for e in entries] == [
        ("wang.fang", "REJECTED"),
        ("finance", "CONFLICT"),
        ("finance", "REPLAYED"),
        ("finance", "SUCCEEDED"),
    ]
    assert entries[0]["errorCode"] == "RULE_VIOLATION:ROLE_NOT_ALLOWED"
    assert entries[1]["errorCode"] == "IDEMPOTENCY_CONFLICT"
    succeeded = entries[3]
    assert succeeded["partnerAccount"] == HUAWEI
    assert succeeded["operationId"] == done["operation"]["operationId"]
    assert succeeded["requestIds"] == [done["operation"]["requestId"]]
    assert succeeded["input"]["amount"] == {"amount": "20.00", "currency": "CNY"}
    [refusal] = (await gw.ask(AUDIT, filter={"operation": "reclaimFunds"}))["auditLog"]["nodes"]
    assert (refusal["outcome"], refusal["requestIds"]) == ("FAILED", [failed["requestId"]])
    assert refusal["errorCode"].startswith("PROVIDER_ERROR")
    rejected = (await gw.ask(AUDIT, filter={"outcome": "REJECTED"}))["auditLog"]["totalCount"]
    assert rejected == 1

    response = await gw.client.post(
        "/graphql", json={"query": "{ auditLog { totalCount } }"}, headers={"authorization": "Bearer k-finance"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
