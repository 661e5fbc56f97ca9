"""How many round trips a page costs, through the whole gateway over both simulators in-process: what can go out
together does, within the account's limits (``gateway.upstream.limits``, the one place that bounds it).

The simulators answer in rounds (``tests.support.rounds``): a request that could only be sent after another's
answer falls in a later round. So a round is what latency would cost, and no test times anything.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from adapters.aliyun import plugin as aliyun_plugin
from adapters.aliyun.simulator import SimulatedPartner
from adapters.aliyun.simulator import create_app as aliyun_app
from adapters.huaweicloud import plugin as huaweicloud_plugin
from adapters.huaweicloud.simulator import SimAccount
from adapters.huaweicloud.simulator import create_app as huawei_app
from gateway.app import create_app
from gateway.config import AccountConfig, GatewayConfig, UpstreamConfig
from gateway.models import PartnerAccount, Secret
from gateway.registry import Registry
from gateway.store import Store
from gateway.testing import running
from tests.support.rounds import Rounds, RoundsApp

pytestmark = pytest.mark.anyio

ALIYUN, HUAWEI = "aliyun-fan", "huawei-fan"
CUSTOMERS = 100
#: Limits that let a page's hundred credit calls go at once (an account whose quota allows it).
ROOMY = UpstreamConfig(max_concurrency=200, rate_per_second=1000.0, rate_burst=200, funds_cache_seconds=0.0)
LISTS = ("GetAccountInfo", "GetUnassociatedCustomer")


@dataclass
class Fan:
    client: httpx.AsyncClient
    rounds: Rounds

    async def ask(self, query: str) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query})
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def actions(self) -> list[list[str]]:
        """Each round's requests as their action or path (without the query), sorted."""
        return [sorted(label.split(" ")[1] for label in labels) for labels in self.rounds.rounds]


@contextlib.asynccontextmanager
async def gateway(policy: UpstreamConfig = ROOMY) -> AsyncIterator[Fan]:
    """Both clouds with 100 customers each, behind one ``Rounds``; each account held to ``policy``."""
    rounds = Rounds()
    aliyun = aliyun_app([SimulatedPartner("LTAIfan", "fan-secret", customers=CUSTOMERS)], seed=3)
    huawei = huawei_app([SimAccount("HWFAN", "fan-sk", "f" * 32)], seed=3, customers_per_account=CUSTOMERS)
    accounts = (
        AccountConfig(
            PartnerAccount(
                ALIYUN, "aliyun", "Aliyun", "distributor", "https://agency.aliyuncs.com", aliyun_plugin.program
            ),
            {"access_key_id": Secret("LTAIfan"), "access_key_secret": Secret("fan-secret")},
            upstream=policy,
        ),
        AccountConfig(
            PartnerAccount(
                HUAWEI,
                "huaweicloud",
                "Huawei",
                "tier1-distributor",
                "https://bss.myhuaweicloud.com",
                huaweicloud_plugin.program,
                settings={"domain_id": "f" * 32},
            ),
            {"access_key": Secret("HWFAN"), "secret_key": Secret("fan-sk")},
            upstream=policy,
        ),
    )
    simulated = {ALIYUN: RoundsApp(aliyun, rounds, ALIYUN), HUAWEI: RoundsApp(huawei, rounds, HUAWEI)}
    config = GatewayConfig(accounts=accounts, simulated=simulated)
    async with running(create_app(config, Registry.discover())) as client:
        fan = Fan(client, rounds)
        await fan.ask("{ customers(first: 1) { totalCount } }")  # each account's list lengths, for the plans
        rounds.clear()
        yield fan


def reads(account_id: str) -> float:
    """Reads the account's transport stack was asked for: sent, shared or cached (gateway.upstream.flight)."""
    return sum(
        REGISTRY.get_sample_value("partner_gateway_upstream_cache_total", {"account": account_id, "result": r}) or 0.0
        for r in ("hit", "miss", "shared")
    )


async def test_a_page_of_balances_costs_two_rounds_every_credit_call_in_the_second() -> None:
    async with gateway() as fan:
        data = await fan.ask('{ customers(first: 100, filter: {provider: "aliyun"}) { nodes { balance { amount } } } }')
        assert len(data["customers"]["nodes"]) == CUSTOMERS
        lists, credit = fan.actions()  # exactly two rounds: the pages, then the balances
        assert set(lists) <= set(LISTS)
        assert lists.count("GetAccountInfo") == 6  # 100 accounts of two UserTypes, 20 a page: every page at once
        assert credit == ["GetCreditInfo"] * CUSTOMERS  # all hundred at once: no cap in the adapter


