"""Each account's own limits toward its upstream (gateway.upstream.limits): the concurrency cap and the rate
limit hold at the simulator, a call waits for a slot or a token only while its request's deadline allows,
and what cannot go in time is refused at once, typed, with nothing sent."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun import plugin as aliyun_plugin
from adapters.aliyun.simulator import SimulatedPartner
from adapters.aliyun.simulator import create_app as aliyun_simulator
from gateway.app import create_app
from gateway.config import AccountConfig, GatewayConfig, LimitsConfig, UpstreamConfig
from gateway.deadline import started
from gateway.errors import ProviderUnavailable, UpstreamLimited
from gateway.models import PartnerAccount, Secret
from gateway.provider import ASGIApp
from gateway.registry import Registry
from gateway.testing import running
from gateway.upstream.call import call_of, tag
from gateway.upstream.limits import LimitsTransport
from gateway.upstream.shared import LocalState
from gateway.upstream.stack import account_policy
from tests.support.mutations_demo import KEYS

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recorder(httpx.AsyncBaseTransport):
    """The upstream: answers 200 (after ``hold`` seconds), recording when each call came and how many were
    in flight at once."""

    def __init__(self, clock: Any = time.monotonic, hold: float = 0.0, error: Exception | None = None) -> None:
        self.clock = clock
        self.hold = hold
        self.error = error
        self.arrivals: list[float] = []
        self.in_flight = 0
        self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.arrivals.append(self.clock())
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            if self.error is not None:
                raise self.error
            await asyncio.sleep(self.hold)
            return httpx.Response(200, json={"ok": True})
        finally:
            self.in_flight -= 1


def limited(
    inner: httpx.AsyncBaseTransport,
    *,
    state: LocalState | None = None,
    max_concurrency: int = 0,
    rate: float = 0.0,
    burst: int = 1,
    max_wait: float = 30.0,
    sleep: Any = asyncio.sleep,
    account: str = "acme",
) -> httpx.AsyncClient:
    transport = LimitsTransport(
        inner,
        provider="fake",
        partner_id=account,
        state=state or LocalState(),
        max_concurrency=max_concurrency,
        rate=rate,
        burst=burst,
        max_wait=max_wait,
        sleep=sleep,
    )
    return httpx.AsyncClient(transport=transport, base_url="https://fake.invalid")


def limited_count(account: str, limit: str, outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "partner_gateway_upstream_limited_total", {"account": account, "limit": limit, "outcome": outcome}
    )
    return value or 0.0


# --- the rate limit -------------------------------------------------------------------------------------------


async def test_in_any_window_at_most_burst_plus_rate_times_the_window_calls_go_out() -> None:
    clock = Clock()

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    inner = Recorder(clock)
    rate, burst = 4.0, 3  # waits of 1/4 s: exact in binary, so the fake clock lands on each refill
    async with limited(inner, state=LocalState(clock=clock), rate=rate, burst=burst, sleep=sleep) as client:
        for _ in range(40):
            assert (await client.get("/")).status_code == 200
    arrivals = inner.arrivals
    assert len(arrivals) == 40
    for window in (0.0, 0.5, 1.0, 3.0):
        most = max(sum(1 for t in arrivals if start <= t <= start + window + 1e-9) for start in arrivals)
        assert most <= burst + rate * window
    assert arrivals[-1] - arrivals[0] >= (40 - burst) / rate - 1e-9  # the calls were spread, not refused


async def test_replicas_sharing_the_state_share_the_account_rate() -> None:
    clock = Clock()

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    state = LocalState(clock=clock)  # what [redis] is to separate processes
    inner = Recorder(clock)
    replicas = [limited(inner, state=state, rate=2.0, burst=2, sleep=sleep) for _ in range(3)]
    for _ in range(5):
        for client in replicas:
            await client.get("/")
    for client in replicas:
        await client.aclose()
    first_second = [t for t in inner.arrivals if t <= inner.arrivals[0] + 1.0 + 1e-9]
    assert len(first_second) <= 2 + 2 * 1.0  # one bucket for the account, not one per replica


async def test_a_call_whose_token_comes_after_the_deadline_is_refused_at_once_and_not_sent() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    inner = Recorder()
    refused_before = limited_count("acme-rate", "rate", "refused")
    async with limited(inner, rate=1.0, burst=1, sleep=sleep, account="acme-rate") as client:
        with started(0.3):
            assert (await client.get("/")).status_code == 200
            with pytest.raises(UpstreamLimited) as refused:
                await client.get("/")  # the same operation: its bucket is empty
    assert (len(inner.arrivals), slept) == (1, [])  # the second was neither sent nor waited for
    error = refused.value
    assert isinstance(error, ProviderUnavailable)
    assert error.outcome_unknown is False
    assert (error.code, error.limit, error.partner_id) == ("UPSTREAM_LIMITED", "rate", "acme-rate")
    assert error.extensions()["retryAfter"] == 1
    assert error.extensions()["limit"] == "rate"
    assert limited_count("acme-rate", "rate", "refused") == refused_before + 1


async def test_each_upstream_operation_has_its_own_bucket_as_the_clouds_count_per_api() -> None:
    inner = Recorder()
    credit, accounts = tag("GetCreditInfo", idempotent=True), tag("GetAccountInfo", idempotent=True)
    async with limited(inner, rate=1.0, burst=1, account="acme-per-api") as client:
        with started(0.3):
            assert (await client.get("/", extensions=credit)).status_code == 200
            assert (await client.get("/", extensions=accounts)).status_code == 200  # another API's token
            with pytest.raises(UpstreamLimited):
                await client.get("/", extensions=credit)  # this API's bucket is empty
    assert len(inner.arrivals) == 2


async def test_a_call_waiting_for_its_token_holds_no_slot_so_other_operations_go_meanwhile() -> None:
    order: list[str] = []

    class Named(Recorder):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            order.append(call_of(request).operation)
            return await super().handle_async_request(request)

    inner = Named()
    credit, accounts = tag("GetCreditInfo", idempotent=True), tag("GetAccountInfo", idempotent=True)
    async with limited(inner, max_concurrency=1, rate=2.0, burst=1) as client:
        await client.get("/", extensions=credit)
        waiting = asyncio.create_task(client.get("/", extensions=credit))  # its token comes in 0.5 s
        await asyncio.sleep(0.05)
        other = await asyncio.wait_for(client.get("/", extensions=accounts), 0.3)  # the one slot is free
        assert other.status_code == (await waiting).status_code == 200
    assert order == ["GetCreditInfo", "GetAccountInfo", "GetCreditInfo"]


async def test_a_call_waits_for_its_token_when_it_comes_before_the_deadline() -> None:
    inner = Recorder()
    waited_before = limited_count("acme-wait", "rate", "waited")
    async with limited(inner, rate=20.0, burst=1, account="acme-wait") as client:
        with started(5.0):
            answers = await asyncio.gather(*(client.get("/") for _ in range(4)))
    assert [answer.status_code for answer in answers] == [200] * 4
    assert inner.arrivals[-1] - inner.arrivals[0] >= 3 / 20.0 - 0.01  # spread at the rate
    assert limited_count("acme-wait", "rate", "waited") == waited_before + 3


# --- the concurrency cap --------------------------------------------------------------------------------------


async def test_no_more_than_the_cap_are_in_flight_and_the_rest_wait() -> None:
    inner = Recorder(hold=0.01)
    async with limited(inner, max_concurrency=3) as client:
        answers = await asyncio.gather(*(client.get("/") for _ in range(50)))
    assert [answer.status_code for answer in answers] == [200] * 50
    assert inner.most == 3


async def test_a_call_that_gets_no_slot_before_its_deadline_is_refused_and_not_sent() -> None:
    inner = Recorder(hold=60.0)
    async with limited(inner, max_concurrency=1, account="acme-slots") as client:
        hanging = asyncio.create_task(client.get("/"))
        await asyncio.sleep(0.01)
        with started(0.2), pytest.raises(UpstreamLimited) as refused:
            await client.post("/transfer")
        hanging.cancel()
    assert len(inner.arrivals) == 1
    assert (refused.value.limit, refused.value.outcome_unknown) == ("concurrency", False)


async def test_a_slot_is_given_back_when_the_call_fails_or_its_answer_is_read() -> None:
    failing = Recorder(error=httpx.ConnectError("refused"))
    async with limited(failing, max_concurrency=1) as client:
        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                await asyncio.wait_for(client.get("/"), 2)
    answering = Recorder()
    async with limited(answering, max_concurrency=1) as client:
        for _ in range(3):
            assert (await asyncio.wait_for(client.get("/"), 2)).json() == {"ok": True}
        async with client.stream("GET", "/") as response:  # a streamed answer holds its slot until closed
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(client.get("/"), 0.1)
            await response.aread()
        assert (await asyncio.wait_for(client.get("/"), 2)).status_code == 200


async def test_waiting_calls_go_in_order_of_their_deadlines_so_the_earliest_request_is_answered_whole() -> None:
    order: list[str] = []

    class Named(Recorder):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            order.append(request.url.path.strip("/"))
            return await super().handle_async_request(request)

    inner = Named(hold=0.05)
    async with limited(inner, max_concurrency=1) as client:

        async def get(name: str, seconds: float) -> int:
            with started(seconds):
                return (await client.get(f"/{name}")).status_code

        first = asyncio.create_task(get("first", 5.0))
        await asyncio.sleep(0.01)  # it holds the one slot
        late, early, middle = (asyncio.create_task(get(n, s)) for n, s in (("late", 9), ("early", 3), ("middle", 4)))
        assert await asyncio.gather(first, late, early, middle) == [200] * 4
    assert order == ["first", "early", "middle", "late"]


# --- at the simulator, through the graph ---------------------------------------------------------------------


class AtTheSimulator:
    """Wraps the Aliyun simulator's ASGI app: when each request came, for which action, and the most in flight
    at once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.arrivals: list[float] = []
        self.actions: Counter[str] = Counter()
        self.in_flight = 0
        self.most = 0

    def forget(self) -> None:
        self.arrivals.clear()
        self.actions.clear()
        self.most = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.arrivals.append(time.monotonic())
        self.actions[dict(scope["headers"]).get(b"x-acs-action", b"?").decode()] += 1
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


