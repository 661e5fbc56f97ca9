"""Benchmark of the unified read graph (issue #5). Prints figures; asserts nothing.

    .venv/bin/python bench/graph.py [--runs N]

1. Upstream requests for one page of 100 customers with balance and voucher count, per provider.
2. The latency of a cross-provider page divided by the slowest upstream's latency, with simulated
   upstream latencies of 100 ms (Aliyun) and 150 ms (Huawei): close to 1 when accounts are queried
   concurrently, about 2.5 if they were queried one after the other.
3. The gateway's p50 for a 100-customer page divided by bare strawberry's p50 for the same selection
   over in-memory objects, measured side by side in one run (the machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import strawberry

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun import plugin as aliyun_plugin
from adapters.aliyun.simulator import SimulatedPartner
from adapters.aliyun.simulator import create_app as aliyun_app
from adapters.huaweicloud import plugin as huaweicloud_plugin
from adapters.huaweicloud.simulator import SimAccount
from adapters.huaweicloud.simulator import create_app as huawei_app
from gateway.app import create_app
from gateway.config import AccountConfig, GatewayConfig
from gateway.models import PartnerAccount, Secret
from gateway.registry import Registry
from gateway.testing import running

CUSTOMERS = 100
PAGE = "{ customers(first: 100) { edges { node { id provider nativeId name partner { name } } } } }"
NESTED = '{ customers(first: 100, filter: {provider: "%s"}) { edges { node { balance { amount } voucherCount } } } }'


class Counted:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


def setup() -> tuple[GatewayConfig, dict[str, Any], dict[str, Counted]]:
    aliyun = aliyun_app([SimulatedPartner("LTAIbench", "bench-secret", customers=CUSTOMERS)], seed=1)
    huawei = huawei_app([SimAccount("HWBENCH", "bench-sk", "d" * 32)], seed=1, customers_per_account=CUSTOMERS)
    accounts = (
        AccountConfig(
            PartnerAccount(
                "aliyun-bench",
                "aliyun",
                "Aliyun",
                "distributor",
                "https://agency.aliyuncs.com",
                aliyun_plugin.program,
            ),
            {"access_key_id": Secret("LTAIbench"), "access_key_secret": Secret("bench-secret")},
        ),
        AccountConfig(
            PartnerAccount(
                "huawei-bench",
                "huaweicloud",
                "Huawei",
                "tier1-distributor",
                "https://bss.myhuaweicloud.com",
                huaweicloud_plugin.program,
                settings={"domain_id": "d" * 32},
            ),
            {"access_key": Secret("HWBENCH"), "secret_key": Secret("bench-sk")},
        ),
    )
    counted = {"aliyun-bench": Counted(aliyun), "huawei-bench": Counted(huawei)}
    config = GatewayConfig(accounts=accounts, simulated=counted)
    return config, {"aliyun": aliyun, "huaweicloud": huawei}, counted


@strawberry.type
class BarePartner:
    name: str


@strawberry.type
class BareCustomer:
    id: strawberry.ID
    provider: str
    native_id: str
    name: str
    partner: BarePartner


@strawberry.type
class BareEdge:
    node: BareCustomer


@strawberry.type
class BareConnection:
    edges: list[BareEdge]


def bare_schema() -> strawberry.Schema:
    partner = BarePartner(name="Aliyun")
    edges = [
        BareEdge(
            node=BareCustomer(
                id=strawberry.ID(f"id{n}"), provider="aliyun", native_id=str(n), name=f"客户 {n}", partner=partner
            )
        )
        for n in range(CUSTOMERS)
    ]

    @strawberry.type
    class Query:
        @strawberry.field
        def customers(self, first: int) -> BareConnection:
            return BareConnection(edges=edges[:first])

    return strawberry.Schema(query=Query)


async def p50(call: Any, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def main(runs: int) -> None:
    config, apps, counted = setup()
    registry = Registry.discover()
    async with running(create_app(config, registry)) as client:

        async def ask(query: str) -> dict[str, Any]:
            response = await client.post("/graphql", json={"query": query})
            body: dict[str, Any] = response.json()
            assert "errors" not in body, body
            return body

        print("1. upstream requests for a page of 100 customers with balance and voucher count")
        for provider, account_id in (("aliyun", "aliyun-bench"), ("huaweicloud", "huawei-bench")):
            counted[account_id].requests = 0
            await ask(NESTED % provider)
            print(f"   {provider:12s} {counted[account_id].requests:4d} requests")

        print("2. cross-provider page latency / slowest upstream latency (100 ms and 150 ms)")
        apps["aliyun"].faults.add(Fault(FaultKind.LATENCY, "*", 100.0))
        apps["huaweicloud"].faults.add(Fault(FaultKind.LATENCY, "*", 150.0))
        small = "{ customers(first: 20) { edges { node { id provider } } } }"
        latency = await p50(lambda: ask(small), max(3, runs // 5))
        print(f"   p50 {latency * 1000:.0f} ms / 150 ms = {latency / 0.150:.2f}")
        apps["aliyun"].faults.clear()
        apps["huaweicloud"].faults.clear()

        print(f"3. p50 of a 100-customer page: gateway / bare strawberry over in-memory objects ({runs} runs each)")
        bare = bare_schema()

        async def bare_page() -> None:
            result = await bare.execute(PAGE)
            assert result.errors is None

        await ask(PAGE)  # warm up both
        await bare_page()
        gateway_times, bare_times = [], []
        for _ in range(runs):  # interleaved, so both see the same machine
            gateway_times.append(await p50(lambda: ask(PAGE), 1))
            bare_times.append(await p50(bare_page, 1))
        g, b = statistics.median(gateway_times), statistics.median(bare_times)
        print(f"   gateway {g * 1000:.1f} ms, bare {b * 1000:.1f} ms, ratio {g / b:.1f}")
        print("   (the gateway's time includes signing, HTTP to in-process simulators, paging and mapping)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    asyncio.run(main(parser.parse_args().runs))
