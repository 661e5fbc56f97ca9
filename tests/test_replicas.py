"""Two gateway processes on this machine's real PostgreSQL and Redis, in front of both standalone
simulators: compose.yaml's set-up, run as processes on the same configuration file (deploy/gateway.toml
with this machine's addresses: ``tests.support.deploy``) and the same environment.

* The same idempotency key sent to both at once moves the money once: one upstream call, one record at the
  simulator, one operation (the other answer replays it).
* ``requests_per_minute`` holds across both: of more requests than the limit, sent to both at once,
  exactly the limit are answered.
* A slow-changing read answered through one is served by the other from the shared cache.
* One killed (SIGKILL), the other goes on serving, reads and replays, and is ready.

What the upstream did is read at the simulators (the official SDK, and a counted no-op fault per
operation), not through the gateways under test. Each run has a database and a Redis key prefix of its own.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.auth import hash_key
from gateway.ids import encode_global_id
from tests.support.backing import REDIS, fresh_database, redis_prefix
from tests.support.deploy import gateway_environment, replica_config
from tests.support.servers import EXE, free_port, process_serving
from tests.test_crash_recovery import TRANSFER, Simulator

HUAWEI = "sim-huawei"
"""deploy/gateway.toml's Huawei account."""
PER_MINUTE = 6
"""``[limits] requests_per_minute`` here: a token every 10 s, so none comes back during a test."""
AMOUNT = Decimal("3.00")
KEYS = {name: f"pgw_test-{name}-{uuid.uuid4().hex}" for name in ("finance", "limited", "reader", "survivor")}
"""One principal per test: each has its own requests_per_minute."""
#: More than any test here can use up: what is left of it is the count of requests the simulator had.
COUNTED = 100_000


class Calls:
    """Counts one operation's requests at a standalone simulator: a 0 ms latency fault that may fire
    ``COUNTED`` times changes nothing but its own remaining count, which the control endpoint lists."""

    def __init__(self, simulator: str, operation: str) -> None:
        self.simulator, self.operation = simulator, operation
        fault = {"kind": "latency", "operation": operation, "value": 0, "remaining": COUNTED}
        response = httpx.post(f"{simulator}/_simulator/faults", json=fault, timeout=10)
        assert response.status_code == 201, response.text

    @property
    def count(self) -> int:
        faults = httpx.get(f"{self.simulator}/_simulator/faults", timeout=10).json()["faults"]
        [mine] = [f for f in faults if f["operation"] == self.operation and f["kind"] == "latency" and f["value"] == 0]
        return COUNTED - int(mine["remaining"])


@dataclass
class Replica:
    name: str
    url: str
    process: Any = None

    def post(self, query: str, principal: str, **variables: Any) -> httpx.Response:
        return httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {KEYS[principal]}"},
            timeout=30,
        )

    def data(self, query: str, principal: str, **variables: Any) -> dict[str, Any]:
        response = self.post(query, principal, **variables)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body["data"]

    def transfer(self, customer: str, key: str) -> dict[str, Any]:
        variables = {"id": encode_global_id("Customer", HUAWEI, customer), "amount": str(AMOUNT), "key": key}
        answer: dict[str, Any] = self.data(TRANSFER, "finance", **variables)["transferFunds"]
        return answer


@dataclass
class Cluster:
    aliyun: str
    huawei: Simulator
    a: Replica
    b: Replica
    config: Path


def start_together(stack: contextlib.ExitStack, servers: list[contextlib.AbstractContextManager[Any]]) -> list[Any]:
    """Enter ``process_serving`` contexts at once (a process takes seconds to import the gateway on a loaded
    machine: four in a row would take four times that); each is exited with ``stack``, also on failure."""
    with ThreadPoolExecutor(len(servers)) as pool:
        entered = [pool.submit(server.__enter__) for server in servers]
    for server, future in zip(servers, entered, strict=True):
        if future.exception() is None:
            stack.push(server)
    return [future.result() for future in entered]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    directory = tmp_path_factory.mktemp("replicas")
    aliyun, huawei = (f"http://127.0.0.1:{free_port()}" for _ in range(2))
    a, b = (Replica(name, f"http://127.0.0.1:{free_port()}") for name in ("a", "b"))
    with fresh_database() as store, redis_prefix() as prefix, contextlib.ExitStack() as stack:
        config = directory / "gateway.toml"
        config.write_text(
            replica_config(
                aliyun=aliyun,
                huaweicloud=huawei,
                store=store,
                redis=REDIS,
                key_prefix=prefix,
                requests_per_minute=PER_MINUTE,
                api_keys={name: hash_key(key) for name, key in KEYS.items()},
            )
        )
        environment = {**gateway_environment(), "PARTNER_GATEWAY_CONFIG": str(config)}
        servers = [
            process_serving(
                [EXE, "simulator", provider, "--port", url.rsplit(":", 1)[1]],
                f"{url}/",
                log=directory / f"{provider}.log",
            )
            for provider, url in (("aliyun", aliyun), ("huaweicloud", huawei))
        ] + [
            process_serving(
                [EXE, "serve", "--port", replica.url.rsplit(":", 1)[1]],
                f"{replica.url}/healthz",
                env=environment,
                log=directory / f"gateway-{replica.name}.log",
            )
            for replica in (a, b)
        ]
        _, _, a.process, b.process = start_together(stack, servers)
        yield Cluster(aliyun, Simulator(huawei), a, b, config)


