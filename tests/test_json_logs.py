"""JSON logs: one access line per GraphQL request, parsed back; request ids taken, made and echoed; the
upstreams' own request ids; and never a credential, whatever a client puts where."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import shlex
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from gateway import cli
from gateway.app import create_app
from gateway.auth import hash_key
from gateway.config import GatewayConfig, ServerConfig, demo_config
from gateway.config_tables import LimitsConfig
from gateway.observability import requests
from gateway.observability.logconfig import RequestContext, json_formatter
from gateway.provider import ASGIApp
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FakePlugin
from tests.support.mutations_demo import ALIYUN, HUAWEI, KEYS
from tests.support.servers import EXE, free_port, process_serving
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

ADMIN = {"authorization": "Bearer k-admin"}
CUSTOMERS = "query Customers { customers(first: 3) { totalCount nodes { provider } } }"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = {"traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01"}


class Upstream:
    """A simulator that remembers the request id of every answer it sent (its header)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.faults = app.faults  # type: ignore[attr-defined]
        self.request_ids: list[str] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def noted(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = {name.lower(): value for name, value in message.get("headers", [])}
                request_id = headers.get(b"x-acs-request-id") or headers.get(b"x-request-id")
                if request_id is not None:
                    self.request_ids.append(request_id.decode())
            await send(message)

        await self.app(scope, receive, noted)


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Every log record of the process, as the JSON formatter writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestContext())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # As the CLI sets it: httpx's own line per request (here the test client's, with the URLs it was given).
    client_log = logging.getLogger("httpx")
    client_log.setLevel(logging.WARNING)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        client_log.setLevel(logging.NOTSET)


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]  # each line is one JSON object


def access(stream: io.StringIO) -> list[dict[str, Any]]:
    return [line for line in parsed(stream) if line["logger"] == "gateway.access"]


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, Upstream]]]:
    demo = demo_config(Registry.discover())
    upstreams = {account: Upstream(app) for account, app in demo.simulated.items()}
    config = GatewayConfig(
        accounts=demo.accounts,
        simulated=upstreams,
        api_keys=KEYS,
        server=ServerConfig(cors_origins=("https://console.example",)),
        limits=LimitsConfig(max_body_bytes=10_000),
    )
    async with running(create_app(config, Registry.discover())) as client:
        yield client, upstreams


async def test_one_access_line_per_request_with_what_an_operator_needs(
    gateway: tuple[httpx.AsyncClient, dict[str, Upstream]], lines: io.StringIO
) -> None:
    client, upstreams = gateway
    first = await client.post(
        "/graphql", json={"query": CUSTOMERS}, headers=ADMIN | TRACEPARENT | {"x-request-id": "console-7f3a:42"}
    )
    sent_for_first = {account: list(upstream.request_ids) for account, upstream in upstreams.items()}
    generated = await client.post("/graphql", json={"query": "{ __typename }"}, headers=ADMIN)
    replaced = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers=ADMIN | {"x-request-id": "not an id; " + "x" * 200}
    )
    upstreams[HUAWEI].faults.add(Fault(FaultKind.SERVER_ERROR, "list_sub_customers"))
    partial = await client.post("/graphql", json={"query": CUSTOMERS}, headers={"x-api-key": "k-finance"})

    assert first.headers["x-request-id"] == "console-7f3a:42"
    assert len(generated.headers["x-request-id"]) == 32
    assert int(generated.headers["x-request-id"], 16) >= 0  # a uuid4, in hex
    assert len(replaced.headers["x-request-id"]) == 32
    assert len({r.headers["x-request-id"] for r in (first, generated, replaced, partial)}) == 4

    entries = access(lines)
    assert [entry["request_id"] for entry in entries] == [
        r.headers["x-request-id"] for r in (first, generated, replaced, partial)
    ]
    ok = entries[0]
    assert ok["level"] == "INFO"
    assert (ok["principal"], ok["operation"], ok["operation_type"], ok["outcome"], ok["status"]) == (
        "admin",
        "Customers",
        "query",
        "ok",
        200,
    )
    assert ok["error_codes"] == []
    assert ok["trace_id"] == TRACE_ID
    assert isinstance(ok["duration_ms"], float)
    assert ok["duration_ms"] > 0
    sent = sum(len(ids) for ids in sent_for_first.values())
    assert ok["upstream_calls"] == sent == ok["cost"]["actual"]
    # The clouds' own request ids, each call with its account and operation.
    assert sorted(call["upstream_request_id"] for call in ok["upstream"]) == sorted(
        request_id for ids in sent_for_first.values() for request_id in ids
    )
    assert {call["account"] for call in ok["upstream"]} == {ALIYUN, HUAWEI}
    assert {call["outcome"] for call in ok["upstream"]} == {"ok"}
    assert entries[1]["operation"] == "anonymous"
    assert entries[1]["upstream_calls"] == 0

    failed = entries[3]
    assert (failed["principal"], failed["outcome"], failed["error_codes"]) == (
        "finance",
        "partial",
        ["PROVIDER_UNAVAILABLE"],
    )
    errors = [call for call in failed["upstream"] if call["outcome"] == "server_error"]
    assert errors
    assert {(call["account"], call["operation"], call["status"]) for call in errors} == {
        (HUAWEI, "list_sub_customers", 503)
    }
    assert all(len(call["upstream_request_id"]) == 32 for call in errors)  # Huawei's X-Request-Id, even on a 503

    # Every line logged while a request is answered names it: the upstream requests' lines too.
    upstream_lines = [line for line in parsed(lines) if line["logger"] == "gateway.upstream"]
    assert len(upstream_lines) == sum(entry["upstream_calls"] for entry in entries)
    for_first = [line for line in upstream_lines if line["request_id"] == "console-7f3a:42"]
    assert len(for_first) == sent
    assert {line["trace_id"] for line in for_first} == {TRACE_ID}
    assert {line["upstream_request_id"] for line in for_first} == {
        call["upstream_request_id"] for call in ok["upstream"]
    }
    failures = [line for line in upstream_lines if line["upstream_outcome"] == "server_error"]
    assert {line["level"] for line in failures} == {"INFO"}  # a failing cloud shows at the default level
    assert {line["level"] for line in for_first} == {"DEBUG"}


