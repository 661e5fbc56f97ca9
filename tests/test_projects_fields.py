"""Projects' filing details through the GraphQL API over the real simulators' customers: the third-party,
test-project and bid flags, configuration lists and their statuses, one project per upstream opportunity (also
against another principal's filing and key), and the typed reason of every refused change; each read back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.mutations_demo import ALIYUN, HUAWEI, SALES_OWNER, Demo, demo, key, partner_id

pytestmark = pytest.mark.anyio

PROJECT = """project { id version opportunityId thirdParty testProject bid stage status approval customerConfirmed
  configurations { number name status createdAt updatedAt } history { actor kind detail } }"""
RESULT = f"""__typename ... on ProjectPayload {{ replayed {PROJECT} }}
  ... on ProjectRuleViolationError {{ code message rule field }} ... on RuleViolationError {{ message reason field }}
  ... on InvalidInputError {{ message field }} ... on IdempotencyConflictError {{ key }}
  ... on VersionConflictError {{ message }}"""
FILE = f"""mutation($input: FileProjectInput!, $key: String!) {{
  fileProject(input: $input, idempotencyKey: $key) {{ {RESULT} }} }}"""
FLAGS = f"""mutation($id: ID!, $v: Int!, $thirdParty: Boolean, $testProject: Boolean, $bid: Boolean) {{
  setProjectFlags(projectId: $id, version: $v, thirdParty: $thirdParty, testProject: $testProject, bid: $bid) {{
    {RESULT} }} }}"""
ADD = f"""mutation($id: ID!, $v: Int!, $name: String!) {{
  addProjectConfiguration(projectId: $id, version: $v, name: $name) {{ {RESULT} }} }}"""
MOVE = f"""mutation($id: ID!, $v: Int!, $number: Int!, $status: ConfigurationStatus!) {{
  setProjectConfigurationStatus(projectId: $id, version: $v, number: $number, status: $status) {{ {RESULT} }} }}"""
APPROVE = f"""mutation($id: ID!, $v: Int!) {{
  recordProjectApproval(projectId: $id, version: $v, approved: true) {{ {RESULT} }} }}"""
CONFIRM = f"""mutation($id: ID!, $v: Int!) {{ confirmProject(projectId: $id, version: $v) {{ {RESULT} }} }}"""
ADVANCE = f"""mutation($id: ID!, $v: Int!, $to: ProjectStage!) {{
  advanceProject(projectId: $id, version: $v, to: $to) {{ {RESULT} }} }}"""
LOST = f"""mutation($id: ID!, $v: Int!) {{
  closeProjectLost(projectId: $id, version: $v, reason: "预算取消") {{ {RESULT} }} }}"""
LINK = f"""mutation($id: ID!, $v: Int!, $opportunity: String!) {{
  linkProjectOpportunity(projectId: $id, version: $v, opportunityId: $opportunity) {{ {RESULT} }} }}"""
NODE = f"""query($id: ID!) {{ node(id: $id) {{ ... on Project {{ {PROJECT[len("project { ") : -1]} }} }} }}"""
PROJECTS = """{ projects(first: 100) {
  nodes { id opportunityId thirdParty testProject bid configurations { status } } } }"""
CUSTOMERS = """query($filter: CustomerFilterInput) { customers(first: 100, filter: $filter) { nodes { id owner } } }"""
AUDIT = """query($op: String) {
  auditLog(first: 20, filter: {operation: $op}) { nodes { principal outcome errorCode } } }"""


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running_demo:
        yield running_demo


async def customer(gw: Demo, account_id: str, owner: str | None = None) -> str:
    where = {"partnerIds": [partner_id(account_id)], "status": "ASSOCIATED"}
    nodes = (await gw.ask(CUSTOMERS, filter=where))["customers"]["nodes"]
    return str(next(n["id"] for n in nodes if owner is None or n["owner"] == owner))


def payload(answer: dict[str, Any]) -> dict[str, Any]:
    assert answer["__typename"] == "ProjectPayload", answer
    project: dict[str, Any] = answer["project"]
    return project


def refused(answer: dict[str, Any]) -> tuple[str, str | None]:
    assert answer["__typename"] == "ProjectRuleViolationError", answer
    assert answer["code"] == "PROJECT_RULE_VIOLATION"
    return answer["rule"], answer["field"]


async def file(gw: Demo, account_id: str, api_key: str = "k-admin", **fields: Any) -> dict[str, Any]:
    owner = SALES_OWNER if api_key == "k-sales" else None
    data = {"customerId": await customer(gw, account_id, owner), "name": "数据中台上云", **fields}
    return payload(await gw.one(FILE, api_key, input=data, key=key()))


async def test_flags_are_filed_read_back_and_changed_until_the_customer_confirms(gw: Demo) -> None:
    filed = await file(gw, ALIYUN, thirdParty=True, bid=True)
    assert (filed["thirdParty"], filed["testProject"], filed["bid"]) == (True, False, True)
    assert filed["configurations"] == []
    read = (await gw.ask(NODE, id=filed["id"]))["node"]
    assert (read["thirdParty"], read["testProject"], read["bid"], read["version"]) == (True, False, True, 1)

    changed = payload(await gw.one(FLAGS, "k-finance", id=filed["id"], v=1, testProject=True, bid=False))
    assert (changed["thirdParty"], changed["testProject"], changed["bid"], changed["version"]) == (True, True, False, 2)
    assert changed["history"][-1] == {"actor": "finance", "kind": "FLAGS", "detail": "test_project=true, bid=false"}
    nothing = await gw.one(FLAGS, id=filed["id"], v=2)
    assert nothing["__typename"] == "InvalidInputError"
    stale = await gw.one(FLAGS, id=filed["id"], v=1, bid=True)
    assert stale["__typename"] == "VersionConflictError"

    approved = payload(await gw.one(APPROVE, id=filed["id"], v=2))
    still_open = payload(await gw.one(FLAGS, id=filed["id"], v=approved["version"], thirdParty=False))
    confirmed = payload(await gw.one(CONFIRM, id=filed["id"], v=still_open["version"]))
    fixed = await gw.one(FLAGS, id=filed["id"], v=confirmed["version"], bid=True)
    assert refused(fixed) == ("FILING_CONFIRMED", None)
    after = (await gw.ask(NODE, id=filed["id"]))["node"]
    assert (after["thirdParty"], after["testProject"], after["bid"]) == (False, True, False)
    assert after["version"] == confirmed["version"]

    # Huawei needs no confirmation: the flags change while the project is open, and not once it is closed.
    huawei = await file(gw, HUAWEI)
    assert huawei["customerConfirmed"] is True
    flagged = payload(await gw.one(FLAGS, id=huawei["id"], v=1, testProject=True))
    lost = payload(await gw.one(LOST, id=huawei["id"], v=flagged["version"]))
    assert refused(await gw.one(FLAGS, id=huawei["id"], v=lost["version"], bid=True)) == ("PROJECT_CLOSED", None)
    listed = {p["id"]: p for p in (await gw.ask(PROJECTS))["projects"]["nodes"]}
    assert listed[huawei["id"]]["testProject"] is True
    audit = (await gw.ask(AUDIT, op="setProjectFlags"))["auditLog"]["nodes"]
    assert audit[0] == {
        "principal": "admin",
        "outcome": "REJECTED",
        "errorCode": "PROJECT_RULE_VIOLATION:PROJECT_CLOSED",
    }


async def test_configuration_lists_start_as_drafts_and_move_only_as_allowed(gw: Demo) -> None:
    filed = await file(gw, HUAWEI)
    one = payload(await gw.one(ADD, id=filed["id"], v=1, name="ECS 100 台 + RDS"))
    [draft] = one["configurations"]
    assert (draft["number"], draft["name"], draft["status"]) == (1, "ECS 100 台 + RDS", "DRAFT")
    two = payload(await gw.one(ADD, "k-finance", id=filed["id"], v=one["version"], name="备选方案"))
    assert [(c["number"], c["status"]) for c in two["configurations"]] == [(1, "DRAFT"), (2, "DRAFT")]

    current = two
    for status in ("SUBMITTED", "DRAFT", "SUBMITTED", "CONFIRMED"):
        current = payload(await gw.one(MOVE, id=filed["id"], v=current["version"], number=1, status=status))
        assert current["configurations"][0]["status"] == status
    assert current["history"][-1]["detail"] == "#1 SUBMITTED -> CONFIRMED"
    final = await gw.one(MOVE, id=filed["id"], v=current["version"], number=1, status="DRAFT")
    assert refused(final) == ("CONFIGURATION_STATUS", "status")
    skip = await gw.one(MOVE, id=filed["id"], v=current["version"], number=2, status="CONFIRMED")
    assert refused(skip) == ("CONFIGURATION_STATUS", "status")
    missing = await gw.one(MOVE, id=filed["id"], v=current["version"], number=9, status="SUBMITTED")
    assert refused(missing) == ("CONFIGURATION_NOT_FOUND", "number")
    blank = await gw.one(ADD, id=filed["id"], v=current["version"], name="  ")
    assert (blank["__typename"], blank["field"]) == ("InvalidInputError", "name")
    cancelled = payload(await gw.one(MOVE, id=filed["id"], v=current["version"], number=2, status="CANCELLED"))

    read = (await gw.ask(NODE, id=filed["id"]))["node"]
    assert [(c["number"], c["status"]) for c in read["configurations"]] == [(1, "CONFIRMED"), (2, "CANCELLED")]
    assert read["version"] == cancelled["version"]
    version = read["version"]
    for n in range(18):
        version = payload(await gw.one(ADD, id=filed["id"], v=version, name=f"方案 {n}"))["version"]
    full = await gw.one(ADD, id=filed["id"], v=version, name="第 21 份")
    assert refused(full) == ("TOO_MANY_CONFIGURATIONS", None)


async def test_each_refused_stage_change_says_why(gw: Demo) -> None:
    filed = await file(gw, ALIYUN)
    pid = filed["id"]
    assert refused(await gw.one(CONFIRM, id=pid, v=1)) == ("NOT_APPROVED", None)
    assert refused(await gw.one(ADVANCE, id=pid, v=1, to="CONFIRMED_OPPORTUNITY")) == ("NOT_APPROVED", None)
    approved = payload(await gw.one(APPROVE, id=pid, v=1))
    assert refused(await gw.one(APPROVE, id=pid, v=approved["version"])) == ("NOT_AWAITING_APPROVAL", None)
    early = await gw.one(ADVANCE, id=pid, v=approved["version"], to="CONFIRMED_OPPORTUNITY")
    assert refused(early) == ("NOT_CONFIRMED", None)
    confirmed = payload(await gw.one(CONFIRM, id=pid, v=approved["version"]))
    assert refused(await gw.one(CONFIRM, id=pid, v=confirmed["version"])) == ("ALREADY_CONFIRMED", None)
    same = await gw.one(ADVANCE, id=pid, v=confirmed["version"], to="POTENTIAL_OPPORTUNITY")
    assert refused(same) == ("STAGE_BACKWARDS", "to")
    skip = await gw.one(ADVANCE, id=pid, v=confirmed["version"], to="SIGNED")
    assert refused(skip) == ("STAGE_SKIPPED", "to")
    current = confirmed
    for stage in ("CONFIRMED_OPPORTUNITY", "SOLUTION_COMMUNICATION", "BUSINESS_NEGOTIATION", "SIGNED"):
        current = payload(await gw.one(ADVANCE, id=pid, v=current["version"], to=stage))
    back = await gw.one(ADVANCE, id=pid, v=current["version"], to="BUSINESS_NEGOTIATION")
    assert refused(back) == ("STAGE_BACKWARDS", "to")
    assert refused(await gw.one(LOST, id=pid, v=current["version"])) == ("SIGNED", None)
    huawei = await file(gw, HUAWEI)
    assert refused(await gw.one(APPROVE, id=huawei["id"], v=1)) == ("NOT_AWAITING_APPROVAL", None)
    # Another salesperson's project, like a missing one, is NOT_FOUND (a RuleViolationError): nothing of it shows.
    hidden = await gw.one(ADVANCE, "k-sales", id=pid, v=current["version"], to="REVENUE_RECOGNIZED")
    assert (hidden["__typename"], hidden["reason"], hidden["field"]) == ("RuleViolationError", "NOT_FOUND", "projectId")
    assert (await gw.ask(NODE, id=pid))["node"]["stage"] == "SIGNED"


async def test_one_project_per_upstream_opportunity(gw: Demo) -> None:
    first = await file(gw, ALIYUN, opportunityId="202611220001")
    assert first["opportunityId"] == "202611220001"
    target = await customer(gw, ALIYUN)
    second_key = key()
    data = {"customerId": target, "name": "重复商机", "opportunityId": "202611220001"}
    duplicate = await gw.one(FILE, input=data, key=second_key)
    assert refused(duplicate) == ("DUPLICATE_OPPORTUNITY", "input.opportunityId")
    assert "202611220001" in duplicate["message"]
    # A refusal claims nothing: the same key, corrected, files.
    corrected = await gw.one(FILE, input={**data, "opportunityId": "202611220002"}, key=second_key)
    assert (corrected["replayed"], payload(corrected)["opportunityId"]) == (False, "202611220002")
    # Linking an opportunity another project has is refused the same way; the same id at another cloud is not.
    third = await file(gw, ALIYUN)
    linked = await gw.one(LINK, id=third["id"], v=1, opportunity="202611220001")
    assert refused(linked) == ("DUPLICATE_OPPORTUNITY", "opportunityId")
    assert (await gw.ask(NODE, id=third["id"]))["node"]["opportunityId"] is None
    elsewhere = await file(gw, HUAWEI, opportunityId="202611220001")
    assert elsewhere["opportunityId"] == "202611220001"
    # Re-linking a project's own opportunity, or moving it to a free one, stands.
    moved = payload(await gw.one(LINK, id=first["id"], v=1, opportunity="202611220003"))
    taken = payload(await gw.one(LINK, id=third["id"], v=1, opportunity="202611220001"))
    assert (moved["opportunityId"], taken["opportunityId"]) == ("202611220003", "202611220001")
    malformed = await gw.one(FILE, input={**data, "opportunityId": "P-1"}, key=key())
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInputError", "input.opportunityId")
    listed = [p["opportunityId"] for p in (await gw.ask(PROJECTS))["projects"]["nodes"] if p["opportunityId"]]
    assert sorted(listed) == ["202611220001", "202611220001", "202611220002", "202611220003"]  # one per cloud


async def test_every_principal_files_with_its_own_keys_and_an_opportunity_stays_taken(gw: Demo) -> None:
    shared_key = key()
    mine = await customer(gw, ALIYUN, SALES_OWNER)
    data = {"customerId": mine, "name": "销售报备", "opportunityId": "202611230001", "bid": True}
    sales = await gw.one(FILE, "k-sales", input=data, key=shared_key)
    project = payload(sales)
    assert (sales["replayed"], project["bid"]) == (False, True)
    again = await gw.one(FILE, "k-sales", input=data, key=shared_key)
    assert (again["replayed"], payload(again)["id"]) == (True, project["id"])
    conflict = await gw.one(FILE, "k-sales", input={**data, "bid": False}, key=shared_key)
    assert conflict == {"__typename": "IdempotencyConflictError", "key": shared_key}
    # The admin and finance sending the sales key's own key: their own new filings, refused for the opportunity.
    for api_key in ("k-admin", "k-finance"):
        theirs = await gw.one(FILE, api_key, input=data, key=shared_key)
        assert refused(theirs) == ("DUPLICATE_OPPORTUNITY", "input.opportunityId"), api_key
    finance = await gw.one(FILE, "k-finance", input={**data, "opportunityId": "202611230002"}, key=shared_key)
    assert (finance["replayed"], payload(finance)["bid"]) == (False, True)
    # The sales key changes its own project's flags and configuration lists.
    flagged = payload(await gw.one(FLAGS, "k-sales", id=project["id"], v=1, thirdParty=True))
    added = payload(await gw.one(ADD, "k-sales", id=project["id"], v=flagged["version"], name="私有云配置"))
    assert (added["thirdParty"], [c["status"] for c in added["configurations"]]) == (True, ["DRAFT"])
    # The project finance filed is of the sales key's customer, so the sales key's too (a project's owner is
    # its customer's); another owner's customer's project is not.
    seen = payload(await gw.one(ADD, "k-sales", id=payload(finance)["id"], v=1, name="同一客户"))
    assert seen["configurations"][0]["status"] == "DRAFT"
    others = await gw.ask(CUSTOMERS, filter={"partnerIds": [partner_id(ALIYUN)], "status": "ASSOCIATED"})
    other = next(n["id"] for n in others["customers"]["nodes"] if n["owner"] not in (SALES_OWNER, None))
    theirs = payload(await gw.one(FILE, input={"customerId": other, "name": "别人的项目"}, key=key()))
    hidden = await gw.one(ADD, "k-sales", id=theirs["id"], v=1, name="别人的")
    assert (hidden["__typename"], hidden["reason"]) == ("RuleViolationError", "NOT_FOUND")
    assert (await gw.ask(NODE, id=theirs["id"]))["node"]["configurations"] == []
    audit = [(n["principal"], n["outcome"]) for n in (await gw.ask(AUDIT, op="fileProject"))["auditLog"]["nodes"]]
    assert audit == [
        ("admin", "SUCCEEDED"),
        ("finance", "SUCCEEDED"),
        ("finance", "REJECTED"),
        ("admin", "REJECTED"),
        ("wang.fang", "CONFLICT"),
        ("wang.fang", "REPLAYED"),
        ("wang.fang", "SUCCEEDED"),
    ]
