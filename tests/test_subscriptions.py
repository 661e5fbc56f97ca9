"""GraphQL subscriptions to change events over ``graphql-transport-ws`` (issue #13), spoken by a real client
(websockets' own) to a real server on loopback: the gateway under uvicorn in a thread on a SQLite store, and
two gateway processes sharing this machine's PostgreSQL.

Events are added to the outbox as a detector or a write adds them (``Store.add_events``, ``insert_events``
inside a transaction), through a store of its own on the same database: what another replica does.
Whether the server has registered a subscription is read where an operator reads it: the
``partner_gateway_subscriptions`` gauge (the protocol has no acknowledgement of a subscribe).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig, JwtConfig
from gateway.config_tables import LimitsConfig
from gateway.errors import SubscriptionLagged
from gateway.events import Event, new_event
from gateway.ids import encode_global_id
from gateway.notifications.stream import EventStream
from gateway.registry import Registry
from gateway.store import MEMORY_URL, insert_events, open_store, sqlite_url
from tests.support.backing import fresh_database
from tests.support.fakes import FakePlugin
from tests.support.servers import EXE, free_port, live_server, process_serving
from tests.test_app import config_for
from tests.test_jwt import AUDIENCE, ISSUER, RSA_KEY, STRANGER, claims, jwks, sign
from tests.test_replicas import start_together

PROTOCOL = "graphql-transport-ws"
ACCOUNT = "one"
KEYS = {
    "admin": ("k-admin", Role.ADMIN, None),
    "finance": ("k-finance", Role.FINANCE, None),
    "wang": ("k-wang", Role.SALES, "wang"),
    "li": ("k-li", Role.SALES, "李娜"),
}
EVENTS = "subscription($types: [String!]) { events(types: $types) { id type occurredAt subject partnerId data } }"
MAX_ALIASES = 3
"""``[limits] max_aliases`` of the gateway under test: the document limits hold over WebSocket too."""


def api_keys() -> tuple[ApiKey, ...]:
    return tuple(ApiKey(name, hash_key(key), role, owner) for name, (key, role, owner) in KEYS.items())


def event(type: str, owner: str | None, n: int, account: str | None = ACCOUNT) -> Event:
    return new_event(type, f"customer/{account}/{n}", {"customerId": str(n), "n": n}, account_id=account, owner=owner)


def add(store_url: str, *events: Event) -> list[Event]:
    """Add events to the outbox through a store of its own (another replica, a detector)."""

    async def adding() -> list[Event]:
        store = await open_store(store_url)
        try:
            return await store.add_events(events)
        finally:
            await store.close()

    return asyncio.run(adding())


class Client:
    """A ``graphql-transport-ws`` client: messages of several operations are kept apart by id."""

    def __init__(self, base_url: str) -> None:
        url = base_url.replace("http://", "ws://", 1) + "/graphql"
        self.ws: ClientConnection = connect(url, subprotocols=[PROTOCOL], open_timeout=10).__enter__()
        self.pending: dict[str, list[dict[str, Any]]] = {}

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.ws.__exit__(*exc_info)

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def receive(self, timeout: float = 10) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        return message

    def init(self, payload: dict[str, Any] | None) -> dict[str, Any]:
        self.send({"type": "connection_init", **({"payload": payload} if payload is not None else {})})
        return self.receive()

    def sign_in(self, principal: str) -> Client:
        assert self.init({"Authorization": f"Bearer {KEYS[principal][0]}"}) == {"type": "connection_ack"}
        return self

    def subscribe(self, operation_id: str, query: str = EVENTS, **variables: Any) -> None:
        self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query, "variables": variables}})

    def message(self, operation_id: str, timeout: float = 10) -> dict[str, Any]:
        """The next message of one operation."""
        deadline = time.monotonic() + timeout
        while not self.pending.get(operation_id):
            message = self.receive(max(0.01, deadline - time.monotonic()))
            self.pending.setdefault(str(message.get("id")), []).append(message)
        return self.pending[operation_id].pop(0)

    def events(self, operation_id: str, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        received = []
        for _ in range(count):
            message = self.message(operation_id, timeout)
            assert message["type"] == "next", message
            assert "errors" not in message["payload"], message
            received.append(message["payload"]["data"]["events"])
        return received


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.02)


def open_here() -> float:
    """Subscriptions open in this process (the gateway under uvicorn runs in a thread of it)."""
    return REGISTRY.get_sample_value("partner_gateway_subscriptions") or 0.0


def polls_here() -> float:
    return REGISTRY.get_sample_value("partner_gateway_subscription_polls_total", {"outcome": "ok"}) or 0.0


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The gateway on loopback (its base URL) and its store's URL (SQLite)."""
    store_url = sqlite_url(tmp_path_factory.mktemp("subscriptions"))
    config = GatewayConfig(
        accounts=config_for(ACCOUNT).accounts,
        api_keys=api_keys(),
        store_url=store_url,
        limits=LimitsConfig(max_aliases=MAX_ALIASES),
    )
    with live_server(create_app(config, Registry([FakePlugin({ACCOUNT: 3})]))) as url:
        yield url, store_url
    assert open_here() == 0  # every test's subscriptions ended with its connection