CUSTOMERS = 120
PAGE = """query($after: String) { customers(first: 15, after: $after, filter: {provider: "aliyun"}) {
  edges { node { balance { amount } } } } }"""


def aliyun_account(policy: UpstreamConfig | None, seconds: float) -> GatewayConfig:
    """One Aliyun account over its own simulator of 120 customers (their credit lookups answer in 20 ms)."""
    simulator = aliyun_simulator([SimulatedPartner("LTAIlimits", "limits-secret", customers=CUSTOMERS)], seed=3)
    simulator.faults.add(Fault(FaultKind.LATENCY, "GetCreditInfo", 20.0))
    account = PartnerAccount(
        "aliyun-limits", "aliyun", "Aliyun", "distributor", "https://agency.aliyuncs.com", aliyun_plugin.program
    )
    credentials = {"access_key_id": Secret("LTAIlimits"), "access_key_secret": Secret("limits-secret")}
    return GatewayConfig(
        accounts=(AccountConfig(account, credentials, upstream=policy),),
        simulated={account.id: AtTheSimulator(simulator)},
        api_keys=KEYS,
        limits=LimitsConfig(request_timeout_seconds=seconds),
    )


async def pages(policy: UpstreamConfig | None, count: int, seconds: float = 10.0) -> tuple[Any, list[Any]]:
    """``count`` different pages of 15 customers with balances, asked for at once (different customers, so the
    flight layer has nothing to share): what the simulator saw, and the answers."""
    config = aliyun_account(policy, seconds)
    [simulator] = config.simulated.values()
    headers = {"authorization": "Bearer k-admin"}
    async with running(create_app(config, Registry.discover())) as client:
        listing = '{ customers(first: 100, filter: {provider: "aliyun"}) { edges { cursor } } }'
        cursors = [None] + [
            edge["cursor"]
            for edge in (await client.post("/graphql", json={"query": listing}, headers=headers)).json()["data"][
                "customers"
            ]["edges"]
        ]
        simulator.forget()
        answers = await asyncio.gather(
            *(
                client.post("/graphql", json={"query": PAGE, "variables": {"after": cursors[15 * i]}}, headers=headers)
                for i in range(count)
            )
        )
    return simulator, [answer.json() for answer in answers]


