"""Failures where they happen, through the graph over both simulators: one customer's failed balance, or an
invitee's orders, touch that one field; the rest of the page stands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig, UpstreamConfig, demo_config
from gateway.registry import Registry
from gateway.testing import running

pytestmark = pytest.mark.anyio

ALIYUN_BALANCES = """{ customers(first: 100, filter: {provider: "aliyun"}) {
  edges { node { nativeId status balance { amount currency } } } } }"""


@pytest.fixture
def demo() -> tuple[GatewayConfig, Registry]:
    registry = Registry.discover()
    config = demo_config(registry)
    keys = (ApiKey("admin", hash_key("k-admin"), Role.ADMIN),)
    uncached = UpstreamConfig(funds_cache_seconds=0.0)  # each read here reaches the simulator and its faults
    return (
        GatewayConfig(accounts=config.accounts, simulated=config.simulated, api_keys=keys, upstream=uncached),
        registry,
    )


@pytest.fixture
async def client(demo: tuple[GatewayConfig, Registry]) -> AsyncIterator[httpx.AsyncClient]:
    config, registry = demo
    async with running(create_app(config, registry)) as test_client:
        yield test_client


async def ask(client: httpx.AsyncClient, query: str) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query}, headers={"authorization": "Bearer k-admin"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_one_failing_credit_read_nulls_only_that_customers_balance(
    client: httpx.AsyncClient, demo: tuple[GatewayConfig, Registry]
) -> None:
    before = await ask(client, ALIYUN_BALANCES)
    assert "errors" not in before, before["errors"]
    nodes = [edge["node"] for edge in before["data"]["customers"]["edges"]]
    accounts = [i for i, node in enumerate(nodes) if node["status"] == "ASSOCIATED"]
    assert len(accounts) > 2
    assert all(nodes[i]["balance"] for i in accounts)
    failing = accounts[1]
    uid = nodes[failing]["nativeId"]
    config, _ = demo
    config.simulated["aliyun-demo"].faults.add(  # type: ignore[attr-defined]
        Fault(FaultKind.SERVER_ERROR, "GetCreditInfo", 503.0, match=f"Uid={uid}")
    )

    body = await ask(client, ALIYUN_BALANCES)
    after = [edge["node"] for edge in body["data"]["customers"]["edges"]]
    assert [node["nativeId"] for node in after] == [node["nativeId"] for node in nodes]  # the page stands
    assert after[failing]["balance"] is None
    [error] = body["errors"]
    assert error["path"] == ["customers", "edges", failing, "node", "balance"]
    assert (error["extensions"]["code"], error["extensions"]["upstreamCode"]) == (
        "PROVIDER_UNAVAILABLE",
        "ServiceUnavailable",
    )
    for i in accounts:
        if i != failing:
            assert after[i]["balance"] == nodes[i]["balance"]  # every other customer's balance is there


async def test_a_page_with_invitees_answers_their_orders_as_empty(client: httpx.AsyncClient) -> None:
    body = await ask(
        client,
        """{ customers(first: 100, filter: {provider: "aliyun"}) {
          edges { node { nativeId status accountType orders(first: 5) { totalCount edges { node { id } } } } } } }""",
    )
    assert "errors" not in body, body["errors"]
    nodes = [edge["node"] for edge in body["data"]["customers"]["edges"]]
    invitees = [n for n in nodes if n["status"] in ("INVITED", "INVITATION_EXPIRED")]
    assert invitees  # the demo's page holds invitation rows
    assert all(n["orders"] == {"totalCount": 0, "edges": []} for n in invitees)
    assert {n["accountType"] for n in invitees} <= {"AGENCY", "CONSIGNMENT"}  # the type they were invited as
    assert any(n["orders"]["totalCount"] for n in nodes if n not in invitees)  # registered ones keep theirs