def test_the_same_key_sent_to_both_replicas_at_once_moves_the_money_once(cluster: Cluster) -> None:
    huawei = cluster.huawei
    customer = huawei.resale_customers()[0]
    before, seen = huawei.balance(customer), huawei.transfers(customer)
    calls = Calls(huawei.url, "update_customer_account_amount")
    huawei.delay_transfers(customer, 1.0)  # the first to arrive is still in flight when the other comes
    start = threading.Barrier(2)
    answers: dict[str, dict[str, Any]] = {}

    def send(replica: Replica) -> None:
        start.wait(10)
        answers[replica.name] = replica.transfer(customer, "invoice-2026-0042")

    threads = [threading.Thread(target=send, args=(replica,)) for replica in (cluster.a, cluster.b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert set(answers) == {"a", "b"}

    assert calls.count == 1  # one upstream call for the two requests
    landed = huawei.new_transfers(customer, seen)
    assert list(landed.values()) == [AMOUNT]
    assert huawei.balance(customer) == before + AMOUNT
    operations = [answer["operation"] for answer in answers.values()]
    assert all(answer["__typename"] == "CustomerPayload" for answer in answers.values()), answers
    assert sorted(operation["replayed"] for operation in operations) == [False, True]
    assert operations[0]["operationId"] == operations[1]["operationId"]
    assert operations[0]["upstreamIds"] == operations[1]["upstreamIds"] == list(landed)


def test_requests_per_minute_holds_across_both_replicas(cluster: Cluster) -> None:
    sent = [cluster.a, cluster.b] * 5  # 10 requests, half to each, all at once
    started = time.monotonic()
    with ThreadPoolExecutor(len(sent)) as pool:
        responses = list(pool.map(lambda replica: replica.post("{ __typename }", "limited"), sent))
    elapsed = time.monotonic() - started
    answered = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 429]
    assert len(answered) + len(refused) == len(sent)
    # Exactly the limit (each replica on its own would have answered all 10); a token comes back every
    # 10 s, so only a very slow machine may see one more.
    assert PER_MINUTE <= len(answered) <= PER_MINUTE + int(elapsed * PER_MINUTE / 60)
    for response in refused:
        assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert int(response.headers["retry-after"]) >= 1


REGIONS = '{ regions(provider: "huaweicloud", level: PROVINCE) { code name } }'


def test_a_read_cached_through_one_replica_is_served_by_the_other(cluster: Cluster) -> None:
    calls = Calls(cluster.huawei.url, "list_provinces")
    first = cluster.a.data(REGIONS, "reader")
    assert first["regions"], "no provinces: nothing was read"
    assert calls.count == 1
    assert cluster.b.data(REGIONS, "reader") == first
    assert calls.count == 1  # the second replica's answer came from the shared cache


def test_with_one_replica_killed_the_other_goes_on_serving(cluster: Cluster) -> None:
    customer = cluster.huawei.resale_customers()[1]
    first = cluster.a.transfer(customer, "before-the-crash")
    assert first["__typename"] == "CustomerPayload", first
    cluster.a.process.kill()  # SIGKILL: no shutdown, connections to PostgreSQL and Redis just dropped
    cluster.a.process.wait(10)
    with pytest.raises(httpx.TransportError):
        cluster.a.post("{ __typename }", "survivor")

    page = cluster.b.data("{ customers(first: 50) { totalCount edges { node { provider } } } }", "survivor")
    assert {edge["node"]["provider"] for edge in page["customers"]["edges"]} == {"aliyun", "huaweicloud"}
    replay = cluster.b.transfer(customer, "before-the-crash")  # the dead replica's operation, from the store
    assert replay == {"__typename": "CustomerPayload", "operation": {**first["operation"], "replayed": True}}
    ready = httpx.get(f"{cluster.b.url}/readyz", timeout=30)
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["store"] == {"ok": True}
    assert body["redis"] == {"ok": True}
    assert all(account["ok"] for account in body["accounts"].values())