async def test_refusals_are_logged_and_echo_the_request_id_too(
    gateway: tuple[httpx.AsyncClient, dict[str, Upstream]], lines: io.StringIO
) -> None:
    client, _ = gateway
    too_big = await client.post(
        "/graphql",
        content=b'{"query": "' + b" " * 20_000 + b'{ __typename }"}',
        headers=ADMIN | {"x-request-id": "big-1"},
    )
    unauthenticated = await client.post("/graphql", json={"query": CUSTOMERS}, headers={"x-request-id": "who-2"})
    invalid = await client.post(
        "/graphql", json={"query": "query Bad { nope }"}, headers=ADMIN | {"x-request-id": "v-3"}
    )
    assert (too_big.status_code, unauthenticated.status_code, invalid.status_code) == (413, 401, 200)
    assert [r.headers["x-request-id"] for r in (too_big, unauthenticated, invalid)] == ["big-1", "who-2", "v-3"]
    entries = access(lines)
    assert [(e["request_id"], e["operation"], e["outcome"], e["status"], e["error_codes"]) for e in entries] == [
        ("big-1", "unknown", "refused", 413, ["BAD_REQUEST"]),
        ("who-2", "unknown", "refused", 401, ["UNAUTHENTICATED"]),
        ("v-3", "Bad", "refused", 200, ["GRAPHQL_VALIDATION_FAILED"]),
    ]
    assert [entry["principal"] for entry in entries] == [None, None, "admin"]


async def test_a_browser_app_may_read_the_request_id(gateway: tuple[httpx.AsyncClient, dict[str, Upstream]]) -> None:
    client, _ = gateway
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers=ADMIN | {"origin": "https://console.example"}
    )
    exposed = {name.strip() for name in response.headers["access-control-expose-headers"].split(",")}
    assert "x-request-id" in exposed


async def test_no_credential_reaches_a_log_line(
    gateway: tuple[httpx.AsyncClient, dict[str, Upstream]], lines: io.StringIO
) -> None:
    client, _ = gateway
    in_url = "pgw_" + "LeakedInTheUrl" * 3
    bearer = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtYWxsb3J5In0.c2lnbmF0dXJlLW5vdC12YWxpZA"
    wrong_key = "pgw_" + "WrongKeyGuess" * 3
    await client.get(f"/graphql?query=%7B__typename%7D&api_key={in_url}&access_token={in_url}", headers=ADMIN)
    await client.post("/graphql", json={"query": CUSTOMERS}, headers={"authorization": f"Bearer {bearer}"})
    await client.post("/graphql", json={"query": CUSTOMERS}, headers={"x-api-key": wrong_key})
    await client.post("/graphql", json={"query": CUSTOMERS}, headers={"x-api-key": "k-finance"})  # a good key
    text = lines.getvalue()
    assert len(access(lines)) == 4
    credentials = [
        secret.reveal() for entry in demo_config(Registry.discover()).accounts for secret in entry.credentials.values()
    ]
    for secret in (in_url, bearer, wrong_key, "k-finance", "k-admin", *credentials):
        assert secret not in text