@pytest.fixture
def gateway(served: tuple[str, str]) -> Iterator[tuple[str, str]]:
    yield served
    wait_until(lambda: open_here() == 0, "the test's subscriptions ended on the server")


def test_events_reach_a_subscriber_in_order_with_their_ids(gateway: tuple[str, str]) -> None:
    url, store = gateway
    with Client(url).sign_in("admin") as client:
        client.subscribe("all")
        wait_until(lambda: open_here() == 1, "the subscription is open")
        added = add(
            store,
            event("customer.created", "wang", 1),
            event("customer.frozen", "李娜", 2),
            event("reseller.funds_changed", None, 3, account=None),
        )
        received = client.events("all", 3)
    assert [e["id"] for e in received] == [e.id for e in added]
    assert [e["type"] for e in received] == ["customer.created", "customer.frozen", "reseller.funds_changed"]
    first = received[0]
    assert first["subject"] == f"customer/{ACCOUNT}/1"
    assert first["partnerId"] == encode_global_id("Partner", ACCOUNT)
    assert first["data"] == {"customerId": "1", "n": 1}
    assert first["occurredAt"] == added[0].occurred_at.isoformat()
    assert received[2]["partnerId"] is None


def test_types_keep_only_the_events_asked_for(gateway: tuple[str, str]) -> None:
    url, store = gateway
    with Client(url).sign_in("finance") as client:
        client.subscribe("frozen", types=["customer.frozen", "customer.unfrozen"])
        client.subscribe("everything")
        wait_until(lambda: open_here() == 2, "both subscriptions are open")
        created, frozen, unfrozen = add(
            store,
            event("customer.created", "wang", 1),
            event("customer.frozen", "wang", 1),
            event("customer.unfrozen", None, 1),
        )
        assert [e["id"] for e in client.events("everything", 3)] == [created.id, frozen.id, unfrozen.id]
        assert [e["id"] for e in client.events("frozen", 2)] == [frozen.id, unfrozen.id]


def test_a_salesperson_receives_only_the_events_of_its_own_customers(gateway: tuple[str, str]) -> None:
    url, store = gateway
    with Client(url).sign_in("wang") as wang, Client(url).sign_in("li") as li, Client(url).sign_in("admin") as admin:
        for client in (wang, li, admin):
            client.subscribe("mine")
        wait_until(lambda: open_here() == 3, "the three subscriptions are open")
        events = add(
            store,
            event("customer.created", "wang", 1),
            event("customer.created", "李娜", 2),
            event("consumption.month_closed", None, 3),  # no owner: never a salesperson's
            event("reseller.funds_changed", None, 4, account=None),
            event("customer.balance_low", "wanger", 5),  # another owner whose name begins like wang's
            event("voucher.issued", "wang", 6),
            event("voucher.issued", "李娜", 7),
        )
        # Each client's last event arrives after every earlier one was offered to it (outbox order): what
        # it received before that is all it will receive of them.
        assert [e["id"] for e in wang.events("mine", 2)] == [events[0].id, events[5].id]
        assert [e["id"] for e in li.events("mine", 2)] == [events[1].id, events[6].id]
        assert [e["id"] for e in admin.events("mine", 7)] == [e.id for e in events]
        closing = add(store, event("customer.frozen", "wang", 8), event("customer.frozen", "李娜", 9))
        assert [e["id"] for e in wang.events("mine", 1)] == [closing[0].id]
        assert [e["id"] for e in li.events("mine", 1)] == [closing[1].id]


