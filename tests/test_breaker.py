"""The per-account circuit breaker (gateway.upstream.breaker): its states on a fake clock, what counts as a
failure at the transport, and a hanging cloud through the graph: it costs the first requests their deadline,
then nothing while the circuit is open, and answers again through a half-open probe."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

import gateway.app
from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.config import GatewayConfig, LimitsConfig, UpstreamConfig, demo_config
from gateway.deadline import GRACE, DeadlineTransport, started
from gateway.errors import DeadlineExceeded, ProviderUnavailable
from gateway.registry import Registry
from gateway.retry import RetryPolicy, call_with_retries
from gateway.testing import running
from gateway.upstream.breaker import BreakerPolicy, BreakerTransport, CircuitBreaker, Outcome, Refused, State
from gateway.upstream.stack import Upstream
from tests.support.mutations_demo import (
    ALIYUN,
    HUAWEI,
    KEYS,
    RECEIPT,
    REFUSALS,
    Counted,
    Demo,
    key,
    partner_id,
)
from tests.test_deadline import Hanging

pytestmark = pytest.mark.anyio

S, F, N = Outcome.SUCCESS, Outcome.FAILURE, Outcome.NEUTRAL
POLICY = BreakerPolicy(
    failures=3, error_rate=0.5, min_calls=10, window=10.0, open_seconds=5.0, max_open_seconds=20.0, probes=2
)


class Clock:
    """A clock that moves only when told (``base`` is where it starts)."""

    def __init__(self, base: float = 1000.0) -> None:
        self.offset = base

    def __call__(self) -> float:
        return self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


class RealClock(Clock):
    """The real monotonic clock, plus whatever it is advanced by."""

    def __init__(self) -> None:
        super().__init__(0.0)

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def breaker(policy: BreakerPolicy = POLICY, clock: Clock | None = None) -> tuple[CircuitBreaker, Clock]:
    clock = clock or Clock()
    return CircuitBreaker(policy, name="test-breaker", clock=clock), clock


def call(circuit: CircuitBreaker, *outcomes: Outcome) -> None:
    for outcome in outcomes:
        circuit.record(outcome, probe=circuit.admit())


def test_consecutive_failures_open_the_circuit_and_a_success_starts_the_count_again() -> None:
    circuit, _ = breaker()
    call(circuit, F, F, S, F, F)
    assert circuit.state is State.CLOSED  # never 3 in a row
    call(circuit, F)
    assert circuit.state is State.OPEN


def test_an_error_rate_opens_the_circuit_once_the_window_holds_enough_calls() -> None:
    circuit, _ = breaker(replace(POLICY, failures=100))
    call(circuit, F, F, S, F)  # 75 % failures, but only 4 calls
    assert circuit.state is State.CLOSED
    call(circuit, S, F, S, S, S)  # 9 calls, 4 failures: under half
    assert circuit.state is State.CLOSED
    call(circuit, F)  # 10 calls, 5 failures
    assert circuit.state is State.OPEN


def test_calls_older_than_the_window_no_longer_count() -> None:
    circuit, clock = breaker(replace(POLICY, failures=100))
    call(circuit, *[S] * 30)
    clock.advance(11)  # the 30 successes leave the 10 s window
    call(circuit, S, F, S, F, S, F, S, F, S)
    assert circuit.state is State.CLOSED
    call(circuit, F)  # 5 of the 10 calls in the window (with the old successes it would be 5 of 40)
    assert circuit.state is State.OPEN


def test_neutral_outcomes_say_nothing_of_health() -> None:
    circuit, _ = breaker()
    call(circuit, F, F, N, N, N)
    assert circuit.state is State.CLOSED
    call(circuit, F)  # the third failure in a row: the neutral calls did not break the run
    assert circuit.state is State.OPEN


def test_half_open_lets_its_probes_through_and_closes_when_they_all_succeed() -> None:
    circuit, clock = breaker()
    call(circuit, F, F, F)
    with pytest.raises(Refused) as refused:
        circuit.admit()
    assert refused.value.retry_after == 5.0
    clock.advance(4)
    with pytest.raises(Refused) as refused:
        circuit.admit()
    assert refused.value.retry_after == 1.0  # the hint counts down to the end of the open time
    clock.advance(1)
    assert circuit.state is State.HALF_OPEN
    first, second = circuit.admit(), circuit.admit()
    assert first is not None
    assert second is not None
    with pytest.raises(Refused):
        circuit.admit()  # both probes are out: a third call is refused
    circuit.record(S, probe=first)
    assert circuit.state is State.HALF_OPEN
    with pytest.raises(Refused):
        circuit.admit()  # one probe answered, the other is still out: still two in all
    circuit.record(S, probe=second)
    assert circuit.state is State.CLOSED
    call(circuit, F, F)
    assert circuit.state is State.CLOSED  # the count started again


def test_a_failed_probe_opens_the_circuit_again_for_twice_as_long_up_to_the_maximum() -> None:
    circuit, clock = breaker()
    call(circuit, F, F, F)
    open_times = []
    for _ in range(4):
        clock.advance(30)
        probe = circuit.admit()
        circuit.record(F, probe=probe)
        assert circuit.state is State.OPEN
        with pytest.raises(Refused) as refused:
            circuit.admit()
        open_times.append(refused.value.retry_after)
    assert open_times == [10.0, 20.0, 20.0, 20.0]
    clock.advance(20)
    call(circuit, S, S)
    assert circuit.state is State.CLOSED
    call(circuit, F, F, F)
    with pytest.raises(Refused) as refused:
        circuit.admit()
    assert refused.value.retry_after == 5.0  # closed once: the next opening is short again


def test_a_probe_of_an_earlier_half_open_spell_is_ignored() -> None:
    circuit, clock = breaker()
    call(circuit, F, F, F)
    clock.advance(5)
    late, failing = circuit.admit(), circuit.admit()
    circuit.record(F, probe=failing)  # open again (10 s)
    clock.advance(10)
    assert circuit.state is State.HALF_OPEN
    circuit.record(S, probe=late)  # answered after its spell ended: proves nothing now
    assert circuit.state is State.HALF_OPEN
    circuit.admit(), circuit.admit()  # both of this spell's probes are still to go


class Upstream503(httpx.AsyncBaseTransport):
    """Answers with ``status`` (or raises ``error``) and counts what reaches it."""

    def __init__(self, status: int = 503, error: Exception | None = None) -> None:
        self.status = status
        self.error = error
        self.sent = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        if self.error is not None:
            raise self.error
        return httpx.Response(self.status, json={})


def client_over(inner: httpx.AsyncBaseTransport, circuit: CircuitBreaker) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=BreakerTransport(inner, circuit, provider="fake", partner_id="acme"))


async def test_while_open_calls_are_refused_at_once_without_being_sent() -> None:
    circuit, clock = breaker()
    inner = Upstream503()
    async with client_over(inner, circuit) as client:
        for _ in range(3):
            assert (await client.get("https://fake.invalid/")).status_code == 503
        clock.advance(2)
        with pytest.raises(ProviderUnavailable) as refused:
            await client.post("https://fake.invalid/transfer")
    assert inner.sent == 3
    error = refused.value
    assert (error.code, error.partner_id, error.provider) == ("PROVIDER_UNAVAILABLE", "acme", "fake")
    assert error.outcome_unknown is False  # nothing went out: a write is not applied
    assert error.held_back  # by the gateway: the retry loop does not repeat it
    assert error.retry_after == 3.0
    assert error.extensions()["retryAfter"] == 3


@pytest.mark.parametrize(
    ("inner", "opens"),
    [
        (Upstream503(500), True),
        (Upstream503(error=httpx.ConnectError("refused")), True),
        (Upstream503(error=httpx.ReadTimeout("slow")), True),
        (Upstream503(error=httpx.RemoteProtocolError("dropped")), True),
        (Upstream503(error=DeadlineExceeded("cut off", provider="fake", outcome_unknown=True)), True),
        (Upstream503(error=DeadlineExceeded("not sent", provider="fake", outcome_unknown=False)), False),
        (Upstream503(429), False),  # throttled: the upstream is up
        (Upstream503(400), False),  # a business error is an answer
        (Upstream503(404), False),
    ],
    ids=["500", "connect", "read-timeout", "dropped", "cut-off", "not-sent", "429", "400", "404"],
)
async def test_what_counts_as_a_failure(inner: Upstream503, opens: bool) -> None:
    circuit, _ = breaker()
    async with client_over(inner, circuit) as client:
        for _ in range(5):
            with contextlib.suppress(httpx.HTTPError, ProviderUnavailable):
                await client.get("https://fake.invalid/")
    assert (circuit.state is State.OPEN) is opens
    assert inner.sent == (3 if opens else 5)


async def test_an_answer_whose_body_is_cut_off_counts_as_a_failure() -> None:
    class CutBody(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b'{"partial": '
            raise httpx.ReadError("connection reset")

    circuit, _ = breaker()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=CutBody()))
    async with client_over(transport, circuit) as client:
        for _ in range(3):
            with pytest.raises(httpx.ReadError):
                await client.get("https://fake.invalid/")
    assert circuit.state is State.OPEN


async def test_calls_cut_off_at_the_deadline_open_the_circuit_and_then_cost_nothing() -> None:
    circuit, _ = breaker()
    inner = Hanging()
    deadline = DeadlineTransport(inner, provider="fake", partner_id="acme")
    async with client_over(deadline, circuit) as client:
        for _ in range(3):
            with started(0.05), pytest.raises(DeadlineExceeded):
                await client.get("https://fake.invalid/")
        with started(0.05), pytest.raises(ProviderUnavailable):
            await client.get("https://fake.invalid/")
    assert inner.sent == 3


async def test_the_retry_loop_does_not_repeat_a_refusal_of_the_open_circuit() -> None:
    circuit, _ = breaker()
    inner = Upstream503()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    call(circuit, F, F, F)
    async with client_over(inner, circuit) as client:

        async def read() -> int:
            return (await client.get("https://fake.invalid/")).status_code

        with pytest.raises(ProviderUnavailable):
            await call_with_retries(read, idempotent=True, policy=RetryPolicy(attempts=5), sleep=sleep)
    assert (inner.sent, slept) == (0, [])  # refused once, not waited on and refused again


# --- through the graph, over the embedded demo's simulators -------------------------------------------------

DEADLINE = 0.4
OPEN_SECONDS = 30.0
CUSTOMERS = """{
  aliyun: customers(first: 5, filter: {provider: "aliyun"}) { edges { node { provider } } }
  huawei: customers(first: 5, filter: {provider: "huaweicloud"}) { edges { node { provider } } } }"""


def refusals(account_id: str) -> float:
    labels = {"provider": "huaweicloud", "account": account_id, "operation": "list_sub_customers"}
    value = REGISTRY.get_sample_value("partner_gateway_upstream_requests_total", {**labels, "outcome": "circuit_open"})
    return value or 0.0


def circuit_open(account_id: str) -> float | None:
    return REGISTRY.get_sample_value("partner_gateway_circuit_open", {"account": account_id})


async def ask(client: httpx.AsyncClient) -> tuple[dict[str, Any], float]:
    started_at = time.monotonic()
    response = await client.post("/graphql", json={"query": CUSTOMERS}, headers={"authorization": "Bearer k-admin"})
    elapsed = time.monotonic() - started_at
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body, elapsed


def providers(body: dict[str, Any]) -> set[str]:
    """The clouds whose customers came back."""
    return {edge["node"]["provider"] for page in body["data"].values() if page for edge in page["edges"]}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> RealClock:
    """The app's breakers read this clock (the lifespan builds ``Upstream`` with it)."""
    clock = RealClock()
    with_clock: Callable[..., Upstream] = functools.partial(Upstream, clock=clock)
    monkeypatch.setattr(gateway.app, "Upstream", with_clock)
    return clock


