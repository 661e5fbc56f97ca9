"""Webhook delivery by real gateway processes (``partner-gateway serve`` on the embedded demo's accounts) to a
receiver on loopback, events put in the outbox by the test through a store of its own on the gateways' database:

* a gateway killed (SIGKILL) while it sends an event (the receiver holds the request unanswered) delivers it after
  restart, once its claim has expired, with the same ``webhook-id``, and nothing more: an event queued while it
  was down goes out too, once;
* two gateways on the real PostgreSQL (127.0.0.1:5432) deliver each of N events exactly once between them.

Nothing the gateways log holds the secret or an event's body.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from gateway.events import Event, new_event
from gateway.notifications.deliveries import DeliveryFilter, DeliveryStatus, WebhookDelivery
from gateway.store import open_store, sqlite_url
from tests.support.backing import fresh_database
from tests.support.receivers import HANG, Receiver, new_secret, receiving
from tests.support.servers import EXE, free_port, process_serving
from tests.test_webhooks import verified

SECRET_ENV = "PGW_TEST_WEBHOOK_SECRET"
DELIVERED = re.compile(r"webhook crm: event (evt_[0-9a-f]+) delivered")
MARKER = "body-marker-never-logged"
"""In every event's data: a gateway's log must not hold it."""


class Gateway:
    """One gateway process on a configuration of its own: the demo's accounts, a store, one webhook."""

    def __init__(self, directory: Path, store: str, hook: str, secret: str) -> None:
        directory.mkdir()
        self.url = f"http://127.0.0.1:{free_port()}"
        config = directory / "gateway.toml"
        config.write_text(
            f"[store]\n{store}\n"
            f'[[webhooks]]\nname = "crm"\nurl = "{hook}"\nsecret_env = "{SECRET_ENV}"\n'
            "timeout_seconds = 2.0\nbackoff_seconds = 0.05\nmax_backoff_seconds = 0.2\npoll_seconds = 0.05\n"
        )
        self.args = [EXE, "serve", "--config", str(config), "--port", self.url.rsplit(":", 1)[1]]
        self.log = directory / "gateway.log"
        self.env = {SECRET_ENV: secret}

    def serving(self) -> contextlib.AbstractContextManager[subprocess.Popen[str]]:
        return process_serving(self.args, f"{self.url}/healthz", env=self.env, log=self.log)


def events(count: int) -> list[Event]:
    return [
        new_event("customer.created", f"customer/acc/{n % 5}-{n}", {"n": n, "marker": MARKER}, account_id="acc")
        for n in range(count)
    ]


def add(url: str, added: list[Event]) -> None:
    async def run() -> None:
        store = await open_store(url)
        try:
            await store.add_events(added)
        finally:
            await store.close()

    asyncio.run(run())


def deliveries(url: str) -> list[WebhookDelivery]:
    async def run() -> list[WebhookDelivery]:
        store = await open_store(url)
        try:
            return list((await store.list_webhook_deliveries(DeliveryFilter(webhook="crm"), 0, 1000)).items)
        finally:
            await store.close()

    return asyncio.run(run())


def wait(check: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@contextlib.contextmanager
def checked_logs(*gateways: Gateway, secret: str) -> Iterator[None]:
    yield
    for gateway in gateways:
        logged = gateway.log.read_text()
        assert secret not in logged
        assert secret.removeprefix("whsec_") not in logged
        assert MARKER not in logged


def test_a_gateway_killed_mid_send_delivers_after_restart_once(tmp_path: Path) -> None:
    secret = new_secret()
    url = sqlite_url(tmp_path / "data")
    first, queued_while_down = events(2)
    with receiving(Receiver(lambda a: HANG if a.webhook_id == first.id and a.seen_before == 0 else 200)) as receiver:
        gateway = Gateway(tmp_path / "gw", f'data_dir = "{tmp_path / "data"}"', receiver.url, secret)
        with checked_logs(gateway, secret=secret):
            with gateway.serving() as process:
                add(url, [first])
                wait(lambda: receiver.ids() == [first.id], 15, "the first attempt to arrive")
                process.kill()  # SIGKILL mid-send: its claim stays on the row, nothing recorded
                process.wait(10)
            [claimed] = deliveries(url)
            assert (claimed.status, claimed.attempts) == (DeliveryStatus.PENDING, 0)
            add(url, [queued_while_down])
            with gateway.serving():
                wait(lambda: sorted(receiver.delivered()) == sorted([first.id, queued_while_down.id]), 30, "delivery")
                time.sleep(1.0)  # nothing else comes
    assert sorted(receiver.ids()) == sorted([first.id, first.id, queued_while_down.id])
    assert receiver.delivered().count(first.id) == 1
    assert {verified(a, secret)["id"] for a in receiver.arrivals} == {first.id, queued_while_down.id}
    assert {(d.event_id, d.status, d.attempts) for d in deliveries(url)} == {
        (first.id, DeliveryStatus.DELIVERED, 1),
        (queued_while_down.id, DeliveryStatus.DELIVERED, 1),
    }


def test_two_gateways_on_postgresql_deliver_each_event_exactly_once(tmp_path: Path) -> None:
    secret = new_secret()
    count = 40
    with fresh_database() as url, receiving(Receiver()) as receiver:
        replicas = [Gateway(tmp_path / name, f'url = "{url}"', receiver.url, secret) for name in ("gw-1", "gw-2")]
        with checked_logs(*replicas, secret=secret), replicas[0].serving(), replicas[1].serving():
            added = events(count)
            for start in range(0, count, 8):  # in a few batches, as changes come
                add(url, added[start : start + 8])
                time.sleep(0.05)
            wait(lambda: len(receiver.delivered()) >= count, 30, "every event")
            time.sleep(1.0)  # nothing else comes
            final = deliveries(url)
    assert sorted(receiver.ids()) == sorted(e.id for e in added)
    assert {verified(a, secret)["id"] for a in receiver.arrivals} == {e.id for e in added}
    assert [(d.status, d.attempts) for d in final] == [(DeliveryStatus.DELIVERED, 1)] * count
    # Both took part, and by their own logs each event was delivered by one of them once.
    sent = [DELIVERED.findall(replica.log.read_text()) for replica in replicas]
    assert all(sent), f"a replica delivered nothing: {[len(s) for s in sent]}"
    assert sorted(sent[0] + sent[1]) == sorted(e.id for e in added)
