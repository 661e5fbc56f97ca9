"""Prometheus at /metrics: what GraphQL traffic and the clouds' answers do to the gateway's figures.

The registry is the process's (prometheus-client's default), so each test reads /metrics before and after
its traffic and compares the difference.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest
from opentelemetry.trace import NoOpTracer
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from adapters._simkit.faults import Fault, FaultKind, FaultPlan
from gateway.app import create_app
from gateway.config import GatewayConfig, demo_config
from gateway.config_tables import LimitsConfig
from gateway.errors import ProviderUnavailable
from gateway.models import PartnerAccount
from gateway.observability.metrics import MAX_OPERATION_LABELS, OperationLabels
from gateway.registry import Registry
from gateway.testing import running
from gateway.upstream.call import tag
from gateway.upstream.observed import ObservedTransport, mark
from tests.support.mutations_demo import ALIYUN, HUAWEI, KEYS, RECEIPT, REFUSALS, Counted, key, partner_id
from tests.support.mutations_demo import demo as mutations_demo

pytestmark = pytest.mark.anyio

ADMIN = {"authorization": "Bearer k-admin"}
CUSTOMERS = "query Customers { customers(first: 3) { totalCount nodes { provider } } }"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: httpx.AsyncClient) -> Samples:
    """Every sample of /metrics, parsed as Prometheus parses it."""
    response = await client.get("/metrics")
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


@dataclass
class Gateway:
    client: httpx.AsyncClient
    faults: dict[str, FaultPlan]

    async def ask(self, query: str, headers: dict[str, str] | None = None, **extra: Any) -> httpx.Response:
        return await self.client.post("/graphql", json={"query": query, **extra}, headers=ADMIN | (headers or {}))


def demo(**limits: Any) -> GatewayConfig:
    config = demo_config(Registry.discover())
    return GatewayConfig(
        accounts=config.accounts, simulated=config.simulated, api_keys=KEYS, limits=LimitsConfig(**limits)
    )


async def gateway(config: GatewayConfig) -> AsyncIterator[Gateway]:
    async with running(create_app(config, Registry.discover())) as client:
        plans = {account: getattr(app, "faults", None) or app.app.faults for account, app in config.simulated.items()}  # type: ignore[attr-defined]
        yield Gateway(client, plans)


@pytest.fixture
async def gw() -> AsyncIterator[Gateway]:
    async for each in gateway(demo()):
        yield each


async def test_traffic_moves_the_request_counters_by_operation_and_outcome(gw: Gateway) -> None:
    before = await scrape(gw.client)
    assert (await gw.ask(CUSTOMERS)).json().keys() == {"data", "extensions"}
    gw.faults[HUAWEI].add(Fault(FaultKind.SERVER_ERROR, "list_sub_customers"))  # every attempt: a 503
    partial = (await gw.ask(CUSTOMERS)).json()
    assert partial["data"]["customers"]["nodes"]
    assert partial["errors"][0]["extensions"]["code"] == "PROVIDER_UNAVAILABLE"
    gw.faults[HUAWEI].clear()
    unauthenticated = await gw.client.post("/graphql", json={"query": CUSTOMERS}, headers={"x-api-key": "wrong"})
    assert unauthenticated.status_code == 401
    assert (await gw.ask("query Invalid { noSuchField }")).json()["errors"][0]["extensions"]["code"] == (
        "GRAPHQL_VALIDATION_FAILED"
    )
    assert (await gw.ask("{ customers(first: 1) { totalCount } }")).status_code == 200  # anonymous
    bad = await gw.client.post("/graphql", content=b"{not json", headers=ADMIN | {"content-type": "application/json"})
    assert bad.status_code == 400
    after = await scrape(gw.client)

    requests = "partner_gateway_requests_total"
    assert moved(before, after, requests, operation="Customers", outcome="ok") == 1
    assert moved(before, after, requests, operation="Customers", outcome="partial") == 1
    assert moved(before, after, requests, operation="Invalid", outcome="refused") == 1
    assert moved(before, after, requests, operation="anonymous", outcome="ok") == 1
    assert moved(before, after, requests, operation="unknown", outcome="refused") == 2  # the 401 and the 400
    assert moved(before, after, "partner_gateway_request_duration_seconds_count", operation="Customers") == 2
    # The cost histograms: both Customers requests and the anonymous one reported their cost.
    assert moved(before, after, "partner_gateway_request_cost_count", kind="requested") == 4  # Invalid: estimated too
    assert moved(before, after, "partner_gateway_request_cost_count", kind="actual") == 4
    assert moved(before, after, "partner_gateway_request_cost_sum", kind="actual") > 0

    upstream = "partner_gateway_upstream_requests_total"
    huawei = {"provider": "huaweicloud", "account": HUAWEI, "operation": "list_sub_customers"}
    injected = gw.faults[HUAWEI].injected[("list_sub_customers", FaultKind.SERVER_ERROR)]
    assert injected >= 2  # a read is retried
    assert moved(before, after, upstream, **huawei, outcome="server_error") == injected
    assert moved(before, after, upstream, **huawei, outcome="ok") == 2  # the first and the anonymous request
    sent = moved(before, after, "partner_gateway_upstream_duration_seconds_count", **huawei)
    assert sent == injected + 2  # every request sent is timed
    aliyun = moved(
        before, after, upstream, provider="aliyun", account=ALIYUN, operation="GetUnassociatedCustomer", outcome="ok"
    )
    assert aliyun == 3


@pytest.mark.parametrize(
    ("account", "operation", "kind", "outcome"),
    [
        (ALIYUN, "GetUnassociatedCustomer", FaultKind.THROTTLE, "throttled"),  # HTTP 400 + x-acs-retry-after
        (HUAWEI, "list_sub_customers", FaultKind.THROTTLE, "throttled"),  # HTTP 429
        (ALIYUN, "GetUnassociatedCustomer", FaultKind.DROP, "network"),
        (HUAWEI, "list_sub_customers", FaultKind.SERVER_ERROR, "server_error"),
    ],
)
async def test_each_failing_upstream_request_is_counted_with_its_outcome(
    gw: Gateway, account: str, operation: str, kind: FaultKind, outcome: str
) -> None:
    gw.faults[account].add(Fault(kind, operation, 0.01 if kind is FaultKind.THROTTLE else None, remaining=1))
    before = await scrape(gw.client)
    query = "query($f: CustomerFilterInput) { customers(first: 2, filter: $f) { totalCount } }"
    body = (await gw.ask(query, variables={"f": {"partnerIds": [partner_id(account)]}})).json()
    after = await scrape(gw.client)
    assert "errors" not in body  # the read was retried past the one fault
    labels = {"provider": account.split("-")[0], "account": account, "operation": operation}
    assert gw.faults[account].injected[(operation, kind)] == 1
    assert moved(before, after, "partner_gateway_upstream_requests_total", **labels, outcome=outcome) == 1
    assert moved(before, after, "partner_gateway_upstream_requests_total", **labels, outcome="ok") >= 1


async def test_a_hanging_cloud_is_counted_as_cut_off_by_the_deadline() -> None:
    config = demo(request_timeout_seconds=1.5)
    huawei = Counted(config.simulated[HUAWEI], huawei=True)  # counts each request as it arrives
    config = replace(config, simulated={**config.simulated, HUAWEI: huawei})
    async for gw in gateway(config):
        gw.faults[HUAWEI].add(Fault(FaultKind.LATENCY, "list_sub_customers", 60_000.0))
        before = await scrape(gw.client)
        body = (await gw.ask(CUSTOMERS)).json()
        after = await scrape(gw.client)
    assert body["errors"][0]["extensions"]["code"] == "DEADLINE_EXCEEDED"
    labels = {"provider": "huaweicloud", "account": HUAWEI, "operation": "list_sub_customers"}
    assert moved(before, after, "partner_gateway_upstream_requests_total", **labels, outcome="deadline") == 1
    # Timed when it was sent: cut off in flight at the simulator (almost always), not when the deadline had
    # passed before it could go (a machine loaded enough to spend the whole second and a half before it).
    reached = huawei.counts["list_sub_customers"]
    assert moved(before, after, "partner_gateway_upstream_duration_seconds_count", **labels) == reached
    assert moved(before, after, "partner_gateway_requests_total", operation="Customers", outcome="partial") == 1


async def test_metrics_is_neither_rate_limited_nor_counted_as_a_request() -> None:
    async for gw in gateway(demo(requests_per_minute=1)):
        before = await scrape(gw.client)
        assert (await gw.ask("{ __typename }")).status_code == 200
        limited = await gw.ask("{ __typename }")
        scrapes = [await gw.client.get("/metrics") for _ in range(5)]
        after = await scrape(gw.client)
    assert limited.status_code == 429
    assert {response.status_code for response in scrapes} == {200}
    assert scrapes[0].headers["content-type"].startswith("text/plain; version=0.0.4")
    total = "partner_gateway_requests_total"
    counted = sum(after[key] - before.get(key, 0.0) for key in after if key[0] == total)
    assert counted == 2  # the two GraphQL requests, not the six scrapes
    assert moved(before, after, total, operation="unknown", outcome="refused") == 1
    assert moved(before, after, "partner_gateway_rate_limited_total") == 1


async def test_the_graphiql_page_is_not_a_graphql_request(gw: Gateway) -> None:
    before = await scrape(gw.client)
    page = await gw.client.get("/graphql", headers={"accept": "text/html"})
    after = await scrape(gw.client)
    assert page.headers["content-type"].startswith("text/html")
    assert len(page.headers["x-request-id"]) == 32
    total = "partner_gateway_requests_total"
    assert sum(after[key] - before.get(key, 0.0) for key in after if key[0] == total) == 0


async def test_a_client_cannot_grow_the_registry_with_operation_names(gw: Gateway) -> None:
    names = [f"Op{i}_{time.monotonic_ns()}" for i in range(MAX_OPERATION_LABELS + 50)]
    too_long = ["x" * 65, "_" + "y" * 70]  # GraphQL names, too long for a label
    not_names = ["1abc", "a-b", "名前", "a b"]  # no document can hold them: refused by strawberry
    before = await scrape(gw.client)
    for name in [*names, *too_long]:
        response = await gw.client.post("/graphql", json={"query": f"query {name} {{ __typename }}"}, headers=ADMIN)
        assert response.json() == {
            "data": {"__typename": "Query"},
            "extensions": {"cost": {"estimated": 0, "actual": 0}},
        }
    for name in not_names:
        body = {"query": "query Q { __typename }", "operationName": name}
        assert (await gw.client.post("/graphql", json=body, headers=ADMIN)).status_code == 400
    after = await scrape(gw.client)
    operations = {dict(labels)["operation"] for name, labels in after if name == "partner_gateway_requests_total"}
    assert len(operations) <= MAX_OPERATION_LABELS + 3  # and other, anonymous, unknown
    assert not operations & {*too_long, *not_names}
    # At least the 50 names past the cap (fewer slots are left if other tests named operations) and the long ones.
    assert moved(before, after, "partner_gateway_requests_total", operation="other", outcome="ok") >= 50 + 2


def test_operation_labels_keep_the_first_names_and_refuse_what_is_not_a_graphql_name() -> None:
    labels = OperationLabels(limit=2)
    assert [labels(n) for n in ("A", "B", "C", "A", None, "b c", "_x")] == [
        "A",
        "B",
        "other",
        "A",
        "anonymous",
        "other",
        "other",
    ]


class _Refusing(httpx.AsyncBaseTransport):
    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise self.error


def _account() -> PartnerAccount:
    return demo_config(Registry.discover()).accounts[0].account


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def _send(transport: httpx.AsyncBaseTransport, operation: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport, base_url="https://upstream.test") as client:
        request = client.build_request("GET", "/", extensions=tag(operation, idempotent=True))
        return await client.send(request)


async def test_lower_layers_name_the_outcome_of_requests_they_answer_or_refuse_themselves() -> None:
    account = _account()
    labels = {"provider": account.provider, "account": account.id}
    operation = f"Marked{time.monotonic_ns()}"

    def cached(request: httpx.Request) -> httpx.Response:
        response = httpx.Response(200, json={"ok": True})
        mark(response, "cached")
        return response

    await _send(ObservedTransport(httpx.MockTransport(cached), account, NoOpTracer()), operation)
    open_circuit = ProviderUnavailable("circuit open", provider=account.provider)
    mark(open_circuit, "circuit_open")
    with pytest.raises(ProviderUnavailable):
        await _send(ObservedTransport(_Refusing(open_circuit), account, NoOpTracer()), operation)
    with pytest.raises(httpx.ConnectError):
        await _send(ObservedTransport(_Refusing(httpx.ConnectError("refused")), account, NoOpTracer()), operation)
    with pytest.raises(asyncio.CancelledError):
        await _send(ObservedTransport(_Refusing(asyncio.CancelledError()), account, NoOpTracer()), operation)
    with pytest.raises(ValueError, match="not an upstream outcome"):
        mark(open_circuit, "bogus")

    requests = "partner_gateway_upstream_requests_total"
    assert _sample(requests, **labels, operation=operation, outcome="cached") == 1
    assert _sample(requests, **labels, operation=operation, outcome="circuit_open") == 1
    assert _sample(requests, **labels, operation=operation, outcome="network") == 1
    assert _sample(requests, **labels, operation=operation, outcome="cancelled") == 1
    # Only the request that went out (and failed on the way) is timed: not the cached or refused ones.
    assert _sample("partner_gateway_upstream_duration_seconds_count", **labels, operation=operation) == 2


TRANSFER = f"""mutation($id: ID!, $key: String!) {{
  transferFunds(customerId: $id, amount: {{amount: "10.00"}}, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""


async def test_a_write_whose_outcome_is_unknown_is_pending_until_the_sweep_settles_it() -> None:
    async with mutations_demo() as gw:
        where = {"partnerIds": [partner_id(HUAWEI)], "accountType": "RESALE", "status": "ASSOCIATED"}
        customers = "query($f: CustomerFilterInput) { customers(first: 1, filter: $f) { nodes { id } } }"
        target = (await gw.ask(customers, f=where))["customers"]["nodes"][0]["id"]
        gw.huawei.faults.add(Fault(FaultKind.DROP, "update_customer_account_amount", remaining=1))  # type: ignore[attr-defined]
        before = await scrape(gw.client)
        lost = await gw.one(TRANSFER, "k-finance", id=target, key=key())
        after = await scrape(gw.client)
        # The connection dropped before the reply: not applied, but nobody knows that yet.
        assert (lost["__typename"], lost["code"], lost["pending"]) == ("UpstreamError", "OPERATION_PENDING", True)
        assert after[("partner_gateway_operations_pending", frozenset())] == 1
        labels = {"provider": "huaweicloud", "account": HUAWEI, "operation": "update_customer_account_amount"}
        assert moved(before, after, "partner_gateway_upstream_requests_total", **labels, outcome="network") == 1
        # The sweep (every second with a one-second settle window) declares it not applied.
        deadline = time.monotonic() + 30
        while (await scrape(gw.client))[("partner_gateway_operations_pending", frozenset())] != 0:
            assert time.monotonic() < deadline, "the sweep did not settle the pending write"
            await asyncio.sleep(0.2)


class _CutOff(httpx.AsyncByteStream):
    """A body that starts, then the connection drops."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"Customers": ['
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


class _Answering(httpx.AsyncBaseTransport):
    def __init__(self, stream: httpx.AsyncByteStream, status: int = 200) -> None:
        self.stream = stream
        self.status = status

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(self.status, stream=self.stream, headers={"x-request-id": "up-1"})


async def test_an_answer_whose_body_is_cut_off_counts_as_the_failure_it_is() -> None:
    account = _account()
    labels = {"provider": account.provider, "account": account.id}
    operation = f"CutOff{time.monotonic_ns()}"
    with pytest.raises(httpx.RemoteProtocolError):
        await _send(ObservedTransport(_Answering(_CutOff()), account, NoOpTracer()), operation)
    whole = await _send(ObservedTransport(_Answering(httpx.ByteStream(b"{}"), 429), account, NoOpTracer()), operation)
    assert whole.content == b"{}"
    await whole.aclose()  # closed again: still one request
    requests = "partner_gateway_upstream_requests_total"
    assert _sample(requests, **labels, operation=operation, outcome="network") == 1  # not "ok": the 200 was cut off
    assert _sample(requests, **labels, operation=operation, outcome="throttled") == 1
    assert _sample(requests, **labels, operation=operation, outcome="ok") == 0
    assert _sample("partner_gateway_upstream_duration_seconds_count", **labels, operation=operation) == 2


async def test_a_read_served_from_the_cache_is_counted_as_cached_not_sent(gw: Gateway) -> None:
    regions = '{ regions(provider: "huaweicloud", level: PROVINCE) { code } }'
    labels = {"provider": "huaweicloud", "account": "huaweicloud-demo", "operation": "list_provinces"}
    before = await scrape(gw.client)
    first, second = (await gw.ask(regions)).json(), (await gw.ask(regions)).json()
    after = await scrape(gw.client)
    assert first["data"] == second["data"]
    assert first["data"]["regions"]
    assert (first["extensions"]["cost"]["actual"], second["extensions"]["cost"]["actual"]) == (1, 0)
    assert moved(before, after, "partner_gateway_upstream_requests_total", **labels, outcome="ok") == 1
    assert moved(before, after, "partner_gateway_upstream_requests_total", **labels, outcome="cached") == 1
    # a cached answer took no upstream time: one duration observed, for the one request sent
    assert moved(before, after, "partner_gateway_upstream_duration_seconds_count", **labels) == 1