async def test_a_hanging_cloud_costs_its_deadline_until_the_circuit_opens_then_nothing_until_a_probe_answers(
    clock: RealClock,
) -> None:
    registry = Registry.discover()
    demo = demo_config(registry)
    huawei = demo.simulated[HUAWEI]
    counted = {account_id: Counted(app, huawei=account_id == HUAWEI) for account_id, app in demo.simulated.items()}
    policy = UpstreamConfig(breaker_failures=2, breaker_open_seconds=OPEN_SECONDS, breaker_probes=2)
    accounts = tuple(
        replace(entry, upstream=policy) if entry.account.id == HUAWEI else entry for entry in demo.accounts
    )
    config = GatewayConfig(
        accounts=accounts, simulated=counted, api_keys=KEYS, limits=LimitsConfig(request_timeout_seconds=DEADLINE)
    )
    huawei.faults.add(Fault(FaultKind.LATENCY, "*", 60_000.0))  # type: ignore[attr-defined]
    async with running(create_app(config, registry)) as client:
        slow = []
        while circuit_open(HUAWEI) == 0 and len(slow) < 5:
            body, elapsed = await ask(client)
            slow.append(elapsed)
            assert providers(body) == {"aliyun"}  # the other cloud's data, in time
            assert {error["extensions"]["code"] for error in body["errors"]} == {"DEADLINE_EXCEEDED"}
        assert circuit_open(HUAWEI) == 1
        assert all(elapsed < DEADLINE + GRACE for elapsed in slow)  # at most the deadline, never the hang
        sent = sum(counted[HUAWEI].counts.values())
        assert sent >= 2

        refused_before = refusals(HUAWEI)
        body, elapsed = await ask(client)
        assert refusals(HUAWEI) == refused_before + 1  # counted by the observed layer as not sent
        assert sum(counted[HUAWEI].counts.values()) == sent  # nothing more went to the hanging cloud
        assert elapsed < DEADLINE  # answered without waiting for it
        assert providers(body) == {"aliyun"}  # a partial result
        [error] = body["errors"]
        assert error["path"] == ["huawei"]
        extensions = error["extensions"]
        assert (extensions["code"], extensions["partnerId"]) == ("PROVIDER_UNAVAILABLE", HUAWEI)
        assert 1 <= extensions["retryAfter"] <= OPEN_SECONDS
        assert "circuit open" in error["message"]

        huawei.faults.clear()  # type: ignore[attr-defined]
        clock.advance(OPEN_SECONDS)  # half-open: the next two calls are probes (one per request here)
        for still_open in (1, 0):
            body, _ = await ask(client)
            assert "errors" not in body, body["errors"]
            assert providers(body) == {"aliyun", "huaweicloud"}
            assert circuit_open(HUAWEI) == still_open  # closed once both probes have succeeded
        assert sum(counted[HUAWEI].counts.values()) == sent + 2
        assert circuit_open(ALIYUN) == 0  # the other account's circuit never opened


