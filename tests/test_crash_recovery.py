"""Transfers whose reply comes late, with real processes: a Huawei simulator and gateways (SQLite stores).

The simulator's latency fault is what a slow cloud does: it has the whole request, takes its time, then
applies it whether or not the caller is still there. A client retries the same idempotency key every
second until it gets a definite answer. Whatever happens to the gateway, the transfer is applied
exactly once and the client ends with the settled outcome:

* the gateway's upstream timeout (1 s) cuts a call whose reply takes 5 s: the answers are pending until
  the upstream's records show the transfer, then it is RECONCILED, never sent twice;
* the gateway is killed (SIGKILL) 1 s into a call whose reply takes 3, 8 or 20 s, and started again on the
  same data directory at once: the same;
* killed, and started again only after the transfer landed: settled at start, before any retry.

The scenarios run at once against one simulator, each transfer to its own customer (its latency fault is
narrowed to that customer), each scenario with its own gateway process and data directory (the three
killed transfers share one gateway, killed once), so the module takes about as long as its longest
scenario. What the upstream did is read from the simulator with the official SDK (balances and allocation
records), not through the gateway under test.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from huaweicloudsdkbss.v2 import (
    BssClient,
    CustomerInfoV2,
    ListCustomersBalancesDetailRequest,
    ListPartnerAdjustRecordsRequest,
    ListSubCustomersRequest,
    QueryCustomersBalancesReq,
    QuerySubCustomerListReq,
)
from huaweicloudsdkcore.auth.credentials import GlobalCredentials

from adapters.huaweicloud._plugin import DEMO_ACCESS_KEY, DEMO_DOMAIN_ID, DEMO_SECRET_KEY
from gateway.ids import encode_global_id
from tests.support.servers import EXE, free_port, process_serving

ACCOUNT = "hw"
AMOUNT = Decimal("7.00")
SETTLE_SECONDS = 40.0
"""``[writes] settle_seconds`` of every gateway here: longer than any delay below, as it must be."""
ENV = {"HW_AK": DEMO_ACCESS_KEY, "HW_SK": DEMO_SECRET_KEY}
TRANSFER = """mutation($id: ID!, $amount: Decimal!, $key: String!) {
  transferFunds(customerId: $id, amount: {amount: $amount, currency: "CNY"}, idempotencyKey: $key) {
    __typename
    ... on CustomerPayload { operation { operationId replayed reconciled upstreamIds } }
    ... on UpstreamError { code message pending retryable operationId }
  }
}"""
AUDIT = """{ auditLog(first: 100, filter: {operation: "transferFunds"}) {
  totalCount edges { node { principal outcome errorCode operationId } }
} }"""


class Simulator:
    """The standalone Huawei simulator, read and steered as a test would: the SDK and the control endpoint."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _bss(self) -> BssClient:
        credentials = GlobalCredentials(DEMO_ACCESS_KEY, DEMO_SECRET_KEY, DEMO_DOMAIN_ID)
        return BssClient.new_builder().with_credentials(credentials).with_endpoint(self.url).build()

    def resale_customers(self) -> list[str]:
        """Resale customers that are not frozen: funds can be allocated to them."""
        listing = self._bss().list_sub_customers(ListSubCustomersRequest(body=QuerySubCustomerListReq(limit=100)))
        infos = listing.customer_infos  # type: ignore[attr-defined]
        return [c.customer_id for c in infos if str(c.association_type) == "2" and not c.is_frozen]

    def delay_transfers(self, customer: str, seconds: float) -> None:
        """The next allocation to ``customer`` is applied, and answered, ``seconds`` after it arrives."""
        fault = {"kind": "latency", "operation": "update_customer_account_amount", "value": seconds * 1000}
        response = httpx.post(
            f"{self.url}/_simulator/faults", json={**fault, "remaining": 1, "match": customer}, timeout=10
        )
        assert response.status_code == 201, response.text

    def wait_for_arrivals(self, customers: list[str], deadline: float) -> float:
        """Wait until the delayed transfer to each of ``customers`` is at the upstream (its fault is used
        up when the request arrives, before the delay); return when that was seen."""
        while True:
            faults = httpx.get(f"{self.url}/_simulator/faults", timeout=10).json()["faults"]
            if not {fault["match"] for fault in faults} & set(customers):
                return time.monotonic()
            assert time.monotonic() < deadline, f"the transfers did not reach the upstream: {faults}"
            time.sleep(0.05)

    def wait_for_transfer(self, customer: str, seen: dict[str, Decimal], deadline: float) -> dict[str, Decimal]:
        """Wait until the upstream records an allocation to ``customer`` not in ``seen``; return the new ones."""
        while not (landed := self.new_transfers(customer, seen)):
            assert time.monotonic() < deadline, "the transfer never landed"
            time.sleep(0.2)
        return landed

    def balance(self, customer: str) -> Decimal:
        request = QueryCustomersBalancesReq(customer_infos=[CustomerInfoV2(customer_id=customer)])
        answer = self._bss().list_customers_balances_detail(ListCustomersBalancesDetailRequest(body=request))
        return sum((Decimal(str(b.amount)) for b in answer.customer_balances), Decimal(0))  # type: ignore[attr-defined]

    def transfers(self, customer: str) -> dict[str, Decimal]:
        """Every allocation to ``customer`` the upstream records (seeded history included): trans_id -> amount."""
        request = ListPartnerAdjustRecordsRequest(
            customer_id=customer, operation_type="SOURCE_OPERATION_BEADJUST", limit=100
        )
        answer = self._bss().list_partner_adjust_records(request)
        records = answer.records or []  # type: ignore[attr-defined]
        assert answer.total_count == len(records), "more than one page of records: read them all"  # type: ignore[attr-defined]
        return {r.trans_id: Decimal(r.amount) for r in records}

    def new_transfers(self, customer: str, seen: dict[str, Decimal]) -> dict[str, Decimal]:
        return {trans_id: amount for trans_id, amount in self.transfers(customer).items() if trans_id not in seen}


