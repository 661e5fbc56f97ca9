"""Single flight (gateway.upstream.flight): identical reads in flight are sent once and shared by their callers,
here and across replicas; writes pass and make later reads fresh; failures, deadlines and cancellations of one
caller stay that caller's. Scripted clouds behind the transport, and the embedded demo's simulators."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from prometheus_client import REGISTRY

import gateway.app
from adapters.aliyun._signing import Acs3Signer
from adapters.huaweicloud._signing import SdkHmacAuth
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.deadline import DeadlineTransport, started
from gateway.errors import DeadlineExceeded
from gateway.ids import encode_global_id
from gateway.models import Secret
from gateway.registry import Registry
from gateway.testing import running
from gateway.upstream.call import tag
from gateway.upstream.flight import EXTENSION, FlightTransport, fresh_reads, in_fresh_reads, request_key
from gateway.upstream.shared import LocalState
from gateway.writes import Intent, Receipt
from tests.support.fakes import FakePlugin
from tests.support.mutations_demo import ALIYUN, HUAWEI, Demo, demo
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

READ = tag("ListThings", idempotent=True)
CACHED = tag("ListRegions", idempotent=True, cache_seconds=60)
WRITE = tag("SetThing", idempotent=False)

Reply = Callable[[httpx.Request, int], httpx.Response | Exception]


def numbered(request: httpx.Request, n: int) -> httpx.Response:
    """The n-th request's answer, its body still to be read (as from a network)."""
    body = json.dumps({"n": n, "url": str(request.url)}).encode()
    return httpx.Response(200, headers={"content-type": "application/json"}, stream=httpx.ByteStream(body))


class Cloud(httpx.AsyncBaseTransport):
    """A scripted cloud: every request recorded and numbered as it arrives; a read (GET) answered once ``gate``
    is open, a write once ``write_gate`` is."""

    def __init__(self, reply: Reply = numbered) -> None:
        self.requests: list[httpx.Request] = []
        self.gate, self.write_gate = asyncio.Event(), asyncio.Event()
        self.gate.set()
        self.write_gate.set()
        self.reply = reply

    def reads(self) -> int:
        return sum(request.method == "GET" for request in self.requests)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        n = len(self.requests)
        await (self.gate if request.method == "GET" else self.write_gate).wait()
        answer = self.reply(request, n)
        if isinstance(answer, Exception):
            raise answer
        return answer


def account() -> str:
    return f"acct-{uuid.uuid4().hex[:8]}"


def client(cloud: httpx.AsyncBaseTransport, state: LocalState, partner_id: str) -> httpx.AsyncClient:
    transport = FlightTransport(cloud, state, provider="fake", partner_id=partner_id)
    return httpx.AsyncClient(transport=transport, base_url="https://cloud.test")


def counted(partner_id: str, result: str) -> float:
    value = REGISTRY.get_sample_value("partner_gateway_upstream_cache_total", {"account": partner_id, "result": result})
    return value or 0.0


async def turns(n: int = 50) -> None:
    """Let every task that can run, run (a number of loop turns, not a time)."""
    for _ in range(n):
        await asyncio.sleep(0)


# -- in this process -------------------------------------------------------------------------------------------


async def test_identical_reads_in_flight_go_upstream_once_and_each_caller_gets_its_own_answer() -> None:
    cloud, partner = Cloud(), account()
    cloud.gate.clear()
    async with client(cloud, LocalState(), partner) as http:
        calls = [asyncio.create_task(http.get("/things?page=1", extensions=READ)) for _ in range(10)]
        await turns()
        assert cloud.reads() == 1  # nine callers joined the first one's call instead of sending their own
        cloud.gate.set()
        responses = await asyncio.gather(*calls)
    assert cloud.reads() == 1
    assert {r.status_code for r in responses} == {200}
    assert [r.json() for r in responses] == [{"n": 1, "url": "https://cloud.test/things?page=1"}] * 10
    assert len({id(r) for r in responses}) == 10  # each caller its own response, read on its own
    assert sorted(r.extensions[EXTENSION] for r in responses) == ["miss"] + ["shared"] * 9
    assert (counted(partner, "miss"), counted(partner, "shared"), counted(partner, "hit")) == (1, 9, 0)


