"""The one door over both real simulators: what a principal creates is its own from the first moment,
a sales key acts only on its own invitations, payloads carry their object as it is after their own
mutation, and every gateway-owned change is in the audit trail."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from adapters._simkit.faults import Fault, FaultKind
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

ROW = "id nativeId name owner accountType status invitationId"
CREATE = f"""mutation($input: CreateCustomerInput!, $key: String!) {{
  createCustomer(input: $input, idempotencyKey: $key) {{
    __typename ... on CreateCustomerPayload {{ {RECEIPT} customerId invitationId customer {{ {ROW} }} }} {REFUSALS}
  }}
}}"""
RESEND = f"""mutation($partner: ID!, $invitation: String!, $key: String!) {{
  resendInvitation(partnerId: $partner, invitationId: $invitation, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} customer {{ {ROW} invitationExpiresAt }} }} {REFUSALS}
  }}
}}"""
CUSTOMERS = (
    f"""query($filter: CustomerFilterInput) {{ customers(first: 100, filter: $filter) {{ nodes {{ {ROW} }} }} }}"""
)
AUDIT = """query($filter: AuditFilterInput) { auditLog(first: 100, filter: $filter) {
  nodes { principal operation partnerAccount outcome errorCode input operationId } } }"""


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running_demo:
        yield running_demo


async def customers(gw: Demo, api_key: str, **where: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gw.ask(CUSTOMERS, api_key, filter=where))["customers"]["nodes"]
    return nodes


async def audit(gw: Demo, **where: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gw.ask(AUDIT, filter=where))["auditLog"]["nodes"]
    return nodes


# -- ownership at creation -------------------------------------------------------------------------------------


async def test_a_sales_key_sees_the_customer_it_invites_at_once_owned_and_typed(gw: Demo) -> None:
    name = "销售自建邀请有限公司"
    data = {"partnerId": partner_id(ALIYUN), "name": name, "accountType": "CONSIGNMENT", "email": "own@pg-test.cn"}
    invited = await gw.one(CREATE, "k-sales", input=data, key=key())
    assert invited["__typename"] == "CreateCustomerPayload", invited
    row = invited["customer"]
    assert (row["owner"], row["accountType"], row["status"]) == (SALES_OWNER, "CONSIGNMENT", "INVITED")
    assert row["invitationId"] == invited["invitationId"]

    [seen] = await customers(gw, "k-sales", partnerIds=[partner_id(ALIYUN)], search=name)
    assert seen == row
    [assigned] = await audit(gw, operation="assignCustomer")
    assert (assigned["principal"], assigned["outcome"], assigned["partnerAccount"]) == (
        "wang.fang",
        "SUCCEEDED",
        ALIYUN,
    )
    assert assigned["input"]["customerId"] == row["nativeId"]
    assert assigned["input"]["owner"] == SALES_OWNER
    assert assigned["operationId"] == invited["operation"]["operationId"]


async def test_a_sales_key_sees_the_huawei_customer_it_creates_as_soon_as_it_lists(gw: Demo) -> None:
    data = {
        "partnerId": partner_id(HUAWEI),
        "name": "销售华为客户",
        "accountType": "RESALE",
        "accountName": "pg_sales_hw",
    }
    created = await gw.one(CREATE, "k-sales", input=data, key=key())
    assert created["__typename"] == "CreateCustomerPayload", created
    # An admin creating with an owner gives the customer that owner too (not only sales keys).
    other = {**data, "name": "管理员华为客户", "accountName": "pg_admin_hw", "owner": "李强"}
    by_admin = await gw.one(CREATE, input=other, key=key())
    assert by_admin["__typename"] == "CreateCustomerPayload", by_admin
    simulator = gw.huawei.simulator
    shifted = simulator.association_delay + timedelta(seconds=1)
    simulator.clock = lambda: datetime.now(UTC) + shifted  # past the upstream's association delay

    where = {"partnerIds": [partner_id(HUAWEI)]}
    [seen] = await customers(gw, "k-sales", **where, search=created["customerId"])
    assert (seen["nativeId"], seen["owner"], seen["accountType"]) == (created["customerId"], SALES_OWNER, "RESALE")
    [row] = await customers(gw, "k-admin", **where, search=by_admin["customerId"])
    assert row["owner"] == "李强"
    assert await customers(gw, "k-sales", **where, search=by_admin["customerId"]) == []


async def test_a_customer_settled_by_the_sweep_still_gets_its_owner(gw: Demo) -> None:
    """The reply is lost and the new customer is not listed yet (association is asynchronous): the write
    is pending, nobody retries, and the background sweep settles it once the customer lists. The owner is
    recorded then, not only on a first reply."""
    data = {
        "partnerId": partner_id(HUAWEI),
        "name": "回复丢失的客户",
        "accountType": "RESALE",
        "accountName": "pg_lost",
    }
    gw.huawei.faults.add(Fault(FaultKind.AMBIGUOUS, "create_sub_customer", remaining=1))
    pending = await gw.one(CREATE, "k-sales", input=data, key=key())
    assert (pending["__typename"], pending["pending"]) == ("UpstreamError", True), pending
    assert await audit(gw, operation="assignCustomer") == []
    simulator = gw.huawei.simulator
    shifted = simulator.association_delay + timedelta(seconds=1)
    simulator.clock = lambda: datetime.now(UTC) + shifted  # the customer lists from now on
    for _ in range(60):  # the sweep runs every second in the demo
        if await audit(gw, operation="assignCustomer"):
            break
        await asyncio.sleep(0.1)
    [assigned] = await audit(gw, operation="assignCustomer")
    settled = [a for a in await audit(gw, operation="createCustomer") if a["outcome"] == "RECONCILED"]
    assert [a["principal"] for a in settled] == ["gateway (reconciliation)"]  # the sweep, not a retry
    assert (assigned["principal"], assigned["operationId"]) == ("wang.fang", settled[0]["operationId"])
    [seen] = await customers(gw, "k-sales", partnerIds=[partner_id(HUAWEI)], search=assigned["input"]["customerId"])
    assert (seen["owner"], seen["accountType"]) == (SALES_OWNER, "RESALE")


# -- resendInvitation: a sales key's own invitations only ---------------------------------------------------------


async def test_a_sales_key_resends_only_its_own_invitations_and_the_payload_carries_the_customer(gw: Demo) -> None:
    partner = partner_id(ALIYUN)
    theirs = await gw.one(
        CREATE,
        input={
            "partnerId": partner,
            "name": "别人的邀请",
            "accountType": "AGENCY",
            "email": "li@pg-test.cn",
            "owner": "李强",
        },
        key=key(),
    )
    refused = await gw.one(RESEND, "k-sales", partner=partner, invitation=theirs["invitationId"], key=key())
    assert (refused["__typename"], refused["reason"], refused["field"]) == (
        "RuleViolationError",
        "NOT_FOUND",
        "invitationId",
    )
    unknown = await gw.one(RESEND, "k-sales", partner=partner, invitation="9399999999999999", key=key())
    assert unknown == {**refused, "message": unknown["message"]}  # a missing one looks the same
    assert gw.calls(ALIYUN, "ResendEmail") == 0

    mine = await gw.one(
        CREATE,
        "k-sales",
        input={"partnerId": partner, "name": "自己的邀请", "accountType": "AGENCY", "email": "me@pg-test.cn"},
        key=key(),
    )
    resent = await gw.one(RESEND, "k-sales", partner=partner, invitation=mine["invitationId"], key=key())
    assert resent["__typename"] == "CustomerPayload", resent
    assert resent["customer"]["invitationId"] == mine["invitationId"]
    assert (resent["customer"]["owner"], resent["customer"]["status"]) == (SALES_OWNER, "INVITED")
    assert gw.calls(ALIYUN, "ResendEmail") == 1
    by_admin = await gw.one(RESEND, partner=partner, invitation=theirs["invitationId"], key=key())
    assert by_admin["customer"]["owner"] == "李强"


# -- payloads show the state after their own mutation ---------------------------------------------------------------


async def test_two_transfers_in_one_document_each_show_the_balance_after_their_own(gw: Demo) -> None:
    where = {"partnerIds": [partner_id(HUAWEI)], "accountType": "RESALE", "status": "ASSOCIATED"}
    target = (await customers(gw, "k-admin", **where))[0]["id"]
    balance = "query($id: ID!) { node(id: $id) { ... on Customer { balance { amount } } } }"
    before_node = (await gw.ask(balance, id=target))["node"]["balance"]
    before = Decimal(before_node["amount"]) if before_node else Decimal(0)
    payload = f"__typename ... on CustomerPayload {{ customer {{ balance {{ amount }} }} }} {REFUSALS}"
    document = f"""mutation($id: ID!, $k1: String!, $k2: String!) {{
      first: transferFunds(customerId: $id, amount: {{amount: "10.00"}}, idempotencyKey: $k1) {{ {payload} }}
      second: transferFunds(customerId: $id, amount: {{amount: "5.00"}}, idempotencyKey: $k2) {{ {payload} }}
    }}"""
    data = await gw.ask(document, "k-finance", id=target, k1=key(), k2=key())
    assert data["first"]["customer"]["balance"]["amount"] == str((before + 10).quantize(Decimal("0.01")))
    assert data["second"]["customer"]["balance"]["amount"] == str((before + 15).quantize(Decimal("0.01")))


async def test_reclaiming_a_voucher_quota_answers_with_its_reseller(gw: Demo) -> None:
    reseller = global_id("Reseller", HUAWEI, HUAWEI_T2_DOMAIN)
    grant = """mutation($id: ID!, $key: String!) {
      grantVoucherQuota(resellerId: $id, parentQuotaId: "Q9f74bcf0ee830296", amount: {amount: "30.00"},
        idempotencyKey: $key) { ... on ResellerPayload { operation { upstreamIds } } } }"""
    [quota] = (await gw.one(grant, "k-finance", id=reseller, key=key()))["operation"]["upstreamIds"]
    reclaim = f"""mutation($partner: ID!, $quota: String!, $key: String!) {{
      reclaimVoucherQuota(partnerId: $partner, quotaId: $quota, idempotencyKey: $key) {{
        __typename ... on ResellerPayload {{ reseller {{ id voucherQuotas {{ nodes {{ nativeId status }} }} }} }}
        {REFUSALS} }} }}"""
    answer = await gw.one(reclaim, "k-finance", partner=partner_id(HUAWEI), quota=quota, key=key())
    assert answer["__typename"] == "ResellerPayload", answer
    assert answer["reseller"]["id"] == reseller
    assert {"nativeId": quota, "status": "RECLAIMED"} in answer["reseller"]["voucherQuotas"]["nodes"]


# -- every gateway-owned change is audited ----------------------------------------------------------------------------


async def test_every_project_change_and_assignment_is_in_the_audit_log(gw: Demo) -> None:
    aliyun = await customers(gw, "k-admin", partnerIds=[partner_id(ALIYUN)], status="ASSOCIATED")
    result = "__typename ... on ProjectPayload { project { id version } } ... on RuleViolationError { reason }"
    filed = await gw.one(
        f"""mutation($c: ID!, $k: String!) {{
          fileProject(input: {{customerId: $c, name: "审计项目"}}, idempotencyKey: $k) {{ {result} }} }}""",
        c=aliyun[0]["id"],
        k=key(),
    )
    project = filed["project"]["id"]
    steps = [
        ("recordProjectApproval", "approved: true"),
        ("confirmProject", ""),
        ("linkProjectOpportunity", 'opportunityId: "202611220001"'),
        ("setProjectWinRate", 'winRate: "40"'),
        ("advanceProject", "to: CONFIRMED_OPPORTUNITY"),
        ("closeProjectLost", 'reason: "预算取消"'),
    ]
    version = filed["project"]["version"]
    for name, arguments in steps:
        document = f"""mutation($id: ID!, $v: Int!) {{
          {name}(projectId: $id, version: $v{", " + arguments if arguments else ""}) {{ {result} }} }}"""
        changed = await gw.one(document, id=project, v=version)
        assert changed["__typename"] == "ProjectPayload", (name, changed)
        version = changed["project"]["version"]
    stale = await gw.one(
        f"""mutation($id: ID!) {{ confirmProject(projectId: $id, version: 1) {{ {result} }} }}""", id=project
    )
    assert stale["__typename"] == "VersionConflictError"
    assign = """mutation($id: ID!, $owner: String!) { assignCustomer(customerId: $id, owner: $owner) { __typename } }"""
    await gw.one(assign, id=aliyun[1]["id"], owner="赵敏")
    await gw.one(assign, "k-sales", id=aliyun[1]["id"], owner=SALES_OWNER)

    log = list(reversed(await audit(gw)))  # oldest first
    assert [(e["operation"], e["outcome"]) for e in log] == [
        ("fileProject", "SUCCEEDED"),
        *[(name, "SUCCEEDED") for name, _ in steps],
        ("confirmProject", "CONFLICT"),
        ("assignCustomer", "SUCCEEDED"),
        ("assignCustomer", "REJECTED"),
    ]
    assert {e["partnerAccount"] for e in log} == {ALIYUN}
    assert (log[1]["input"]["version"], log[1]["input"]["approved"]) == (1, True)
    assert log[-1]["errorCode"] == "RULE_VIOLATION:ROLE_NOT_ALLOWED"
    assert log[-2]["input"]["owner"] == "赵敏"


# -- a replay is authorized like a new call ------------------------------------------------------------------------


async def test_a_replay_is_answered_only_after_the_authorization_a_new_call_gets(gw: Demo) -> None:
    mine = [c for c in await customers(gw, "k-sales", partnerIds=[partner_id(ALIYUN)]) if c["status"] == "ASSOCIATED"]
    target = mine[0]
    note = f"""mutation($id: ID!, $key: String!) {{
      addNote(customerId: $id, input: {{content: "回访"}}, idempotencyKey: $key) {{
        __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""
    file = """mutation($id: ID!, $key: String!) {
      fileProject(input: {customerId: $id, name: "重放项目"}, idempotencyKey: $key) {
        __typename ... on ProjectPayload { replayed } ... on RuleViolationError { reason } } }"""
    note_key, project_key = key(), key()
    first = await gw.one(note, "k-sales", id=target["id"], key=note_key)
    assert first["__typename"] == "CustomerPayload", first
    assert (await gw.one(note, "k-sales", id=target["id"], key=note_key))["operation"]["replayed"] is True
    assert (await gw.one(file, "k-sales", id=target["id"], key=project_key))["replayed"] is False

    assign = """mutation($id: ID!, $owner: String!) { assignCustomer(customerId: $id, owner: $owner) { __typename } }"""
    assert (await gw.one(assign, id=target["id"], owner="李强"))["__typename"] == "AssignmentPayload"
    replayed = await gw.one(note, "k-sales", id=target["id"], key=note_key)
    assert (replayed["__typename"], replayed["reason"]) == ("RuleViolationError", "NOT_FOUND")
    project = await gw.one(file, "k-sales", id=target["id"], key=project_key)
    assert project == {"__typename": "RuleViolationError", "reason": "CUSTOMER_OF_ANOTHER_PARTNER"}
    assert gw.calls(ALIYUN, "CustomerNoteCreate") == 1

    # Another principal's key is just another key: the admin's same key is a new note, not the sales key's.
    by_admin = await gw.one(note, id=target["id"], key=note_key)
    assert by_admin["operation"]["replayed"] is False
    assert by_admin["operation"]["operationId"] != first["operation"]["operationId"]
    assert gw.calls(ALIYUN, "CustomerNoteCreate") == 2
