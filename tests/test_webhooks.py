"""Webhook delivery (gateway.notifications.webhooks) to real receivers on loopback, from the workers of this
process over a store: events put in the outbox with ``store.add_events`` reach their receivers signed per
Standard Webhooks (verified with the ``standardwebhooks`` library, as a receiver would), a failing receiver gets
the event again with the same ``webhook-id``, a hanging one delays neither another webhook nor another subject,
a delivery is DEAD after its last attempt and delivered after ``redeliver``, a subject's events arrive in order,
redirects are not followed, the outbox is followed past gaps it has, and two workers sharing a store deliver each
event once. Timings are short: backoff from 50 ms, polls every 50 ms.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from graphql import GraphQLObjectType
from standardwebhooks import Webhook, WebhookVerificationError

from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import WebhookConfig, WebhookEntry, demo_config, parse_config
from gateway.errors import ConfigError
from gateway.events import EVENT_TYPES, Event, event_json, event_payload, new_event
from gateway.models import Secret
from gateway.notifications import webhooks
from gateway.notifications.deliveries import DeliveryFilter, DeliveryStatus, WebhookDelivery
from gateway.notifications.webhooks import WebhookWorkers, backoff, signed_headers
from gateway.observability.metrics import WEBHOOK_DELIVERIES
from gateway.registry import Registry
from gateway.schema import build_schema
from gateway.store import MEMORY_URL, Store, open_store, sqlite_url
from gateway.store import _tables as t
from gateway.testing import running
from tests.support.receivers import HANG, Arrival, Receiver, new_secret, receiving
from tests.support.servers import live_server

pytestmark = pytest.mark.anyio

FAST = {"timeout_seconds": 1.0, "backoff_seconds": 0.05, "max_backoff_seconds": 0.2, "poll_seconds": 0.05}


def entry(name: str, url: str, secret: str, **settings: Any) -> WebhookEntry:
    table = {"name": name, "url": url, "secret_env": "HOOK_SECRET", **FAST, **settings}
    return WebhookEntry(WebhookConfig.model_validate(table, strict=False), Secret(secret))


def event(subject: str = "customer/acc/1", type: str = "customer.created", **data: Any) -> Event:
    return new_event(type, subject, {"customerId": subject.rsplit("/", 1)[-1], **data}, account_id="acc")


async def until(check: Callable[[], Awaitable[bool]] | Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while True:
        result = check()
        if await result if isinstance(result, Awaitable) else result:
            return
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def deliveries(store: Store, webhook: str | None = None) -> list[WebhookDelivery]:
    page = await store.list_webhook_deliveries(DeliveryFilter(webhook=webhook), 0, 1000)
    return sorted(page.items, key=lambda d: d.id)


async def settled(store: Store, count: int, status: DeliveryStatus = DeliveryStatus.DELIVERED) -> bool:
    return sum(d.status is status for d in await deliveries(store)) == count


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = await open_store(MEMORY_URL)
    try:
        yield opened
    finally:
        await opened.close()


@contextlib.asynccontextmanager
async def workers(store: Store, *entries: WebhookEntry, instance: str | None = None) -> AsyncIterator[WebhookWorkers]:
    running = WebhookWorkers(entries, store, instance=instance)
    await running.start()
    try:
        yield running
    finally:
        await running.close()


def verified(arrival: Arrival, secret: str) -> Any:
    """The payload, once its signature verifies as a receiver checks it (the library's ``verify``)."""
    return Webhook(secret).verify(arrival.body, arrival.headers)


async def test_an_event_in_the_outbox_reaches_the_receiver_signed_per_standard_webhooks(store: Store) -> None:
    secret = new_secret()
    with receiving(Receiver()) as receiver:
        async with workers(store, entry("crm", receiver.url, secret)):
            [added] = await store.add_events([event(balance={"amount": "12.50", "currency": "CNY"})])
            await until(lambda: settled(store, 1))
    [arrival] = receiver.arrivals
    assert verified(arrival, secret) == event_payload(added)
    assert arrival.webhook_id == added.id
    assert arrival.headers["content-type"] == "application/json"
    assert abs(int(arrival.headers["webhook-timestamp"]) - time.time()) < 60
    assert arrival.headers["webhook-signature"].startswith("v1,")
    with pytest.raises(WebhookVerificationError):  # another secret does not verify it
        verified(arrival, new_secret())
    tampered = Arrival(arrival.webhook_id, arrival.headers, arrival.body.replace(b"12.50", b"99.50"), 0, 0, "")
    with pytest.raises(WebhookVerificationError):
        verified(tampered, secret)
    [delivery] = await deliveries(store)
    assert (delivery.webhook, delivery.event_id, delivery.event_type) == ("crm", added.id, "customer.created")
    assert (delivery.attempts, delivery.last_status, delivery.last_error) == (1, 200, None)
    assert delivery.delivered_at is not None


async def test_a_new_webhook_is_told_of_what_happens_from_its_first_start_on(store: Store) -> None:
    [before] = await store.add_events([event("customer/acc/old")])
    with receiving(Receiver()) as receiver:
        hook = entry("late", receiver.url, new_secret())
        async with workers(store, hook):
            [after] = await store.add_events([event("customer/acc/new")])
            await until(lambda: settled(store, 1))
        [while_down] = await store.add_events([event("customer/acc/while-down")])
        async with workers(store, hook):  # started again: its place is kept
            await until(lambda: settled(store, 2))
    assert receiver.ids() == [after.id, while_down.id]
    assert before.id not in receiver.ids()


async def test_only_the_types_a_webhook_wants_are_queued_for_it(store: Store) -> None:
    with receiving(Receiver()) as receiver:
        hooks = (
            entry("all", receiver.url, new_secret()),
            entry("low", receiver.url, new_secret(), types=["customer.balance_low"]),
        )
        async with workers(store, *hooks):
            created, low = await store.add_events([event(), event(type="customer.balance_low")])
            await until(lambda: settled(store, 3))
            await asyncio.sleep(0.2)  # nothing else comes
    assert sorted(receiver.ids()) == sorted([created.id, low.id, low.id])
    assert [d.event_id for d in await deliveries(store, "low")] == [low.id]


async def test_a_receiver_answering_500_gets_the_event_again_with_the_same_id_then_it_is_delivered(
    store: Store,
) -> None:
    secret = new_secret()
    before = {o: WEBHOOK_DELIVERIES.labels("flaky", o)._value.get() for o in ("delivered", "failed", "dead")}
    with receiving(Receiver(lambda a: 500 if a.seen_before < 2 else 200)) as receiver:
        async with workers(store, entry("flaky", receiver.url, secret)):
            [added] = await store.add_events([event()])
            await until(lambda: settled(store, 1))
    assert receiver.ids() == [added.id] * 3
    assert [verified(a, secret)["id"] for a in receiver.arrivals] == [added.id] * 3
    [delivery] = await deliveries(store)
    assert (delivery.status, delivery.attempts, delivery.last_status) == (DeliveryStatus.DELIVERED, 3, 200)
    after = {o: WEBHOOK_DELIVERIES.labels("flaky", o)._value.get() for o in before}
    assert {o: after[o] - before[o] for o in before} == {"delivered": 1, "failed": 2, "dead": 0}


async def test_a_receiver_that_never_answers_delays_neither_another_webhook_nor_another_subject(store: Store) -> None:
    stuck_subject = "customer/acc/stuck"
    with (
        receiving(Receiver()) as fast,
        receiving(Receiver(lambda a: HANG if stuck_subject in a.body.decode() else 200)) as slow,
    ):
        hooks = (entry("fast", fast.url, new_secret()), entry("slow", slow.url, new_secret(), timeout_seconds=2.0))
        async with workers(store, *hooks):
            [stuck] = await store.add_events([event(stuck_subject)])
            await until(lambda: len(slow.arrivals) == 1)  # the slow receiver holds it
            started = time.monotonic()
            [other] = await store.add_events([event("customer/acc/2")])
            await until(lambda: other.id in fast.delivered() and other.id in slow.delivered(), within=2.0)
            took = time.monotonic() - started
            assert stuck.id in fast.delivered()
            [held] = [d for d in await deliveries(store, "slow") if d.event_id == stuck.id]
            assert held.status is DeliveryStatus.PENDING
            await until(lambda: slow.ids().count(stuck.id) == 2, within=10)  # timed out after 2 s, tried again
    assert took < 1.0, f"another webhook and another subject waited {took:.2f} s for a receiver that hangs"
    [held] = [d for d in await deliveries(store, "slow") if d.event_id == stuck.id]
    assert held.last_error == "timeout"


async def test_dead_after_the_last_attempt_then_redelivered_with_the_same_id(store: Store) -> None:
    secret = new_secret()
    answer = {"status": 503}
    with receiving(Receiver(lambda a: answer["status"])) as receiver:
        async with workers(store, entry("down", receiver.url, secret, max_attempts=3)):
            [added] = await store.add_events([event()])
            await until(lambda: settled(store, 1, DeliveryStatus.DEAD))
            await asyncio.sleep(0.3)  # a DEAD delivery is not tried again
            assert receiver.ids() == [added.id] * 3
            [dead] = await deliveries(store)
            assert (dead.attempts, dead.last_status, dead.last_error) == (3, 503, "HTTP 503")
            answer["status"] = 204
            again = await store.redeliver_webhook(dead.id, dead.next_attempt_at)
            assert again is not None
            assert (again.status, again.attempts) == (DeliveryStatus.PENDING, 0)
            await until(lambda: settled(store, 1))
    assert receiver.ids() == [added.id] * 4
    assert verified(receiver.arrivals[-1], secret)["id"] == added.id
    [delivered] = await deliveries(store)
    assert (delivered.status, delivered.attempts, delivered.last_status) == (DeliveryStatus.DELIVERED, 1, 204)
    assert await store.redeliver_webhook(10_000, delivered.created_at) is None


async def test_a_subjects_events_arrive_in_order_while_its_first_is_retried(store: Store) -> None:
    subject = "customer/acc/ordered"
    first, second, third = (
        event(subject),
        event(subject, type="customer.frozen"),
        event(subject, type="customer.unfrozen"),
    )
    other = event("customer/acc/other")
    with receiving(Receiver(lambda a: 500 if a.webhook_id == first.id and a.seen_before < 3 else 200)) as receiver:
        async with workers(store, entry("ordered", receiver.url, new_secret(), concurrency=4)):
            await store.add_events([first, second, third, other])
            await until(lambda: settled(store, 4))
    ids = receiver.ids()
    assert ids.count(first.id) == 4
    assert ids.count(second.id) == ids.count(third.id) == ids.count(other.id) == 1
    # Every attempt at the first comes before the second, and the second before the third ...
    assert max(i for i, x in enumerate(ids) if x == first.id) < ids.index(second.id) < ids.index(third.id)
    # ... while another subject's event went out without waiting for the first's retries.
    assert ids.index(other.id) < max(i for i, x in enumerate(ids) if x == first.id)


async def test_a_dead_event_no_longer_holds_its_subject_back(store: Store) -> None:
    subject = "customer/acc/dead-first"
    first, second = event(subject), event(subject, type="customer.frozen")
    with receiving(Receiver(lambda a: 500 if a.webhook_id == first.id else 200)) as receiver:
        async with workers(store, entry("skip", receiver.url, new_secret(), max_attempts=2)):
            await store.add_events([first, second])
            await until(lambda: second.id in receiver.delivered())
    assert receiver.ids() == [first.id, first.id, second.id]
    assert [d.status for d in await deliveries(store)] == [DeliveryStatus.DEAD, DeliveryStatus.DELIVERED]


async def test_a_redirect_is_not_followed(store: Store) -> None:
    with receiving(Receiver(lambda a: 307 if a.path == "/hook" else 200)) as receiver:
        async with workers(store, entry("moved", receiver.url, new_secret(), max_attempts=2)):
            await store.add_events([event()])
            await until(lambda: settled(store, 1, DeliveryStatus.DEAD))
    assert [a.path for a in receiver.arrivals] == ["/hook", "/hook"]
    [dead] = await deliveries(store)
    assert dead.last_status == 307
    assert dead.last_error == "HTTP 307 (redirects are not followed)"


async def test_a_refused_connection_is_a_failed_attempt(store: Store) -> None:
    with receiving(Receiver()) as receiver:
        url = receiver.url
    async with workers(store, entry("gone", url, new_secret(), max_attempts=2)):  # nothing listens there now
        await store.add_events([event()])
        await until(lambda: settled(store, 1, DeliveryStatus.DEAD))
    [dead] = await deliveries(store)
    assert (dead.attempts, dead.last_status, dead.last_error) == (2, None, "connection failed")


def test_the_backoff_is_exponential_with_full_jitter() -> None:
    class Top:
        def uniform(self, low: float, high: float) -> float:
            return high

    top: Any = Top()
    assert [backoff(n, 0.05, 0.2, top) for n in range(1, 6)] == [0.05, 0.1, 0.2, 0.2, 0.2]
    import random

    rng = random.Random(7)
    waits = [backoff(4, 1.0, 60.0, rng) for _ in range(200)]
    assert all(0 <= w <= 8.0 for w in waits)
    assert min(waits) < 1.0
    assert max(waits) > 7.0


async def _insert_at(store: Store, added: Event, sequence: int) -> None:
    """An event that becomes visible with a number below one already seen (a transaction that committed late)."""
    async with store.engine.begin() as conn:
        row = {"sequence": sequence, "id": added.id, "type": added.type, "subject": added.subject}
        row |= {"account_id": None, "owner": None, "occurred_at": added.occurred_at, "data": "{}"}
        await conn.execute(sa.insert(t.events).values(**row))


async def test_the_outbox_is_followed_past_gaps_and_a_late_event_is_still_delivered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhooks, "GAP_SECONDS", 0.5)
    first, late, third, fifth = (event(f"customer/acc/{n}") for n in (1, 2, 3, 5))
    store = await open_store(sqlite_url(tmp_path))  # a file: the test writes beside the worker's connections
    try:
        with receiving(Receiver()) as receiver:
            async with workers(store, entry("gaps", receiver.url, new_secret())):
                await store.add_events([first])
                await _insert_at(store, third, 3)  # 2 is still being written
                await until(lambda: set(receiver.delivered()) == {first.id, third.id})
                assert await store.webhook_cursor("gaps") == 1  # waits for 2
                await _insert_at(store, late, 2)  # committed late: still delivered
                await until(lambda: late.id in receiver.delivered())
                await until(lambda: _cursor_is(store, 3))
                await _insert_at(store, fifth, 5)  # 4 never comes (a rollback): given up after GAP_SECONDS
                await until(lambda: _cursor_is(store, 5), within=5)
        assert sorted(receiver.delivered()) == sorted(e.id for e in (first, late, third, fifth))
    finally:
        await store.close()


