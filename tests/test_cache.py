"""Short-lived caching of slow-changing reads (gateway.upstream.flight), through GraphQL over the embedded demo's
simulators: regions and price quotes are served again within their lifetime and read anew after it (a fake
clock), an account's write drops its cache, a failure is never cached, and a cache filled through one gateway
serves another on the same shared state (two replicas on one Redis). Customers' funds likewise, for ``[upstream]
funds_cache_seconds``: a transfer, a credit line or a freeze through the gateway is followed by fresh figures."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

import gateway.app
from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.config import GatewayConfig, demo_config
from gateway.registry import Registry
from gateway.testing import running
from gateway.upstream.call import tag
from gateway.upstream.flight import FlightTransport, fresh_reads
from gateway.upstream.shared import LocalState
from tests.support.mutations_demo import ALIYUN, HUAWEI, KEYS, RECEIPT, REFUSALS, Counted, Demo, demo, key, partner_id

pytestmark = pytest.mark.anyio

ADMIN = {"authorization": "Bearer k-admin"}
PROVINCES = '{ regions(provider: "huaweicloud", level: PROVINCE) { code name } }'
COUNTRIES = '{ regions(provider: "aliyun", level: COUNTRY) { code } }'
QUOTE = """query($partner: ID!, $spec: String!) { priceQuote(partnerId: $partner, customerProjectId: "project-1",
  items: [{region: "cn-north-1", serviceType: "hws.service.type.ec2", resourceType: "hws.resource.type.vm",
  resourceSpec: $spec, usageValue: "10"}]) { amount { amount } } }"""
TRANSFER = f"""mutation($id: ID!, $key: String!) {{
  transferFunds(customerId: $id, amount: {{amount: "10.00", currency: "CNY"}}, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""
PAGE = "{ customers(first: 50) { nodes { name balance { amount } } } }"
DAY = 86_400.0


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The apps built in the test keep their shared state on this clock (seconds; the test moves it)."""
    now = [0.0]
    monkeypatch.setattr(gateway.app, "LocalState", lambda: LocalState(clock=lambda: now[0]))
    return now


async def answer(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=ADMIN)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_regions_are_served_again_within_a_day_and_read_anew_after(clock: list[float]) -> None:
    async with demo() as gw:
        first = await answer(gw.client, PROVINCES)
        assert first["data"]["regions"]
        provinces = gw.calls(HUAWEI, "list_provinces")
        assert provinces >= 1
        countries = (await answer(gw.client, COUNTRIES))["data"]["regions"]
        assert countries
        assert gw.calls(ALIYUN, "ListCountries") == 1
        clock[0] = DAY - 1
        again = await answer(gw.client, PROVINCES)
        assert again["data"] == first["data"]
        assert again["extensions"]["cost"]["actual"] == 0
        assert (await answer(gw.client, COUNTRIES))["data"]["regions"] == countries
        assert (gw.calls(HUAWEI, "list_provinces"), gw.calls(ALIYUN, "ListCountries")) == (provinces, 1)
        clock[0] = DAY + 1
        fresh = await answer(gw.client, PROVINCES)
        assert fresh["data"] == first["data"]
        assert fresh["extensions"]["cost"]["actual"] == provinces
        assert gw.calls(HUAWEI, "list_provinces") == 2 * provinces


async def test_a_price_quote_is_served_again_for_five_minutes_and_only_for_the_same_inquiry(clock: list[float]) -> None:
    async with demo() as gw:
        partner = partner_id(HUAWEI)
        quote = await answer(gw.client, QUOTE, partner=partner, spec="s6.small.1.linux")
        assert quote["data"]["priceQuote"]["amount"]["amount"], quote
        assert gw.calls(HUAWEI, "list_on_demand_resource_ratings") == 1
        clock[0] = 299
        assert (await answer(gw.client, QUOTE, partner=partner, spec="s6.small.1.linux"))["data"] == quote["data"]
        assert gw.calls(HUAWEI, "list_on_demand_resource_ratings") == 1
        await answer(gw.client, QUOTE, partner=partner, spec="s6.large.2.linux")  # another inquiry: its own call
        assert gw.calls(HUAWEI, "list_on_demand_resource_ratings") == 2
        clock[0] = 301
        await answer(gw.client, QUOTE, partner=partner, spec="s6.small.1.linux")
        assert gw.calls(HUAWEI, "list_on_demand_resource_ratings") == 3


async def test_a_write_to_an_account_drops_that_accounts_cache_only(clock: list[float]) -> None:
    async with demo() as gw:
        await answer(gw.client, PROVINCES)
        await answer(gw.client, COUNTRIES)
        provinces = gw.calls(HUAWEI, "list_provinces")
        where = {"partnerIds": [partner_id(HUAWEI)], "accountType": "RESALE", "status": "ASSOCIATED"}
        found = "query($f: CustomerFilterInput) { customers(first: 5, filter: $f) { nodes { id } } }"
        target = (await gw.ask(found, f=where))["customers"]["nodes"][0]["id"]
        sent = await gw.one(TRANSFER, "k-finance", id=target, key=key())
        assert sent["__typename"] == "CustomerPayload", sent
        await answer(gw.client, PROVINCES)
        await answer(gw.client, COUNTRIES)
        assert gw.calls(HUAWEI, "list_provinces") == 2 * provinces  # the Huawei account's write: read anew
        assert gw.calls(ALIYUN, "ListCountries") == 1  # the Aliyun account wrote nothing: still cached


async def test_a_failed_read_is_not_cached(clock: list[float]) -> None:
    async with demo() as gw:
        gw.huawei.faults.add(Fault(FaultKind.SERVER_ERROR, "list_provinces", remaining=3))  # every attempt fails
        failed = await answer(gw.client, PROVINCES)
        assert failed["data"]["regions"] is None
        assert failed["errors"][0]["extensions"]["code"] == "PROVIDER_UNAVAILABLE"
        assert gw.calls(HUAWEI, "list_provinces") == 3  # the read and its retries
        ok = await answer(gw.client, PROVINCES)
        assert ok["data"]["regions"]
        assert gw.calls(HUAWEI, "list_provinces") == 4  # the failure was not served again
        await answer(gw.client, PROVINCES)
        assert gw.calls(HUAWEI, "list_provinces") == 4  # the answer was


def _replicas(monkeypatch: pytest.MonkeyPatch) -> tuple[GatewayConfig, Registry, dict[str, Counted]]:
    """Two gateways' configuration over one pair of simulators, their shared state one (as two replicas
    over one Redis)."""
    registry = Registry.discover()
    config = demo_config(registry)
    counted = {account: Counted(app, huawei=account.startswith("huawei")) for account, app in config.simulated.items()}
    shared = LocalState(clock=lambda: 0.0)
    monkeypatch.setattr(gateway.app, "LocalState", lambda: shared)
    return GatewayConfig(accounts=config.accounts, simulated=counted, api_keys=KEYS), registry, counted


def _sent(counted: dict[str, Counted]) -> int:
    return sum(sum(c.counts.values()) for c in counted.values())


async def test_a_cache_filled_through_one_gateway_serves_another_on_the_same_shared_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config, registry, counted = _replicas(monkeypatch)
    async with running(create_app(config, registry)) as one, running(create_app(config, registry)) as two:
        filled = await answer(one, PROVINCES)
        sent = _sent(counted)
        assert sent >= 1
        served = await answer(two, PROVINCES)
        assert served["data"] == filled["data"]
        assert served["extensions"]["cost"]["actual"] == 0
        assert _sent(counted) == sent


async def test_identical_pages_on_two_gateways_at_once_share_their_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    config, registry, counted = _replicas(monkeypatch)
    async with running(create_app(config, registry)) as one, running(create_app(config, registry)) as two:
        alone = await answer(one, PAGE)
        page = _sent(counted)
        assert "errors" not in alone
        pages = await asyncio.gather(*(answer(client, PAGE) for client in (one, two) * 5))
        assert all(body["data"] == alone["data"] for body in pages)
        # Each gateway alone would send one page's calls (its own ten requests share them): two pages. Shared
        # across the two, the calls of about one page are made.
        assert _sent(counted) - page < 2 * page


# -- customers' funds: cached for [upstream] funds_cache_seconds, dropped by the account's writes -------------------

BALANCES = """query($p: [ID!]) { customers(first: 50, filter: {partnerIds: $p, status: ASSOCIATED}) {
  nodes { id accountType balance { amount } } } }"""
FUNDS_READS = {ALIYUN: "GetCreditInfo", HUAWEI: "list_customers_balances_detail"}
SET_CREDIT_LINE = f"""mutation($id: ID!, $amount: Decimal!, $key: String!) {{
  setCreditLine(customerId: $id, amount: {{amount: $amount, currency: "CNY"}}, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""
FREEZE = f"""mutation($id: ID!, $key: String!) {{
  setCustomerFrozen(customerId: $id, frozen: true, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""
FUNDS = "query($id: ID!) { node(id: $id) { ... on Customer { balance { amount } } } }"
CREDIT = "query($id: ID!) { node(id: $id) { ... on Customer { balance { amount } creditLine { amount } } } }"


async def balances(gw: Demo, account_id: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gw.ask(BALANCES, p=[partner_id(account_id)]))["customers"]["nodes"]
    return nodes


@pytest.mark.parametrize("account_id", [ALIYUN, HUAWEI])
async def test_funds_are_served_again_within_their_lifetime_and_read_anew_after(
    clock: list[float], account_id: str
) -> None:
    async with demo() as gw:
        operation = FUNDS_READS[account_id]
        first = await balances(gw, account_id)
        reads = gw.calls(account_id, operation)
        assert reads >= 1
        clock[0] = 9.9  # within the default 10 s
        assert await balances(gw, account_id) == first
        assert gw.calls(account_id, operation) == reads  # the page's funds came from the cache
        clock[0] = 10.1
        assert await balances(gw, account_id) == first
        assert gw.calls(account_id, operation) == 2 * reads


async def test_a_transfer_is_followed_by_the_new_balance_at_once(clock: list[float]) -> None:
    async with demo() as gw:
        resale = next(c for c in await balances(gw, HUAWEI) if c["accountType"] == "RESALE")
        before = Decimal(resale["balance"]["amount"])
        await balances(gw, HUAWEI)  # the balances are cached now
        reads = gw.calls(HUAWEI, FUNDS_READS[HUAWEI])
        sent = await gw.one(TRANSFER, "k-finance", id=resale["id"], key=key())
        assert sent["__typename"] == "CustomerPayload", sent
        after = next(c for c in await balances(gw, HUAWEI) if c["id"] == resale["id"])
        assert Decimal(after["balance"]["amount"]) == before + 10  # not the cached figure
        assert gw.calls(HUAWEI, FUNDS_READS[HUAWEI]) == reads + 1
        node = (await gw.ask(FUNDS, id=resale["id"]))["node"]  # and cached again from this fresh read on
        assert Decimal(node["balance"]["amount"]) == before + 10


@pytest.mark.parametrize("change", ["credit line", "freeze"])
async def test_an_aliyun_credit_write_is_followed_by_fresh_credit_figures(clock: list[float], change: str) -> None:
    async with demo() as gw:
        consignment = next(c for c in await balances(gw, ALIYUN) if c["accountType"] == "CONSIGNMENT")
        cached = (await gw.ask(CREDIT, id=consignment["id"]))["node"]
        reads = gw.calls(ALIYUN, "GetCreditInfo")
        assert (await gw.ask(CREDIT, id=consignment["id"]))["node"] == cached
        assert gw.calls(ALIYUN, "GetCreditInfo") == reads  # served from the cache
        if change == "credit line":
            line = Decimal(cached["creditLine"]["amount"]) + Decimal("123.45")
            written = await gw.one(SET_CREDIT_LINE, id=consignment["id"], amount=str(line), key=key())
        else:
            line = Decimal(cached["creditLine"]["amount"])
            written = await gw.one(FREEZE, id=consignment["id"], key=key())
        assert written["__typename"] == "CustomerPayload", written
        fresh = (await gw.ask(CREDIT, id=consignment["id"]))["node"]
        assert gw.calls(ALIYUN, "GetCreditInfo") == reads + 1  # read anew after the write
        assert Decimal(fresh["creditLine"]["amount"]) == line


async def test_no_funds_lifetime_reads_funds_every_time(clock: list[float]) -> None:
    async with demo(upstream={"funds_cache_seconds": 0.0}) as gw:
        first = await balances(gw, ALIYUN)
        reads = gw.calls(ALIYUN, "GetCreditInfo")
        assert await balances(gw, ALIYUN) == first
        assert gw.calls(ALIYUN, "GetCreditInfo") == 2 * reads


async def test_reads_settling_a_write_take_no_cached_funds() -> None:
    cloud, partner = _Cloud(), f"acct-{uuid.uuid4().hex[:8]}"
    funds = tag("GetCreditInfo", idempotent=True, funds=True)
    transport = FlightTransport(cloud, LocalState(), provider="fake", partner_id=partner, funds_seconds=30)
    async with httpx.AsyncClient(transport=transport, base_url="https://cloud.test") as http:
        first = (await http.get("/credit?uid=1", extensions=funds)).json()
        assert (await http.get("/credit?uid=1", extensions=funds)).json() == first  # cached
        assert cloud.sent == 1
        with fresh_reads():
            fresh = (await http.get("/credit?uid=1", extensions=funds)).json()
        assert (cloud.sent, fresh["n"]) == (2, 2)  # a settling read is always sent
        await http.post("/credit-line", extensions=tag("SetCreditLine", idempotent=False))
        assert (await http.get("/credit?uid=1", extensions=funds)).json()["n"] == 4  # the write dropped it


class _Cloud(httpx.AsyncBaseTransport):
    """Answers every request with its number."""

    def __init__(self) -> None:
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return httpx.Response(200, json={"n": self.sent})