@pytest.mark.parametrize(
    "payload",
    [
        {"Authorization": "Bearer k-nobody"},
        {"apiKey": "k-nobody"},
        {"Authorization": "Basic k-admin"},  # not a bearer credential: none at all
        {},
        None,
    ],
    ids=["unknown-bearer", "unknown-api-key", "not-bearer", "empty", "no-payload"],
)
def test_a_bad_or_missing_credential_closes_the_socket_with_4403(
    gateway: tuple[str, str], payload: dict[str, Any] | None, caplog: pytest.LogCaptureFixture
) -> None:
    url, _ = gateway
    with Client(url) as client, pytest.raises(ConnectionClosed) as closed:
        client.init(payload)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4403, "Forbidden")
    assert "k-nobody" not in caplog.text
    assert "k-admin" not in caplog.text


def test_an_api_key_in_the_payload_signs_in_as_in_an_http_header(gateway: tuple[str, str]) -> None:
    url, store = gateway
    with Client(url) as client:
        assert client.init({"apiKey": "k-wang"}) == {"type": "connection_ack"}
        client.subscribe("mine")
        wait_until(lambda: open_here() == 1, "the subscription is open")
        _, mine = add(store, event("customer.created", "李娜", 1), event("customer.created", "wang", 2))
        assert [e["id"] for e in client.events("mine", 1)] == [mine.id]


def test_a_bearer_token_signs_a_person_in_as_for_http(tmp_path: Path) -> None:
    keys = tmp_path / "jwks.json"
    keys.write_text(json.dumps(jwks(RSA_KEY)))
    config = GatewayConfig(
        accounts=config_for(ACCOUNT).accounts,
        jwt=JwtConfig(issuer=ISSUER, audience=AUDIENCE, jwks_file=str(keys), algorithms=("RS256",)),
        store_url=sqlite_url(tmp_path),
    )
    fang = sign(claims(sub="fang", role="sales", owner="王芳"))
    with live_server(create_app(config, Registry([FakePlugin({ACCOUNT: 3})]))) as url:
        with Client(url) as client:
            assert client.init({"Authorization": f"Bearer {fang}"}) == {"type": "connection_ack"}
            client.subscribe("mine")
            wait_until(lambda: open_here() == 1, "the subscription is open")
            others, mine = event("customer.created", "wang", 1), event("voucher.issued", "王芳", 2)
            add(sqlite_url(tmp_path), others, mine)
            assert [e["id"] for e in client.events("mine", 1)] == [mine.id]
        for token in (sign(claims(exp=int(time.time()) - 600)), sign(claims(), key=STRANGER)):
            with Client(url) as refused, pytest.raises(ConnectionClosed) as closed:
                refused.init({"Authorization": f"Bearer {token}"})
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4403
    wait_until(lambda: open_here() == 0, "the subscription ended on the server")


def test_a_subscribe_before_connection_init_closes_the_socket(gateway: tuple[str, str]) -> None:
    url, _ = gateway
    with Client(url) as client:
        client.subscribe("early")
        with pytest.raises(ConnectionClosed) as closed:
            client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401


def test_an_unknown_event_type_is_refused_before_anything_streams(gateway: tuple[str, str]) -> None:
    url, _ = gateway
    with Client(url).sign_in("admin") as client:
        client.subscribe("typo", types=["customer.created", "customer.deleted"])
        message = client.message("typo")
        client.subscribe("empty", types=[])
        empty = client.message("empty")
    assert message["type"] == "error"  # the protocol's refusal of an operation: it never started
    [error] = message["payload"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "types", "reason": "UNKNOWN_EVENT_TYPE"}
    assert "customer.deleted" in error["message"]
    assert empty["type"] == "error"
    assert empty["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert open_here() == 0


def test_the_document_limits_of_http_hold_for_subscriptions(gateway: tuple[str, str]) -> None:
    url, _ = gateway
    aliased = " ".join(f"a{n}: id" for n in range(MAX_ALIASES + 1))
    with Client(url).sign_in("admin") as client:
        client.subscribe("aliases", f"subscription {{ events {{ {aliased} }} }}")
        message = client.message("aliases")
        client.subscribe("tokens", "subscription { events { " + "id " * 2100 + "} }")
        tokens = client.message("tokens")
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "max_aliases", "maximum": 3}
    assert tokens["type"] == "error"
    assert tokens["payload"][0]["extensions"]["limit"] == "max_tokens"


