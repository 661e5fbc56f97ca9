"""Huawei's bill-side extras through the graph (CONTRACTS.md H.6.4-H.6.9), over the embedded demo's simulators:
the voucher log moves with the voucher writes, new-customer tags match the simulator's rule, incentive policies,
the catalogue and subscription price quotes are read and checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.huaweicloud.simulator._promotions import _tag
from tests.support.mutations_demo import ALIYUN, HUAWEI, REFUSALS, Demo, demo, key, partner_id

pytestmark = pytest.mark.anyio

PARENT_QUOTA = "Q9f74bcf0ee830296"  # the demo tier-1's first voucher quota (docs/simulator-huaweicloud.md)
RECORDS = """query($p: ID!, $c: String) { node(id: $p) { ... on Partner {
  voucherRecords(customerId: $c, first: 100) { totalCount nodes { nativeId kind amount { amount currency }
  succeeded voucherId customerId quotaId occurredAt reason } } } } }"""
OWN = """query($p: ID!) { node(id: $p) { ... on Partner {
  ownVouchers(first: 100) { totalCount nodes { nativeId faceValue { amount currency } status validUntil } } } } }"""
POLICIES = """query($p: ID!, $m: String!) { node(id: $p) { ... on Partner {
  incentivePolicies(month: $m) { serviceType serviceName policy allowsDiscount } } } }"""
CATALOGUE = """query($kind: CatalogueKind!, $parent: String) {
  catalogue(provider: "huaweicloud", kind: $kind, parentCode: $parent) { kind code name parentCode } }"""
TAGS = """query($f: CustomerFilterInput) { customers(first: 100, filter: $f) { nodes { nativeId newCustomerTag } } }"""
ISSUE = f"""mutation($id: ID!, $input: IssueVoucherInput!, $key: String!) {{
  issueVoucher(customerId: $id, input: $input, idempotencyKey: $key) {{
    __typename ... on VoucherPayload {{ vouchers {{ id nativeId }} }} {REFUSALS} }} }}"""
RECLAIM = f"""mutation($id: ID!, $key: String!) {{ reclaimVoucher(voucherId: $id, idempotencyKey: $key) {{
    __typename ... on VoucherPayload {{ vouchers {{ id status }} }} {REFUSALS} }} }}"""
QUOTE = """query($p: ID!, $items: [PriceItemInput!]!) { priceQuote(partnerId: $p, customerProjectId: "project-1",
  items: $items) { listPrice { amount } discount { amount } amount { amount currency }
  offers { discountId name kind listPrice { amount } discount { amount } amount { amount } best } } }"""
VM = {
    "region": "cn-north-1",
    "serviceType": "hws.service.type.ec2",
    "resourceType": "hws.resource.type.vm",
    "resourceSpec": "s6.small.1.linux",
}


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running:
        yield running


async def post(gw: Demo, document: str, **variables: Any) -> dict[str, Any]:
    response: httpx.Response = await gw.client.post(
        "/graphql", json={"query": document, "variables": variables}, headers={"authorization": "Bearer k-admin"}
    )
    body: dict[str, Any] = response.json()
    return body


async def resale_customer(gw: Demo) -> dict[str, Any]:
    where = {"partnerIds": [partner_id(HUAWEI)], "accountType": "RESALE", "status": "ASSOCIATED"}
    query = "query($f: CustomerFilterInput) { customers(first: 1, filter: $f) { nodes { id nativeId } } }"
    return (await gw.ask(query, f=where))["customers"]["nodes"][0]


async def test_the_voucher_log_shows_an_issue_and_its_reclaim(gw: Demo) -> None:
    target = await resale_customer(gw)
    before = (await gw.ask(RECORDS, p=partner_id(HUAWEI), c=target["nativeId"]))["node"]["voucherRecords"]
    face = {"quotaId": PARENT_QUOTA, "faceValue": {"amount": "66.00"}}
    issued = await gw.one(ISSUE, id=target["id"], input=face, key=key())
    [voucher] = issued["vouchers"]
    reclaimed = await gw.one(RECLAIM, id=voucher["id"], key=key())
    assert reclaimed["__typename"] == "VoucherPayload", reclaimed
    after = (await gw.ask(RECORDS, p=partner_id(HUAWEI), c=target["nativeId"]))["node"]["voucherRecords"]
    assert after["totalCount"] == before["totalCount"] + 2
    new = [r for r in after["nodes"] if r["voucherId"] == voucher["nativeId"]]
    assert sorted(r["kind"] for r in new) == ["ISSUE", "RECLAIM"]
    issue = next(r for r in new if r["kind"] == "ISSUE")
    assert (issue["amount"], issue["quotaId"], issue["succeeded"]) == (
        {"amount": "66.00", "currency": "CNY"},
        PARENT_QUOTA,
        True,
    )
    assert all(r["customerId"] == target["nativeId"] for r in after["nodes"])
    sales = await gw.client.post(
        "/graphql",
        json={"query": RECORDS, "variables": {"p": partner_id(HUAWEI)}},
        headers={"authorization": "Bearer k-sales"},
    )
    assert {e["extensions"]["code"] for e in sales.json()["errors"]} == {"FORBIDDEN"}


async def test_new_customer_tags_follow_the_simulators_rule(gw: Demo) -> None:
    answer = await post(gw, TAGS, f={"partnerIds": [partner_id(HUAWEI)]})
    shown = {c["nativeId"]: c["newCustomerTag"] for c in answer["data"]["customers"]["nodes"]}
    partner = next(p for p in gw.huawei.simulator.partners if any(c.customer_id in shown for c in p.customers))
    now = gw.huawei.simulator.clock()
    names = {"Y": "NEW", "N": "NOT_NEW", "UNDETERMINED": "UNDETERMINED", "": "NONE"}
    expected = {c.customer_id: names[_tag(c, now)["new_customer_tag"]] for c in partner.customers if c.visible(now)}
    assert {k: v for k, v in shown.items() if k in expected} == expected
    assert len(set(expected.values())) >= 2  # the seed has more than one kind of tag
    aliyun = await post(gw, TAGS, f={"partnerIds": [partner_id(ALIYUN)]})
    assert {e["extensions"]["code"] for e in aliyun["errors"]} == {"UNSUPPORTED_BY_PROVIDER"}


async def test_own_vouchers_incentive_policies_and_the_catalogue(gw: Demo) -> None:
    own = (await gw.ask(OWN, p=partner_id(HUAWEI)))["node"]["ownVouchers"]
    assert own["totalCount"] == len(own["nodes"]) > 0
    assert all(v["faceValue"]["currency"] == "CNY" for v in own["nodes"])

    policies = (await gw.ask(POLICIES, p=partner_id(HUAWEI), m="2026-11"))["node"]["incentivePolicies"]
    assert policies
    assert {p["policy"] for p in policies} <= {
        "NON_SPECIFIC_PRODUCT",
        "SPECIFIC_PRODUCT",
        "NO_PERFORMANCE_NO_REBATE",
        "PERFORMANCE_NO_REBATE",
    }
    bad = await post(gw, POLICIES, p=partner_id(HUAWEI), m="2026-13")
    assert [e["extensions"] for e in bad["errors"]] == [{"code": "BAD_USER_INPUT", "field": "month"}]

    services = (await gw.ask(CATALOGUE, kind="SERVICE_TYPES"))["catalogue"]
    codes = {s["code"] for s in services}
    assert "hws.service.type.ec2" in codes
    resources = (await gw.ask(CATALOGUE, kind="RESOURCE_TYPES", parent="hws.service.type.ec2"))["catalogue"]
    assert resources
    assert {r["parentCode"] for r in resources} == {"hws.service.type.ec2"}
    units = (await gw.ask(CATALOGUE, kind="MEASURE_UNITS"))["catalogue"]
    assert "1" in {u["code"] for u in units}  # yuan
    aliyun = await post(gw, 'query { catalogue(provider: "aliyun", kind: SERVICE_TYPES) { code } }')
    assert {e["extensions"]["code"] for e in aliyun["errors"]} == {"UNSUPPORTED_BY_PROVIDER"}


async def test_a_subscription_quote_lists_its_offers(gw: Demo) -> None:
    yearly = [{**VM, "periodUnit": "YEAR", "periodCount": 1}]
    quote = (await gw.ask(QUOTE, p=partner_id(HUAWEI), items=yearly))["priceQuote"]
    list_price = Decimal(quote["listPrice"]["amount"])
    assert list_price > 0
    for offer in quote["offers"]:
        assert Decimal(offer["amount"]["amount"]) == Decimal(offer["listPrice"]["amount"]) - Decimal(
            offer["discount"]["amount"]
        )
    if quote["offers"]:
        best = [o for o in quote["offers"] if o["best"]] or quote["offers"]
        assert Decimal(quote["amount"]["amount"]) == min(Decimal(o["amount"]["amount"]) for o in best)
    monthly = [{**VM, "periodUnit": "MONTH", "periodCount": 1}]
    month = (await gw.ask(QUOTE, p=partner_id(HUAWEI), items=monthly))["priceQuote"]
    assert Decimal(month["listPrice"]["amount"]) < list_price
    mixed = await post(gw, QUOTE, p=partner_id(HUAWEI), items=[*yearly, VM])
    assert [e["extensions"]["code"] for e in mixed["errors"]] == ["BAD_USER_INPUT"]
    half = await post(gw, QUOTE, p=partner_id(HUAWEI), items=[{**VM, "periodUnit": "YEAR"}])
    assert [e["extensions"]["code"] for e in half["errors"]] == ["BAD_USER_INPUT"]
    assert gw.calls(HUAWEI, "list_rate_on_period_detail") == 2