class Gateway:
    """One gateway's command line (a TOML config on its own port and data directory): run it, kill it, run
    it again on the same data."""

    def __init__(self, directory: Path, simulator: Simulator, timeout: float) -> None:
        directory.mkdir()
        self.url = f"http://127.0.0.1:{free_port()}"
        config = directory / "gateway.toml"
        config.write_text(
            f'[[accounts]]\nid = "{ACCOUNT}"\nprovider = "huaweicloud"\nname = "Huawei"\n'
            f'role = "tier1-distributor"\nendpoint = "{simulator.url}"\n'
            f'[accounts.credentials]\naccess_key = "HW_AK"\nsecret_key = "HW_SK"\n'
            f'[accounts.settings]\ndomain_id = "{DEMO_DOMAIN_ID}"\n'
            f'[store]\ndata_dir = "{directory / "data"}"\n'
            f"[upstream]\ntimeout_seconds = {timeout}\n[writes]\nsettle_seconds = {SETTLE_SECONDS}\n"
        )
        self.args = [EXE, "serve", "--config", str(config), "--port", self.url.rsplit(":", 1)[1]]
        self.log = directory / "gateway.log"

    def serving(self) -> contextlib.AbstractContextManager[subprocess.Popen[str]]:
        return process_serving(self.args, f"{self.url}/healthz", env=ENV, log=self.log)

    def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=30)
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]

    def transfer(self, customer: str, key: str) -> dict[str, Any]:
        variables = {"id": encode_global_id("Customer", ACCOUNT, customer), "amount": str(AMOUNT), "key": key}
        answer: dict[str, Any] = self.gql(TRANSFER, **variables)["transferFunds"]
        return answer

    def audit(self) -> list[dict[str, Any]]:
        """The transfers' audit trail, oldest first."""
        log = self.gql(AUDIT)["auditLog"]
        assert log["totalCount"] == len(log["edges"]), "more entries than one page: read them all"
        return [edge["node"] for edge in reversed(log["edges"])]


