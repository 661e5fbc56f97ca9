"""Commissionable products, renewal rates and the partner's own bill and commission files (Aliyun A.7.11, A.7.15,
A.8.2, A.8.4) through the graph, over the embedded demo's simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from adapters.aliyun.simulator._records import OssPush
from tests.support.mutations_demo import ALIYUN, HUAWEI, Demo, demo, partner_id

pytestmark = pytest.mark.anyio

PRODUCTS = """query($p: ID!) { node(id: $p) { ... on Partner { commissionableProducts(first: 100) {
  totalCount nodes { productCode productName commodityCode eligibleForCommission startMonth endMonth status } } } } }"""
RATES = """query($p: ID!, $q: String!) { node(id: $p) { ... on Partner { renewalRates(quarter: $q) {
  quarter renewalDue { amount currency } renewed { amount } rate customerDue { amount } customerRenewed { amount }
  resellerDue { amount } resellerRenewed { amount } } } } }"""
FILES = """query($p: ID!, $m: String!) { node(id: $p) { ... on Partner { billFiles(month: $m) {
  kind month name url ready status policy } } } }"""


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running:
        yield running


async def post(gw: Demo, document: str, api_key: str = "k-admin", **variables: Any) -> dict[str, Any]:
    response = await gw.client.post(
        "/graphql", json={"query": document, "variables": variables}, headers={"authorization": f"Bearer {api_key}"}
    )
    body: dict[str, Any] = response.json()
    return body


def last_month() -> str:
    first = datetime.now(UTC).replace(day=1) - timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


async def test_commissionable_products_are_the_clouds_list(gw: Demo) -> None:
    listed = (await gw.ask(PRODUCTS, p=partner_id(ALIYUN)))["node"]["commissionableProducts"]
    assert listed["totalCount"] == len(listed["nodes"]) > 0
    assert all(p["productCode"] and p["startMonth"] for p in listed["nodes"])
    assert gw.calls(ALIYUN, "GetCommissionableProducts") >= 1
    sales = await post(gw, PRODUCTS, "k-sales", p=partner_id(ALIYUN))
    assert {e["extensions"]["code"] for e in sales["errors"]} == {"FORBIDDEN"}
    huawei = await post(gw, PRODUCTS, p=partner_id(HUAWEI))
    assert {e["extensions"]["code"] for e in huawei["errors"]} == {"UNSUPPORTED_BY_PROVIDER"}


async def test_renewal_rates_of_a_quarter(gw: Demo) -> None:
    now = datetime.now(UTC)
    fiscal = now.year + 1 if now.month >= 4 else now.year  # Aliyun's fiscal year starts in April
    quarter = f"{fiscal}Q{((now.month - 4) % 12) // 3 + 1}"
    [rate] = (await gw.ask(RATES, p=partner_id(ALIYUN), q=quarter))["node"]["renewalRates"]
    assert rate["quarter"] == quarter
    due, renewed = Decimal(rate["renewalDue"]["amount"]), Decimal(rate["renewed"]["amount"])
    assert rate["renewalDue"]["currency"] == "CNY"
    assert 0 < renewed <= due
    assert Decimal(rate["rate"]) == pytest.approx(renewed / due, abs=Decimal("0.001"))
    assert due == Decimal(rate["customerDue"]["amount"]) + Decimal(rate["resellerDue"]["amount"])
    for bad in ("2026-Q1", "2026Q5", "Q1"):
        refused = await post(gw, RATES, p=partner_id(ALIYUN), q=bad)
        assert [e["extensions"] for e in refused["errors"]] == [{"code": "BAD_USER_INPUT", "field": "quarter"}]
    future = await post(gw, RATES, p=partner_id(ALIYUN), q=f"{fiscal + 2}Q1")
    assert future["data"]["node"]["renewalRates"] is None
    assert future["errors"][0]["extensions"]["code"] != "INTERNAL"


async def test_bill_files_link_to_the_month_and_commission_files_become_ready(gw: Demo) -> None:
    month = last_month()
    files = (await gw.ask(FILES, p=partner_id(ALIYUN), m=month))["node"]["billFiles"]
    [bill] = [f for f in files if f["kind"] == "MONTHLY_BILL"]
    assert (bill["month"], bill["ready"]) == (month, True)
    link = urlsplit(bill["url"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gw.aliyun), base_url="http://sim") as sim:
        served = await sim.get(f"{link.path}?{link.query}" if link.query else link.path)
    assert served.status_code == 200
    assert served.text.splitlines()[0]  # a header row
    assert not [f for f in files if f["kind"] == "COMMISSION_DETAIL"]  # nothing pushed to the partner's OSS yet
    # The partner pushes the month's commission files to its OSS bucket (from the console, or a tool of its own).
    (partner,) = gw.aliyun.state.partners.values()
    names = [(f"{partner.uid}_Commission_P1_{month.replace('-', '')}.csv", "新客户拓展返佣")]
    push = OssPush(
        "GetCommissionDetailFileList",
        month.replace("-", ""),
        "pg-bills",
        "oss-cn-hangzhou.aliyuncs.com",
        "cn-hangzhou",
        gw.aliyun.state.now(),
        names,
    )
    partner.oss_pushes.append(push)
    files = (await gw.ask(FILES, p=partner_id(ALIYUN), m=month))["node"]["billFiles"]
    commissions = [f for f in files if f["kind"] == "COMMISSION_DETAIL"]
    assert [(f["name"], f["policy"], f["status"]) for f in commissions] == [(names[0][0], names[0][1], "Processing")]
    assert all(not f["ready"] and f["url"] is None for f in commissions)  # the push has just started
    gw.aliyun.state.advance(timedelta(minutes=6))
    later = (await gw.ask(FILES, p=partner_id(ALIYUN), m=month))["node"]["billFiles"]
    ready = [f for f in later if f["kind"] == "COMMISSION_DETAIL"]
    assert {f["name"] for f in ready} == {f["name"] for f in commissions}
    assert all(f["ready"] and f["url"] for f in ready)
    refused = await post(gw, FILES, p=partner_id(ALIYUN), m="2026-13")
    assert [e["extensions"] for e in refused["errors"]] == [{"code": "BAD_USER_INPUT", "field": "month"}]
    sales = await post(gw, FILES, "k-sales", p=partner_id(ALIYUN), m=month)
    assert {e["extensions"]["code"] for e in sales["errors"]} == {"FORBIDDEN"}
