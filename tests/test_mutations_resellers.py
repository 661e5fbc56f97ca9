"""Reseller, voucher-quota and voucher mutations through the GraphQL API over both real simulators, the
tier-1-only rule for other partner roles, and idempotency: each with its error paths, state read back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from tests.support.mutations_demo import (
    ALIYUN,
    ALIYUN_T2,
    HUAWEI,
    HUAWEI_T2,
    HUAWEI_T2_DOMAIN,
    HUAWEI_T2B_DOMAIN,
    RECEIPT,
    REFUSALS,
    Demo,
    demo,
    global_id,
    key,
    partner_id,
)

pytestmark = pytest.mark.anyio

RESELLER = """reseller { id nativeId funds { available { amount } }
  voucherQuotas(first: 20) { nodes { nativeId parentId status total { amount } remaining { amount } } } }"""
INVITE = f"""mutation($input: InviteResellerInput!, $key: String!) {{
  inviteReseller(input: $input, idempotencyKey: $key) {{ __typename ... on ResellerPayload {{ {RECEIPT} }} {REFUSALS} }}
}}"""


def reseller_money(name: str) -> str:
    return f"""mutation($id: ID!, $amount: Decimal!, $key: String!) {{
  {name}(resellerId: $id, amount: {{amount: $amount}}, idempotencyKey: $key) {{
    __typename ... on ResellerPayload {{ {RECEIPT} {RESELLER} }} {REFUSALS}
  }}
}}"""


ALLOCATE, RECLAIM_FUNDS = reseller_money("allocateResellerFunds"), reseller_money("reclaimResellerFunds")
GRANT = f"""mutation($id: ID!, $parent: String!, $amount: Decimal!, $key: String!) {{
  grantVoucherQuota(resellerId: $id, parentQuotaId: $parent, amount: {{amount: $amount}}, idempotencyKey: $key) {{
    __typename ... on ResellerPayload {{ {RECEIPT} {RESELLER} }} {REFUSALS}
  }}
}}"""
RECLAIM_QUOTA = f"""mutation($partner: ID!, $quota: String!, $key: String!) {{
  reclaimVoucherQuota(partnerId: $partner, quotaId: $quota, idempotencyKey: $key) {{
    __typename ... on ResellerPayload {{ {RECEIPT} }} {REFUSALS}
  }}
}}"""
VOUCHER = "id nativeId status sourceId faceValue { amount } remaining { amount } customer { id }"
ISSUE = f"""mutation($id: ID!, $input: IssueVoucherInput!, $key: String!) {{
  issueVoucher(customerId: $id, input: $input, idempotencyKey: $key) {{
    __typename ... on VoucherPayload {{ {RECEIPT} vouchers {{ {VOUCHER} }} customer {{ vouchers {{ id status }} }} }}
    {REFUSALS}
  }}
}}"""
RECLAIM_VOUCHER = f"""mutation($id: ID!, $key: String!) {{
  reclaimVoucher(voucherId: $id, idempotencyKey: $key) {{
    __typename ... on VoucherPayload {{ {RECEIPT} vouchers {{ {VOUCHER} }} }} {REFUSALS}
  }}
}}"""
HUAWEI_PARTNER = """{ partners(provider: "huaweicloud") { nodes { balances { kind amount { amount } }
  voucherQuotas(first: 20) { nodes { nativeId status remaining { amount } } } } } }"""
CUSTOMERS = (
    """query($filter: CustomerFilterInput) { customers(first: 100, filter: $filter) { nodes { id nativeId } } }"""
)
TEMPLATES = """{ vouchers(first: 100, filter: {provider: "aliyun"}) { nodes { sourceId } } }"""

T2 = global_id("Reseller", HUAWEI, HUAWEI_T2_DOMAIN)
PARENT_QUOTA = "Q9f74bcf0ee830296"  # the tier-1's first normal quota (docs: granted from to each tier-2)


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running_demo:
        yield running_demo


async def huawei_partner(gw: Demo) -> tuple[Decimal, dict[str, Decimal]]:
    """The tier-1's allocatable balance and its quotas' remaining amounts."""
    (partner,) = (await gw.ask(HUAWEI_PARTNER))["partners"]["nodes"]
    pool = next(Decimal(b["amount"]["amount"]) for b in partner["balances"] if b["kind"] == "ALLOCATABLE")
    quotas = {q["nativeId"]: Decimal(q["remaining"]["amount"]) for q in partner["voucherQuotas"]["nodes"]}
    return pool, quotas


async def customer(gw: Demo, account_id: str, account_type: str) -> str:
    where = {"partnerIds": [partner_id(account_id)], "accountType": account_type, "status": "ASSOCIATED"}
    nodes = (await gw.ask(CUSTOMERS, filter=where))["customers"]["nodes"]
    return str(nodes[0]["id"])


def funds(payload: dict[str, Any]) -> Decimal:
    return Decimal(payload["reseller"]["funds"]["available"]["amount"])


def refusal(answer: dict[str, Any]) -> tuple[str, str]:
    return answer["__typename"], answer["reason"]


# -- inviteReseller ------------------------------------------------------------------------------------------


async def test_an_aliyun_distributor_invites_a_tier2_reseller(gw: Demo) -> None:
    data = {"partnerId": partner_id(ALIYUN), "name": "成都新伙伴科技有限公司", "email": "bd@new-partner.cn"}
    invited = await gw.one(INVITE, input={**data, "creditLine": {"amount": "5000.00"}}, key=key())
    assert invited["__typename"] == "ResellerPayload", invited
    [invite_id] = invited["operation"]["upstreamIds"]
    assert invited["operation"]["details"]["invitationId"] == invite_id
    assert invited["operation"]["details"]["registrationUrl"]
    assert gw.calls(ALIYUN, "InviteSubReseller") == 1
    (partner,) = gw.aliyun.state.partners.values()
    assert any(str(i.invite_id) == invite_id and i.email == data["email"] for i in partner.invitations)

    bad = await gw.one(INVITE, input={**data, "email": "not-an-email"}, key=key())
    assert (bad["__typename"], bad["field"]) == ("InvalidInputError", "input.email")
    taken = await gw.one(INVITE, input={**data, "email": "taken01@example.cn"}, key=key())
    assert refusal(taken) == ("UpstreamError", "CUSTOMER_OF_ANOTHER_PARTNER")
    assert taken["upstreamCode"] == "AccountBelongsToAnotherPartner"
    huawei = await gw.one(INVITE, input={**data, "partnerId": partner_id(HUAWEI)}, key=key())
    # Huawei has no API to invite a tier-2 (X.3): not a wrong role, no such operation.
    assert (huawei["__typename"], huawei["provider"]) == ("UnsupportedError", "huaweicloud")
    sales = await gw.one(INVITE, "k-sales", input=data, key=key())
    assert refusal(sales) == ("RuleViolationError", "ROLE_NOT_ALLOWED")
    assert gw.calls(ALIYUN, "InviteSubReseller") == 2  # the taken account reached the upstream; nothing else did


# -- reseller funds and voucher quota (Huawei tier-1) -------------------------------------------------------


async def test_funds_move_to_and_from_a_tier2_reseller(gw: Demo) -> None:
    pool, _ = await huawei_partner(gw)
    given = await gw.one(ALLOCATE, "k-finance", id=T2, amount="250.00", key=key())
    assert given["__typename"] == "ResellerPayload", given
    assert funds(given) == Decimal("50250.00")
    assert (await huawei_partner(gw))[0] == pool - 250

    taken = await gw.one(RECLAIM_FUNDS, "k-finance", id=T2, amount="50.25", key=key())
    assert taken["__typename"] == "ResellerPayload", taken
    assert funds(taken) == Decimal("50199.75")
    assert (await huawei_partner(gw))[0] == pool - Decimal("199.75")

    over = await gw.one(ALLOCATE, "k-finance", id=T2, amount="5000000.00", key=key())
    assert refusal(over) == ("UpstreamError", "INSUFFICIENT_FUNDS")
    assert (over["upstreamCode"], bool(over["requestId"])) == ("CBC.99006001", True)
    under = await gw.one(RECLAIM_FUNDS, "k-finance", id=T2, amount="60000.00", key=key())
    assert refusal(under) == ("UpstreamError", "INSUFFICIENT_FUNDS")
    for api_key, amount, reason in (("k-sales", "1.00", "ROLE_NOT_ALLOWED"), ("k-admin", "0.001", "INVALID_INPUT")):
        refused = await gw.one(ALLOCATE, api_key, id=T2, amount=amount, key=key())
        assert refusal(refused) == ("RuleViolationError", reason)
    assert (await huawei_partner(gw))[0] == pool - Decimal("199.75")
    assert gw.calls(HUAWEI, "update_indirect_partner_account") == 2  # the allocation and the over-allocation


async def test_voucher_quota_is_granted_to_a_tier2_and_reclaimed(gw: Demo) -> None:
    _, quotas = await huawei_partner(gw)
    granted = await gw.one(GRANT, "k-finance", id=T2, parent=PARENT_QUOTA, amount="500.00", key=key())
    assert granted["__typename"] == "ResellerPayload", granted
    [quota_id] = granted["operation"]["upstreamIds"]
    new = next(q for q in granted["reseller"]["voucherQuotas"]["nodes"] if q["nativeId"] == quota_id)
    assert (new["parentId"], new["status"], Decimal(new["remaining"]["amount"])) == (PARENT_QUOTA, "ACTIVE", 500)
    assert (await huawei_partner(gw))[1][PARENT_QUOTA] == quotas[PARENT_QUOTA] - 500

    over = await gw.one(GRANT, "k-finance", id=T2, parent=PARENT_QUOTA, amount="900000.00", key=key())
    assert refusal(over) == ("UpstreamError", "INSUFFICIENT_FUNDS")
    assert over["upstreamCode"] == "CBC.99006005"

    reclaimed = await gw.one(RECLAIM_QUOTA, "k-finance", partner=partner_id(HUAWEI), quota=quota_id, key=key())
    assert reclaimed["__typename"] == "ResellerPayload", reclaimed
    assert reclaimed["operation"]["upstreamIds"] == [quota_id]
    assert (await huawei_partner(gw))[1][PARENT_QUOTA] == quotas[PARENT_QUOTA]
    reseller = await gw.ask(f"query($id: ID!) {{ node(id: $id) {{ ... on Reseller {RESELLER[8:]} }} }}", id=T2)
    states = {q["nativeId"]: q["status"] for q in reseller["node"]["voucherQuotas"]["nodes"]}
    assert states[quota_id] == "RECLAIMED"

    again = await gw.one(RECLAIM_QUOTA, "k-finance", partner=partner_id(HUAWEI), quota=quota_id, key=key())
    assert again["__typename"] == "UpstreamError"
    assert again["upstreamCode"] == "CBC.99006009"
    sales = await gw.one(GRANT, "k-sales", id=T2, parent=PARENT_QUOTA, amount="1.00", key=key())
    assert refusal(sales) == ("RuleViolationError", "ROLE_NOT_ALLOWED")


# -- issueVoucher and reclaimVoucher ------------------------------------------------------------------------


async def test_aliyun_voucher_from_a_template_is_issued_and_cancelled(gw: Demo) -> None:
    consignment = await customer(gw, ALIYUN, "CONSIGNMENT")
    template = sorted({v["sourceId"] for v in (await gw.ask(TEMPLATES))["vouchers"]["nodes"]})[0]
    issued = await gw.one(ISSUE, "k-finance", id=consignment, input={"templateId": template}, key=key())
    assert issued["__typename"] == "VoucherPayload", issued
    [voucher] = issued["vouchers"]
    assert (voucher["sourceId"], voucher["status"], voucher["customer"]["id"]) == (template, "AVAILABLE", consignment)
    assert {"id": voucher["id"], "status": "AVAILABLE"} in issued["customer"]["vouchers"]

    cancelled = await gw.one(RECLAIM_VOUCHER, "k-finance", id=voucher["id"], key=key())
    assert cancelled["__typename"] == "VoucherPayload", cancelled
    assert cancelled["vouchers"][0]["status"] == "RECLAIMED"
    again = await gw.one(RECLAIM_VOUCHER, "k-finance", id=voucher["id"], key=key())
    assert again["__typename"] == "UpstreamError"
    assert again["upstreamCode"] == "InvalidCouponStatus"

    agency = await customer(gw, ALIYUN, "AGENCY")
    refused = await gw.one(ISSUE, "k-finance", id=agency, input={"templateId": template}, key=key())
    assert refusal(refused) == ("RuleViolationError", "ACCOUNT_TYPE_NOT_ALLOWED")
    no_template = await gw.one(ISSUE, "k-finance", id=consignment, input={"quotaId": PARENT_QUOTA}, key=key())
    assert no_template["__typename"] == "InvalidInputError"
    assert gw.calls(ALIYUN, "IssueCouponForCustomer") == 1


async def test_huawei_voucher_from_a_quota_is_issued_and_reclaimed(gw: Demo) -> None:
    resale = await customer(gw, HUAWEI, "RESALE")
    _, quotas = await huawei_partner(gw)
    face = {"quotaId": PARENT_QUOTA, "faceValue": {"amount": "88.00"}}
    issued = await gw.one(ISSUE, "k-finance", id=resale, input=face, key=key())
    assert issued["__typename"] == "VoucherPayload", issued
    [voucher] = issued["vouchers"]
    assert (Decimal(voucher["faceValue"]["amount"]), voucher["status"]) == (Decimal(88), "AVAILABLE")
    assert voucher["id"] in {v["id"] for v in issued["customer"]["vouchers"]}
    assert (await huawei_partner(gw))[1][PARENT_QUOTA] == quotas[PARENT_QUOTA] - 88

    reclaimed = await gw.one(RECLAIM_VOUCHER, "k-finance", id=voucher["id"], key=key())
    assert reclaimed["__typename"] == "VoucherPayload", reclaimed
    assert reclaimed["vouchers"][0]["status"] == "RECLAIMED"
    assert (await huawei_partner(gw))[1][PARENT_QUOTA] == quotas[PARENT_QUOTA]
    again = await gw.one(RECLAIM_VOUCHER, "k-finance", id=voucher["id"], key=key())
    assert (again["__typename"], again["upstreamCode"]) == ("UpstreamError", "CBC.99006006")

    advisory = await customer(gw, HUAWEI, "ADVISORY")
    refused = await gw.one(ISSUE, "k-finance", id=advisory, input=face, key=key())
    assert refusal(refused) == ("RuleViolationError", "ACCOUNT_TYPE_NOT_ALLOWED")
    for bad in ({"quotaId": PARENT_QUOTA}, {"quotaId": PARENT_QUOTA, "faceValue": {"amount": "0"}}):
        answer = await gw.one(ISSUE, "k-finance", id=resale, input=bad, key=key())
        assert answer["__typename"] in ("InvalidInputError", "RuleViolationError")
    too_big = {"quotaId": PARENT_QUOTA, "faceValue": {"amount": "999999.00"}}
    over = await gw.one(ISSUE, "k-finance", id=resale, input=too_big, key=key())
    assert refusal(over) == ("UpstreamError", "INSUFFICIENT_FUNDS")
    assert gw.calls(HUAWEI, "create_partner_coupons") == 2  # the voucher and the one over the quota


# -- the tier-1-only rule ------------------------------------------------------------------------------------


async def test_tier1_only_operations_are_refused_for_other_roles_before_any_upstream_call() -> None:
    async with demo(tiers=True) as gw:
        other = global_id("Reseller", HUAWEI_T2, HUAWEI_T2B_DOMAIN)
        for document, variables in (
            (ALLOCATE, {"id": other, "amount": "10.00"}),
            (RECLAIM_FUNDS, {"id": other, "amount": "10.00"}),
            (GRANT, {"id": other, "parent": "Q9f74bcf000000000", "amount": "10.00"}),
            (RECLAIM_QUOTA, {"partner": partner_id(HUAWEI_T2), "quota": "Q9f74bcf000000000"}),
        ):
            refused = await gw.one(document, "k-finance", key=key(), **variables)
            assert refusal(refused) == ("RuleViolationError", "ROLE_NOT_ALLOWED"), refused
            assert "tier1-distributor" in refused["message"]
        assert gw.requests(HUAWEI_T2) == 0
        data = {"partnerId": partner_id(ALIYUN_T2), "name": "二级伙伴邀请测试", "email": "t3@pg-test.cn"}
        refused = await gw.one(INVITE, input=data, key=key())
        assert refusal(refused) == ("RuleViolationError", "ROLE_NOT_ALLOWED")
        assert gw.requests(ALIYUN_T2) == 0
        # The same calls from the tier-1 and the distributor do reach their upstreams.
        allowed = await gw.one(ALLOCATE, "k-finance", id=T2, amount="10.00", key=key())
        assert allowed["__typename"] == "ResellerPayload", allowed
        invited = await gw.one(INVITE, input={**data, "partnerId": partner_id(ALIYUN)}, key=key())
        assert invited["__typename"] == "ResellerPayload", invited


# -- idempotency over the simulators -------------------------------------------------------------------------


async def test_a_repeated_key_is_replayed_without_a_second_upstream_write(gw: Demo) -> None:
    first_key = key()
    first = await gw.one(ALLOCATE, "k-finance", id=T2, amount="75.00", key=first_key)
    again = await gw.one(ALLOCATE, "k-finance", id=T2, amount="75.00", key=first_key)
    assert (first["operation"]["replayed"], again["operation"]["replayed"]) == (False, True)
    assert again["operation"]["upstreamIds"] == first["operation"]["upstreamIds"]
    assert again["operation"]["operationId"] == first["operation"]["operationId"]
    assert funds(again) == Decimal("50075.00")
    assert gw.calls(HUAWEI, "update_indirect_partner_account") == 1
    conflict = await gw.one(ALLOCATE, "k-finance", id=T2, amount="76.00", key=first_key)
    assert conflict == {"__typename": "IdempotencyConflictError", "key": first_key}
    assert gw.calls(HUAWEI, "update_indirect_partner_account") == 1

    consignment = await customer(gw, ALIYUN, "CONSIGNMENT")
    template = sorted({v["sourceId"] for v in (await gw.ask(TEMPLATES))["vouchers"]["nodes"]})[-1]
    issue_key = key()
    issued = await gw.one(ISSUE, "k-finance", id=consignment, input={"templateId": template}, key=issue_key)
    replayed = await gw.one(ISSUE, "k-finance", id=consignment, input={"templateId": template}, key=issue_key)
    assert replayed["operation"]["replayed"] is True
    assert [v["id"] for v in replayed["vouchers"]] == [v["id"] for v in issued["vouchers"]]
    assert gw.calls(ALIYUN, "IssueCouponForCustomer") == 1
    other = await gw.one(ISSUE, "k-finance", id=consignment, input={"templateId": "1"}, key=issue_key)
    assert other["__typename"] == "IdempotencyConflictError"

    refused_key = key()  # a definite upstream refusal is replayed too, not resent
    for _ in range(2):
        over = await gw.one(ALLOCATE, "k-finance", id=T2, amount="5000000.00", key=refused_key)
        assert refusal(over) == ("UpstreamError", "INSUFFICIENT_FUNDS")
    assert gw.calls(HUAWEI, "update_indirect_partner_account") == 2
