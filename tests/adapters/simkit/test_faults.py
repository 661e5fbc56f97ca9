"""Fault injection over a tiny counting app, in-process and over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from adapters._simkit.faults import CONTROL_PATH, Fault, FaultInjection, FaultKind, FaultPlan
from tests.support.servers import live_server


class Counter:
    """An 'upstream' that applies every request it handles by counting it."""

    def __init__(self) -> None:
        self.applied = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return  # no lifespan support, as uvicorn allows
        while True:  # read the request, as a real app does before it can act on it
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            if not message.get("more_body"):
                break
        self.applied += 1
        body = b'{"ok":true}'
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"11")]})
        await send({"type": "http.response.body", "body": body})


class Replies:
    async def server_error(self, scope: Any, receive: Any, send: Any, status: int) -> None:
        await send({"type": "http.response.start", "status": status, "headers": [(b"x-fault", b"5xx")]})
        await send({"type": "http.response.body", "body": b"{}"})

    async def throttled(self, scope: Any, receive: Any, send: Any, retry_after: float) -> None:
        headers = [(b"retry-after", str(int(retry_after)).encode())]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})


def wrapped(plan: FaultPlan) -> tuple[Counter, FaultInjection]:
    upstream = Counter()
    return upstream, FaultInjection(upstream, plan, lambda scope: scope["path"].strip("/") or None, Replies())


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("GetAccountInfo=latency:200", Fault(FaultKind.LATENCY, "GetAccountInfo", 200.0)),
        ("*=5xx:502@0.1", Fault(FaultKind.SERVER_ERROR, "*", 502.0, 0.1)),
        (
            "update_customer_account_amount=ambiguousx1",
            Fault(FaultKind.AMBIGUOUS, "update_customer_account_amount", remaining=1),
        ),
        ("op=throttle:3", Fault(FaultKind.THROTTLE, "op", 3.0)),
        ("GetCreditInfo[Uid=1234]=5xx", Fault(FaultKind.SERVER_ERROR, "GetCreditInfo", match="Uid=1234")),
    ],
)
def test_fault_specs_parse(spec: str, expected: Fault) -> None:
    assert Fault.parse(spec) == expected


@pytest.mark.parametrize("spec", ["op", "op=explode", "op=5xx:404", "op=drop@1.5", "op=dropx0", "op[]=drop"])
def test_bad_fault_specs_are_refused(spec: str) -> None:
    with pytest.raises(ValueError):
        Fault.parse(spec)


@pytest.mark.anyio
async def test_in_process_drop_and_ambiguous_look_like_a_lost_connection() -> None:
    plan = FaultPlan()
    upstream, app = wrapped(plan)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        plan.add(Fault(FaultKind.DROP, "pay", remaining=1))
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/pay")
        assert upstream.applied == 0

        plan.add(Fault(FaultKind.AMBIGUOUS, "pay", remaining=1))
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/pay")
        assert upstream.applied == 1  # applied, reply lost

        assert (await client.post("/pay")).status_code == 200  # both faults used up
        assert upstream.applied == 2
        assert (await client.post("/other")).status_code == 200
    assert plan.injected == {("pay", FaultKind.DROP): 1, ("pay", FaultKind.AMBIGUOUS): 1}


@pytest.mark.anyio
async def test_a_narrowed_fault_hits_only_the_requests_that_contain_its_text() -> None:
    plan = FaultPlan()
    upstream, app = wrapped(plan)
    plan.add(Fault(FaultKind.SERVER_ERROR, "pay", 503.0, match="id=7"))
    plan.add(Fault(FaultKind.SERVER_ERROR, "pay", 502.0, match="cust-7"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as client:
        assert (await client.post("/pay", params={"id": "7"})).status_code == 503  # in the query string
        assert (await client.post("/pay", json={"customer": "cust-7"})).status_code == 502  # in the body
        assert (await client.post("/pay", params={"id": "8"}, json={"customer": "cust-8"})).status_code == 200
        assert (await client.post("/other", params={"id": "7"})).status_code == 200  # another operation
    assert upstream.applied == 2  # the body was read for matching and still reached the app
    assert Fault.from_json(Fault(FaultKind.DROP, "pay", match="id=7").to_json()).match == "id=7"


def test_over_http_faults_are_set_at_run_time_and_drops_cut_the_connection() -> None:
    plan = FaultPlan()
    upstream, app = wrapped(plan)
    with live_server(app) as base, httpx.Client(base_url=base) as client:
        added = client.post(CONTROL_PATH, json={"kind": "5xx", "operation": "pay", "value": 502, "remaining": 1})
        assert added.status_code == 201
        assert client.get(CONTROL_PATH).json()["faults"][0]["kind"] == "5xx"
        assert client.post("/pay").status_code == 502
        assert upstream.applied == 0

        client.post(CONTROL_PATH, json={"kind": "throttle", "operation": "*", "value": 7})
        throttled = client.get("/anything")
        assert (throttled.status_code, throttled.headers["retry-after"]) == (429, "7")
        assert client.delete(CONTROL_PATH).json() == {"faults": []}

        client.post(CONTROL_PATH, json={"kind": "ambiguous", "operation": "pay", "remaining": 1})
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/pay")
        assert upstream.applied == 1
        assert client.post(CONTROL_PATH, json={"kind": "nonsense"}).status_code == 400


def test_probability_is_seeded_and_roughly_honoured() -> None:
    plan = FaultPlan(seed=42)
    plan.add(Fault(FaultKind.AMBIGUOUS, "op", probability=0.1))
    fired = sum(bool(plan.draw("op")) for _ in range(2000))
    assert 150 < fired < 250
    again = FaultPlan(seed=42)
    again.add(Fault(FaultKind.AMBIGUOUS, "op", probability=0.1))
    assert sum(bool(again.draw("op")) for _ in range(2000)) == fired


def test_a_slow_upstream_applies_a_request_whose_caller_gave_up() -> None:
    plan = FaultPlan()
    upstream, app = wrapped(plan)
    plan.add(Fault(FaultKind.LATENCY, "pay", 500.0))
    with live_server(app) as base:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(f"{base}/pay", content=b"x" * 10_000, timeout=0.1)
        deadline = time.monotonic() + 5
        while upstream.applied == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert upstream.applied == 1