def balances(body: dict[str, Any]) -> list[Any]:
    return [edge["node"]["balance"] for edge in body["data"]["customers"]["edges"]]


async def test_the_concurrency_cap_holds_at_the_simulator_under_fifty_concurrent_calls() -> None:
    free, free_answers = await pages(None, 7)  # an account with no cap (as the embedded demo's are)
    capped, capped_answers = await pages(UpstreamConfig(max_concurrency=3, rate_per_second=0), 7)
    assert free.actions["GetCreditInfo"] == capped.actions["GetCreditInfo"] >= 50  # every balance, in both runs
    assert free.most > 10  # without the cap, the pages' credit lookups overlap (8 per page at once)
    assert capped.most <= 3
    assert all("errors" not in body for body in free_answers + capped_answers)
    assert [balances(body) for body in capped_answers] == [balances(body) for body in free_answers]


async def test_the_rate_limit_holds_at_the_simulator_and_what_cannot_go_by_the_deadline_is_refused() -> None:
    rate, burst, deadline = 10.0, 2, 0.5
    policy = UpstreamConfig(max_concurrency=0, rate_per_second=rate, rate_burst=burst)
    simulator, [body] = await pages(policy, 1, seconds=deadline)
    # Every token was taken before the deadline, so at most burst + rate * deadline calls of each action (the
    # clouds count per API) went out; without the limit the page would have sent 15 GetCreditInfo at once.
    assert 1 <= simulator.actions["GetCreditInfo"] <= burst + rate * deadline
    assert all(count <= burst + rate * deadline for count in simulator.actions.values()), simulator.actions
    assert body["data"]["customers"] is not None
    assert all(e["path"][-1] == "balance" for e in body["errors"])  # one balance each: the rest of the page stands
    # A call whose token came just before the deadline went, and may have been cut off at it (on a loaded
    # machine); every other balance was held back.
    codes = Counter(error["extensions"]["code"] for error in body["errors"])
    assert set(codes) <= {"UPSTREAM_LIMITED", "DEADLINE_EXCEEDED"}
    assert codes["UPSTREAM_LIMITED"] >= 1
    limited = [error["extensions"] for error in body["errors"] if error["extensions"]["code"] == "UPSTREAM_LIMITED"]
    assert {(e["limit"], e["partnerId"]) for e in limited} == {("rate", "aliyun-limits")}
    assert all(e["retryAfter"] >= 1 for e in limited)
    labels = {"provider": "aliyun", "account": "aliyun-limits", "operation": "GetCreditInfo", "outcome": "limited"}
    assert REGISTRY.get_sample_value("partner_gateway_upstream_requests_total", labels) == len(limited)


def test_the_defaults_stay_below_the_documented_rates_and_only_a_simulator_goes_unlimited() -> None:
    default = UpstreamConfig()
    # Huawei Cloud's partner APIs allow 10 calls a second per API by default (docs/upstream.md); the default
    # lets at most rate_burst + rate_per_second calls go out in any second.
    assert default.rate_burst + default.rate_per_second < 10
    assert default.max_concurrency > 0
    assert account_policy(None, default, in_process=False) == default  # a cloud over the network
    demo = account_policy(None, default, in_process=True)  # the embedded demo's in-process simulator
    assert (demo.max_concurrency, demo.rate_per_second) == (0, 0.0)
    restored = {"max_concurrency": default.max_concurrency, "rate_per_second": default.rate_per_second}
    assert demo.model_copy(update=restored) == default  # the breaker, timeouts and retries hold
    own = UpstreamConfig(rate_per_second=1.0)
    assert account_policy(own, default, in_process=True) is own  # an account's own policy always applies
