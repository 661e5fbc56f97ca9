"""The in-process transport behaves like a network: a reply later than the client's timeout is a
``ReadTimeout`` while the request goes on and is applied, a cancelled caller does not cancel its request,
and only closing the transport stops the requests still running. The embedded demo goes through it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig, UpstreamConfig, demo_config
from gateway.inprocess import InProcessTransport
from gateway.registry import Registry
from gateway.testing import running

pytestmark = pytest.mark.anyio


class Slow:
    """An upstream that takes ``delay`` seconds over each request, then applies it and replies."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.applied = 0
        self.cancelled = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.applied += 1
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": f"applied {self.applied}".encode()})


async def eventually(condition: Any, within: float = 3.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "not within the time allowed"
        await asyncio.sleep(0.01)


async def test_a_reply_within_the_timeout_is_answered() -> None:
    app = Slow(0.02)
    transport = InProcessTransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://upstream", timeout=2.0) as client:
        response = await client.post("/pay", content=b"x")
    assert (response.status_code, response.text) == (200, "applied 1")
    assert transport.in_flight == 0


async def test_a_reply_later_than_the_timeout_is_a_read_timeout_and_the_request_still_lands() -> None:
    app = Slow(0.4)
    transport = InProcessTransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://upstream", timeout=0.05) as client:
        started = time.monotonic()
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/pay", content=b"x")
        waited = time.monotonic() - started
        assert 0.05 <= waited < 0.3  # about the timeout, not the upstream's 0.4 s
        assert (app.applied, transport.in_flight) == (0, 1)  # still on its way
        await eventually(lambda: app.applied == 1)  # applied after its caller gave up
        await eventually(lambda: transport.in_flight == 0)
    assert app.cancelled == 0


async def test_a_cancelled_caller_leaves_its_request_running() -> None:
    app = Slow(0.1)
    transport = InProcessTransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://upstream", timeout=5.0) as client:
        caller = asyncio.create_task(client.post("/pay", content=b"x"))
        await asyncio.sleep(0.02)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        await eventually(lambda: app.applied == 1)
    assert app.cancelled == 0


async def test_closing_the_transport_cancels_the_requests_still_running() -> None:
    app = Slow(30.0)
    transport = InProcessTransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://upstream", timeout=0.05) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/pay", content=b"x")
        assert transport.in_flight == 1
    # Leaving the client closed its transport: the straggler was cancelled, and never applied.
    assert (app.cancelled, app.applied, transport.in_flight) == (1, 0, 0)
    with pytest.raises(httpx.ConnectError):
        await transport.handle_async_request(httpx.Request("POST", "http://upstream/pay"))
    assert app.applied == 0


async def test_an_upstream_that_drops_the_connection_fails_the_call_as_it_did() -> None:
    async def drops(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
        raise httpx.RemoteProtocolError("the connection dropped")

    async with httpx.AsyncClient(transport=InProcessTransport(drops), base_url="http://upstream") as client:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.get("/")


async def test_the_embedded_demo_fails_a_slow_read_fast_as_provider_unavailable() -> None:
    registry = Registry.discover()
    demo = demo_config(registry)
    config = GatewayConfig(
        accounts=demo.accounts,
        simulated=demo.simulated,
        api_keys=(ApiKey("admin", hash_key("k-admin"), Role.ADMIN),),
        upstream=UpstreamConfig(timeout_seconds=0.1),
    )
    slow_ms = 5000.0
    async with running(create_app(config, registry)) as client:
        demo.simulated["aliyun-demo"].faults.add(Fault(FaultKind.LATENCY, "GetAccountInfo", slow_ms))  # type: ignore[attr-defined]
        started = time.monotonic()
        response = await client.post(
            "/graphql",
            json={"query": '{ customers(first: 5, filter: {provider: "aliyun"}) { edges { node { id } } } }'},
            headers={"authorization": "Bearer k-admin"},
        )
        waited = time.monotonic() - started
    body = response.json()
    assert waited < 2.0  # three attempts of 0.1 s and their backoff, not one 5 s wait
    codes = {error["extensions"]["code"] for error in body["errors"]}
    assert codes == {"PROVIDER_UNAVAILABLE"}, body