class Client(threading.Thread):
    """Sends one transfer, then the same key again every second while the answer is pending or there is
    none (the gateway is down), until a definite answer, ``tries`` sends or ``deadline``."""

    def __init__(self, gateway: Gateway, customer: str, key: str, deadline: float, tries: int = 1000) -> None:
        super().__init__(name=f"client-{key}")
        self.gateway, self.customer, self.key, self.deadline, self.tries = gateway, customer, key, deadline, tries
        self.answers: list[dict[str, Any] | str] = []
        """Each send's answer, or the name of the transport error that stood for one."""
        self.final: dict[str, Any] | None = None
        self.sending = threading.Event()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while len(self.answers) < self.tries and time.monotonic() < self.deadline and not self.stop.is_set():
                sent = time.monotonic()
                self.sending.set()
                try:
                    answer = self.gateway.transfer(self.customer, self.key)
                except httpx.TransportError as exc:
                    self.answers.append(type(exc).__name__)
                else:
                    self.answers.append(answer)
                    if not is_pending(answer):
                        self.final = answer
                        return
                self.stop.wait(max(0.0, sent + 1.0 - time.monotonic()))
        except BaseException as exc:  # re-raised by the scenario
            self.error = exc

    def finish(self, timeout: float) -> dict[str, Any]:
        """Wait for the definite answer (at most ``timeout`` s more), and return it."""
        self.join(timeout)
        self.stop.set()
        self.join(35)  # a request in flight ends within its own 30 s timeout
        if self.error is not None:
            raise self.error
        assert self.final is not None, f"no definite answer: {self.answers}"
        return self.final


def is_pending(answer: dict[str, Any]) -> bool:
    return answer["__typename"] == "UpstreamError" and answer["pending"] is True


@dataclass(frozen=True)
class Case:
    """One transfer: to its own customer, whose upstream reply is delayed by ``delay`` seconds."""

    name: str
    customer: str
    delay: float


@dataclass
class Story:
    """What one transfer saw: the client's answers, the upstream's records and the gateway's audit trail."""

    before: Decimal
    answers: list[dict[str, Any] | str]
    final: dict[str, Any]
    replay: dict[str, Any]
    transfers: dict[str, Decimal]
    """The allocations to the customer the upstream recorded during the scenario: trans_id -> amount."""
    balance: Decimal
    audit: list[dict[str, Any]]
    """The gateway's whole audit trail of transfers, oldest first."""
    notes: dict[str, Any] = field(default_factory=dict)


def late_reply(simulator: Simulator, gateway: Gateway, cases: list[Case]) -> dict[str, Story]:
    """No crash: the gateway's upstream timeout cuts the call, the client retries every second."""
    (case,) = cases
    with gateway.serving():
        before, seen = simulator.balance(case.customer), simulator.transfers(case.customer)
        client = Client(gateway, case.customer, case.name, deadline=time.monotonic() + case.delay + 20)
        client.start()
        final = client.finish(case.delay + 25)
        time.sleep(case.delay)  # past the delay once more: nothing else lands
        replay = gateway.transfer(case.customer, client.key)
        transfers, balance = simulator.new_transfers(case.customer, seen), simulator.balance(case.customer)
        return {case.name: Story(before, client.answers, final, replay, transfers, balance, gateway.audit())}


def killed_mid_call(simulator: Simulator, gateway: Gateway, cases: list[Case]) -> dict[str, Story]:
    """The gateway is killed (SIGKILL) 1 s into the calls, once they are all at the upstream, and started
    again at once on the same data directory; the clients retry every second throughout."""
    deadline = time.monotonic() + max(c.delay for c in cases) + 40
    clients = {c.name: Client(gateway, c.customer, c.name, deadline) for c in cases}
    try:
        with gateway.serving() as first_run:
            before = {c.name: (simulator.balance(c.customer), simulator.transfers(c.customer)) for c in cases}
            for client in clients.values():
                client.start()
            for client in clients.values():
                client.sending.wait(10)
            sent = time.monotonic()
            arrived = simulator.wait_for_arrivals([c.customer for c in cases], deadline=sent + 20)
            time.sleep(max(0.0, sent + 1.0 - time.monotonic()))  # 1 s in, and each request is at the upstream
            first_run.kill()
            first_run.wait(10)
        at_kill = {c.name: simulator.new_transfers(c.customer, before[c.name][1]) for c in cases}
        with gateway.serving():
            # A retry a second after this one still comes before the transfer lands (margin for the clock
            # the arrival was seen by): then the client must get pending answers first. A loaded machine
            # may restart the gateway after a short delay's transfer landed: then it was settled at start.
            in_time = {c.name: time.monotonic() + 3.0 < arrived + c.delay for c in cases}
            finals = {c.name: clients[c.name].finish(c.delay + 30) for c in cases}
            # Had the gateway sent one again, its first request would have landed by now: look after that.
            time.sleep(max(0.0, arrived + max(c.delay for c in cases) + 1.0 - time.monotonic()))
            replays = {c.name: gateway.transfer(c.customer, c.name) for c in cases}
            audit = gateway.audit()
            return {
                c.name: Story(
                    before[c.name][0],
                    clients[c.name].answers,
                    finals[c.name],
                    replays[c.name],
                    simulator.new_transfers(c.customer, before[c.name][1]),
                    simulator.balance(c.customer),
                    audit,
                    notes={"at_kill": at_kill[c.name], "restarted_before_landing": in_time[c.name]},
                )
                for c in cases
            }
    finally:
        for client in clients.values():
            client.stop.set()
            if client.ident is not None:
                client.join(35)