async def test_reads_that_differ_in_query_body_headers_or_account_are_sent_each() -> None:
    cloud, state = Cloud(), LocalState()
    cloud.gate.clear()
    async with client(cloud, state, "one") as one, client(cloud, state, "two") as two:
        calls = [
            one.get("/things?page=1", extensions=READ),
            one.get("/things?page=2", extensions=READ),
            one.get("/things?page=1", headers={"X-Language": "en_us"}, extensions=READ),
            one.get("/things?page=1", headers={"x-acs-action": "Other"}, extensions=READ),
            one.request("GET", "/things?page=1", content=b'{"a":1}', extensions=READ),
            two.get("/things?page=1", extensions=READ),
        ]
        running = [asyncio.create_task(call) for call in calls]
        await turns()
        cloud.gate.set()
        await asyncio.gather(*running)
    assert cloud.reads() == 6


async def test_the_key_leaves_out_what_each_clouds_signature_adds_and_nothing_else() -> None:
    aliyun = [
        Acs3Signer("LTAI", Secret("s"), clock=lambda at=at: at, nonce=lambda n=n: n)
        for at, n in ((datetime(2026, 1, 1, tzinfo=UTC), "a" * 32), (datetime(2026, 1, 2, tzinfo=UTC), "b" * 32))
    ]
    huawei = [
        SdkHmacAuth("AK", Secret("SK"), "domain", clock=lambda at=at: at)
        for at in (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC))
    ]

    def aliyun_request(action: str) -> httpx.Request:
        headers = {"x-acs-action": action, "x-acs-version": "2022-12-16", "accept": "application/json"}
        return httpx.Request("GET", "https://agency.aliyuncs.com/?Uid=1", headers=headers)

    def huawei_request(path: str) -> httpx.Request:
        return httpx.Request("POST", f"https://bss.myhuaweicloud.com{path}", content=b'{"offset":0}')

    for signers, build, other in (
        (aliyun, aliyun_request, ("GetCreditInfo", "GetAccountInfo")),
        (huawei, huawei_request, ("/v2/partners/sub-customers/query", "/v2/partners/indirect-partners/query")),
    ):
        first, second, different = build(other[0]), build(other[0]), build(other[1])
        signers[0].sign(first)
        signers[1].sign(second)
        signers[0].sign(different)
        assert first.headers["authorization"] != second.headers["authorization"]  # signed at other times
        assert request_key("a", "g", first) == request_key("a", "g", second)
        assert request_key("a", "g", first) != request_key("a", "g", different)
        assert request_key("a", "g", first) != request_key("b", "g", first)
        assert request_key("a", "g", first) != request_key("a", "h", first)  # another generation


async def test_a_read_goes_upstream_again_unless_its_request_began_before_the_answer_arrived() -> None:
    cloud = Cloud()
    async with client(cloud, LocalState(), account()) as http:
        with started(10):  # one GraphQL request
            first = await http.get("/things", extensions=READ)
            again = await http.get("/things", extensions=READ)  # an answer that came during this request
        assert (first.extensions[EXTENSION], again.extensions[EXTENSION]) == ("miss", "shared")
        assert cloud.reads() == 1
        with started(10):  # a later request: never what was read before it began
            later = await http.get("/things", extensions=READ)
        outside = await http.get("/things", extensions=READ)  # no request at all (the sweep, a health check)
    assert (later.extensions[EXTENSION], outside.extensions[EXTENSION]) == ("miss", "miss")
    assert [later.json()["n"], outside.json()["n"]] == [2, 3]


async def test_a_slow_changing_read_is_served_until_its_lifetime_ends() -> None:
    now = [0.0]
    cloud, partner = Cloud(), account()
    async with client(cloud, LocalState(clock=lambda: now[0]), partner) as http:
        first = await http.get("/regions", extensions=CACHED)
        now[0] = 59.0
        cached = await http.get("/regions", extensions=CACHED)
        assert cached.json() == first.json()
        assert (cloud.reads(), cached.extensions[EXTENSION]) == (1, "hit")
        now[0] = 61.0
        fresh = await http.get("/regions", extensions=CACHED)
    assert (cloud.reads(), fresh.json()["n"], fresh.extensions[EXTENSION]) == (2, 2, "miss")
    assert (counted(partner, "hit"), counted(partner, "miss")) == (1, 2)


async def test_a_write_passes_and_no_later_read_joins_or_reuses_an_answer_from_before_it() -> None:
    cloud = Cloud()
    cloud.gate.clear()
    async with client(cloud, LocalState(), account()) as http:
        with started(10):  # a request that began before everything below, so it may share what arrives
            before = asyncio.create_task(http.get("/things", extensions=READ))
            await turns()
            written = await http.post("/things", json={"v": 2}, extensions=WRITE)
            assert written.status_code == 200
            after = asyncio.create_task(http.get("/things", extensions=READ))
            await turns()
            assert cloud.reads() == 2  # the read after the write did not join the one begun before it
            cloud.gate.set()
            assert (await before).json()["n"] == 1
            assert (await after).json()["n"] == 3
            cached_before = await http.get("/regions", extensions=CACHED)
            await http.post("/things", json={"v": 3}, extensions=WRITE)
            cached_after = await http.get("/regions", extensions=CACHED)
    assert cached_after.json()["n"] > cached_before.json()["n"]  # the account's cache went with its write
    assert [r.method for r in cloud.requests] == ["GET", "POST", "GET", "GET", "POST", "GET"]