def test_only_subscriptions_run_over_websocket_and_none_over_http(gateway: tuple[str, str]) -> None:
    url, _ = gateway
    with Client(url).sign_in("admin") as client:
        client.subscribe("query", "{ customers(first: 1) { totalCount } }")
        query = client.message("query")
        client.subscribe("mutation", 'mutation { assignCustomer(customerId: "x", owner: "y") { __typename } }')
        mutation = client.message("mutation")
    assert query["type"] == "error"
    assert query["payload"][0]["extensions"] == {"code": "BAD_USER_INPUT", "reason": "NOT_A_SUBSCRIPTION"}
    assert mutation["type"] == "error"
    assert mutation["payload"][0]["extensions"]["code"] in ("BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED")
    response = httpx.post(
        f"{url}/graphql", json={"query": EVENTS}, headers={"authorization": "Bearer k-admin"}, timeout=10
    )
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "reason": "SUBSCRIPTION_OVER_HTTP"}


def test_a_connection_holds_at_most_ten_subscriptions(gateway: tuple[str, str]) -> None:
    url, store = gateway
    with Client(url).sign_in("admin") as client:
        for n in range(10):
            client.subscribe(f"s{n}")
        wait_until(lambda: open_here() == 10, "ten subscriptions are open")
        client.subscribe("eleventh")
        refused = client.message("eleventh")
        [added] = add(store, event("customer.created", "wang", 1))
        for n in range(10):
            assert [e["id"] for e in client.events(f"s{n}", 1)] == [added.id]
    assert refused["type"] == "error"
    assert refused["payload"][0]["message"] == "Subscription limit reached"


def test_completing_or_closing_ends_the_server_side_subscription_and_its_follower(gateway: tuple[str, str]) -> None:
    url, store = gateway
    with Client(url).sign_in("admin") as client:
        client.subscribe("a")
        client.subscribe("b")
        wait_until(lambda: open_here() == 2, "both subscriptions are open")
        client.send({"id": "a", "type": "complete"})
        wait_until(lambda: open_here() == 1, "the completed subscription ended on the server")
        [added] = add(store, event("customer.created", "wang", 1))
        assert [e["id"] for e in client.events("b", 1)] == [added.id]
    # The client went away without a word: its subscription ends, and with the last one the follower stops.
    wait_until(lambda: open_here() == 0, "the subscription of the closed connection ended on the server")
    polls = polls_here()
    time.sleep(1.5)  # three poll intervals
    assert polls_here() == polls


# --- the follower of the outbox, driven directly ------------------------------------------------------------

ADMIN = api_keys()[0].principal


async def next_event(iterator: Any, within: float = 5) -> Event:
    async with asyncio.timeout(within):
        item: Event = await iterator.__anext__()
        return item


@pytest.mark.anyio
async def test_a_subscriber_that_falls_behind_is_ended_rather_than_buffered() -> None:
    store = await open_store(MEMORY_URL)
    stream = EventStream(store, interval=0.05, queue_size=3)
    try:
        slow = await stream.subscribe(ADMIN)
        reader = await stream.subscribe(ADMIN)
        added = await store.add_events([event("customer.created", "wang", n) for n in range(3)])
        assert [(await next_event(reader)).id for _ in range(3)] == [e.id for e in added]
        added += await store.add_events([event("customer.frozen", "wang", n) for n in range(3)])
        assert [(await next_event(reader)).id for _ in range(3)] == [e.id for e in added[3:]]
        # The slow one read nothing: its queue held 3, the 4th ended it; what it had queued is dropped.
        with pytest.raises(SubscriptionLagged):
            await next_event(slow)
        assert stream.subscriptions == 1
    finally:
        await stream.close()
        await store.close()
    assert stream.subscriptions == 0
    assert not stream.following


@pytest.mark.anyio
async def test_the_follower_reads_the_outbox_once_per_tick_for_every_subscriber() -> None:
    store = await open_store(MEMORY_URL)
    reads = 0
    events_after = store.events_after

    async def counted(sequence: int, limit: int, **kwargs: Any) -> list[Event]:
        nonlocal reads
        reads += 1
        return await events_after(sequence, limit, **kwargs)

    store.events_after = counted  # type: ignore[method-assign]
    stream = EventStream(store, interval=0.1)
    try:
        subscriptions = [await stream.subscribe(ADMIN) for _ in range(50)]
        started = time.monotonic()
        await asyncio.sleep(1.0)
        [added] = await store.add_events([event("customer.created", "wang", 1)])
        for subscription in subscriptions:
            assert (await next_event(subscription)).id == added.id
        elapsed = time.monotonic() - started
        assert reads <= elapsed / 0.1 + 2  # one read per tick, not one per subscriber
    finally:
        await stream.close()
        await store.close()


