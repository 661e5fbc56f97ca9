"""The unified graph over both real adapters and their simulators: the embedded demo, end to end."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig, demo_config
from gateway.provider import ASGIApp
from gateway.registry import Registry
from gateway.testing import running

pytestmark = pytest.mark.anyio


class Counted:
    """Counts the upstream requests a simulator receives, by operation."""

    def __init__(self, app: ASGIApp, operation_of: Any) -> None:
        self.app = app
        self.operation_of = operation_of
        self.counts: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.counts[self.operation_of(scope)] += 1
        await self.app(scope, receive, send)


def _aliyun_action(scope: Any) -> str:
    return dict(scope["headers"]).get(b"x-acs-action", b"?").decode()


def _huawei_path(scope: Any) -> str:
    return f"{scope['method']} {scope['path']}"


@pytest.fixture
def demo() -> tuple[GatewayConfig, Registry, dict[str, Any]]:
    registry = Registry.discover()
    config = demo_config(registry)
    apps = dict(config.simulated)
    counted = {
        "aliyun-demo": Counted(apps["aliyun-demo"], _aliyun_action),
        "huaweicloud-demo": Counted(apps["huaweicloud-demo"], _huawei_path),
    }
    keys = (ApiKey("admin", hash_key("k-admin"), Role.ADMIN),)
    wired = GatewayConfig(accounts=config.accounts, simulated=counted, api_keys=keys)
    return wired, registry, {"apps": apps, "counted": counted}


@pytest.fixture
async def client(demo: tuple[GatewayConfig, Registry, dict[str, Any]]) -> AsyncIterator[httpx.AsyncClient]:
    config, registry, _ = demo
    async with running(create_app(config, registry)) as test_client:
        yield test_client


async def ask(client: httpx.AsyncClient, query: str, key: str = "k-admin", **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


WALK = """query($after: String, $filter: CustomerFilterInput) {
  customers(first: 7, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id provider nativeId owner accountType status } }
  }
}"""


async def walk(client: httpx.AsyncClient, key: str = "k-admin", **filters: Any) -> tuple[list[dict[str, Any]], int]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        body = await ask(client, WALK, key, after=after, filter=filters or None)
        assert "errors" not in body, body
        page = body["data"]["customers"]
        nodes += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, page["totalCount"]
        after = page["pageInfo"]["endCursor"]


async def test_pages_of_seven_cross_every_upstream_page_boundary_without_loss(client: httpx.AsyncClient) -> None:
    nodes, total = await walk(client)
    assert total == len(nodes) == 43 + 36  # Aliyun: 36 accounts and 7 open invitations; Huawei: 36
    assert len({n["id"] for n in nodes}) == total
    assert [n["provider"] for n in nodes] == ["aliyun"] * 43 + ["huaweicloud"] * 36
    statuses = Counter(n["status"] for n in nodes if n["provider"] == "aliyun")
    assert statuses == {"ASSOCIATED": 36, "INVITED": 4, "INVITATION_EXPIRED": 3}


async def test_filters_work_across_both_clouds(client: httpx.AsyncClient) -> None:
    resale, total = await walk(client, accountType="RESALE")
    assert resale
    assert {n["provider"] for n in resale} == {"huaweicloud"}
    assert total == len(resale)
    consignment, _ = await walk(client, accountType="CONSIGNMENT")
    assert {n["provider"] for n in consignment} == {"aliyun"}
    everyone, _ = await walk(client)
    owner = Counter(n["owner"] for n in everyone if n["owner"]).most_common(1)[0][0]
    owned, _ = await walk(client, owner=owner)
    assert owned == [n for n in everyone if n["owner"] == owner]


async def test_a_sales_key_sees_only_its_owners_customers(demo: Any) -> None:
    config, registry, _ = demo
    async with running(create_app(config, registry)) as client:
        everyone, _ = await walk(client)
    owner = Counter(n["owner"] for n in everyone if n["owner"]).most_common(1)[0][0]
    keys = (ApiKey("sales", hash_key("k-sales"), Role.SALES, owner=owner),)
    scoped = GatewayConfig(accounts=config.accounts, simulated=config.simulated, api_keys=keys)
    async with running(create_app(scoped, registry)) as client:
        mine, total = await walk(client, key="k-sales")
        foreign = next(n for n in everyone if n["owner"] != owner)
        node = await ask(client, "query($id: ID!) { node(id: $id) { id } }", "k-sales", id=foreign["id"])
    assert mine == [n for n in everyone if n["owner"] == owner]
    assert total == len(mine)
    assert node["data"]["node"] is None


async def test_balances_and_vouchers_of_a_page_are_batched(client: httpx.AsyncClient, demo: Any) -> None:
    _, _, wiring = demo
    counted = wiring["counted"]
    huawei, aliyun = counted["huaweicloud-demo"], counted["aliyun-demo"]
    query = """{ customers(first: 100, filter: {provider: "huaweicloud"}) {
      edges { node { balance { amount currency } voucherCount } } } }"""
    huawei.counts.clear()
    body = await ask(client, query)
    assert "errors" not in body, body
    nodes = [e["node"] for e in body["data"]["customers"]["edges"]]
    assert len(nodes) == 36
    assert any(n["balance"] for n in nodes)
    balance_calls = huawei.counts["POST /v2/accounts/customer-accounts/balances/batch-query"]
    coupon_calls = huawei.counts["GET /v2/promotions/benefits/partner-coupons"]
    assert balance_calls == 1  # one batch call for the whole page
    assert 1 <= coupon_calls <= 2  # the account's coupons, read once and grouped
    assert sum(aliyun.counts.values()) == 0  # the provider filter kept Aliyun out entirely


async def test_what_a_provider_cannot_answer_is_unsupported_not_a_crash(client: httpx.AsyncClient) -> None:
    body = await ask(
        client,
        """{ partners { edges { node { provider balances { kind amount { amount } } } } }
             customers(first: 1, filter: {provider: "huaweicloud"}) { edges { node { notes { totalCount } } } } }""",
    )
    partners = {e["node"]["provider"]: e["node"] for e in body["data"]["partners"]["edges"]}
    assert partners["huaweicloud"]["balances"]
    assert partners["aliyun"]["balances"] is None
    assert body["data"]["customers"]["edges"][0]["node"]["notes"] is None
    codes = {(tuple(e["path"][:1]), e["extensions"]["code"], e["extensions"]["provider"]) for e in body["errors"]}
    assert codes == {
        (("partners",), "UNSUPPORTED_BY_PROVIDER", "aliyun"),
        (("customers",), "UNSUPPORTED_BY_PROVIDER", "huaweicloud"),
    }


async def test_partial_results_when_one_cloud_fails(client: httpx.AsyncClient, demo: Any) -> None:
    _, _, wiring = demo
    wiring["apps"]["huaweicloud-demo"].faults.add(Fault(FaultKind.SERVER_ERROR, "list_sub_customers", 503.0))
    body = await ask(client, "{ customers(first: 100) { totalCount edges { node { provider } } } }")
    assert {e["node"]["provider"] for e in body["data"]["customers"]["edges"]} == {"aliyun"}
    assert body["data"]["customers"]["totalCount"] == 43
    [error] = body["errors"]
    assert error["path"] == ["customers"]
    extensions = error["extensions"]
    assert (extensions["code"], extensions["provider"], extensions["partnerId"]) == (
        "PROVIDER_UNAVAILABLE",
        "huaweicloud",
        "huaweicloud-demo",
    )
    assert extensions["upstreamCode"]
    assert extensions["requestId"]


async def test_resellers_vouchers_orders_regions_and_nodes(client: httpx.AsyncClient) -> None:
    body = await ask(
        client,
        """{
          resellers(first: 50) { totalCount edges { node { id provider name funds { available { amount } } } } }
          vouchers(first: 50) {
            totalCount edges { node { id provider faceValue { amount currency } status customer { id } } }
          }
          orders(first: 50) { totalCount edges { node { id provider status amountDue { amount } customer { id } } } }
          huaweiOrders: orders(first: 5, filter: {provider: "huaweicloud"}) { edges { node { provider } } }
          provinces: regions(provider: "huaweicloud", level: PROVINCE) { code name }
          countries: regions(provider: "aliyun", level: COUNTRY) { code }
        }""",
    )
    assert "errors" not in body, body["errors"]
    data = body["data"]
    # The Aliyun demo's monthly renewals fill the first page of orders: Huawei's are asked apart.
    data["orders"]["edges"] += data.pop("huaweiOrders")["edges"]
    for family in ("resellers", "vouchers", "orders"):
        assert {e["node"]["provider"] for e in data[family]["edges"]} == {"aliyun", "huaweicloud"}, family
    assert data["provinces"]
    assert data["countries"]
    ids = [data[f]["edges"][0]["node"]["id"] for f in ("resellers", "vouchers", "orders")]
    nodes = await ask(client, "query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }", ids=ids)
    assert [n["id"] for n in nodes["data"]["nodes"]] == ids


async def test_real_name_status_comes_from_each_cloud(client: httpx.AsyncClient) -> None:
    body = await ask(client, "{ customers(first: 100) { edges { node { provider status realNameVerified extra } } } }")
    nodes = [e["node"] for e in body["data"]["customers"]["edges"]]
    for node in nodes:
        if node["provider"] == "huaweicloud":
            assert node["realNameVerified"] is (node["extra"]["verified_status"] == "2")
        else:  # Aliyun: associated only after real-name verification; invitees not yet
            assert node["realNameVerified"] is (node["status"] == "ASSOCIATED")
    huawei = {n["realNameVerified"] for n in nodes if n["provider"] == "huaweicloud"}
    assert huawei == {True, False}


async def test_a_partners_ledger_shows_its_allocations(client: httpx.AsyncClient) -> None:
    ledger = """{ partners { edges { node { provider ledger(first: 100) {
      totalCount edges { node { kind amount { amount currency } counterpartyId transactionId } } } } } } }"""
    before = await ask(client, ledger)
    partners = {e["node"]["provider"]: e["node"] for e in before["data"]["partners"]["edges"]}
    assert partners["aliyun"]["ledger"] is None  # no ledger API at Aliyun (X.3)
    assert [e["extensions"]["code"] for e in before["errors"]] == ["UNSUPPORTED_BY_PROVIDER"]
    seeded = partners["huaweicloud"]["ledger"]["totalCount"]
    assert seeded > 0
    customer = (await ask(client, "{ customers(first: 1, filter: {accountType: RESALE}) { nodes { id nativeId } } }"))[
        "data"
    ]["customers"]["nodes"][0]
    moved = await ask(
        client,
        """mutation($id: ID!) { transferFunds(customerId: $id, amount: {amount: "12.34"}, idempotencyKey: "ledger-1") {
          ... on CustomerPayload { operation { upstreamIds } } } }""",
        id=customer["id"],
    )
    [transfer_id] = moved["data"]["transferFunds"]["operation"]["upstreamIds"]
    after = await ask(client, ledger)
    huawei = next(
        e["node"]["ledger"] for e in after["data"]["partners"]["edges"] if e["node"]["provider"] == "huaweicloud"
    )
    assert huawei["totalCount"] == seeded + 1
    entry = next(e["node"] for e in huawei["edges"] if e["node"]["transactionId"] == transfer_id)
    assert entry == {
        "kind": "ALLOCATION",
        "amount": {"amount": "12.34", "currency": "CNY"},
        "counterpartyId": customer["nativeId"],
        "transactionId": transfer_id,
    }