async def test_a_read_answered_while_a_write_is_under_way_is_not_reused_after_it() -> None:
    cloud = Cloud()
    cloud.write_gate.clear()
    async with client(cloud, LocalState(), account()) as http:
        with started(10):
            write = asyncio.create_task(http.post("/things", json={"v": 2}, extensions=WRITE))
            await turns()
            during = await http.get("/things", extensions=READ)  # it may or may not see the write
            cloud.write_gate.set()
            await write
            after = await http.get("/things", extensions=READ)  # same request, but after the write: read anew
    assert (during.extensions[EXTENSION], after.extensions[EXTENSION]) == ("miss", "miss")
    assert cloud.reads() == 2


class Flaky(LocalState):
    """Shared state that fails the account generation's next puts as told (True: that put fails)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail: list[bool] = []

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        if key.endswith(":generation") and self.fail and self.fail.pop(0):
            raise ConnectionError("redis blinked")
        await super().put(key, value, ttl)


@pytest.mark.parametrize("failed", ["before", "after"])
async def test_a_write_drops_the_cache_even_if_shared_state_fails_one_of_its_two_changes(failed: str) -> None:
    cloud, state = Cloud(), Flaky()
    async with client(cloud, state, account()) as http:
        cached = await http.get("/regions", extensions=CACHED)
        state.fail = [failed == "before", failed == "after"]
        await http.post("/things", extensions=WRITE)
        again = await http.get("/regions", extensions=CACHED)
    assert again.extensions[EXTENSION] == "miss"
    assert again.json()["n"] > cached.json()["n"]


async def test_a_failed_answer_is_shared_by_the_callers_in_flight_and_never_cached() -> None:
    failures = iter([httpx.Response(503, json={"Code": "ServiceUnavailable"}), httpx.ConnectError("reset")])

    def reply(request: httpx.Request, n: int) -> httpx.Response | Exception:
        return next(failures, None) or numbered(request, n)

    cloud = Cloud(reply)
    cloud.gate.clear()
    async with client(cloud, LocalState(), account()) as http:
        calls = [asyncio.create_task(http.get("/regions", extensions=CACHED)) for _ in range(3)]
        await turns()
        cloud.gate.set()
        assert [r.status_code for r in await asyncio.gather(*calls)] == [503] * 3  # one upstream answer
        cloud.gate.clear()
        calls = [asyncio.create_task(http.get("/regions", extensions=CACHED)) for _ in range(3)]
        await turns()
        cloud.gate.set()
        errors = await asyncio.gather(*calls, return_exceptions=True)
        assert [type(e) for e in errors] == [httpx.ConnectError] * 3
        ok = await http.get("/regions", extensions=CACHED)  # neither failure was cached
        cached = await http.get("/regions", extensions=CACHED)
    assert (ok.status_code, ok.extensions[EXTENSION], cached.extensions[EXTENSION]) == (200, "miss", "hit")
    assert cloud.reads() == 3


async def test_a_follower_whose_deadline_passes_leaves_and_the_call_goes_on_for_the_others() -> None:
    cloud = Cloud()
    cloud.gate.clear()
    async with client(cloud, LocalState(), account()) as http:
        leader = asyncio.create_task(http.get("/things", extensions=READ))
        await turns()
        with started(0.05), pytest.raises(DeadlineExceeded) as late:
            async with asyncio.timeout(30):  # a generous bound: without one, a broken wait would hang the suite
                await http.get("/things", extensions=READ)
        assert late.value.partner_id is not None
        assert not leader.done()  # the follower's deadline cut nothing but its own wait
        cloud.gate.set()
        answer = await leader
    assert (answer.status_code, answer.json()["n"], cloud.reads()) == (200, 1, 1)


async def test_a_cancelled_leader_leaves_the_call_running_for_its_followers() -> None:
    cloud = Cloud()
    cloud.gate.clear()
    async with client(cloud, LocalState(), account()) as http:
        leader = asyncio.create_task(http.get("/things", extensions=READ))
        await turns()
        follower = asyncio.create_task(http.get("/things", extensions=READ))
        await turns()
        leader.cancel()
        await turns()
        assert leader.cancelled()
        assert not follower.done()
        cloud.gate.set()
        answer = await follower
    assert (answer.status_code, answer.extensions[EXTENSION], cloud.reads()) == (200, "shared", 1)


async def test_a_call_cut_off_at_its_leaders_deadline_is_sent_again_for_a_follower_with_time_left() -> None:
    cloud = Cloud()
    cloud.gate.clear()
    below = DeadlineTransport(cloud, provider="fake", partner_id="one")
    async with client(below, LocalState(), "one") as http:

        async def read(seconds: float) -> httpx.Response:
            with started(seconds):
                return await http.get("/things", extensions=READ)

        leader = asyncio.create_task(read(0.1))
        await turns()
        follower = asyncio.create_task(read(60))
        with pytest.raises(DeadlineExceeded):
            await leader
        await turns()
        assert cloud.reads() == 2  # the follower sent it again under its own deadline
        cloud.gate.set()
        answer = await follower
    assert (answer.status_code, answer.json()["n"], answer.extensions[EXTENSION]) == (200, 2, "miss")


async def test_shutting_down_fails_the_callers_of_a_call_in_flight_instead_of_leaving_them_waiting() -> None:
    cloud = Cloud()
    cloud.gate.clear()
    http = client(cloud, LocalState(), account())
    calls = [asyncio.create_task(http.get("/things", extensions=READ)) for _ in range(2)]
    await turns()
    await http.aclose()
    errors = await asyncio.gather(*calls, return_exceptions=True)
    assert [type(e) for e in errors] == [httpx.ConnectError] * 2


async def test_reads_made_to_settle_a_write_are_sent_whatever_is_on_its_way_or_stored() -> None:
    cloud = Cloud()
    async with client(cloud, LocalState(), account()) as http:
        with started(10):
            stored = await http.get("/records", extensions=READ)
            cloud.gate.clear()
            with started(10):  # a later request's read, sent and on its way
                on_its_way = asyncio.create_task(http.get("/records", extensions=READ))
            await turns()
            assert cloud.reads() == 2
            with fresh_reads():
                settling = asyncio.create_task(http.get("/records", extensions=READ))
                await turns()
            assert cloud.reads() == 3  # neither the stored answer nor the call on its way: its own call
            cloud.gate.set()
            answers = await asyncio.gather(on_its_way, settling)
    assert [stored.json()["n"], *(a.json()["n"] for a in answers)] == [1, 2, 3]
    assert answers[1].extensions[EXTENSION] == "miss"


async def test_settling_an_unknown_outcome_reads_the_records_fresh() -> None:
    plugin = FakePlugin({"one": 6})
    config = replace(config_for("one"), api_keys=(ApiKey("finance", hash_key("k-finance"), Role.FINANCE),))
    async with running(create_app(config, Registry([plugin]))) as http:
        provider = plugin.created["one"]
        seen: list[bool] = []
        find_applied = provider.find_applied

        async def recording(intent: Intent, since: datetime, exclude: frozenset[str]) -> Receipt | None:
            seen.append(in_fresh_reads())
            return await find_applied(intent, since, exclude)

        provider.find_applied = recording  # type: ignore[method-assign]
        provider.next_write = "ambiguous"  # applied, and its reply lost
        document = """mutation($id: ID!) { transferFunds(customerId: $id, amount: {amount: "5.00", currency: "CNY"},
          idempotencyKey: "k-fresh") { __typename ... on CustomerPayload { operation { reconciled } } } }"""
        customer = encode_global_id("Customer", "one", "one-0")
        response = await http.post(
            "/graphql", json={"query": document, "variables": {"id": customer}}, headers={"x-api-key": "k-finance"}
        )
    assert response.json()["data"]["transferFunds"]["operation"]["reconciled"] is True
    assert seen == [True]


class BrokenState(LocalState):
    """A shared state whose back end is down."""

    async def get(self, key: str) -> bytes | None:
        raise ConnectionError("redis down")

    async def put(self, key: str, value: bytes, ttl: float) -> None:
        raise ConnectionError("redis down")

    async def claim(self, key: str, ttl: float) -> bool:
        raise ConnectionError("redis down")

    async def release(self, key: str) -> None:
        raise ConnectionError("redis down")


async def test_a_failing_shared_state_costs_the_sharing_not_the_reads(caplog: pytest.LogCaptureFixture) -> None:
    cloud = Cloud()
    with caplog.at_level(logging.WARNING, "gateway.upstream.flight"):
        async with client(cloud, BrokenState(), "one") as http:
            reads = await asyncio.gather(*(http.get("/regions", extensions=CACHED) for _ in range(3)))
            written = await http.post("/things", extensions=WRITE)
    assert [r.status_code for r in reads] == [200, 200, 200]
    assert written.status_code == 200
    assert cloud.reads() == 3  # nothing shared, nothing refused
    [warning] = [r.getMessage() for r in caplog.records]  # once per outage, not once per call
    assert "shared state failed for account one (ConnectionError)" in warning


# -- across replicas (two transports over one SharedState, as two gateway processes over one Redis) --------------


async def test_a_replica_waits_for_the_call_another_has_in_flight_and_reads_its_answer() -> None:
    state, partner = LocalState(), account()
    first, second = Cloud(), Cloud()
    first.gate.clear()
    async with client(first, state, partner) as one, client(second, state, partner) as two:
        sending = asyncio.create_task(one.get("/things", extensions=READ))
        await turns()
        waiting = asyncio.create_task(two.get("/things", extensions=READ))
        await turns()
        assert (first.reads(), second.reads()) == (1, 0)
        first.gate.set()
        sent, shared = await asyncio.gather(sending, waiting)
        cached = await one.get("/regions", extensions=CACHED)
        hit = await two.get("/regions", extensions=CACHED)  # filled through one replica, served by the other
    assert shared.json() == sent.json()
    assert (sent.extensions[EXTENSION], shared.extensions[EXTENSION]) == ("miss", "shared")
    assert (hit.json(), hit.extensions[EXTENSION]) == (cached.json(), "hit")
    assert (first.reads(), second.reads()) == (2, 0)


async def test_a_replica_sends_its_own_read_when_the_others_call_fails() -> None:
    state, partner = LocalState(), account()
    first = Cloud(lambda request, n: httpx.Response(500))
    second = Cloud()
    first.gate.clear()
    async with client(first, state, partner) as one, client(second, state, partner) as two:
        failing = asyncio.create_task(one.get("/things", extensions=READ))
        await turns()
        waiting = asyncio.create_task(two.get("/things", extensions=READ))
        await turns()
        assert second.reads() == 0
        first.gate.set()
        failed, answered = await asyncio.gather(failing, waiting)
    assert (failed.status_code, answered.status_code, second.reads()) == (500, 200, 1)


async def test_a_replica_waits_for_a_lapsed_claim_no_longer_than_the_claim() -> None:
    now = [0.0]
    state, partner = LocalState(clock=lambda: now[0]), account()
    first, second = Cloud(), Cloud()
    first.gate.clear()
    async with client(first, state, partner) as one:
        transport = FlightTransport(second, state, provider="fake", partner_id=partner, poll_seconds=0.01)
        async with httpx.AsyncClient(transport=transport, base_url="https://cloud.test") as two:
            dead = asyncio.create_task(one.get("/things", extensions=READ))  # a replica that will die holding it
            await turns()
            waiting = asyncio.create_task(two.get("/things", extensions=READ))
            await asyncio.sleep(0.05)
            assert second.reads() == 0
            dead.cancel()  # the claim stays (nothing releases a dead process's claim) until it lapses
            now[0] = 10_000.0
            answer = await waiting
    assert (answer.status_code, second.reads()) == (200, 1)


# -- GraphQL over the embedded demo's simulators -----------------------------------------------------------------

PAGE = "{ customers(first: 100) { totalCount nodes { name balance { amount currency } } } }"


@pytest.fixture
def frozen_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app built here keeps its shared state on a clock that stands still: an answer stays until a
    request that began after it arrived asks (what is tested), however slowly a loaded machine runs."""
    monkeypatch.setattr(gateway.app, "LocalState", lambda: LocalState(clock=lambda: 0.0))


def _calls(gw: Demo) -> dict[str, int]:
    return {f"{account}:{op}": n for account in (ALIYUN, HUAWEI) for op, n in gw.counted[account].counts.items()}


@pytest.mark.usefixtures("frozen_state")
async def test_twenty_concurrent_identical_pages_cost_at_most_twice_the_calls_of_one() -> None:
    async with demo() as gw:
        await gw.ask(PAGE)
        one = _calls(gw)
    async with demo() as gw:
        answers = await asyncio.gather(*(gw.ask(PAGE) for _ in range(20)))
        twenty = _calls(gw)
    assert all(answer == answers[0] for answer in answers)
    assert one["aliyun-demo:GetCreditInfo"] >= 30  # a balance lookup per Aliyun customer on the page
    assert sum(twenty.values()) <= 2 * sum(one.values())  # was 20 times (880 calls for 44)
    assert set(twenty) == set(one)
    assert all(twenty[op] <= 2 * one[op] for op in one), (one, twenty)