def restarted_after_landing(simulator: Simulator, gateway: Gateway, cases: list[Case]) -> dict[str, Story]:
    """The gateway is killed 1 s into the call and started again only after the transfer landed."""
    (case,) = cases
    client = Client(gateway, case.customer, case.name, deadline=time.monotonic() + 30, tries=1)
    try:
        with gateway.serving() as first_run:
            before, seen = simulator.balance(case.customer), simulator.transfers(case.customer)
            client.start()
            client.sending.wait(10)
            sent = time.monotonic()
            simulator.wait_for_arrivals([case.customer], deadline=sent + 20)
            time.sleep(max(0.0, sent + 1.0 - time.monotonic()))
            first_run.kill()
            first_run.wait(10)
            client.join(10)
        landed = simulator.wait_for_transfer(case.customer, seen, deadline=time.monotonic() + case.delay + 10)
        with gateway.serving():
            at_start = gateway.audit()  # before any retry
            retried = gateway.transfer(case.customer, client.key)
            replay = gateway.transfer(case.customer, client.key)
            transfers, balance = simulator.new_transfers(case.customer, seen), simulator.balance(case.customer)
            notes = {"landed": landed, "at_start": at_start}
            story = Story(before, client.answers, retried, replay, transfers, balance, gateway.audit(), notes)
            return {case.name: story}
    finally:
        client.stop.set()
        if client.ident is not None:
            client.join(35)


Scenario = Callable[[Simulator, Gateway, list[Case]], dict[str, Story]]
#: (scenario, the gateway's upstream timeout in seconds, its transfers: (name, delay in seconds))
SCENARIOS: list[tuple[Scenario, float, list[tuple[str, float]]]] = [
    (late_reply, 1.0, [("late", 5.0)]),
    (killed_mid_call, 5.0, [("killed-3", 3.0), ("killed-8", 8.0), ("killed-20", 20.0)]),
    (restarted_after_landing, 5.0, [("restarted-late", 3.0)]),
]


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Future[dict[str, Story]]]]:
    """All scenarios, started at once against one simulator process, each with its own gateway process:
    transfer name -> its scenario's future stories. Each test waits for its own."""
    root = tmp_path_factory.mktemp("write-timing")
    simulator = Simulator(f"http://127.0.0.1:{free_port()}")
    args = [EXE, "simulator", "huaweicloud", "--port", simulator.url.rsplit(":", 1)[1]]
    with process_serving(args, f"{simulator.url}/_simulator/faults", log=root / "simulator.log"):
        customers = iter(simulator.resale_customers())
        with ThreadPoolExecutor(max_workers=len(SCENARIOS), thread_name_prefix="scenario") as pool:
            futures = {}
            for scenario, timeout, transfers in SCENARIOS:
                cases = [Case(name, next(customers), delay) for name, delay in transfers]
                for case in cases:
                    simulator.delay_transfers(case.customer, case.delay)
                gateway = Gateway(root / scenario.__name__, simulator, timeout)
                future = pool.submit(scenario, simulator, gateway, cases)
                futures.update(dict.fromkeys((c.name for c in cases), future))
            yield futures
            # Every scenario's loops have deadlines and it stops its processes on the way out, also when it
            # fails: leaving the pool waits for them, so nothing outlives the module.


