"""Consumption through the graph: figures equal the sums of the upstream records they come from, per currency and
source; a salesperson's cover only its customers; ranges are checked; one failing account leaves the others'.

Over fake providers (records held in memory, ``tests.support.fakes``) and over the embedded demo (the Aliyun
simulator's paid orders)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.aliyun.simulator import PartnerState
from adapters.aliyun.simulator._records import OrderStatus
from adapters.huaweicloud._plugin import DEMO_DOMAIN_ID
from adapters.huaweicloud.simulator._history import add_consumption, fee_records
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig
from gateway.consumption import current_month, shift_month
from gateway.ids import encode_global_id
from gateway.models import ConsumptionLine, Money, month_of
from gateway.provider import Capability
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FakePlugin, unavailable
from tests.support.mutations_demo import ALIYUN, HUAWEI, SALES_OWNER, demo
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

CHINA = timezone(timedelta(hours=8))
KEYS = (
    ApiKey("admin", hash_key("k-admin"), Role.ADMIN),
    ApiKey("finance", hash_key("k-finance"), Role.FINANCE),
    ApiKey("wang", hash_key("k-wang"), Role.SALES, owner="wang"),
)
FIGURES = "{ amount { amount currency } source }"
ALL = f"""query($from: String, $to: String) {{ consumption(from: $from, to: $to) {{
  from to totals {FIGURES}
  byProduct(first: 100) {{ productCode productName amount {{ amount currency }} source }}
  topCustomers(first: 100) {{ nativeId amount {{ amount currency }} source partner {{ id }} customer {{ owner }} }}
  trend {{ period amount {{ amount currency }} source }}
  monthOverMonth {{ month previousMonth current {FIGURES} previous {FIGURES}
    change {{ difference {{ amount currency }} percent source }} }}
  partners {{ id }} }} }}"""


@pytest.fixture
def plugin() -> FakePlugin:
    return FakePlugin({"one": 30, "two": 12})


@pytest.fixture
async def client(plugin: FakePlugin) -> AsyncIterator[httpx.AsyncClient]:
    config = GatewayConfig(accounts=config_for("one", "two").accounts, api_keys=KEYS)
    async with running(create_app(config, Registry([plugin]))) as test_client:
        yield test_client


async def ask(client: httpx.AsyncClient, who: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer k-{who}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def records(plugin: FakePlugin, months: set[str], owner: str | None = None) -> list[ConsumptionLine]:
    """The fake upstreams' records of ``months`` (of one owner's customers)."""
    found = []
    for provider in plugin.created.values():
        owners = {c.native_id: c.owner for c in provider.customers}
        found += [
            r for r in provider.consumption_records if r.month in months and owner in (None, owners[r.customer_id])
        ]
    return found


def total(lines: list[ConsumptionLine]) -> str:
    return str(sum((line.amount.amount for line in lines), Decimal(0)))


def months_of(last: str, count: int) -> list[str]:
    return [shift_month(last, n - count + 1) for n in range(count)]


async def test_totals_products_customers_and_trend_are_the_sums_of_the_records(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    this = current_month()
    months = months_of(this, 12)
    body = await ask(client, "admin", ALL)
    assert "errors" not in body, body
    data = body["data"]["consumption"]
    assert (data["from"], data["to"]) == (months[0], this)  # the default: the last 12 months
    lines = records(plugin, set(months))
    assert data["totals"] == [{"amount": {"amount": total(lines), "currency": "CNY"}, "source": "BILL"}]
    by_product: dict[str, Decimal] = defaultdict(Decimal)
    by_customer: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        by_product[line.product_code] += line.amount.amount
        by_customer[line.customer_id] += line.amount.amount
    assert {p["productCode"]: Decimal(p["amount"]["amount"]) for p in data["byProduct"]} == by_product
    amounts = [Decimal(p["amount"]["amount"]) for p in data["byProduct"]]
    assert amounts == sorted(amounts, reverse=True)
    assert {c["nativeId"]: Decimal(c["amount"]["amount"]) for c in data["topCustomers"]} == by_customer
    assert [p["period"] for p in data["trend"]] == months
    for point in data["trend"]:
        assert point["amount"]["amount"] == total(records(plugin, {point["period"]}))
    comparison = data["monthOverMonth"]
    assert (comparison["month"], comparison["previousMonth"]) == (this, shift_month(this, -1))
    now, before = total(records(plugin, {this})), total(records(plugin, {shift_month(this, -1)}))
    assert comparison["current"][0]["amount"]["amount"] == now
    assert comparison["previous"][0]["amount"]["amount"] == before
    difference = Decimal(now) - Decimal(before)
    assert Decimal(comparison["change"][0]["difference"]["amount"]) == difference
    assert Decimal(comparison["change"][0]["percent"]) == (difference * 100 / Decimal(before)).quantize(Decimal("0.01"))
    assert [p["id"] for p in data["partners"]] == [encode_global_id("Partner", a) for a in ("one", "two")]


async def test_a_salesperson_sees_only_its_customers_consumption(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    this = current_month()
    months = set(months_of(this, 12))
    body = await ask(client, "wang", ALL)
    assert "errors" not in body, body
    data = body["data"]["consumption"]
    assert data["totals"][0]["amount"]["amount"] == total(records(plugin, months, "wang"))
    assert data["totals"][0]["amount"]["amount"] != total(records(plugin, months))
    assert {c["customer"]["owner"] for c in data["topCustomers"]} == {"wang"}
    partner = (
        """query($id: ID!) { node(id: $id) { ... on Partner { consumption { totals { amount { amount } } } } } }"""
    )
    one = await ask(client, "wang", partner, id=encode_global_id("Partner", "one"))
    owners = {c.native_id: c.owner for c in plugin.created["one"].customers}
    mine = [
        r for r in plugin.created["one"].consumption_records if r.month in months and owners[r.customer_id] == "wang"
    ]
    assert one["data"]["node"]["consumption"]["totals"][0]["amount"]["amount"] == total(mine)
    customer = (
        """query($id: ID!) { node(id: $id) { ... on Customer { consumption { totals { amount { amount } } } } } }"""
    )
    theirs = await ask(client, "wang", customer, id=encode_global_id("Customer", "one", "one-1"))  # owner li
    assert theirs == {"data": {"node": None}, "extensions": theirs["extensions"]}
    own = await ask(client, "wang", customer, id=encode_global_id("Customer", "one", "one-0"))
    records_of = [
        r for r in plugin.created["one"].consumption_records if r.customer_id == "one-0" and r.month in months
    ]
    assert own["data"]["node"]["consumption"]["totals"][0]["amount"]["amount"] == total(records_of)
    finance = await ask(client, "finance", ALL)
    assert finance["data"]["consumption"]["totals"][0]["amount"]["amount"] == total(records(plugin, months))


async def test_a_customers_trend_by_day_is_its_records_by_day(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    this = current_month()
    start = shift_month(this, -2)
    query = """query($id: ID!, $from: String) { node(id: $id) { ... on Customer {
      consumption(from: $from, granularity: DAY) { trend { period amount { amount } } } } } }"""
    body = await ask(client, "admin", query, id=encode_global_id("Customer", "two", "two-3"), **{"from": start})
    trend = body["data"]["node"]["consumption"]["trend"]
    wanted = {
        r.day.isoformat(): str(r.amount.amount)
        for r in plugin.created["two"].consumption_records
        if r.customer_id == "two-3" and r.month >= start and r.day
    }
    assert {p["period"]: p["amount"]["amount"] for p in trend if p["amount"]["amount"] != "0.00"} == wanted
    assert trend[0]["period"] == f"{start}-01"
    assert len(trend) >= 59


async def test_different_currencies_are_never_summed(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    this = current_month()
    fake = plugin.created["two"]
    usd = replace(fake.consumption_records[-1], amount=Money(Decimal("12.34"), "USD"), record_id="fee-usd")
    fake.consumption_records.append(usd)
    body = await ask(client, "admin", ALL)
    totals = {t["amount"]["currency"]: t["amount"]["amount"] for t in body["data"]["consumption"]["totals"]}
    assert set(totals) == {"CNY", "USD"}
    assert totals["USD"] == "12.34"
    cny = [r for r in records(plugin, set(months_of(this, 12))) if r.amount.currency == "CNY"]
    assert totals["CNY"] == total(cny)
    current = body["data"]["consumption"]["monthOverMonth"]["current"]
    assert {c["amount"]["currency"] for c in current} == {"CNY", "USD"}


@pytest.mark.parametrize(
    ("start", "end", "reason", "field"),
    [
        ("2026-05", "2026-01", "RANGE_REVERSED", "from"),
        ("2023-01", "2025-01", "RANGE_TOO_LONG", "from"),
        ("2026-13", None, "BAD_MONTH", "from"),
        (None, "2026/01", "BAD_MONTH", "to"),
    ],
)
async def test_a_bad_range_is_refused_with_a_typed_error(
    client: httpx.AsyncClient, plugin: FakePlugin, start: str | None, end: str | None, reason: str, field: str
) -> None:
    body = await ask(client, "admin", ALL, **{"from": start, "to": end})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field, "reason": reason, "maximumMonths": 24}
    assert sum(p.counts["consumption"] for p in plugin.created.values()) == 0  # refused before any read


async def test_twenty_four_months_are_read_but_not_more(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    this = current_month()
    body = await ask(
        client, "admin", "query($f: String) { consumption(from: $f) { trend { period } } }", f=shift_month(this, -23)
    )
    assert len(body["data"]["consumption"]["trend"]) == 24
    assert plugin.created["one"].counts["consumption"] == 24  # one read per month, concurrently


async def test_one_failing_account_gives_a_partial_answer(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    plugin.created["two"].consumption_fails = unavailable("two")
    body = await ask(client, "admin", ALL)
    data = body["data"]["consumption"]
    months = set(months_of(current_month(), 12))
    one = [r for r in plugin.created["one"].consumption_records if r.month in months]
    assert data["totals"][0]["amount"]["amount"] == total(one)
    assert [p["id"] for p in data["partners"]] == [encode_global_id("Partner", "one")]
    [error] = body["errors"]
    assert error["path"] == ["consumption"]
    assert error["extensions"]["code"] == "PROVIDER_UNAVAILABLE"
    assert error["extensions"]["partnerId"] == "two"


async def test_many_customers_consumption_is_over_the_cost_limit(client: httpx.AsyncClient) -> None:
    query = "{ customers(first: 100) { nodes { consumption { totals { amount { amount } } } } } }"
    body = await ask(client, "admin", query)
    assert body["errors"][0]["extensions"]["code"] == "COST_ESTIMATED_TOO_EXPENSIVE"
    short = '{ customers(first: 10) { nodes { consumption(from: "2026-01", to: "2026-02") { totals { source } } } } }'
    assert "errors" not in await ask(client, "admin", short)


# -- over the embedded demo: the Aliyun simulator's paid orders ----------------------------------------------------


def paid(state: PartnerState, months: set[str], uids: set[int] | None = None) -> Decimal:
    amount = Decimal(0)
    for order in state.orders:
        if order.status != OrderStatus.PAID or order.paid_at is None:
            continue
        if month_of(order.paid_at.astimezone(CHINA).date()) in months and (uids is None or order.customer_uid in uids):
            amount += -order.amount_due if order.order_type == "REFUND" else order.amount_due
    return amount


async def test_demo_figures_are_the_sums_of_the_paid_orders() -> None:
    async with demo() as gw:
        state = gw.aliyun.state.partners["LTAI5tDemoAgencyDistributor"]
        this = current_month()
        months = set(months_of(this, 12))
        query = """query($id: ID!) { node(id: $id) { ... on Partner {
          consumption { totals { amount { amount currency } source } topCustomers(first: 100) { nativeId } } } } }"""
        data = await gw.ask(query, id=encode_global_id("Partner", ALIYUN))
        consumption = data["node"]["consumption"]
        assert consumption["totals"] == [
            {"amount": {"amount": str(paid(state, months)), "currency": "CNY"}, "source": "ORDERS"}
        ]
        assert len(consumption["topCustomers"]) == len([a for a in state.accounts if a.user_type in (1, 2)])
        mine = {a.uid for a in state.accounts if a.customer_bd == SALES_OWNER}
        assert mine
        sales = await gw.ask(query, "k-sales", id=encode_global_id("Partner", ALIYUN))
        assert sales["node"]["consumption"]["totals"][0]["amount"]["amount"] == str(paid(state, months, mine))
        assert {int(c["nativeId"]) for c in sales["node"]["consumption"]["topCustomers"]} == mine
        customer = next(a for a in state.accounts if a.uid in mine)
        day = """query($id: ID!, $f: String) { node(id: $id) { ... on Customer {
          consumption(from: $f, to: $f, granularity: DAY) { trend { period amount { amount } } } } } }"""
        month = shift_month(this, -1)
        answer = await gw.ask(day, "k-sales", id=encode_global_id("Customer", ALIYUN, str(customer.uid)), f=month)
        by_day: dict[str, Decimal] = defaultdict(Decimal)
        for order in state.orders:
            if order.customer_uid == customer.uid and order.status == OrderStatus.PAID and order.paid_at:
                local = order.paid_at.astimezone(CHINA).date()
                if month_of(local) == month:
                    by_day[local.isoformat()] += -order.amount_due if order.order_type == "REFUND" else order.amount_due
        trend = answer["node"]["consumption"]["trend"]
        assert {p["period"]: Decimal(p["amount"]["amount"]) for p in trend if Decimal(p["amount"]["amount"])} == {
            k: v for k, v in by_day.items() if v
        }
        assert by_day  # the customer renewed last month


async def test_customers_with_no_consumption_read_contribute_nothing(plugin: FakePlugin) -> None:
    """An account whose cloud reports no consumption is left out of the figures, not reported as failing."""
    plugin.data["three"] = 5
    config = GatewayConfig(accounts=config_for("one", "three").accounts, api_keys=KEYS)
    async with running(create_app(config, Registry([plugin]))) as client:
        plugin.created["three"].capabilities = plugin.created["three"].capabilities - {Capability.CONSUMPTION}
        body = await ask(client, "admin", "{ consumption { partners { id } } }")
        assert body["data"]["consumption"]["partners"] == [{"id": encode_global_id("Partner", "one")}]
        assert "errors" not in body


# -- over both simulators: Huawei's bill records beside Aliyun's paid orders ------------------------------------------


SERVICE = "hws.service.type.ec2"


def bills(state: Any, partner: Any, months: set[str], customers: set[str] | None = None) -> Decimal:
    """What the Huawei simulator holds as the partner's customers' fee records of ``months`` (H.6.2)."""
    amount = Decimal(0)
    for customer in partner.customers:
        if customers is not None and customer.customer_id not in customers:
            continue
        for month in months:
            for record in fee_records(state, partner, customer, month):
                if record.partner_id == partner.account.domain_id:
                    amount += record.payment_amount
    return amount


async def test_both_clouds_figures_are_the_sums_of_their_records_and_never_summed_together() -> None:
    async with demo() as gw:
        sim = gw.huawei.simulator
        huawei = sim.by_domain_id(DEMO_DOMAIN_ID)
        assert huawei is not None
        aliyun = gw.aliyun.state.partners["LTAI5tDemoAgencyDistributor"]
        months = set(months_of(current_month(), 12))
        data = await gw.ask("{ consumption { totals { amount { amount currency } source } partners { id } } }")
        assert data["consumption"]["totals"] == [
            {"amount": {"amount": str(bills(sim, huawei, months)), "currency": "CNY"}, "source": "BILL"},
            {"amount": {"amount": str(paid(aliyun, months)), "currency": "CNY"}, "source": "ORDERS"},
        ]
        assert len(data["consumption"]["partners"]) == 2
        # A Huawei customer assigned to the salesperson: its bills are the salesperson's figures there.
        customer = next(c for c in huawei.customers if bills(sim, huawei, months, {c.customer_id}))
        assign = "mutation($id: ID!, $o: String!) { assignCustomer(customerId: $id, owner: $o) { __typename } }"
        await gw.ask(assign, id=encode_global_id("Customer", HUAWEI, customer.customer_id), o=SALES_OWNER)
        query = """query($id: ID!) { node(id: $id) { ... on Partner { consumption {
          totals { amount { amount } source } topCustomers(first: 100) { nativeId } } } } }"""
        sales = (await gw.ask(query, "k-sales", id=encode_global_id("Partner", HUAWEI)))["node"]["consumption"]
        assert sales["totals"] == [
            {"amount": {"amount": str(bills(sim, huawei, months, {customer.customer_id}))}, "source": "BILL"}
        ]
        assert [c["nativeId"] for c in sales["topCustomers"]] == [customer.customer_id]
        before = bills(sim, huawei, months, {customer.customer_id})
        add_consumption(gw.huawei.simulator, customer.customer_id, Decimal("321.09"), service_type=SERVICE)
        moved = (await gw.ask(query, "k-sales", id=encode_global_id("Partner", HUAWEI)))["node"]["consumption"]
        assert Decimal(moved["totals"][0]["amount"]["amount"]) == before + Decimal("321.09")
