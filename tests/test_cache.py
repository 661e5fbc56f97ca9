"""Short-lived caching of slow-changing reads (gateway.upstream.flight), through GraphQL over the embedded demo's
simulators: regions and price quotes are served again within their lifetime and read anew after it (a fake
clock), an account's write drops its cache, a failure is never cached, and a cache filled through one gateway
serves another on the same shared state (two replicas on one Redis)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import gateway.app
from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.config import GatewayConfig, demo_config
from gateway.registry import Registry
from gateway.testing import running
from gateway.upstream.shared import LocalState
from tests.support.mutations_demo import ALIYUN, HUAWEI, KEYS, RECEIPT, REFUSALS, Counted, demo, key, partner_id

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