def story_of(stories: dict[str, Future[dict[str, Story]]], name: str) -> Story:
    return stories[name].result(timeout=120)[name]


def assert_applied_once(story: Story) -> None:
    assert list(story.transfers.values()) == [AMOUNT], f"applied {len(story.transfers)} times: {story.transfers}"
    assert story.balance == story.before + AMOUNT


def assert_settled(story: Story) -> None:
    """The client's definite answer is the upstream's record of the one transfer, read back; a replay says
    the same."""
    assert story.final["__typename"] == "CustomerPayload", story.answers
    operation = story.final["operation"]
    assert operation["reconciled"] is True
    assert operation["upstreamIds"] == list(story.transfers)
    assert story.replay == {"__typename": "CustomerPayload", "operation": {**operation, "replayed": True}}


def assert_pending_until_settled(story: Story, *, some: bool = True) -> None:
    """Before the definite answer: only pending answers for the same operation (or none while the gateway
    was down), never "not applied, safe to retry"; ``some``: at least one."""
    *before, final = story.answers
    assert final == story.final
    answers = [a for a in before if isinstance(a, dict)]
    assert answers or not some, f"no pending answer before the settled one: {story.answers}"
    for answer in answers:
        assert is_pending(answer), story.answers
        assert answer["code"] == "OPERATION_PENDING"
        assert answer["retryable"] is False
        assert answer["operationId"] == story.final["operation"]["operationId"]


def assert_audit_tells(story: Story, *, pending: bool) -> None:
    """PENDING entries, then one RECONCILED, then replays: never SUCCEEDED, never a second settlement."""
    assert all(entry["operationId"] for entry in story.audit), story.audit  # nothing refused or lost
    operation_id = story.final["operation"]["operationId"]
    outcomes = [entry["outcome"] for entry in story.audit if entry["operationId"] == operation_id]
    assert outcomes.count("RECONCILED") == 1, outcomes
    settled = outcomes.index("RECONCILED")
    assert set(outcomes[:settled]) <= {"PENDING"}, outcomes
    assert set(outcomes[settled + 1 :]) == {"REPLAYED"}, outcomes
    if pending:
        assert "PENDING" in outcomes[:settled], outcomes


def test_a_reply_later_than_the_upstream_timeout_is_pending_then_settled_once(
    stories: dict[str, Future[dict[str, Story]]],
) -> None:
    story = story_of(stories, "late")
    assert_applied_once(story)  # also after waiting past the delay once more
    assert_pending_until_settled(story)
    assert not any(isinstance(a, str) for a in story.answers)  # the gateway answered every time
    assert_settled(story)
    assert_audit_tells(story, pending=True)


@pytest.mark.parametrize("delay", [3, 8, 20])
def test_a_transfer_cut_off_by_a_killed_gateway_is_applied_once_and_settled(
    stories: dict[str, Future[dict[str, Story]]], delay: int
) -> None:
    story = story_of(stories, f"killed-{delay}")
    assert story.notes["at_kill"] == {}  # killed while the transfer was on its way
    assert isinstance(story.answers[0], str)  # the caller never learnt the first attempt's outcome
    assert_applied_once(story)
    assert_settled(story)
    # The 3 s one usually lands while the gateway restarts, and is settled at start.
    pending = story.notes["restarted_before_landing"]
    assert pending or delay < 20, "the gateway took most of 20 s to restart"
    assert_pending_until_settled(story, some=pending)
    assert_audit_tells(story, pending=pending)


def test_a_transfer_that_landed_while_the_gateway_was_down_is_settled_at_start(
    stories: dict[str, Future[dict[str, Story]]],
) -> None:
    story = story_of(stories, "restarted-late")
    assert len(story.answers) == 1
    assert isinstance(story.answers[0], str)  # the caller never learnt the outcome
    assert len(story.notes["landed"]) == 1  # applied while no gateway ran
    assert [entry["outcome"] for entry in story.notes["at_start"]] == ["RECONCILED"]  # before any retry
    assert_applied_once(story)
    assert_settled(story)
    assert story.final["operation"]["replayed"] is True
    assert [entry["outcome"] for entry in story.audit] == ["RECONCILED", "REPLAYED", "REPLAYED"]