@pytest.mark.anyio
async def test_a_closed_stream_ends_its_subscriptions() -> None:
    store = await open_store(MEMORY_URL)
    stream = EventStream(store, interval=0.05)
    subscription = await stream.subscribe(ADMIN)
    waiting = asyncio.create_task(next_event(subscription))
    await asyncio.sleep(0.1)
    await stream.close()
    with pytest.raises(StopAsyncIteration):
        await waiting
    await store.close()


# --- PostgreSQL: gaps, NOTIFY, two gateway processes ----------------------------------------------------------


@pytest.fixture
def postgres() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.mark.anyio
async def test_an_event_committed_after_a_higher_sequence_was_read_still_arrives(postgres: str) -> None:
    store = await open_store(postgres)
    stream = EventStream(store, interval=0.05, gap_grace=30)
    try:
        subscription = await stream.subscribe(ADMIN)
        early, late = event("customer.created", "wang", 1), event("customer.frozen", "wang", 2)
        async with store.engine.begin() as conn:
            [held] = await insert_events(conn, [early])  # its sequence number is taken, not yet committed
            [done] = await store.add_events([late])
            assert done.sequence is not None
            assert held.sequence is not None
            assert done.sequence > held.sequence
            assert (await next_event(subscription)).id == late.id
            await asyncio.sleep(0.2)  # the follower reads past the gap a few times meanwhile
        assert (await next_event(subscription)).id == early.id  # committed now: not lost below the cursor
        [after] = await store.add_events([event("customer.unfrozen", "wang", 3)])
        assert (await next_event(subscription)).id == after.id  # and nothing offered twice
    finally:
        await stream.close()
        await store.close()


@pytest.mark.anyio
async def test_notify_wakes_the_follower_long_before_its_next_poll(postgres: str) -> None:
    store = await open_store(postgres)
    other = await open_store(postgres)  # another replica's store
    stream = EventStream(store, interval=30)
    try:
        subscription = await stream.subscribe(ADMIN)
        await asyncio.sleep(0.5)  # the follower has read once and listens
        started = time.monotonic()
        [added] = await other.add_events([event("customer.created", "wang", 1)])
        assert (await next_event(subscription, within=5)).id == added.id
        assert time.monotonic() - started < 5  # not the 30 s poll
    finally:
        await stream.close()
        await other.close()
        await store.close()


def gauge(url: str) -> float:
    """``partner_gateway_subscriptions`` as a gateway process serves it."""
    for line in httpx.get(f"{url}/metrics", timeout=10).text.splitlines():
        if line.startswith("partner_gateway_subscriptions "):
            return float(line.split()[1])
    raise AssertionError("no partner_gateway_subscriptions in /metrics")


@contextlib.contextmanager
def two_gateways(store_url: str, directory: Path) -> Iterator[tuple[str, str]]:
    config = directory / "gateway.toml"
    keys = "".join(
        f'[[api_keys]]\nname = "{name}"\nsha256 = "{hash_key(key)}"\nrole = "{role.value}"\n'
        + (f'owner = "{owner}"\n' if owner else "")
        for name, (key, role, owner) in KEYS.items()
    )
    config.write_text(f'[store]\nurl = "{store_url}"\n\n{keys}')  # the embedded demo's accounts
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    with contextlib.ExitStack() as stack:
        start_together(
            stack,
            [
                process_serving(
                    [EXE, "serve", "--config", str(config), "--port", url.rsplit(":", 1)[1]],
                    f"{url}/healthz",
                    log=directory / f"gateway-{n}.log",
                )
                for n, url in enumerate(urls)
            ],
        )
        yield urls[0], urls[1]


def test_two_gateway_processes_on_one_postgresql_deliver_to_subscribers_on_either(
    postgres: str, tmp_path: Path
) -> None:
    with two_gateways(postgres, tmp_path) as (a, b):
        with Client(a).sign_in("admin") as on_a, Client(b).sign_in("wang") as on_b:
            on_a.subscribe("all")
            on_b.subscribe("mine")
            wait_until(lambda: gauge(a) == 1 and gauge(b) == 1, "a subscription is open on each gateway")
            started = time.monotonic()
            first = add(postgres, event("customer.created", "wang", 1))
            second = add(postgres, event("customer.created", "李娜", 2), event("customer.frozen", "wang", 1))
            assert [e["id"] for e in on_a.events("all", 3)] == [e.id for e in first + second]
            assert [e["id"] for e in on_b.events("mine", 2)] == [first[0].id, second[1].id]
            latency = time.monotonic() - started
        wait_until(lambda: gauge(a) == 0 and gauge(b) == 0, "closing the clients ended both subscriptions")
    assert latency < 5