async def test_the_accounts_limits_are_what_bounds_the_credit_calls_in_flight() -> None:
    async with gateway(ROOMY.model_copy(update={"max_concurrency": 10})) as fan:
        await fan.ask('{ customers(first: 100, filter: {provider: "aliyun"}) { nodes { balance { amount } } } }')
        credit = [r.count("GetCreditInfo") for r in fan.actions() if "GetCreditInfo" in r]
        assert sum(credit) == CUSTOMERS
        assert max(credit) == 10  # the account's cap, filled: ten rounds of ten
        assert fan.rounds.most_in_flight == 10


@pytest.mark.parametrize("first", [1, 20, 60, 100])
async def test_a_page_across_both_clouds_asks_both_at_once_in_one_round(first: int) -> None:
    async with gateway() as fan:
        await fan.ask(
            f"{{ customers(first: {first}, after: null) {{ totalCount nodes {{ id partner {{ name }} }} }} }}"
        )
        (round_one,) = fan.rounds.rounds
        assert {label.split(" ")[0] for label in round_one} == {ALIYUN, HUAWEI}


async def test_a_page_from_the_invitations_into_the_second_cloud_is_one_round() -> None:
    async with gateway() as fan:
        whole = (await fan.ask("{ customers(first: 100) { pageInfo { endCursor } nodes { provider } } }"))["customers"]
        assert [n["provider"] for n in whole["nodes"]] == ["aliyun"] * 100
        fan.rounds.clear()
        # After the Aliyun account's 100 customers: its 7 invitations, then the Huawei account's customers. The
        # invitees' statuses go with the pages: their ids were seen before.
        after = whole["pageInfo"]["endCursor"]
        rest = await fan.ask(f'{{ customers(first: 20, after: "{after}") {{ nodes {{ provider accountType }} }} }}')
        assert [n["provider"] for n in rest["customers"]["nodes"]] == ["aliyun"] * 7 + ["huaweicloud"] * 13
        (round_one,) = fan.rounds.rounds
        assert {label.split(" ")[0] for label in round_one} == {ALIYUN, HUAWEI}
        assert "GetInviteStatus" in fan.actions()[0]


async def test_identical_nested_lists_are_read_once_per_request() -> None:
    async with gateway() as fan:
        before = reads(ALIYUN)
        query = """{ customers(first: 20, filter: {provider: "aliyun"}) {
          nodes { id partner { name customers(first: 5) { nodes { id } } } } } }"""
        data = await fan.ask(query)
        nested = [n["partner"]["customers"]["nodes"] for n in data["customers"]["nodes"]]
        assert len(nested) == 20
        assert all(ids == nested[0] for ids in nested)
        assert len(nested[0]) == 5
        # The page's three list reads, and the nested list's three once (not twenty times): its pages are the
        # page's own (20 rows each), so the stack shares them and nothing more is sent.
        assert reads(ALIYUN) - before == 3 + 3
        assert len(fan.rounds.rounds) == 1


async def test_each_customers_orders_are_read_at_once() -> None:
    async with gateway() as fan:
        query = """{ customers(first: 20, filter: {provider: "aliyun"}) {
          nodes { orders(first: 5) { nodes { id } } } } }"""
        await fan.ask(query)
        lists, orders = fan.actions()
        assert set(lists) <= set(LISTS)
        assert orders == ["GetCustomerOrderList"] * 20  # one per customer, all in one round


async def test_the_gateways_assignments_are_read_while_the_page_is_upstream(monkeypatch: pytest.MonkeyPatch) -> None:
    answered: list[int] = []
    upstream: list[Rounds] = []
    read = Store.assignments

    async def assignments(store: Store, account_id: str) -> Any:
        answered.append(upstream[0].answered if upstream else -1)
        return await read(store, account_id)

    monkeypatch.setattr(Store, "assignments", assignments)
    async with gateway() as fan:
        upstream.append(fan.rounds)
        answered.clear()
        await fan.ask('{ customers(first: 20, filter: {provider: "aliyun"}) { nodes { id owner } } }')
        assert len(fan.rounds.rounds) == 1
        assert answered[0] == 0  # the store was asked before the page's round was answered