def test_serve_writes_json_lines_for_a_deployment_and_text_for_the_demo(tmp_path: Path) -> None:
    parser = cli._parser(Registry.discover())
    chosen = {
        args: cli._log_format(parser.parse_args(args))
        for args in (
            ("serve", "--config", "gateway.toml"),
            ("serve",),
            ("--log-format", "json", "serve"),
            ("--log-format", "text", "serve", "--config", "gateway.toml"),
            ("check-config", "--config", "gateway.toml"),
        )
    }
    assert list(chosen.values()) == ["json", "text", "json", "text", "text"]


def test_a_deployment_logs_json_lines_on_stderr_and_never_a_credential(tmp_path: Path) -> None:
    config = tmp_path / "gateway.toml"  # keys, and the embedded demo's accounts
    config.write_text(f'[[api_keys]]\nname = "ops"\nsha256 = "{hash_key("k-ops")}"\nrole = "admin"\n')
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    stderr = tmp_path / "stderr.log"
    command = (
        f"exec {shlex.quote(EXE)} serve --config {shlex.quote(str(config))} --port {port} 2>{shlex.quote(str(stderr))}"
    )
    secret = "pgw_" + "S3cretLeakedInUrl" * 3
    environment = {"PARTNER_GATEWAY_DATA": str(tmp_path)}
    with process_serving(["sh", "-c", command], f"{base}/healthz", env=environment) as process:
        leaked = httpx.get(
            f"{base}/graphql?query=%7B__typename%7D&api_key={secret}",
            headers={"authorization": f"Bearer {secret}", "x-request-id": "from-the-client"},
            timeout=30,
        )
        good = httpx.post(
            f"{base}/graphql", json={"query": "query Ping { __typename }"}, headers={"x-api-key": "k-ops"}
        )
        process.terminate()
        stdout = process.communicate(timeout=10)[0]
    assert leaked.status_code == 401
    assert leaked.headers["x-request-id"] == "from-the-client"
    assert good.status_code == 200
    logged = stderr.read_text()
    assert "serving GraphQL at" in stdout  # the banner is for the person who started it
    records = [json.loads(line) for line in logged.splitlines() if line]  # every line of stderr is JSON
    assert any(record["logger"].startswith("uvicorn") for record in records)  # the server's own lines too
    assert not [record for record in records if record["logger"] == "uvicorn.access"]  # one line per request
    lines = [record for record in records if record["logger"] == "gateway.access"]
    assert [(line["request_id"], line["outcome"], line["status"]) for line in lines] == [
        ("from-the-client", "refused", 401),
        (good.headers["x-request-id"], "ok", 200),
    ]
    assert lines[1]["principal"] == "ops"
    for text in (stdout, logged):
        assert secret not in text
        assert "k-ops" not in text


async def test_the_backstops_answer_is_what_the_access_line_reports(lines: io.StringIO) -> None:
    plugin = FakePlugin({"one": 5})
    config = replace(config_for("one"), limits=LimitsConfig(request_timeout_seconds=0.2))

    async def hang(offset: int, limit: int) -> Any:
        await asyncio.sleep(60)

    async with running(create_app(config, Registry([plugin]))) as client:
        plugin.created["one"].list_customers = hang  # type: ignore[method-assign]
        legacy = await client.post("/graphql", json={"query": "query Hang { customers { totalCount } }"})
        spec = await client.post(
            "/graphql",
            json={"query": "query Hang { customers { totalCount } }"},
            headers={"accept": "application/graphql-response+json"},
        )
    assert (legacy.status_code, spec.status_code) == (200, 504)
    entries = access(lines)
    assert [(e["operation"], e["outcome"], e["status"], e["error_codes"]) for e in entries] == [
        ("Hang", "error", 200, ["DEADLINE_EXCEEDED"]),
        ("Hang", "error", 504, ["DEADLINE_EXCEEDED"]),
    ]


def test_a_result_after_the_backstop_answered_does_not_replace_its_answer() -> None:
    with requests.opened(requests.RequestRecord("r-1")) as record:
        requests.note_answer(False, ["DEADLINE_EXCEEDED"], final=True)
        requests.note_answer(True, [], {"estimated": 1, "actual": 1})  # the write finished later
    assert (record.data, record.error_codes, record.cost) == (False, ["DEADLINE_EXCEEDED"], None)
    requests.note_answer(True, [])  # outside a request: nothing to note, no error
    assert requests.current() is None