TRANSFER = f"""mutation($id: ID!, $key: String!) {{
  transferFunds(customerId: $id, amount: {{amount: "10.00"}}, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""


async def test_a_write_refused_by_the_open_circuit_is_not_applied_and_its_key_goes_through_once_it_closes(
    clock: RealClock,
) -> None:
    registry = Registry.discover()
    demo = demo_config(registry)
    huawei = demo.simulated[HUAWEI]
    counted = {account_id: Counted(app, huawei=account_id == HUAWEI) for account_id, app in demo.simulated.items()}
    policy = UpstreamConfig(breaker_failures=3, breaker_open_seconds=OPEN_SECONDS)
    accounts = tuple(
        replace(entry, upstream=policy) if entry.account.id == HUAWEI else entry for entry in demo.accounts
    )
    config = GatewayConfig(accounts=accounts, simulated=counted, api_keys=KEYS)
    async with running(create_app(config, registry)) as client:
        gw = Demo(client, demo.simulated[ALIYUN], huawei, counted)  # type: ignore[arg-type]
        where = {"partnerIds": [partner_id(HUAWEI)], "accountType": "RESALE", "status": "ASSOCIATED"}
        customers = "query($f: CustomerFilterInput) { customers(first: 5, filter: $f) { nodes { id } } }"
        target = (await gw.ask(customers, f=where))["customers"]["nodes"][0]["id"]
        huawei.faults.add(Fault(FaultKind.SERVER_ERROR, "*", 503.0))  # type: ignore[attr-defined]
        await ask(client)  # a read, retried three times: three 503s in a row open the circuit
        assert circuit_open(HUAWEI) == 1
        huawei.faults.clear()  # type: ignore[attr-defined]

        idempotency_key = key()
        refused = await gw.one(TRANSFER, "k-finance", id=target, key=idempotency_key)
        assert (refused["__typename"], refused["code"], refused["partnerId"]) == (
            "UpstreamError",
            "PROVIDER_UNAVAILABLE",
            HUAWEI,
        )
        assert (refused["retryable"], refused["pending"]) == (True, False)  # not applied: the same key may go again
        assert gw.calls(HUAWEI, "update_customer_account_amount") == 0

        clock.advance(OPEN_SECONDS)
        sent = await gw.one(TRANSFER, "k-finance", id=target, key=idempotency_key)
        assert sent["__typename"] == "CustomerPayload"
        assert sent["operation"]["replayed"] is False  # sent now, for the first time
        assert gw.calls(HUAWEI, "update_customer_account_amount") == 1
        assert circuit_open(HUAWEI) == 0
