"""``[upstream] read_timeout_seconds``: a read whose answer is stuck is cut off and retried, not waited on until
the request's deadline; a write keeps ``timeout_seconds`` (cutting it off would make its outcome unknown)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.config import GatewayConfig, LimitsConfig, UpstreamConfig, demo_config
from gateway.registry import Registry
from gateway.testing import running
from gateway.upstream.call import tag
from gateway.upstream.stack import ReadsTimeout
from tests.support.mutations_demo import HUAWEI, KEYS

pytestmark = pytest.mark.anyio

PAGE = '{ customers(first: 5, filter: {provider: "huaweicloud"}) { totalCount } }'


class Counted:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.paths[scope["path"]] += 1
        await self.app(scope, receive, send)


async def test_a_stuck_read_is_cut_off_at_the_read_timeout_and_answered_by_its_retry() -> None:
    registry = Registry.discover()
    demo = demo_config(registry)
    simulator = demo.simulated[HUAWEI]
    # the first listing hangs for 8 s (past a 0.3 s read timeout, inside the 10 s deadline); the retry is prompt
    simulator.faults.add(Fault(FaultKind.LATENCY, "list_sub_customers", 8_000.0, remaining=1))  # type: ignore[attr-defined]
    counted = Counted(simulator)
    entries = tuple(
        entry.__class__(entry.account, entry.credentials, upstream=UpstreamConfig(read_timeout_seconds=0.3))
        for entry in demo.accounts
        if entry.account.id == HUAWEI
    )
    config = GatewayConfig(
        accounts=entries,
        simulated={HUAWEI: counted},
        api_keys=KEYS,
        limits=LimitsConfig(request_timeout_seconds=10),
    )
    async with running(create_app(config, registry)) as client:
        started = time.monotonic()
        body = (await client.post("/graphql", json={"query": PAGE}, headers={"authorization": "Bearer k-admin"})).json()
        took = time.monotonic() - started
    assert "errors" not in body, body
    assert body["data"]["customers"]["totalCount"] > 0
    assert counted.paths["/v2/partners/sub-customers/query"] == 2  # the stuck one, then its retry
    assert took < 8  # not held until the hanging answer (or the 10 s deadline)


class Timeouts(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.seen: list[dict[str, float | None]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(dict(request.extensions["timeout"]))
        return httpx.Response(200, json={})


async def test_only_reads_get_the_read_timeout_and_a_shorter_client_timeout_stays() -> None:
    recorder = Timeouts()
    async with httpx.AsyncClient(
        transport=ReadsTimeout(recorder, 2.0), base_url="http://upstream.test", timeout=httpx.Timeout(15, connect=5)
    ) as client:
        await client.send(client.build_request("GET", "/read", extensions=tag("Read", idempotent=True)))
        await client.send(client.build_request("POST", "/write", extensions=tag("Write", idempotent=False)))
        await client.send(client.build_request("GET", "/untagged"))
        short = client.build_request("GET", "/r", extensions=tag("Read", idempotent=True), timeout=httpx.Timeout(1.0))
        await client.send(short)
    assert [seen["read"] for seen in recorder.seen] == [2.0, 15, 15, 1.0]
    assert [seen["connect"] for seen in recorder.seen] == [5, 5, 5, 1.0]
