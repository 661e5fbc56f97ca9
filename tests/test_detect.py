"""Change detection over the embedded demo's simulators (gateway.notifications.detect): a change made upstream
(through a simulator control endpoint or an API write) gives exactly one event on the next poll, the first poll is
a baseline, nothing changed gives nothing, a poll that dies before saving gives its events once on the next, one
replica polls each account (also over PostgreSQL) and takes over from a dead one; and the events of the
gateway's own writes (projects, settled operations) are kept with the write."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.config import EventsConfig, GatewayConfig, demo_config
from gateway.consumption import current_month
from gateway.errors import ProviderUnavailable, StoreUnavailable
from gateway.events import Event
from gateway.notifications.detect import Detector, lease_name
from gateway.registry import Registry
from gateway.store import Store, sqlite_url
from tests.support.backing import fresh_database
from tests.support.fakes import FakePlugin
from tests.support.mutations_demo import (
    ALIYUN,
    FAST_SETTLE,
    FAST_UPSTREAM,
    HUAWEI,
    HUAWEI_T2_DOMAIN,
    KEYS,
    RECEIPT,
    REFUSALS,
    Demo,
    global_id,
    key,
    partner_id,
)
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

#: Polls happen when a test says so: the background pollers' first one is an hour away.
EVENTS = EventsConfig(poll_seconds=3600, balance_floor=Decimal("100.00"))
PARENT_QUOTA = "Q9f74bcf0ee830296"  # the Huawei demo tier-1's first voucher quota (docs/simulator-huaweicloud.md)

CREATE = f"""mutation($input: CreateCustomerInput!, $key: String!) {{
  createCustomer(input: $input, idempotencyKey: $key) {{
    __typename ... on CreateCustomerPayload {{ {RECEIPT} customerId invitationId }} {REFUSALS} }} }}"""
FREEZE = f"""mutation($id: ID!, $frozen: Boolean!, $key: String!) {{
  setCustomerFrozen(customerId: $id, frozen: $frozen, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""
ISSUE = f"""mutation($id: ID!, $input: IssueVoucherInput!, $key: String!) {{
  issueVoucher(customerId: $id, input: $input, idempotencyKey: $key) {{
    __typename ... on VoucherPayload {{ vouchers {{ nativeId validUntil }} }} {REFUSALS} }} }}"""
ALLOCATE = f"""mutation($id: ID!, $amount: Decimal!, $key: String!) {{
  allocateResellerFunds(resellerId: $id, amount: {{amount: $amount}}, idempotencyKey: $key) {{
    __typename ... on ResellerPayload {{ {RECEIPT} }} {REFUSALS} }} }}"""
CUSTOMERS = (
    """query($f: CustomerFilterInput) { customers(first: 100, filter: $f) { nodes { id nativeId status owner } } }"""
)
PROJECT = "__typename ... on ProjectPayload { project { id version owner } }"
FILE = f"""mutation($input: FileProjectInput!, $key: String!) {{ fileProject(input: $input, idempotencyKey: $key) {{
  {PROJECT} }} }}"""
APPROVE = f"""mutation($id: ID!, $version: Int!) {{
  recordProjectApproval(projectId: $id, version: $version, approved: true) {{ {PROJECT} }} }}"""
CONFIRM = (
    f"""mutation($id: ID!, $version: Int!) {{ confirmProject(projectId: $id, version: $version) {{ {PROJECT} }} }}"""
)
ADVANCE = f"""mutation($id: ID!, $version: Int!) {{
  advanceProject(projectId: $id, version: $version, to: CONFIRMED_OPPORTUNITY) {{ {PROJECT} }} }}"""


@dataclasses.dataclass
class Running:
    """One gateway over the embedded demo, with its lifespan's state at hand."""

    demo: Demo
    detector: Detector
    store: Store
    state: dict[str, Any]

    async def poll(self, *accounts: str) -> list[Event]:
        """Poll ``accounts`` (default: both) once; the events these polls added."""
        added: list[Event] = []
        for account in accounts or (ALIYUN, HUAWEI):
            result = await self.detector.poll(account)
            assert result.outcome in ("ok", "partial"), result
            added += result.events
        return added


@contextlib.asynccontextmanager
async def gateway(
    *, store_url: str | None = None, simulated: dict[str, Any] | None = None, events: EventsConfig = EVENTS
) -> AsyncIterator[Running]:
    """The embedded demo behind a gateway (``simulated``: another gateway's simulators, to share them)."""
    registry = Registry.discover()
    config = demo_config(registry)
    apps = simulated if simulated is not None else dict(config.simulated)
    options: dict[str, Any] = {"store_url": store_url} if store_url else {}
    wired = GatewayConfig(
        accounts=config.accounts,
        simulated=apps,
        api_keys=KEYS,
        upstream=FAST_UPSTREAM,
        writes=FAST_SETTLE,
        events=events,
        **options,
    )
    app = create_app(wired, registry)
    async with app.router.lifespan_context(app) as state:
        shared = dict(state or {})

        async def with_state(scope: Any, receive: Any, send: Any) -> None:
            scope["state"] = dict(shared)
            await app(scope, receive, send)

        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=with_state), base_url="http://gw.test") as c:
            demo = Demo(c, apps[ALIYUN], apps[HUAWEI], {})
            yield Running(demo, shared["detector"], shared["store"], shared)


@pytest.fixture
async def gw() -> AsyncIterator[Running]:
    async with gateway() as running:
        baseline = await running.poll()
        assert baseline == []  # the first poll of every kind: what already exists gives no event
        yield running


def huawei_app(gw: Running) -> Any:
    return gw.demo.huawei


def kinds(events: list[Event]) -> list[tuple[str, str]]:
    return sorted((e.type, e.subject) for e in events)


async def outbox(store: Store) -> list[Event]:
    return await store.events_after(0, 10_000)


def huawei_customer(gw: Running, *, frozen: int | None = 0, resale: bool = True) -> Any:
    now = gw.demo.huawei.simulator.clock()
    partner = gw.demo.huawei.simulator.partners[0]
    return next(
        c
        for c in partner.customers
        if c.visible(now) and (frozen is None or c.is_frozen == frozen) and (not resale or c.is_resale)
    )


# --- baseline, nothing changed -------------------------------------------------------------------------------


async def test_the_first_poll_is_a_baseline_and_nothing_changed_gives_nothing(gw: Running) -> None:
    assert await gw.poll() == []
    assert await gw.poll() == []
    assert await outbox(gw.store) == []
    snapshots = await gw.store.snapshots(HUAWEI)
    assert {kind for kind, _ in snapshots} == {"customers", "funds", "vouchers", "reseller_funds", "consumption"}
    assert {kind for kind, _ in await gw.store.snapshots(ALIYUN)} >= {"customers", "funds", "vouchers"}
    metrics = (await gw.demo.client.get("/metrics")).text
    assert f'partner_gateway_polls_total{{account="{HUAWEI}",outcome="ok"}} ' in metrics
    assert f'partner_gateway_poll_duration_seconds_count{{account="{ALIYUN}"}}' in metrics


# --- customers ------------------------------------------------------------------------------------------------


async def test_an_invitation_is_created_accepted_and_expires_once_each(gw: Running) -> None:
    data = {
        "partnerId": partner_id(ALIYUN),
        "name": "杭州变更测试有限公司",
        "accountType": "AGENCY",
        "email": "ops@detect.cn",
    }
    invited = await gw.demo.one(CREATE, input=data, key=key())
    assert invited["__typename"] == "CreateCustomerPayload", invited
    invitation = invited["invitationId"]
    (created,) = await gw.poll(ALIYUN)
    assert (created.type, created.data["invitationId"], created.data["status"]) == (
        "customer.created",
        invitation,
        "INVITED",
    )
    assert await gw.poll(ALIYUN) == []

    registered = await gw.demo.control(gw.demo.aliyun, "POST", "/_simulator/register", {"invite_id": invitation})
    assert registered.status_code == 201, registered.text
    # The invitation row became the account: one event, not "created" (and a new account holds no money yet,
    # under the configured floor).
    accepted, low = await gw.poll(ALIYUN)
    assert (accepted.type, low.type, low.subject) == (
        "customer.invitation_accepted",
        "customer.balance_low",
        accepted.subject,
    )
    assert (accepted.subject, accepted.data["invitationId"]) == (
        f"customer/{ALIYUN}/{registered.json()['uid']}",
        invitation,
    )
    assert await gw.poll(ALIYUN) == []

    pending = await gw.demo.ask(CUSTOMERS, f={"partnerIds": [partner_id(ALIYUN)], "status": "INVITED"})
    waiting = {c["nativeId"] for c in pending["customers"]["nodes"]}
    assert waiting
    moved = await gw.demo.control(gw.demo.aliyun, "POST", "/_simulator/clock", {"advance_hours": 73})
    assert moved.status_code == 200
    expired = [e for e in await gw.poll(ALIYUN) if e.type.startswith("customer.")]
    assert kinds(expired) == sorted(("customer.invitation_expired", f"customer/{ALIYUN}/{i}") for i in waiting)
    assert [e for e in await gw.poll(ALIYUN) if e.type.startswith("customer.")] == []
    assert len(await outbox(gw.store)) == 3 + len(waiting)


async def test_freezing_and_thawing_give_one_event_each(gw: Running) -> None:
    found = await gw.demo.ask(CUSTOMERS, f={"partnerIds": [partner_id(ALIYUN)], "accountType": "CONSIGNMENT"})
    customer = next(c for c in found["customers"]["nodes"] if c["status"] == "ASSOCIATED")
    frozen = await gw.demo.one(FREEZE, id=customer["id"], frozen=True, key=key())
    assert frozen["__typename"] == "CustomerPayload", frozen
    (event,) = await gw.poll(ALIYUN)
    assert (event.type, event.subject, event.owner) == (
        "customer.frozen",
        f"customer/{ALIYUN}/{customer['nativeId']}",
        customer["owner"],
    )
    assert await gw.poll(ALIYUN) == []
    await gw.demo.one(FREEZE, id=customer["id"], frozen=False, key=key())
    assert [e.type for e in await gw.poll(ALIYUN)] == ["customer.unfrozen"]

    target = huawei_customer(gw, resale=False)  # the Huawei list reports the freeze on the customer itself
    answer = await gw.demo.control(
        gw.demo.huawei, "POST", "/_simulator/freeze", {"customer_id": target.customer_id, "is_frozen": 1}
    )
    assert answer.status_code == 200, answer.text
    (event,) = await gw.poll(HUAWEI)
    assert (event.type, event.subject) == ("customer.frozen", f"customer/{HUAWEI}/{target.customer_id}")
    await gw.demo.control(
        gw.demo.huawei, "POST", "/_simulator/freeze", {"customer_id": target.customer_id, "is_frozen": 0}
    )
    assert [e.type for e in await gw.poll(HUAWEI)] == ["customer.unfrozen"]
    assert await gw.poll() == []


async def test_a_balance_falling_under_the_threshold_or_the_floor_gives_one_event(gw: Running) -> None:
    funds = await gw.store.snapshots(ALIYUN)
    partner = next(iter(gw.demo.aliyun.state.partners.values()))
    uid = next(
        key
        for (kind, key), snap in funds.items()
        if kind == "funds" and key and not snap.state["low"] and partner.account(int(key)).credit_line > 0  # type: ignore[union-attr]
    )
    account = partner.account(int(uid))
    assert account is not None
    line = account.credit_line * account.alarm_threshold / 100
    used = await gw.demo.control(
        gw.demo.aliyun, "POST", "/_simulator/consume", {"uid": uid, "amount": str(account.available - line + 1)}
    )
    assert used.status_code == 200, used.text
    (low,) = await gw.poll(ALIYUN)
    assert (low.type, low.subject) == ("customer.balance_low", f"customer/{ALIYUN}/{uid}")
    assert Decimal(low.data["available"]["amount"]) < Decimal(low.data["threshold"]["amount"])
    await gw.demo.control(gw.demo.aliyun, "POST", "/_simulator/consume", {"uid": uid, "amount": "1.00"})
    assert await gw.poll(ALIYUN) == []  # still low: told once

    target = next(
        c
        for c in gw.demo.huawei.simulator.partners[0].customers
        if c.is_resale and c.amount > EVENTS.balance_floor + 1 and c.visible(gw.demo.huawei.simulator.clock())
    )
    amount = target.amount - EVENTS.balance_floor + Decimal("0.01")
    paid = await gw.demo.control(
        gw.demo.huawei, "POST", "/_simulator/payment", {"customer_id": target.customer_id, "amount": str(amount)}
    )
    assert paid.status_code == 200, paid.text
    (low,) = await gw.poll(HUAWEI)
    assert (low.type, low.subject, low.data["threshold"]) == (
        "customer.balance_low",
        f"customer/{HUAWEI}/{target.customer_id}",
        {"amount": "100.00", "currency": "CNY"},
    )
    assert await gw.poll() == []


# --- vouchers, resellers, consumption ------------------------------------------------------------------------


async def test_a_voucher_is_issued_then_expiring_once(gw: Running) -> None:
    target = huawei_customer(gw)
    face = {"quotaId": PARENT_QUOTA, "faceValue": {"amount": "66.00"}}
    issued = await gw.demo.one(ISSUE, id=global_id("Customer", HUAWEI, target.customer_id), input=face, key=key())
    assert issued["__typename"] == "VoucherPayload", issued
    [voucher] = issued["vouchers"]
    (event,) = await gw.poll(HUAWEI)
    assert (event.type, event.subject, event.data["faceValue"]) == (
        "voucher.issued",
        f"voucher/{HUAWEI}/{voucher['nativeId']}",
        {"amount": "66.00", "currency": "CNY"},
    )
    assert await gw.poll(HUAWEI) == []

    until = datetime.fromisoformat(voucher["validUntil"])
    gw.detector.clock = lambda: until - timedelta(days=EVENTS.voucher_expiring_days - 1)
    mine = f"voucher/{HUAWEI}/{voucher['nativeId']}"
    expiring = [e for e in await gw.poll(HUAWEI) if e.subject == mine]
    assert [e.type for e in expiring] == ["voucher.expiring"]
    assert [e for e in await gw.poll(HUAWEI) if e.subject == mine] == []


async def test_a_tier2_resellers_funds_moving_gives_one_event(gw: Running) -> None:
    given = await gw.demo.one(ALLOCATE, id=global_id("Reseller", HUAWEI, HUAWEI_T2_DOMAIN), amount="250.00", key=key())
    assert given["__typename"] == "ResellerPayload", given
    (event,) = await gw.poll(HUAWEI)
    assert (event.type, event.subject) == ("reseller.funds_changed", f"reseller/{HUAWEI}/{HUAWEI_T2_DOMAIN}")
    before, after = Decimal(event.data["previous"]["available"].split()[0]), Decimal(event.data["available"]["amount"])
    assert after - before == Decimal("250.00")
    assert await gw.poll(HUAWEI) == []


async def test_a_new_billing_month_closes_the_last_one_once_per_account(gw: Running) -> None:
    now = datetime.now(UTC)
    gw.detector.clock = lambda: now + timedelta(days=32)
    closed = [e for e in await gw.poll() if e.type == "consumption.month_closed"]
    assert kinds(closed) == [
        ("consumption.month_closed", f"consumption/{ALIYUN}/{current_month(now)}"),
        ("consumption.month_closed", f"consumption/{HUAWEI}/{current_month(now)}"),
    ]
    huawei = next(e for e in closed if e.account_id == HUAWEI)
    assert huawei.data["month"] == current_month(now)
    assert {t["source"] for t in huawei.data["totals"]} == {"BILL"}
    assert all(Decimal(t["amount"]) > 0 and t["currency"] == "CNY" for t in huawei.data["totals"])
    assert [e for e in await gw.poll() if e.type == "consumption.month_closed"] == []


# --- failures --------------------------------------------------------------------------------------------------


async def test_a_poll_that_dies_before_saving_gives_its_events_once_on_the_next(
    gw: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = huawei_customer(gw, resale=False)
    await gw.demo.control(
        gw.demo.huawei, "POST", "/_simulator/freeze", {"customer_id": target.customer_id, "is_frozen": 2}
    )
    attempted: list[list[Event]] = []

    async def dies(account_id: str, changes: Any, events: list[Event], **options: Any) -> list[Event]:
        attempted.append(list(events))
        raise StoreUnavailable("the process died here")

    with monkeypatch.context() as patched:
        patched.setattr(gw.store, "save_snapshots", dies)
        result = await gw.detector.poll(HUAWEI)
    assert result.outcome == "error"
    assert await outbox(gw.store) == []
    (event,) = await gw.poll(HUAWEI)
    assert event.type == "customer.frozen"
    assert [e.id for e in attempted[0]] == [event.id]  # found twice, the same id: a retried poll adds it once
    assert await gw.poll(HUAWEI) == []
    assert [e.id for e in await outbox(gw.store)] == [event.id]


async def test_a_failed_read_skips_its_kind_without_false_events(gw: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    target = huawei_customer(gw)
    face = {"quotaId": PARENT_QUOTA, "faceValue": {"amount": "12.00"}}
    await gw.demo.one(ISSUE, id=global_id("Customer", HUAWEI, target.customer_id), input=face, key=key())
    provider = gw.state["gateway"].provider(HUAWEI)

    async def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise ProviderUnavailable("no answer", provider="huaweicloud", partner_id=HUAWEI)

    remembered = {k for k in await gw.store.snapshots(HUAWEI) if k[0] == "vouchers"}
    with monkeypatch.context() as patched:
        patched.setattr(provider, "list_vouchers", unavailable)
        result = await gw.detector.poll(HUAWEI)
    assert (result.outcome, result.skipped, result.events) == ("partial", ("vouchers",), ())
    assert {k for k in await gw.store.snapshots(HUAWEI) if k[0] == "vouchers"} == remembered  # nothing forgotten
    metrics = (await gw.demo.client.get("/metrics")).text
    assert f'partner_gateway_poll_skipped_kinds_total{{account="{HUAWEI}",kind="vouchers"}}' in metrics
    assert [e.type for e in await gw.poll(HUAWEI)] == ["voucher.issued"]

    # Without the customer list, neither funds (read for the listed customers) nor vouchers (whose events name the
    # customer's owner) are compared: a freeze seen later is still one event.
    target = huawei_customer(gw, resale=False)
    await gw.demo.control(
        huawei_app(gw), "POST", "/_simulator/freeze", {"customer_id": target.customer_id, "is_frozen": 1}
    )
    with monkeypatch.context() as patched:
        patched.setattr(provider, "list_customers", unavailable)
        result = await gw.detector.poll(HUAWEI)
    assert (result.outcome, result.events) == ("partial", ())
    assert set(result.skipped) == {"customers", "funds", "vouchers"}
    assert [e.type for e in await gw.poll(HUAWEI)] == ["customer.frozen"]


# --- one poller per account -------------------------------------------------------------------------------------


async def test_one_replica_polls_each_account_and_another_takes_over_from_a_dead_one(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    async with gateway(store_url=url) as one:
        async with gateway(store_url=url, simulated={ALIYUN: one.demo.aliyun, HUAWEI: one.demo.huawei}) as two:
            assert (await one.detector.poll(HUAWEI)).outcome == "ok"
            assert (await two.detector.poll(HUAWEI)).outcome == "not_holder"
            assert (await two.detector.poll(ALIYUN)).outcome == "ok"  # leases are per account
            assert (await one.detector.poll(ALIYUN)).outcome == "not_holder"

            # "one" dies (it stops renewing): once its lease has lapsed, "two" takes HUAWEI over.
            target = huawei_customer(one, resale=False)
            await one.demo.control(
                one.demo.huawei, "POST", "/_simulator/freeze", {"customer_id": target.customer_id, "is_frozen": 1}
            )
            assert (await two.detector.poll(HUAWEI)).outcome == "not_holder"
            later = datetime.now(UTC) + two.detector.lease + timedelta(seconds=1)
            two.detector.clock = lambda: later
            taken = await two.detector.poll(HUAWEI)
            assert (taken.outcome, [e.type for e in taken.events]) == ("ok", ["customer.frozen"])
            assert await two.store.lease_holder(lease_name(HUAWEI), later) == two.detector.holder
            assert (await one.detector.poll(HUAWEI)).outcome == "not_holder"
        # "two" shut down and gave its leases up: "one" polls ALIYUN at once, without waiting for a lapse.
        assert (await one.detector.poll(ALIYUN)).outcome == "ok"
        assert [e.type for e in await outbox(one.store)] == ["customer.frozen"]


@pytest.fixture
def postgres_store() -> Iterator[str]:
    with fresh_database() as url:
        yield url


async def test_two_pollers_over_postgresql_poll_each_account_once(postgres_store: str) -> None:
    async with (
        gateway(store_url=postgres_store) as one,
        gateway(store_url=postgres_store, simulated={ALIYUN: one.demo.aliyun, HUAWEI: one.demo.huawei}) as two,
    ):
        target = huawei_customer(one, resale=False)
        outcomes: list[str] = []
        for round_ in range(4):
            if round_ == 2:
                await one.demo.control(
                    one.demo.huawei,
                    "POST",
                    "/_simulator/freeze",
                    {"customer_id": target.customer_id, "is_frozen": 1},
                )
            results = await asyncio.gather(one.detector.poll(HUAWEI), two.detector.poll(HUAWEI))
            outcomes += sorted(r.outcome for r in results)
        assert outcomes == ["not_holder", "ok"] * 4
        frozen = [e for e in await outbox(one.store) if e.type == "customer.frozen"]
        assert [e.subject for e in frozen] == [f"customer/{HUAWEI}/{target.customer_id}"]


# --- events at the gateway's own writes ----------------------------------------------------------------------


async def test_project_changes_are_events_of_their_own_write(gw: Running) -> None:
    found = await gw.demo.ask(CUSTOMERS, f={"partnerIds": [partner_id(ALIYUN)], "status": "ASSOCIATED"})
    customer = next(c for c in found["customers"]["nodes"] if c["owner"])
    filed = (await gw.demo.one(FILE, input={"customerId": customer["id"], "name": "事件测试"}, key=key()))["project"]
    approved = (await gw.demo.one(APPROVE, id=filed["id"], version=filed["version"]))["project"]
    confirmed = (await gw.demo.one(CONFIRM, id=approved["id"], version=approved["version"]))["project"]
    advanced = (await gw.demo.one(ADVANCE, id=confirmed["id"], version=confirmed["version"]))["project"]
    events = await outbox(gw.store)
    assert [e.type for e in events] == ["project.approved", "project.confirmed", "project.stage_changed"]
    assert {e.owner for e in events} == {customer["owner"]}
    assert len({e.subject for e in events}) == 1
    assert events[-1].data["toStage"] == "CONFIRMED_OPPORTUNITY"
    assert events[-1].data["version"] == advanced["version"]


TRANSFER = """mutation($id: ID!, $key: String!) {
  transferFunds(customerId: $id, amount: {amount: "40.00", currency: "CNY"}, idempotencyKey: $key) {
    __typename ... on CustomerPayload { operation { operationId reconciled } }
    ... on UpstreamError { pending operationId } } }"""


async def test_a_pending_write_settled_applied_or_not_is_an_event() -> None:
    plugin = FakePlugin({"one": 6})
    config = GatewayConfig(
        accounts=config_for("one").accounts, api_keys=KEYS, upstream=FAST_UPSTREAM, writes=FAST_SETTLE, events=EVENTS
    )
    app = create_app(config, Registry([plugin]))
    async with app.router.lifespan_context(app) as state:
        store: Store = state["store"]

        async def with_state(scope: Any, receive: Any, send: Any) -> None:
            scope["state"] = dict(state)
            await app(scope, receive, send)

        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=with_state), base_url="http://gw.test") as c:

            async def transfer(idempotency_key: str) -> dict[str, Any]:
                answer = await c.post(
                    "/graphql",
                    json={
                        "query": TRANSFER,
                        "variables": {"id": global_id("Customer", "one", "one-0"), "key": idempotency_key},
                    },
                    headers={"authorization": "Bearer k-finance"},
                )
                result: dict[str, Any] = answer.json()["data"]["transferFunds"]
                return result

            plugin.created["one"].next_write = "ambiguous"  # applied, the reply lost: settled from the records
            applied = await transfer("k-amb")
            assert applied["operation"]["reconciled"] is True
            (event,) = await outbox(store)
            assert (event.type, event.subject, event.owner) == (
                "operation.settled",
                f"operation/{applied['operation']['operationId']}",
                "wang",  # the customer's owner, as the upstream lists it
            )
            assert (event.data["outcome"], event.data["kind"], event.account_id) == ("APPLIED", "transferFunds", "one")

            plugin.created["one"].next_write = "drop"  # never applied: pending until the settle window has passed
            lost = await transfer("k-drop")
            assert lost["pending"] is True
            assert len(await outbox(store)) == 1
            await asyncio.sleep(FAST_SETTLE.settle_seconds)
            retried = await transfer("k-drop")  # settles the first as not applied, then sends again
            assert retried["__typename"] == "CustomerPayload"
            settled = [e for e in await outbox(store) if e.data.get("outcome") == "NOT_APPLIED"]
            assert [e.subject for e in settled] == [f"operation/{lost['operationId']}"]


async def test_the_control_endpoints_refuse_what_no_payment_or_freeze_could_be(gw: Running) -> None:
    aliyun, huawei = gw.demo.aliyun, gw.demo.huawei
    advisory = next(c for c in huawei.simulator.partners[0].customers if not c.is_resale)  # no funds with us
    refusals = [
        (aliyun, "/_simulator/consume", {"uid": "1", "amount": "1.00"}, 404),
        (aliyun, "/_simulator/consume", {"uid": "1", "amount": "0.001"}, 400),
        (aliyun, "/_simulator/consume", {"amount": "1.00"}, 400),
        (huawei, "/_simulator/payment", {"customer_id": "nobody", "amount": "1.00"}, 400),
        (huawei, "/_simulator/payment", {"customer_id": advisory.customer_id, "amount": "1.00"}, 400),
        (huawei, "/_simulator/payment", {"customer_id": huawei_customer(gw).customer_id, "amount": "-5"}, 400),
        (huawei, "/_simulator/freeze", {"customer_id": advisory.customer_id, "is_frozen": 3}, 400),
        (huawei, "/_simulator/freeze", {"is_frozen": 1}, 400),
    ]
    for app, path, body, status in refusals:
        answer = await gw.demo.control(app, "POST", path, body)
        assert answer.status_code == status, (path, body, answer.text)
    assert await gw.poll() == []  # nothing moved

    target = huawei_customer(gw)
    before = (target.amount, target.debt_amount)
    paid = await gw.demo.control(
        huawei, "POST", "/_simulator/payment", {"customer_id": target.customer_id, "amount": str(target.amount + 5)}
    )
    assert paid.status_code == 200
    assert (target.amount, target.debt_amount) == (Decimal(0), before[1] + 5)  # what the balance lacked is debt


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ({"poll_seconds": 0}, "events.poll_seconds: "),
        ({"balance_floor": 10.5}, "events.balance_floor: must be a whole number or a decimal string"),
        ({"voucher_expiring_days": 0}, "events.voucher_expiring_days: "),
        ({"every": 5}, "events.every: unknown key"),
    ],
)
def test_the_events_table_is_checked(table: dict[str, Any], problem: str) -> None:
    from gateway.config import parse_config
    from gateway.errors import ConfigError

    with pytest.raises(ConfigError) as refused:
        parse_config({"events": table}, Registry.discover(), {})
    assert problem in str(refused.value)


