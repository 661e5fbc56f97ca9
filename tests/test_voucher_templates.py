"""Voucher templates and tier-2 voucher applications (Aliyun A.7) through the graph, over the embedded demo: a
template is applied for, listed in review, approved by the cloud, issued from, deleted and then refused; a tier-2's
application is decided once; every refusal comes before an upstream call; a lost reply is settled from the
cloud's records."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from adapters._simkit.faults import Fault, FaultKind
from tests.support.mutations_demo import ALIYUN, HUAWEI, RECEIPT, REFUSALS, Demo, demo, key, partner_id

pytestmark = pytest.mark.anyio

TEMPLATE_FIELDS = "nativeId name status faceValue { amount currency } validUntil limitPerCustomer reason"
TEMPLATES = f"""query($p: ID!) {{ node(id: $p) {{ ... on Partner {{
  voucherTemplates(first: 100) {{ totalCount nodes {{ {TEMPLATE_FIELDS} }} }} voucherTemplateProducts }} }} }}"""
APPLICATIONS = """query($p: ID!) { node(id: $p) { ... on Partner {
  voucherApplications(first: 100) { totalCount nodes { nativeId status resellerName total { amount } } } } } }"""
APPLICATION = """query($p: ID!, $id: String!) { node(id: $p) { ... on Partner {
  voucherApplication(nativeId: $id) { nativeId status total { amount } grants { customerId faceValue { amount } }
  remainingQuota { amount } } } } }"""
CREATE = f"""mutation($input: VoucherTemplateInput!, $key: String!) {{
  createVoucherTemplate(input: $input, idempotencyKey: $key) {{
    __typename ... on TemplatePayload {{ {RECEIPT} templateId }} {REFUSALS} }} }}"""
DELETE = f"""mutation($p: ID!, $id: String!, $key: String!) {{
  deleteVoucherTemplate(partnerId: $p, templateId: $id, idempotencyKey: $key) {{
    __typename ... on TemplatePayload {{ {RECEIPT} templateId }} {REFUSALS} }} }}"""
DECIDE = f"""mutation($p: ID!, $id: String!, $approve: Boolean!, $key: String!) {{
  decideVoucherApplication(partnerId: $p, applicationId: $id, approve: $approve, comment: "审核意见",
    idempotencyKey: $key) {{
    __typename ... on TemplatePayload {{ {RECEIPT} applicationId }} {REFUSALS} }} }}"""
ISSUE = f"""mutation($c: ID!, $t: String!, $key: String!) {{
  issueVoucher(customerId: $c, input: {{templateId: $t}}, idempotencyKey: $key) {{
    __typename ... on VoucherPayload {{ vouchers {{ id status }} }} {REFUSALS} }} }}"""
CUSTOMERS = """query($f: CustomerFilterInput) { customers(first: 5, filter: $f) { nodes { id } } }"""


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running:
        yield running


def template_input(name: str, amount: str = "200.00", **more: Any) -> dict[str, Any]:
    return {
        "partnerId": partner_id(ALIYUN),
        "name": name,
        "faceValue": {"amount": amount},
        "validDays": 30,
        "reason": "新客户首购激励",
        **more,
    }


async def templates(gw: Demo, api_key: str = "k-admin") -> dict[str, Any]:
    return (await gw.ask(TEMPLATES, api_key, p=partner_id(ALIYUN)))["node"]


async def test_a_template_is_reviewed_issued_from_then_deleted(gw: Demo) -> None:
    created = await gw.one(CREATE, "k-finance", input=template_input("春季满减券"), key=key())
    assert created["__typename"] == "TemplatePayload", created
    template_id = created["templateId"]
    assert created["operation"]["upstreamIds"] == [template_id]
    listed = {t["nativeId"]: t for t in (await templates(gw))["voucherTemplates"]["nodes"]}
    assert listed[template_id]["status"] == "PENDING"
    assert listed[template_id]["faceValue"] == {"amount": "200.00", "currency": "CNY"}
    assert listed[template_id]["validUntil"] == "30 days after issue"

    [target] = (await gw.ask(CUSTOMERS, f={"partnerIds": [partner_id(ALIYUN)], "status": "ASSOCIATED"}))["customers"][
        "nodes"
    ][:1]
    early = await gw.one(ISSUE, c=target["id"], t=template_id, key=key())
    assert early["__typename"] in ("UpstreamError", "RuleViolationError"), early  # not approved yet

    gw.aliyun.state.advance(timedelta(minutes=11))  # the cloud's review
    listed = {t["nativeId"]: t for t in (await templates(gw))["voucherTemplates"]["nodes"]}
    assert listed[template_id]["status"] == "APPROVED"
    issued = await gw.one(ISSUE, c=target["id"], t=template_id, key=key())
    assert issued["__typename"] == "VoucherPayload", issued

    deleted = await gw.one(DELETE, p=partner_id(ALIYUN), id=template_id, key=key())
    assert (deleted["__typename"], deleted["templateId"]) == ("TemplatePayload", template_id)
    assert template_id not in {t["nativeId"] for t in (await templates(gw))["voucherTemplates"]["nodes"]}
    refused = await gw.one(ISSUE, c=target["id"], t=template_id, key=key())
    assert refused["__typename"] != "VoucherPayload"
    again = await gw.one(DELETE, p=partner_id(ALIYUN), id=template_id, key=key())
    assert (again["__typename"], again["reason"]) == ("UpstreamError", "NOT_FOUND"), again


async def test_template_input_is_checked_before_any_upstream_call(gw: Demo) -> None:
    products = (await templates(gw))["voucherTemplateProducts"]
    assert products
    assert "ecs" in products
    for bad, field in (
        (template_input("", "10.00"), "input.name"),
        (template_input("无理由", reason=" "), "input.reason"),
        (template_input("太长", validDays=0), "input.validDays"),
        (template_input("上限", limitPerCustomer=0), "input.limitPerCustomer"),
    ):
        refused = await gw.one(CREATE, input=bad, key=key())
        assert (refused["__typename"], refused["field"]) == ("InvalidInputError", field), refused
    wrong_currency = await gw.one(
        CREATE, input=template_input("美元", faceValue={"amount": "5", "currency": "USD"}), key=key()
    )
    assert (wrong_currency["__typename"], wrong_currency["field"]) == ("InvalidInputError", "input.faceValue")
    sales = await gw.one(CREATE, "k-sales", input=template_input("销售"), key=key())
    assert (sales["__typename"], sales["reason"]) == ("RuleViolationError", "ROLE_NOT_ALLOWED")
    huawei = await gw.one(CREATE, input={**template_input("华为"), "partnerId": partner_id(HUAWEI)}, key=key())
    assert huawei == {"__typename": "UnsupportedError", "provider": "huaweicloud"}
    assert gw.calls(ALIYUN, "CreateCouponTemplate") == 0
    refused = await gw.one(CREATE, input=template_input("未知产品", productTypes=["not-a-product"]), key=key())
    assert refused["__typename"] == "UpstreamError", refused  # the cloud's own check
    assert refused["reason"] == "INVALID_INPUT"


async def test_templates_are_not_for_sales_keys(gw: Demo) -> None:
    response = await gw.client.post(
        "/graphql",
        json={"query": TEMPLATES, "variables": {"p": partner_id(ALIYUN)}},
        headers={"authorization": "Bearer k-sales"},
    )
    body = response.json()
    assert body["data"]["node"]["voucherTemplates"] is None
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}


async def test_a_repeated_key_replays_and_a_lost_reply_is_settled_once(gw: Demo) -> None:
    idempotency_key = key()
    first = await gw.one(CREATE, input=template_input("重复券"), key=idempotency_key)
    again = await gw.one(CREATE, input=template_input("重复券"), key=idempotency_key)
    assert again["operation"]["replayed"] is True
    assert again["templateId"] == first["templateId"]
    assert gw.calls(ALIYUN, "CreateCouponTemplate") == 1

    gw.aliyun.faults.add(Fault(FaultKind.AMBIGUOUS, "CreateCouponTemplate", remaining=1))
    lost_key = key()
    answer = await gw.one(CREATE, input=template_input("丢失回复券"), key=lost_key)
    for _ in range(50):
        if answer["__typename"] == "TemplatePayload":
            break
        assert answer["pending"] is True, answer
        await asyncio.sleep(0.1)
        answer = await gw.one(CREATE, input=template_input("丢失回复券"), key=lost_key)
    assert answer["operation"]["reconciled"] is True
    listed = [t for t in (await templates(gw))["voucherTemplates"]["nodes"] if t["name"] == "丢失回复券"]
    assert [t["nativeId"] for t in listed] == [answer["templateId"]]  # created once, found by the settlement
    assert gw.calls(ALIYUN, "CreateCouponTemplate") == 2


async def test_a_tier2_application_is_decided_once(gw: Demo) -> None:
    listing = (await gw.ask(APPLICATIONS, p=partner_id(ALIYUN)))["node"]["voucherApplications"]
    pending = [a for a in listing["nodes"] if a["status"] == "PENDING"]
    assert len(pending) >= 2
    target = pending[0]["nativeId"]
    detail = (await gw.ask(APPLICATION, p=partner_id(ALIYUN), id=target))["node"]["voucherApplication"]
    assert detail["grants"]
    assert sum(float(g["faceValue"]["amount"]) for g in detail["grants"]) == pytest.approx(
        float(detail["total"]["amount"])
    )

    sales = await gw.one(DECIDE, "k-sales", p=partner_id(ALIYUN), id=target, approve=True, key=key())
    assert (sales["__typename"], sales["reason"]) == ("RuleViolationError", "ROLE_NOT_ALLOWED")
    idempotency_key = key()
    approved = await gw.one(DECIDE, "k-finance", p=partner_id(ALIYUN), id=target, approve=True, key=idempotency_key)
    assert (approved["__typename"], approved["applicationId"]) == ("TemplatePayload", target), approved
    replay = await gw.one(DECIDE, "k-finance", p=partner_id(ALIYUN), id=target, approve=True, key=idempotency_key)
    assert replay["operation"]["replayed"] is True
    detail = (await gw.ask(APPLICATION, p=partner_id(ALIYUN), id=target))["node"]["voucherApplication"]
    assert detail["status"] == "APPROVED"
    second = await gw.one(DECIDE, p=partner_id(ALIYUN), id=target, approve=False, key=key())
    assert (second["__typename"], second["reason"]) == ("UpstreamError", "ALREADY_EXISTS"), second
    assert gw.calls(ALIYUN, "ProcessApproval") == 2  # the approval and the refused second decision
    unknown = await gw.ask(APPLICATION, p=partner_id(ALIYUN), id="no-such-sheet")
    assert unknown["node"]["voucherApplication"] is None


async def test_a_lost_decision_is_settled_from_the_application(gw: Demo) -> None:
    listing = (await gw.ask(APPLICATIONS, p=partner_id(ALIYUN)))["node"]["voucherApplications"]
    target = next(a["nativeId"] for a in listing["nodes"] if a["status"] == "PENDING")
    gw.aliyun.faults.add(Fault(FaultKind.AMBIGUOUS, "ProcessApproval", remaining=1))
    idempotency_key = key()
    answer = await gw.one(DECIDE, p=partner_id(ALIYUN), id=target, approve=False, key=idempotency_key)
    for _ in range(50):
        if answer["__typename"] == "TemplatePayload":
            break
        await asyncio.sleep(0.1)
        answer = await gw.one(DECIDE, p=partner_id(ALIYUN), id=target, approve=False, key=idempotency_key)
    assert answer["operation"]["reconciled"] is True, answer
    detail = (await gw.ask(APPLICATION, p=partner_id(ALIYUN), id=target))["node"]["voucherApplication"]
    assert detail["status"] == "REJECTED"
    assert gw.calls(ALIYUN, "ProcessApproval") == 1
