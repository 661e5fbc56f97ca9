"""OpenTelemetry traces: the tree of spans a GraphQL request leaves, read from an in-memory exporter, and
OTLP export when the standard variables ask for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.config import GatewayConfig, demo_config
from gateway.observability.tracing import provider_from_env
from gateway.registry import Registry
from gateway.testing import running
from tests.support.mutations_demo import ALIYUN, HUAWEI, KEYS, Counted
from tests.support.servers import live_server

pytestmark = pytest.mark.anyio

ADMIN = {"authorization": "Bearer k-admin"}
CUSTOMERS = "query Customers { customers(first: 3) { totalCount nodes { provider } } }"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
CALLER_SPAN = "b7ad6b7169203331"


def traceparent(trace_id: str = TRACE_ID, span_id: str = CALLER_SPAN) -> dict[str, str]:
    return {"traceparent": f"00-{trace_id}-{span_id}-01"}


class Traced:
    def __init__(self, client: httpx.AsyncClient, exporter: InMemorySpanExporter, counted: dict[str, Counted]):
        self.client = client
        self.exporter = exporter
        self.counted = counted

    async def ask(self, query: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query}, headers=ADMIN | (headers or {}))
        body: dict[str, Any] = response.json()
        return body

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def sent(self) -> int:
        return sum(sum(counted.counts.values()) for counted in self.counted.values())


@pytest.fixture
async def traced() -> AsyncIterator[Traced]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    demo = demo_config(Registry.discover())
    counted = {account: Counted(app, huawei=account == HUAWEI) for account, app in demo.simulated.items()}
    config = GatewayConfig(accounts=demo.accounts, simulated=counted, api_keys=KEYS)
    async with running(create_app(config, Registry.discover(), tracer_provider=provider)) as client:
        yield Traced(client, exporter, counted)
    provider.shutdown()


def roots(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [span for span in spans if span.kind is SpanKind.SERVER]


def children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [span for span in spans if span.parent is not None and span.parent.span_id == parent.context.span_id]


async def test_each_request_is_one_span_under_the_callers_trace_with_its_upstream_requests_as_children(
    traced: Traced,
) -> None:
    other_trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    first = await traced.ask(CUSTOMERS, traceparent())
    second = await traced.ask(CUSTOMERS, traceparent(other_trace, "00f067aa0ba902b7"))
    assert "errors" not in first
    assert "errors" not in second
    spans = traced.spans()

    requests = roots(spans)
    assert len(requests) == 2
    for root, trace_id, caller in zip(
        requests, (TRACE_ID, other_trace), (CALLER_SPAN, "00f067aa0ba902b7"), strict=True
    ):
        assert root.name == "graphql query Customers"
        assert f"{root.context.trace_id:032x}" == trace_id
        assert root.parent is not None
        assert root.parent.is_remote
        assert f"{root.parent.span_id:016x}" == caller
        attributes = dict(root.attributes or {})
        assert attributes["graphql.operation.name"] == "Customers"
        assert attributes["graphql.operation.type"] == "query"
        assert attributes["partner_gateway.principal.role"] == "admin"
        assert attributes["partner_gateway.outcome"] == "ok"
        assert attributes["http.response.status_code"] == 200
        assert root.status.status_code is StatusCode.UNSET

    # Every other span is an upstream request, a child of its request's span (the resolvers' tasks carry
    # the context), one per request the simulators received.
    upstream = [span for span in spans if span.kind is SpanKind.CLIENT]
    assert len(upstream) + len(requests) == len(spans)
    assert len(upstream) == traced.sent()
    for root in requests:
        mine = children(spans, root)
        assert mine
        assert {span.context.trace_id for span in mine} == {root.context.trace_id}
        assert {dict(span.attributes or {})["partner_gateway.account"] for span in mine} == {ALIYUN, HUAWEI}
        assert dict(root.attributes or {})["partner_gateway.upstream_calls"] == len(mine)
    assert sorted(len(children(spans, root)) for root in requests) == [len(upstream) // 2] * 2
    for span in upstream:
        attributes = dict(span.attributes or {})
        assert attributes["partner_gateway.provider"] in ("aliyun", "huaweicloud")
        assert span.name == f"{attributes['partner_gateway.provider']} {attributes['partner_gateway.operation']}"
        assert attributes["partner_gateway.outcome"] == "ok"
        assert attributes["http.response.status_code"] == 200
        assert attributes["partner_gateway.upstream_request_id"]  # the cloud's own id, for its support desk
        assert "url.full" not in attributes  # a signed query string stays out of traces


async def test_without_a_valid_traceparent_a_request_starts_its_own_trace(traced: Traced) -> None:
    await traced.ask("query Plain { __typename }")
    await traced.ask("query Garbage { __typename }", {"traceparent": "00-zzzz-not-a-trace-01"})
    await traced.ask("query Zero { __typename }", traceparent("0" * 32))  # the all-zero trace id is invalid
    spans = traced.spans()
    assert [span.name for span in spans] == ["graphql query Plain", "graphql query Garbage", "graphql query Zero"]
    assert all(span.parent is None for span in spans)
    assert len({span.context.trace_id for span in spans}) == 3


async def test_failures_are_recorded_on_the_spans(traced: Traced) -> None:
    huawei = traced.counted[HUAWEI].app
    huawei.faults.add(Fault(FaultKind.SERVER_ERROR, "list_sub_customers"))  # type: ignore[attr-defined]
    body = await traced.ask(CUSTOMERS, traceparent())
    assert body["errors"][0]["extensions"]["code"] == "PROVIDER_UNAVAILABLE"
    refused = await traced.client.post("/graphql", json={"query": CUSTOMERS}, headers={"x-api-key": "wrong"})
    assert refused.status_code == 401
    spans = traced.spans()
    partial, unauthenticated = roots(spans)
    assert partial.status.status_code is StatusCode.ERROR
    assert partial.status.description == "PROVIDER_UNAVAILABLE"
    assert dict(partial.attributes or {})["graphql.error.codes"] == ("PROVIDER_UNAVAILABLE",)
    assert dict(partial.attributes or {})["partner_gateway.outcome"] == "partial"
    failed = [span for span in children(spans, partial) if span.status.status_code is StatusCode.ERROR]
    injected = huawei.faults.injected[("list_sub_customers", FaultKind.SERVER_ERROR)]  # type: ignore[attr-defined]
    assert len(failed) == injected >= 2
    for span in failed:
        attributes = dict(span.attributes or {})
        assert (attributes["partner_gateway.operation"], attributes["partner_gateway.outcome"]) == (
            "list_sub_customers",
            "server_error",
        )
        assert attributes["http.response.status_code"] == 503
        assert len(str(attributes["partner_gateway.upstream_request_id"])) == 32  # Huawei's X-Request-Id
    # Refused before its document was read: named as such, the client's mistake, not an error of the gateway.
    assert unauthenticated.name == "graphql"
    assert dict(unauthenticated.attributes or {})["partner_gateway.outcome"] == "refused"
    assert unauthenticated.status.status_code is StatusCode.UNSET
    assert not children(spans, unauthenticated)


def test_the_gateway_names_its_service_unless_the_environment_does(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    environ = {"OTEL_TRACES_EXPORTER": "console"}
    provider = provider_from_env(environ)
    assert provider is not None
    assert provider.resource.attributes["service.name"] == "partner-gateway"
    provider.shutdown()
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "service.name=billing-gw,deployment.environment=staging")
    provider = provider_from_env(environ)
    assert provider is not None
    assert provider.resource.attributes["service.name"] == "billing-gw"
    assert provider.resource.attributes["deployment.environment"] == "staging"
    provider.shutdown()


def test_no_otel_variables_means_no_provider() -> None:
    assert provider_from_env({}) is None
    assert provider_from_env({"OTEL_SERVICE_NAME": "gw"}) is None
    assert provider_from_env({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318"}) is None
    assert provider_from_env({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}) is None


@pytest.fixture
def collector() -> Iterator[tuple[str, list[ExportTraceServiceRequest]]]:
    """An OTLP/HTTP trace receiver on loopback: what it was sent, decoded."""
    received: list[ExportTraceServiceRequest] = []

    async def traces(request: Request) -> Response:
        received.append(ExportTraceServiceRequest.FromString(await request.body()))
        return Response(b"", media_type="application/x-protobuf")

    app = Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])
    with live_server(app) as base:
        yield base, received


async def test_spans_are_exported_over_otlp_when_the_standard_variables_say_so(
    collector: tuple[str, list[ExportTraceServiceRequest]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, received = collector
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", base)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "gateway-under-test")
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    demo = demo_config(Registry.discover())
    config = GatewayConfig(accounts=demo.accounts, simulated=demo.simulated, api_keys=KEYS)
    async with running(create_app(config, Registry.discover())) as client:  # no provider given: the environment's
        response = await client.post("/graphql", json={"query": CUSTOMERS}, headers=ADMIN | traceparent())
        assert response.status_code == 200
    assert received  # the app's shutdown flushed the batch
    spans = [
        (resource.resource, span)
        for request in received
        for resource in request.resource_spans
        for scope in resource.scope_spans
        for span in scope.spans
    ]
    names = {span.name for _, span in spans}
    assert "graphql query Customers" in names
    assert any(name.startswith("huaweicloud ") for name in names)
    assert {span.trace_id.hex() for _, span in spans} == {TRACE_ID}
    services = {
        attribute.value.string_value
        for resource, _ in spans
        for attribute in resource.attributes
        if attribute.key == "service.name"
    }
    assert services == {"gateway-under-test"}