def test_the_events_table_is_read() -> None:
    from gateway.config import parse_config

    config = parse_config({"events": {"poll_seconds": 5, "balance_floor": "250.50"}}, Registry.discover(), {})
    assert (config.events.poll_seconds, config.events.balance_floor) == (5, Decimal("250.50"))
    assert (config.events.enabled, config.events.voucher_expiring_days) == (True, 7)
    assert parse_config({}, Registry.discover(), {}).events == EventsConfig()


async def test_the_pollers_run_with_the_app_and_give_their_leases_up_at_shutdown(tmp_path: Path) -> None:
    from gateway.store import open_store

    url = sqlite_url(tmp_path)
    async with gateway(store_url=url, events=EventsConfig(poll_seconds=1)) as running:

        async def polled_and_held(account: str) -> bool:
            kinds = {kind for kind, _ in await running.store.snapshots(account)}
            holder = await running.store.lease_holder(lease_name(account), datetime.now(UTC))
            return kinds >= {"customers", "vouchers"} and holder == running.detector.holder

        for _ in range(300):  # the first polls come one interval after the start (a loaded machine: longer)
            if await polled_and_held(HUAWEI) and await polled_and_held(ALIYUN):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the background pollers did not poll both accounts")
    store = await open_store(url)
    try:
        assert await store.lease_holder(lease_name(HUAWEI), datetime.now(UTC)) is None
        assert await store.lease_holder(lease_name(ALIYUN), datetime.now(UTC)) is None
        assert await store.snapshots(HUAWEI)
    finally:
        await store.close()
    disabled = GatewayConfig(accounts=(), events=EventsConfig(enabled=False))
    app = create_app(disabled, Registry.discover())
    async with app.router.lifespan_context(app) as state:
        assert state["detector"] is None