async def _cursor_is(store: Store, sequence: int) -> bool:
    return await store.webhook_cursor("gaps") == sequence


async def test_two_workers_sharing_a_store_deliver_each_event_once(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    one, two = await open_store(url), await open_store(url)
    try:
        with receiving(Receiver()) as receiver:
            hook = entry("shared", receiver.url, new_secret(), concurrency=3)
            async with workers(one, hook, instance="replica-1"), workers(two, hook, instance="replica-2"):
                added = await one.add_events([event(f"customer/acc/{n}") for n in range(30)])
                await until(lambda: settled(one, 30), within=20)
                await asyncio.sleep(0.3)
        assert sorted(receiver.ids()) == sorted(e.id for e in added)
        payloads = [json.loads(a.body)["id"] for a in receiver.arrivals]
        assert sorted(payloads) == sorted(e.id for e in added)
    finally:
        await one.close()
        await two.close()


# -- the configuration ---------------------------------------------------------------------------------------------

SECRET = new_secret()
TABLE = {"name": "crm", "url": "https://crm.example.com/hooks", "secret_env": "CRM_SECRET"}


def parse(*tables: dict[str, Any], env: dict[str, str] | None = None) -> tuple[WebhookEntry, ...]:
    return parse_config(
        {"webhooks": list(tables)}, Registry.discover(), {"CRM_SECRET": SECRET} if env is None else env
    ).webhooks


def test_a_webhook_table_is_read_with_its_defaults_and_its_secret_from_the_environment() -> None:
    [read] = parse(TABLE)
    assert read.secret.reveal() == SECRET
    assert SECRET not in repr(read)
    hook = read.webhook
    assert (hook.name, hook.url, hook.types) == ("crm", TABLE["url"], EVENT_TYPES)
    assert (hook.timeout_seconds, hook.max_attempts) == (10.0, 8)
    [narrow] = parse({**TABLE, "types": ["voucher.issued"], "url": "http://127.0.0.1:9/hook"})
    assert narrow.webhook.types == ("voucher.issued",)


@pytest.mark.parametrize(
    ("change", "env", "key", "problem"),
    [
        ({"url": "http://crm.example.com/hooks"}, None, "webhooks[0].url", "https URL (http only on a loopback"),
        ({"url": "ftp://127.0.0.1/x"}, None, "webhooks[0].url", "https URL"),
        ({"url": "https://user:pw@crm.example.com/"}, None, "webhooks[0].url", "must not hold user info"),
        ({"types": ["customer.created", "customer.deleted"]}, None, "webhooks[0].types[1]", "must be an event type"),
        ({"types": []}, None, "webhooks[0].types", "at least 1"),
        ({"name": "a b"}, None, "webhooks[0].name", "letters, digits"),
        ({"max_attempts": 0}, None, "webhooks[0].max_attempts", "greater than or equal to 1"),
        ({"timeout_seconds": 0}, None, "webhooks[0].timeout_seconds", "greater than 0"),
        ({"retries": 3}, None, "webhooks[0].retries", "unknown key"),
        ({"secret_env": SECRET}, None, "webhooks[0].secret_env", "must name an environment variable"),
        ({}, {}, "webhooks[0].secret_env", "environment variable CRM_SECRET is not set"),
        ({}, {"CRM_SECRET": "s3cr3t-not-whsec"}, "webhooks[0].secret_env", "CRM_SECRET must hold a Standard Webhooks"),
        ({}, {"CRM_SECRET": "whsec_not*base64!"}, "webhooks[0].secret_env", "CRM_SECRET must hold a Standard"),
        ({}, {"CRM_SECRET": "whsec_c2hvcnQ="}, "webhooks[0].secret_env", "24 to 64 random bytes"),
    ],
)
def test_a_bad_webhook_table_names_the_key_and_never_shows_the_secret(
    change: dict[str, Any], env: dict[str, str] | None, key: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse({**TABLE, **change}, env=env)
    assert (caught.value.key, problem in caught.value.problem) == (key, True), caught.value.problem
    for value in (SECRET, "s3cr3t-not-whsec", "not*base64!", "c2hvcnQ=", "pw@"):
        assert value not in str(caught.value)


def test_webhook_names_are_unique() -> None:
    with pytest.raises(ConfigError) as caught:
        parse(TABLE, {**TABLE, "url": "https://other.example.com/"})
    assert caught.value.key == "webhooks[1].name"


# -- through the gateway: the lifespan's workers, the admins' graph, /metrics ------------------------------------

DELIVERIES = """query($filter: WebhookDeliveryFilterInput) {
  webhookDeliveries(first: 10, filter: $filter) {
    totalCount nodes { id webhook eventId eventType subject status attempts nextAttemptAt lastResponseStatus
                       lastError deliveredAt }
  }
}"""
REDELIVER = """mutation($id: ID!) { redeliverWebhook(deliveryId: $id) {
  __typename ... on WebhookDeliveryPayload { delivery { id status attempts eventId } }
  ... on RuleViolationError { reason } } }"""
AUDIT = '{ auditLog(first: 10, filter: {operation: "redeliverWebhook"}) { nodes { principal outcome input } } }'
KEYS = (ApiKey("admin", hash_key("k-admin"), Role.ADMIN), ApiKey("money", hash_key("k-finance"), Role.FINANCE))


async def graph(client: httpx.AsyncClient, document: str, key: str = "k-admin", **variables: Any) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": document, "variables": variables}, headers={"authorization": f"Bearer {key}"}
    )
    body: dict[str, Any] = response.json()
    return body


async def test_the_gateway_delivers_from_its_lifespan_and_admins_list_and_redeliver(tmp_path: Path) -> None:
    secret = new_secret()
    answer = {"status": 500}
    registry = Registry.discover()
    url = sqlite_url(tmp_path)
    with receiving(Receiver(lambda a: answer["status"])) as receiver:
        hooks = (entry("graph", receiver.url, secret, max_attempts=2),)
        config = replace(demo_config(registry), store_url=url, api_keys=KEYS, webhooks=hooks)
        async with running(create_app(config, registry)) as client:
            store = await open_store(url)  # the test's own connection to the gateway's store, to fill the outbox
            try:
                [failing] = await store.add_events([event()])
                await until(lambda: settled(store, 1, DeliveryStatus.DEAD))
                answer["status"] = 200
                [fine] = await store.add_events([event("customer/acc/2", type="customer.frozen")])
                await until(lambda: settled(store, 1))
            finally:
                await store.close()
            listed = (await graph(client, DELIVERIES))["data"]["webhookDeliveries"]
            assert listed["totalCount"] == 2
            newest, dead = listed["nodes"]
            assert (newest["eventId"], newest["status"], newest["lastResponseStatus"]) == (fine.id, "DELIVERED", 200)
            assert (newest["eventType"], newest["subject"], newest["nextAttemptAt"]) == (
                "customer.frozen",
                fine.subject,
                None,
            )
            assert (dead["eventId"], dead["status"], dead["attempts"], dead["lastError"]) == (
                failing.id,
                "DEAD",
                2,
                "HTTP 500",
            )
            only_dead = (await graph(client, DELIVERIES, filter={"status": "DEAD"}))["data"]["webhookDeliveries"]
            assert [n["eventId"] for n in only_dead["nodes"]] == [failing.id]
            by_type = await graph(client, DELIVERIES, filter={"webhook": "graph", "eventType": "customer.frozen"})
            assert [n["eventId"] for n in by_type["data"]["webhookDeliveries"]["nodes"]] == [fine.id]
            unknown = await graph(client, DELIVERIES, filter={"eventType": "customer.deleted"})
            assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

            refused = await graph(client, DELIVERIES, "k-finance")
            assert (refused["data"], refused["errors"][0]["extensions"]["code"]) == (None, "FORBIDDEN")
            not_admin = (await graph(client, REDELIVER, "k-finance", id=dead["id"]))["data"]["redeliverWebhook"]
            assert not_admin == {"__typename": "RuleViolationError", "reason": "ROLE_NOT_ALLOWED"}
            missing = (await graph(client, REDELIVER, id="999999"))["data"]["redeliverWebhook"]
            assert missing == {"__typename": "RuleViolationError", "reason": "NOT_FOUND"}

            again = (await graph(client, REDELIVER, id=dead["id"]))["data"]["redeliverWebhook"]
            assert again["delivery"] == {"id": dead["id"], "status": "PENDING", "attempts": 0, "eventId": failing.id}

            async def delivered_again() -> bool:
                found = await graph(client, DELIVERIES, filter={"status": "DELIVERED"})
                return int(found["data"]["webhookDeliveries"]["totalCount"]) == 2

            await until(delivered_again)
            audit = await graph(client, AUDIT)
            entries = audit["data"]["auditLog"]["nodes"]
            assert [(e["principal"], e["outcome"]) for e in entries] == [
                ("admin", "SUCCEEDED"),
                ("admin", "REJECTED"),
                ("money", "REJECTED"),
            ]
            assert entries[0]["input"]["eventId"] == failing.id
            metrics = (await client.get("/metrics")).text
            assert 'partner_gateway_webhook_deliveries_total{outcome="dead",webhook="graph"} 1.0' in metrics
            assert 'partner_gateway_webhook_deliveries_total{outcome="delivered",webhook="graph"} 2.0' in metrics
            assert "partner_gateway_webhook_deliveries_pending{" in metrics
            for text in (metrics, json.dumps(listed), json.dumps(entries)):
                assert secret not in text
                assert secret.removeprefix("whsec_") not in text
    ids = receiver.ids()
    assert ids == [failing.id, failing.id, fine.id, failing.id]
    assert all(verified(a, secret)["id"] == a.webhook_id for a in receiver.arrivals)


def test_every_webhook_type_and_field_of_the_graph_is_described() -> None:
    schema = build_schema()._schema
    names = ["RedeliverWebhookResult", "WebhookDelivery", "WebhookDeliveryConnection", "WebhookDeliveryEdge"]
    names += ["WebhookDeliveryFilterInput", "WebhookDeliveryPayload", "WebhookDeliveryStatus"]
    undescribed = []
    for name in names:
        named = schema.get_type(name)
        assert named is not None, name
        undescribed += [] if named.description else [name]
        fields = getattr(named, "fields", {})
        undescribed += [f"{name}.{field}" for field, f in fields.items() if not f.description]
    for root, field in (("Query", "webhookDeliveries"), ("Mutation", "redeliverWebhook")):
        root_type = schema.get_type(root)
        assert isinstance(root_type, GraphQLObjectType)
        undescribed += [] if root_type.fields[field].description else [f"{root}.{field}"]
    assert undescribed == []


async def test_the_readmes_receiver_verifies_what_the_gateway_sends(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    [code] = re.findall(r"```python\n(.*?)```", readme.split("## Notifications", 1)[1].split("\n## ", 1)[0], re.S)
    secret = new_secret()
    monkeypatch.setenv("CRM_WEBHOOK_SECRET", secret)
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own snippet
    with live_server(namespace["app"], lifespan="off") as base:
        url = f"{base}/hooks/partner-gateway"
        async with workers(store, entry("readme", url, secret)):
            [added] = await store.add_events([event()])
            await until(lambda: settled(store, 1))
            await store.redeliver_webhook((await deliveries(store))[0].id, added.occurred_at)  # a repeat
            await until(lambda: settled(store, 1))
        async with httpx.AsyncClient() as client:  # signed with another secret: refused
            body = event_json(added)
            headers = signed_headers(Webhook(new_secret()), added, body, datetime.now(UTC))
            forged = await client.post(url, content=body, headers=headers)
    assert forged.status_code == 400
    [delivery] = await deliveries(store)
    assert (delivery.last_status, delivery.status) == (204, DeliveryStatus.DELIVERED)
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(" ", 2)[:2] for line in printed] == [["customer.created", added.subject]]  # once
