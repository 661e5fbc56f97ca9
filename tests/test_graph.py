"""The unified read graph over fake providers: scoping, masking, batching, partial results, node ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig
from gateway.ids import encode_global_id
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FakePlugin, unavailable
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

KEYS = {
    "admin": ApiKey("admin", hash_key("k-admin"), Role.ADMIN),
    "finance": ApiKey("finance", hash_key("k-finance"), Role.FINANCE),
    "wang": ApiKey("wang", hash_key("k-wang"), Role.SALES, owner="wang"),
}


@pytest.fixture
def plugin() -> FakePlugin:
    return FakePlugin({"one": 30, "two": 12})


@pytest.fixture
async def client(plugin: FakePlugin) -> AsyncIterator[httpx.AsyncClient]:
    base = config_for("one", "two")
    config = GatewayConfig(accounts=base.accounts, api_keys=tuple(KEYS.values()))
    async with running(create_app(config, Registry([plugin]))) as test_client:
        yield test_client


async def ask(client: httpx.AsyncClient, who: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer k-{who}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


CUSTOMERS = """query($first: Int, $after: String, $filter: CustomerFilterInput) {
  customers(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id nativeId owner email phone status accountType partner { id } } }
  }
}"""


async def test_a_sales_key_sees_only_its_own_customers(client: httpx.AsyncClient) -> None:
    body = await ask(client, "wang", CUSTOMERS, first=100)
    nodes = [e["node"] for e in body["data"]["customers"]["edges"]]
    assert nodes
    assert {n["owner"] for n in nodes} == {"wang"}
    assert body["data"]["customers"]["totalCount"] == len(nodes) == 10 + 4
    # Asking for another owner's customers gives nothing, not theirs.
    other = await ask(client, "wang", CUSTOMERS, first=100, filter={"owner": "li"})
    assert other["data"]["customers"]["edges"] == []


async def test_a_sales_key_sees_nothing_of_other_owners_at_any_depth(client: httpx.AsyncClient) -> None:
    li_customer = encode_global_id("Customer", "one", "one-1")  # owner li
    li_voucher = encode_global_id("Voucher", "one", "v-one-3")  # customer one-3: owner wang; control below
    li_order = encode_global_id("Order", "one", "o-one-1")
    body = await ask(
        client,
        "wang",
        """query($ids: [ID!]!) {
          nodes(ids: $ids) { id }
          vouchers(first: 100) { edges { node { customer { owner } } } }
          orders(first: 100) { edges { node { customer { owner } } } }
          partners { edges { node { customers(first: 100) { edges { node { owner } } } } } }
        }""",
        ids=[li_customer, li_order, li_voucher],
    )
    data = body["data"]
    assert data["nodes"][0] is None
    assert data["nodes"][1] is None
    assert data["nodes"][2] == {"id": li_voucher}  # wang's own customer's voucher is visible
    assert {e["node"]["customer"]["owner"] for e in data["vouchers"]["edges"]} == {"wang"}
    assert {e["node"]["customer"]["owner"] for e in data["orders"]["edges"]} == {"wang"}
    owners = {e["node"]["owner"] for p in data["partners"]["edges"] for e in p["node"]["customers"]["edges"]}
    assert owners == {"wang"}
    resellers = await ask(client, "wang", "{ resellers { totalCount } }")
    assert resellers["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_contact_details_are_masked_for_finance_but_not_for_admin(client: httpx.AsyncClient) -> None:
    finance = await ask(client, "finance", CUSTOMERS, first=1)
    admin = await ask(client, "admin", CUSTOMERS, first=1)
    assert admin["data"]["customers"]["edges"][0]["node"]["email"] == "c0@example.com"
    assert finance["data"]["customers"]["edges"][0]["node"]["email"] == "c***@example.com"
    assert finance["data"]["customers"]["edges"][0]["node"]["phone"] == "138****0000"


async def test_nested_funds_and_vouchers_are_batched_per_account(client: httpx.AsyncClient, plugin: FakePlugin) -> None:
    body = await ask(
        client,
        "admin",
        "{ customers(first: 42) { edges { node { balance { amount currency } funds { debt { amount } } "
        "voucherCount vouchers { faceValue { amount } } } } } }",
    )
    nodes = [e["node"] for e in body["data"]["customers"]["edges"]]
    assert len(nodes) == 42
    assert nodes[0]["balance"] == {"amount": "500.00", "currency": "CNY"}
    assert nodes[1]["balance"] is None  # no funds kept for that customer (like a Huawei advisory customer)
    assert nodes[0]["vouchers"] == [{"faceValue": {"amount": "100.00"}}]  # CNY at its scale
    assert sum(n["voucherCount"] for n in nodes) == 10 + 4
    for provider in plugin.created.values():
        assert provider.counts["customer_funds"] == 1
        assert provider.counts["list_vouchers"] == 1


async def test_partial_results_name_the_failing_account(plugin: FakePlugin) -> None:
    plugin.data["two"] = unavailable("two")
    async with running(create_app(config_for("one", "two"), Registry([plugin]))) as client:
        response = await client.post(
            "/graphql", json={"query": "{ customers(first: 100) { totalCount edges { node { id } } } }"}
        )
    body = response.json()
    assert len(body["data"]["customers"]["edges"]) == 30
    assert body["data"]["customers"]["totalCount"] == 30
    [error] = body["errors"]
    assert error["path"] == ["customers"]
    assert error["extensions"] == {
        "code": "PROVIDER_UNAVAILABLE",
        "provider": "fake",
        "partnerId": "two",
        "upstreamCode": "ServiceUnavailable",
        "requestId": "req-1",
    }


async def test_a_field_the_provider_cannot_answer_is_null_with_unsupported(client: httpx.AsyncClient) -> None:
    body = await ask(client, "admin", "{ customers(first: 1) { edges { node { nativeId creditLine { amount } } } } }")
    assert body["data"]["customers"]["edges"][0]["node"]["creditLine"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "UNSUPPORTED_BY_PROVIDER", "provider": "fake"}
    assert error["path"] == ["customers", "edges", 0, "node", "creditLine"]


async def test_filters_and_cursor_resumption_through_the_graph(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    after = None
    while True:
        body = await ask(client, "admin", CUSTOMERS, first=4, after=after, filter={"status": "FROZEN"})
        page = body["data"]["customers"]
        seen += [e["node"]["nativeId"] for e in page["edges"]]
        assert {e["node"]["status"] for e in page["edges"]} <= {"FROZEN"}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"one-{n}" for n in range(30) if n % 5 == 4] + [f"two-{n}" for n in range(12) if n % 5 == 4]
    assert page["totalCount"] == len(seen)
    two = await ask(client, "admin", CUSTOMERS, first=50, filter={"partnerIds": [encode_global_id("Partner", "two")]})
    assert {e["node"]["partner"]["id"] for e in two["data"]["customers"]["edges"]} == {
        encode_global_id("Partner", "two")
    }
    searched = await ask(
        client, "admin", CUSTOMERS, first=50, filter={"search": "customer 11", "accountType": "ADVISORY"}
    )
    assert [e["node"]["nativeId"] for e in searched["data"]["customers"]["edges"]] == ["one-11", "two-11"]
    stale = await ask(client, "admin", CUSTOMERS, first=4, after=after, filter={"status": "ASSOCIATED"})
    assert stale["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_node_resolves_every_kind_and_partners_list_capabilities(client: httpx.AsyncClient) -> None:
    ids = [
        encode_global_id("Partner", "one"),
        encode_global_id("Customer", "two", "two-3"),
        encode_global_id("Reseller", "one", "r1"),
        encode_global_id("Voucher", "two", "v-two-0"),
        encode_global_id("Order", "one", "o-one-5"),
        encode_global_id("Customer", "two", "no-such"),
        encode_global_id("Customer", "gone", "x"),
    ]
    body = await ask(client, "admin", "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", ids=ids)
    nodes = body["data"]["nodes"]
    assert [n and n["__typename"] for n in nodes] == ["Partner", "Customer", "Reseller", "Voucher", "Order", None, None]
    assert [n["id"] for n in nodes[:5]] == ids[:5]
    bad = await ask(client, "admin", '{ node(id: "bm90IGFuIGlk") { id } }')
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    caps = await ask(client, "admin", "{ capabilities { provider title operations } partners { totalCount } }")
    assert caps["data"]["partners"]["totalCount"] == 2
    [fake] = caps["data"]["capabilities"]
    assert fake["title"] == "Fake Cloud"
    assert "CUSTOMER_FUNDS" in fake["operations"]
    assert "LIST_NOTES" not in fake["operations"]


async def test_a_sales_key_sees_none_of_the_partners_own_money_or_resellers(client: httpx.AsyncClient) -> None:
    query = """{ partners { nodes { id balances { kind } voucherQuotas { totalCount } ledger { totalCount }
      resellers { totalCount } customers { totalCount } } } }"""
    admin = await ask(client, "admin", query)
    assert "errors" not in admin, admin["errors"]
    assert all(p["balances"] and p["resellers"]["totalCount"] == 3 for p in admin["data"]["partners"]["nodes"])
    sales = await ask(client, "wang", query)
    for partner in sales["data"]["partners"]["nodes"]:
        assert (partner["balances"], partner["voucherQuotas"], partner["ledger"], partner["resellers"]) == (
            None,
            None,
            None,
            None,
        )
        assert partner["customers"]["totalCount"] > 0  # its own customers, still
    assert {e["extensions"]["code"] for e in sales["errors"]} == {"FORBIDDEN"}
    assert {e["path"][-1] for e in sales["errors"]} == {"balances", "voucherQuotas", "ledger", "resellers"}
