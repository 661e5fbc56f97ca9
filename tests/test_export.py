"""The finance exports: signed in as /graphql is, scoped as the graph is, streamed CSV that a spreadsheet cannot
run, amounts as plain decimals beside their currency."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from decimal import Decimal

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig
from gateway.config_tables import LimitsConfig
from gateway.consumption import current_month, shift_month
from gateway.export import CONSUMPTION_COLUMNS, CUSTOMER_COLUMNS, safe_cell
from gateway.models import Money
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FakePlugin, unavailable
from tests.support.mutations_demo import demo
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

KEYS = (
    ApiKey("admin", hash_key("k-admin"), Role.ADMIN),
    ApiKey("finance", hash_key("k-finance"), Role.FINANCE),
    ApiKey("wang", hash_key("k-wang"), Role.SALES, owner="wang"),
)


@pytest.fixture
def plugin() -> FakePlugin:
    return FakePlugin({"one": 130, "two": 12})


@pytest.fixture
async def client(plugin: FakePlugin) -> AsyncIterator[httpx.AsyncClient]:
    config = GatewayConfig(accounts=config_for("one", "two").accounts, api_keys=KEYS)
    async with running(create_app(config, Registry([plugin]))) as test_client:
        yield test_client


def rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


async def test_customers_csv_lists_every_customer_the_key_may_see(
    client: httpx.AsyncClient, plugin: FakePlugin
) -> None:
    response = await client.get("/export/customers.csv", headers={"authorization": "Bearer k-admin"})
    assert "content-length" not in response.headers  # streamed: its length is not known when it starts
    assert response.headers["content-disposition"] == 'attachment; filename="customers.csv"'
    admin = rows(response)
    assert [tuple(r) for r in admin[:1]] == [CUSTOMER_COLUMNS]
    assert [(r["partner_id"], r["customer_id"]) for r in admin] == [
        (a, c.native_id) for a in ("one", "two") for c in plugin.created[a].customers
    ]
    assert admin[1]["email"] == "c1@example.com"
    sales = rows(await client.get("/export/customers.csv", headers={"x-api-key": "k-wang"}))
    assert sales
    assert {r["owner"] for r in sales} == {"wang"}
    wanted = sum(1 for a in ("one", "two") for c in plugin.created[a].customers if c.owner == "wang")
    assert len(sales) == wanted
    finance = rows(await client.get("/export/customers.csv", headers={"authorization": "Bearer k-finance"}))
    assert len(finance) == len(admin)
    assert finance[1]["email"] != "c1@example.com"  # masked, as in the graph


async def test_an_export_needs_a_key_as_the_graph_does(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"authorization": "Bearer k-nobody"}, {"x-api-key": "wrong"}):
        response = await client.get("/export/consumption.csv", headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_formula_cells_are_made_text(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    fake = plugin.created["two"]
    fake.customers = [
        replace(fake.customers[0], name='=HYPERLINK("http://evil.example","x")', owner="@boss"),
        *fake.customers[1:],
    ]
    found = rows(await client.get("/export/customers.csv", headers={"authorization": "Bearer k-admin"}))
    row = next(r for r in found if r["customer_id"] == fake.customers[0].native_id)
    assert row["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert row["owner"] == "'@boss"
    assert [safe_cell(v) for v in ("-1", "+1", "\tx", "a=b", None, 12)] == ["'-1", "'+1", "'\tx", "a=b", "", "12"]


async def test_consumption_csv_holds_the_records_of_the_range(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    end = current_month()
    start = shift_month(end, -2)
    last = plugin.created["two"].consumption_records[-1]
    refund = replace(last, product_code="=refund", amount=Money(Decimal("-8.50"), "CNY"))
    plugin.created["two"].consumption_records.append(refund)
    params = {"from": start, "to": end}
    found = rows(
        await client.get("/export/consumption.csv", params=params, headers={"authorization": "Bearer k-admin"})
    )
    assert tuple(found[0]) == CONSUMPTION_COLUMNS
    months = {start, shift_month(end, -1), end}
    records = [r for a in ("one", "two") for r in plugin.created[a].consumption_records if r.month in months]
    assert sum(Decimal(r["amount"]) for r in found) == sum(r.amount.amount for r in records)
    assert {r["month"] for r in found} == months
    assert {(r["currency"], r["source"]) for r in found} == {("CNY", "BILL")}
    [refunded] = [r for r in found if r["product_code"] == "'=refund"]  # a formula-looking code made text
    assert refunded["amount"] == "-8.50"  # an amount stays a plain number, refunds negative
    sales = rows(await client.get("/export/consumption.csv", params=params, headers={"x-api-key": "k-wang"}))
    owners = {c.native_id: c.owner for a in ("one", "two") for c in plugin.created[a].customers}
    assert sales
    assert {owners[r["customer_id"]] for r in sales} == {"wang"}


async def test_a_bad_range_is_400_and_a_failing_account_502(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    auth = {"authorization": "Bearer k-admin"}
    reversed_range = await client.get(
        "/export/consumption.csv", params={"from": "2026-05", "to": "2026-01"}, headers=auth
    )
    assert reversed_range.status_code == 400
    assert reversed_range.json()["errors"][0]["extensions"]["reason"] == "RANGE_REVERSED"
    too_long = await client.get("/export/consumption.csv", params={"from": "2020-01", "to": "2026-01"}, headers=auth)
    assert too_long.json()["errors"][0]["extensions"]["reason"] == "RANGE_TOO_LONG"
    plugin.created["two"].consumption_fails = unavailable("two")
    failing = await client.get("/export/consumption.csv", headers=auth)
    assert failing.status_code == 502
    assert failing.json()["errors"][0]["extensions"]["partnerId"] == "two"


async def test_the_demo_exports_both_clouds_figures_as_the_graph_gives_them() -> None:
    async with demo() as gw:
        month = shift_month(current_month(), -1)
        params = {"from": month, "to": month}
        response = await gw.client.get("/export/consumption.csv", params=params, headers={"x-api-key": "k-admin"})
        found = rows(response)
        graph = await gw.ask(
            "query($m: String) { consumption(from: $m, to: $m) { totals { amount { amount } source } } }", m=month
        )
        totals = {t["source"]: t["amount"]["amount"] for t in graph["consumption"]["totals"]}
        assert set(totals) == {"BILL", "ORDERS"}  # Huawei's bills, Aliyun's paid orders
        for source, amount in totals.items():
            assert str(sum(Decimal(r["amount"]) for r in found if r["source"] == source)) == amount
        assert {r["provider"] for r in found if r["source"] == "BILL"} == {"huaweicloud"}


async def test_a_consumption_export_is_bounded_as_the_graph_is(plugin: FakePlugin) -> None:
    """The export reads as `consumption` does, so the same cost limit refuses it before any read, and a range
    within the limit answers."""
    accounts = config_for("one", "two").accounts
    config = GatewayConfig(accounts=accounts, api_keys=KEYS, limits=LimitsConfig(max_cost=12 * 7 * 2))
    auth = {"authorization": "Bearer k-admin"}
    async with running(create_app(config, Registry([plugin]))) as client:
        year = {"from": "2026-01", "to": "2026-12"}
        refused = await client.get("/export/consumption.csv", params=year, headers=auth)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "COST_ESTIMATED_TOO_EXPENSIVE"
        assert sum(p.counts["consumption"] for p in plugin.created.values()) == 0  # refused before any read
        answered = await client.get(
            "/export/consumption.csv", params={"from": "2026-01", "to": "2026-06"}, headers=auth
        )
        assert answered.status_code == 200, answered.text
