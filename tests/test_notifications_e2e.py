"""Change notifications end to end (issue #13's "Done when"): both standalone simulators and a gateway as real
processes on loopback, the gateway configured with their accounts, ``[events] poll_seconds`` of ``POLL``, one
``[[webhooks]]`` receiver on loopback (a Starlette app in a thread of this process: ``tests.support.receivers``)
whose ``whsec_`` secret is in the gateway's environment, and API keys for an admin, finance and a salesperson.

Once each account's baseline poll has run, every kind of change is made upstream, independent ones at once: through
the simulators' control endpoints (an invitee registers, the clock passes the invitations' expiry, a customer
consumes or pays, Huawei freezes and thaws one), through the gateway's own writes (an Aliyun invitation and a Huawei
account, a freeze and a thaw, vouchers on both clouds, funds to a tier-2 reseller, a project's approval,
confirmation and stage, transfers whose outcome the simulator's fault injection hides). For each, exactly one event
of its type reaches the receiver within two poll intervals of the change (the events of the gateway's own writes at
once), its signature verifies with ``standardwebhooks``, and its data names the customer, voucher, reseller,
project or operation changed. Nothing else is in the outbox or arrives, nothing twice. An admin's and a
salesperson's ``graphql-transport-ws`` subscriptions, open all along, receive the same events in the outbox's order
(the salesperson only those of the customers assigned to it, none of another owner's).

``consumption.month_closed`` is the one type not produced here: a billing month closes by the gateway's clock
(the upstream's months are calendar months, which every replica's clock agrees on), which a test cannot move in
another process, and the simulators' business clocks do not move it. ``test_a_month_closed_reaches_a_webhook``
covers it in-process: the detector's clock moved into the next month, the event delivered by a webhook worker to
the same receiver and verified the same way.

The accounts' upstream rate limit is raised here (``RATE``): the simulators have none, and at the default 8
``GetCreditInfo`` calls a second one Aliyun poll (a call per customer) would outlast a 2-second interval, so no
change could be seen within two of them. With a cloud's limits, an interval long enough for a poll's reads holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook

from adapters.huaweicloud._plugin import DEMO_ACCESS_KEY, DEMO_DOMAIN_ID, DEMO_SECRET_KEY
from gateway.app import create_app
from gateway.auth import hash_key
from gateway.config import EventsConfig, GatewayConfig, WebhookEntry, demo_config
from gateway.config_tables import WebhookConfig
from gateway.consumption import current_month
from gateway.events import EVENT_TYPES, Event
from gateway.ids import encode_global_id
from gateway.models import Secret
from gateway.notifications.detect import Detector
from gateway.registry import Registry
from gateway.store import open_store, sqlite_url
from tests.support.receivers import Arrival, Receiver, new_secret, receiving
from tests.support.servers import EXE, free_port, process_serving
from tests.test_replicas import start_together
from tests.test_subscriptions import Client

POLL = 2.0
"""``[events] poll_seconds``: a change reaches the receiver within two of these."""
WITHIN = 2 * POLL
FLOOR = Decimal("100.00")
"""``[events] balance_floor``."""
SETTLE = 3.0
"""``[writes] settle_seconds``: a transfer whose reply never came is settled as not applied this long after its
attempt ended."""
RATE = 200
"""``[accounts.upstream] rate_per_second`` of both accounts (see the module's doc)."""
ALIYUN, HUAWEI = "ali", "hw"
ALIYUN_KEY, ALIYUN_SECRET = "LTAI5tSimAgencyDistributor", "sim-secret-aliyun-distributor"
HUAWEI_T2_DOMAIN = "9f8e7d6c5b4a40312f1e0d9c8b7a6f5e"
"""The standalone Huawei simulator's first tier-2 reseller (docs/simulator-huaweicloud.md)."""
ASSOCIATION_DELAY = 2.0
"""The Huawei simulator's ``--association-delay`` (its default): a created account is listed this long after."""
SECRET_ENV = "PGW_E2E_WEBHOOK_SECRET"
SALES = "e2e-sales"
"""The salesperson: the customers the test assigns to it are its own."""
KEYS = {name: f"pgw_e2e-{name}-{uuid.uuid4().hex}" for name in ("admin", "finance", "sales")}
ENV = {
    "E2E_ALI_AK": ALIYUN_KEY,
    "E2E_ALI_SK": ALIYUN_SECRET,
    "E2E_HW_AK": DEMO_ACCESS_KEY,
    "E2E_HW_SK": DEMO_SECRET_KEY,
}
SUBSCRIBE = "subscription { events { id type subject partnerId data } }"

REFUSALS = """... on UpstreamError { code message pending operationId }
  ... on RuleViolationError { message reason } ... on InvalidInputError { message field }"""
CUSTOMERS = """query($f: CustomerFilterInput) { customers(first: 100, filter: $f) {
  nodes { id nativeId status accountType owner invitationId
    funds { available { amount } creditLine { amount } controls { warningThreshold payAsYouGoFrozen } } } } }"""
ASSIGN = """mutation($id: ID!, $owner: String!) { assignCustomer(customerId: $id, owner: $owner) { __typename } }"""
CREATE = f"""mutation($input: CreateCustomerInput!, $key: String!) {{
  createCustomer(input: $input, idempotencyKey: $key) {{
    __typename ... on CreateCustomerPayload {{ customerId invitationId customer {{ nativeId owner }} }}
    {REFUSALS} }} }}"""
FREEZE = f"""mutation($id: ID!, $frozen: Boolean!, $key: String!) {{
  setCustomerFrozen(customerId: $id, frozen: $frozen, idempotencyKey: $key) {{ __typename {REFUSALS} }} }}"""
TEMPLATES = """query($id: ID!) { node(id: $id) { ... on Partner {
  voucherTemplates(first: 20) { nodes { nativeId status faceValue { amount } } } } } }"""
QUOTAS = """query($id: ID!) { node(id: $id) { ... on Partner {
  voucherQuotas(first: 20) { nodes { nativeId status remaining { amount } parentId } } } } }"""
ISSUE = f"""mutation($id: ID!, $input: IssueVoucherInput!, $key: String!) {{
  issueVoucher(customerId: $id, input: $input, idempotencyKey: $key) {{
    __typename ... on VoucherPayload {{ vouchers {{ nativeId validUntil }} }} {REFUSALS} }} }}"""
ALLOCATE = f"""mutation($id: ID!, $amount: Decimal!, $key: String!) {{
  allocateResellerFunds(resellerId: $id, amount: {{amount: $amount}}, idempotencyKey: $key) {{
    __typename {REFUSALS} }} }}"""
TRANSFER = f"""mutation($id: ID!, $amount: Decimal!, $key: String!) {{
  transferFunds(customerId: $id, amount: {{amount: $amount, currency: "CNY"}}, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ operation {{ operationId reconciled }} }} {REFUSALS} }} }}"""
PROJECT = (
    "__typename ... on ProjectPayload { project { id version owner } } ... on ProjectRuleViolationError { message }"
)
FILE = f"""mutation($input: FileProjectInput!, $key: String!) {{
  fileProject(input: $input, idempotencyKey: $key) {{ {PROJECT} }} }}"""
APPROVE = f"""mutation($id: ID!, $version: Int!) {{
  recordProjectApproval(projectId: $id, version: $version, approved: true) {{ {PROJECT} }} }}"""
CONFIRM = (
    f"""mutation($id: ID!, $version: Int!) {{ confirmProject(projectId: $id, version: $version) {{ {PROJECT} }} }}"""
)
ADVANCE = f"""mutation($id: ID!, $version: Int!) {{
  advanceProject(projectId: $id, version: $version, to: CONFIRMED_OPPORTUNITY) {{ {PROJECT} }} }}"""


def key() -> str:
    return f"e2e-{uuid.uuid4().hex}"


def gid(kind: str, account: str, native: str) -> str:
    return encode_global_id(kind, account, native)


@dataclass
class Expected:
    """One event the test waits for: its type and subject, and when the change that gives it was made."""

    type: str
    subject: str
    since: float
    mine: bool
    """About a customer assigned to the salesperson: its subscription receives it."""
    check: Callable[[dict[str, Any]], bool] = lambda data: True
    arrival: Arrival | None = None
    payload: dict[str, Any] = field(default_factory=dict)


class World:
    """The simulators, the gateway and the receiver, and the events the test expects."""

    def __init__(self, gateway: str, aliyun: str, huawei: str, receiver: Receiver, secret: str) -> None:
        self.gateway, self.aliyun, self.huawei = gateway, aliyun, huawei
        self.receiver, self.secret = receiver, secret
        self.expected: list[Expected] = []
        self._lock = threading.Lock()
        self.http = httpx.Client(timeout=30)

    # --- talking to the gateway and the simulators -----------------------------------------------------------

    def ask(self, document: str, principal: str = "admin", **variables: Any) -> dict[str, Any]:
        response = self.http.post(
            f"{self.gateway}/graphql",
            json={"query": document, "variables": variables},
            headers={"authorization": f"Bearer {KEYS[principal]}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    def one(self, document: str, principal: str = "admin", **variables: Any) -> dict[str, Any]:
        (value,) = self.ask(document, principal, **variables).values()
        assert isinstance(value, dict)
        return value

    def control(self, simulator: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"{simulator}/_simulator/{path}", json=body)
        assert response.status_code in (200, 201), response.text
        answer: dict[str, Any] = response.json()
        return answer

    def customers(self, account: str, **filters: Any) -> list[dict[str, Any]]:
        found = self.ask(CUSTOMERS, f={"partnerIds": [partner(account)], **filters})
        nodes: list[dict[str, Any]] = found["customers"]["nodes"]
        return nodes

    def metric(self, line_start: str) -> float:
        for line in self.http.get(f"{self.gateway}/metrics").text.splitlines():
            if line.startswith(line_start):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    # --- expecting events -----------------------------------------------------------------------------------

    def expect(
        self,
        type: str,
        subject: str,
        since: float,
        *,
        mine: bool = False,
        check: Callable[[dict[str, Any]], bool] = lambda data: True,
    ) -> Expected:
        """Wait for the event of ``type`` about ``subject`` (the change was made at ``since``): it must come
        within ``WITHIN`` seconds; waited for a little longer, so that a late one is reported as late."""
        expected = Expected(type, subject, since, mine, check)
        with self._lock:
            self.expected.append(expected)
        deadline = since + WITHIN + 10
        while time.monotonic() < deadline:
            for arrival in list(self.receiver.arrivals):
                payload = json.loads(arrival.body)
                if payload["type"] == type and payload["data"]["subject"] == subject:
                    expected.arrival, expected.payload = arrival, payload
                    return expected
            time.sleep(0.05)
        raise AssertionError(f"no {type} of {subject} within {WITHIN + 10:g} s of the change")


def partner(account: str) -> str:
    return encode_global_id("Partner", account)


@dataclass
class Stack:
    world: World
    logs: list[Path]
    store_url: str
    """The gateway's store (SQLite), for reading its outbox."""


async def stored_events(url: str) -> list[Event]:
    store = await open_store(url)
    try:
        return await store.events_after(0, 10_000)
    finally:
        await store.close()


def config_text(directory: Path, aliyun: str, huawei: str, hook: str) -> str:
    keys = "".join(
        f'[[api_keys]]\nname = "{name}"\nsha256 = "{hash_key(secret)}"\nrole = "{name}"\n'
        + (f'owner = "{SALES}"\n' if name == "sales" else "")
        for name, secret in KEYS.items()
    )
    limits = f"[accounts.upstream]\nrate_per_second = {RATE}\nrate_burst = 20\nmax_concurrency = 8\n"
    return (
        f'[store]\ndata_dir = "{directory / "data"}"\n'
        "[upstream]\ntimeout_seconds = 2.0\n"
        f"[writes]\nsettle_seconds = {SETTLE}\nattempt_seconds = 3.0\n"
        f'[events]\npoll_seconds = {POLL}\nbalance_floor = "{FLOOR}"\nvoucher_expiring_days = 7\n'
        f'[[webhooks]]\nname = "e2e"\nurl = "{hook}"\nsecret_env = "{SECRET_ENV}"\n'
        "timeout_seconds = 2.0\nbackoff_seconds = 0.2\nmax_backoff_seconds = 1.0\npoll_seconds = 0.1\n"
        f"{keys}"
        f'[[accounts]]\nid = "{ALIYUN}"\nprovider = "aliyun"\nname = "Aliyun"\nrole = "distributor"\n'
        f'endpoint = "{aliyun}"\n[accounts.credentials]\naccess_key_id = "E2E_ALI_AK"\n'
        f'access_key_secret = "E2E_ALI_SK"\n{limits}'
        f'[[accounts]]\nid = "{HUAWEI}"\nprovider = "huaweicloud"\nname = "Huawei"\nrole = "tier1-distributor"\n'
        f'endpoint = "{huawei}"\n[accounts.credentials]\naccess_key = "E2E_HW_AK"\nsecret_key = "E2E_HW_SK"\n'
        f'[accounts.settings]\ndomain_id = "{DEMO_DOMAIN_ID}"\n{limits}'
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The simulators and the gateway, started at once, and the receiver."""
    directory = tmp_path_factory.mktemp("notifications-e2e")
    secret = new_secret()
    aliyun, huawei, gateway = (f"http://127.0.0.1:{free_port()}" for _ in range(3))
    logs = [directory / name for name in ("aliyun.log", "huaweicloud.log", "gateway.log")]
    with receiving(Receiver()) as receiver, contextlib.ExitStack() as stack:
        config = directory / "gateway.toml"
        config.write_text(config_text(directory, aliyun, huawei, receiver.url))
        servers: list[contextlib.AbstractContextManager[Any]] = [
            process_serving([EXE, "simulator", provider, "--port", url.rsplit(":", 1)[1]], f"{url}/", log=log)
            for provider, url, log in (("aliyun", aliyun, logs[0]), ("huaweicloud", huawei, logs[1]))
        ]
        servers.append(
            process_serving(
                [EXE, "serve", "--config", str(config), "--port", gateway.rsplit(":", 1)[1]],
                f"{gateway}/healthz",
                env={**ENV, SECRET_ENV: secret},
                log=logs[2],
            )
        )
        start_together(stack, servers)
        world = World(gateway, aliyun, huawei, receiver, secret)
        try:
            yield Stack(world, logs, sqlite_url(directory / "data"))
        finally:
            world.http.close()


# --- the cast: who each change is made to ---------------------------------------------------------------------


def threshold_line(node: dict[str, Any]) -> Decimal:
    """The amount under which a customer's funds are low: its warning threshold's share of its credit line, or
    the floor, whichever is higher."""
    funds = node["funds"]
    line = FLOOR
    credit, percent = funds.get("creditLine"), (funds.get("controls") or {}).get("warningThreshold")
    if credit is not None and percent is not None:
        line = max(line, Decimal(credit["amount"]) * percent / 100)
    return line


def well_funded(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Customers with money well above their low line, not frozen."""
    return [
        n
        for n in nodes
        if n["funds"] is not None
        and not (n["funds"].get("controls") or {}).get("payAsYouGoFrozen")
        and Decimal(n["funds"]["available"]["amount"]) > threshold_line(n) + 50
    ]


@dataclass
class Cast:
    ali_freeze: dict[str, Any]
    ali_low: dict[str, Any]
    ali_project: dict[str, Any]
    hw_freeze: dict[str, Any]
    hw_low: dict[str, Any]
    hw_voucher: dict[str, Any]
    hw_transfer: dict[str, Any]
    ali_voucher: dict[str, Any]
    quota: str
    template: str


def cast(world: World) -> Cast:
    """Pick the customers (and the voucher quota) the changes are made to; assign the salesperson's."""
    ali = well_funded(world.customers(ALIYUN, status="ASSOCIATED"))
    consignment = [n for n in ali if n["accountType"] == "CONSIGNMENT"]
    ali_freeze = consignment[0]
    ali_low = next(n for n in ali if n not in consignment[:2] and n["owner"] not in (None, SALES))  # another's
    ali_voucher = consignment[1]  # money and vouchers move only for consignment customers
    ali_project = next(n for n in ali if n not in (ali_freeze, ali_low, ali_voucher))
    hw = well_funded(world.customers(HUAWEI, status="ASSOCIATED"))
    hw_freeze, hw_low, hw_voucher, hw_transfer = hw[:4]
    quotas = world.one(QUOTAS, id=partner(HUAWEI))["voucherQuotas"]["nodes"]
    quota = next(q for q in quotas if q["status"] == "ACTIVE" and Decimal(q["remaining"]["amount"]) > 500)
    templates = world.one(TEMPLATES, id=partner(ALIYUN))["voucherTemplates"]["nodes"]
    template = next(t for t in templates if t["status"] == "APPROVED")
    for node in (ali_freeze, ali_project, hw_freeze, hw_voucher, hw_transfer):
        assert world.one(ASSIGN, id=node["id"], owner=SALES)["__typename"] == "AssignmentPayload"
    return Cast(
        ali_freeze,
        ali_low,
        ali_project,
        hw_freeze,
        hw_low,
        hw_voucher,
        hw_transfer,
        ali_voucher,
        quota["nativeId"],
        template["nativeId"],
    )


# --- the changes: each a chain of changes made one after the other, the chains at once -----------------------


def invitation_chain(world: World) -> None:
    """An invitation (customer.created), its invitee registering (customer.invitation_accepted, and balance_low:
    a new account holds no money), then the clock past every pending invitation's expiry."""
    data = {
        "partnerId": partner(ALIYUN),
        "name": "杭州端到端测试有限公司",
        "accountType": "AGENCY",
        "email": f"{uuid.uuid4().hex[:12]}@e2e.example.cn",
        "owner": SALES,
    }
    invited = world.one(CREATE, input=data, key=key())
    assert invited["__typename"] == "CreateCustomerPayload", invited
    invitation = invited["invitationId"]
    assert invited["customer"]["owner"] == SALES, invited
    row = f"customer/{ALIYUN}/{invited['customer']['nativeId']}"
    world.expect("customer.created", row, time.monotonic(), mine=True, check=lambda d: d["invitationId"] == invitation)
    uid = world.control(world.aliyun, "register", {"invite_id": invitation})["uid"]
    since = time.monotonic()
    account = f"customer/{ALIYUN}/{uid}"
    world.expect(
        "customer.invitation_accepted", account, since, mine=True, check=lambda d: d["invitationId"] == invitation
    )
    world.expect("customer.balance_low", account, since, mine=True, check=lambda d: d["customerId"] == uid)
    pending = world.customers(ALIYUN, status="INVITED")
    assert pending
    world.control(world.aliyun, "clock", {"advance_hours": 73})
    since = time.monotonic()
    for node in pending:
        world.expect(
            "customer.invitation_expired",
            f"customer/{ALIYUN}/{node['nativeId']}",
            since,
            mine=node["owner"] == SALES,
            check=lambda d: d["status"] == "INVITATION_EXPIRED",
        )


def aliyun_freeze_chain(world: World, customer: dict[str, Any]) -> None:
    """setCustomerFrozen (EditEndUserStatus): the freeze Aliyun reports with the customer's funds."""
    subject = f"customer/{ALIYUN}/{customer['nativeId']}"
    for frozen, kind in ((True, "customer.frozen"), (False, "customer.unfrozen")):
        answer = world.one(FREEZE, id=customer["id"], frozen=frozen, key=key())
        assert answer["__typename"] == "CustomerPayload", answer
        world.expect(kind, subject, time.monotonic(), mine=True)


def aliyun_low_chain(world: World, customer: dict[str, Any]) -> None:
    """The customer spends its credit down to 99.00 (the simulator's consume): customer.balance_low."""
    available = Decimal(customer["funds"]["available"]["amount"])
    world.control(world.aliyun, "consume", {"uid": customer["nativeId"], "amount": str(available - FLOOR + 1)})
    world.expect(
        "customer.balance_low",
        f"customer/{ALIYUN}/{customer['nativeId']}",
        time.monotonic(),
        check=lambda d: Decimal(d["available"]["amount"]) == FLOOR - 1,
    )


def huawei_freeze_chain(world: World, customer: dict[str, Any]) -> None:
    """Huawei freezes the customer, then thaws it (the simulator's freeze): the customer list says so."""
    subject = f"customer/{HUAWEI}/{customer['nativeId']}"
    for frozen, kind in ((1, "customer.frozen"), (0, "customer.unfrozen")):
        world.control(world.huawei, "freeze", {"customer_id": customer["nativeId"], "is_frozen": frozen})
        world.expect(kind, subject, time.monotonic(), mine=True)


def huawei_low_chain(world: World, customer: dict[str, Any]) -> None:
    """The customer's balance pays for usage down to 99.00 (the simulator's payment): customer.balance_low."""
    available = Decimal(customer["funds"]["available"]["amount"])
    world.control(world.huawei, "payment", {"customer_id": customer["nativeId"], "amount": str(available - FLOOR + 1)})
    world.expect(
        "customer.balance_low",
        f"customer/{HUAWEI}/{customer['nativeId']}",
        time.monotonic(),
        check=lambda d: (Decimal(d["available"]["amount"]), d["threshold"]["amount"]) == (FLOOR - 1, str(FLOOR)),
    )


def voucher_chain(world: World, customer: dict[str, Any], quota: str) -> None:
    """Two vouchers issued: one valid as long as its quota (voucher.issued), one ending in three days
    (voucher.issued and voucher.expiring)."""
    soon = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    for until in (None, soon):
        face = {
            "quotaId": quota,
            "faceValue": {"amount": "66.00"},
            **({"validUntil": until.isoformat()} if until else {}),
        }
        issued = world.one(ISSUE, id=customer["id"], input=face, key=key())
        assert issued["__typename"] == "VoucherPayload", issued
        [voucher] = issued["vouchers"]
        since = time.monotonic()
        subject = f"voucher/{HUAWEI}/{voucher['nativeId']}"

        def names(d: dict[str, Any]) -> bool:
            return (d["customerId"], d["faceValue"]) == (customer["nativeId"], {"amount": "66.00", "currency": "CNY"})

        world.expect("voucher.issued", subject, since, mine=True, check=names)
        if until is not None:
            world.expect("voucher.expiring", subject, since, mine=True, check=names)


def huawei_created_chain(world: World) -> None:
    """A Huawei account created for the salesperson: listed once associated (the simulator's association delay),
    customer.created, and balance_low (it holds no money yet)."""
    account = f"pg_e2e_{uuid.uuid4().hex[:8]}"  # listed as its name: create_sub_customer takes no other (H.4.1)
    data = {
        "partnerId": partner(HUAWEI),
        "name": account,
        "accountType": "RESALE",
        "accountName": account,
        "owner": SALES,
    }
    created = world.one(CREATE, input=data, key=key())
    assert created["__typename"] == "CreateCustomerPayload", created
    since = time.monotonic() + ASSOCIATION_DELAY
    subject = f"customer/{HUAWEI}/{created['customerId']}"
    world.expect("customer.created", subject, since, mine=True, check=lambda d: d["customerName"] == account)
    world.expect("customer.balance_low", subject, since, mine=True, check=lambda d: d["available"]["amount"] == "0.00")


def aliyun_voucher_chain(world: World, customer: dict[str, Any], template: str) -> None:
    """A coupon issued from an approved template (IssueCouponForCustomer): voucher.issued, naming its customer."""
    issued = world.one(ISSUE, id=customer["id"], input={"templateId": template}, key=key())
    assert issued["__typename"] == "VoucherPayload", issued
    [voucher] = issued["vouchers"]
    world.expect(
        "voucher.issued",
        f"voucher/{ALIYUN}/{voucher['nativeId']}",
        time.monotonic(),
        check=lambda d: d["customerId"] == customer["nativeId"],
    )


def reseller_chain(world: World) -> None:
    """Funds allocated to a tier-2 reseller: reseller.funds_changed, with before and after."""
    answer = world.one(ALLOCATE, id=gid("Reseller", HUAWEI, HUAWEI_T2_DOMAIN), amount="250.00", key=key())
    assert answer["__typename"] == "ResellerPayload", answer

    def moved(d: dict[str, Any]) -> bool:
        before = Decimal(d["previous"]["available"].split()[0])
        return Decimal(d["available"]["amount"]) - before == Decimal("250.00")

    world.expect("reseller.funds_changed", f"reseller/{HUAWEI}/{HUAWEI_T2_DOMAIN}", time.monotonic(), check=moved)


def project_chain(world: World, customer: dict[str, Any]) -> None:
    """A project filed, approved, confirmed and advanced: an event of each write, kept with it."""
    name = f"端到端 {uuid.uuid4().hex[:6]}"
    project = world.one(FILE, input={"customerId": customer["id"], "name": name}, key=key())["project"]
    for document, kind in (
        (APPROVE, "project.approved"),
        (CONFIRM, "project.confirmed"),
        (ADVANCE, "project.stage_changed"),
    ):
        answer = world.one(document, id=project["id"], version=project["version"])
        assert answer["__typename"] == "ProjectPayload", answer
        project = answer["project"]
        since = time.monotonic()
        world.expect(
            kind,
            subject_of_project(world, name),
            since,
            mine=True,
            check=lambda d: (d["name"], d["customerId"]) == (name, customer["nativeId"]),
        )


def subject_of_project(world: World, name: str) -> str:
    """A project's subject (``project/<its id>``), as its first event named it."""
    deadline = time.monotonic() + WITHIN + 10
    while time.monotonic() < deadline:
        for arrival in list(world.receiver.arrivals):
            data = json.loads(arrival.body)["data"]
            if data.get("name") == name and data["subject"].startswith("project/"):
                return str(data["subject"])
        time.sleep(0.05)
    raise AssertionError(f"no event of the project {name}")


def settled_as(outcome: str, customer: str) -> Callable[[dict[str, Any]], bool]:
    return lambda d: (d["outcome"], d["kind"], d["customerId"]) == (outcome, "transferFunds", customer)


def settled_chain(world: World, customer: dict[str, Any]) -> None:
    """Two transfers whose outcome the gateway cannot know from their reply (the simulators' fault injection):

    * the reply is lost after the upstream applied it (``ambiguous``): the gateway finds it in the upstream's
      records and settles it as applied at once, operation.settled APPLIED;
    * the connection drops before it is applied (``drop``): the answer is pending, and once ``SETTLE`` seconds
      have passed since with nothing in the records, the gateway's sweep settles it as not applied,
      operation.settled NOT_APPLIED (timed from then)."""
    for kind, outcome in (("ambiguous", "APPLIED"), ("drop", "NOT_APPLIED")):
        fault = {"kind": kind, "operation": "update_customer_account_amount", "remaining": 1}
        response = world.http.post(f"{world.huawei}/_simulator/faults", json={**fault, "match": customer["nativeId"]})
        assert response.status_code == 201, response.text
        answer = world.one(TRANSFER, "finance", id=customer["id"], amount="7.00", key=key())
        if outcome == "APPLIED":
            assert answer["__typename"] == "CustomerPayload", answer
            assert answer["operation"]["reconciled"] is True, answer
            operation, since = answer["operation"]["operationId"], time.monotonic()
        else:
            assert (answer["__typename"], answer["pending"]) == ("UpstreamError", True), answer
            operation, since = answer["operationId"], time.monotonic() + SETTLE
        world.expect(
            "operation.settled",
            f"operation/{operation}",
            since,
            mine=True,
            check=settled_as(outcome, customer["nativeId"]),
        )


# --- the test ----------------------------------------------------------------------------------------------------


def wait_until(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:g} s: {what}"
        time.sleep(0.1)


def stream_of(client: Client, operation_id: str, count: int, expected: list[Expected]) -> list[dict[str, Any]]:
    """``count`` events from a subscription (each within 10 s of the last); on a timeout, says which of the
    ``expected`` ones did not come."""
    received: list[dict[str, Any]] = []
    try:
        while len(received) < count:
            received += client.events(operation_id, 1, timeout=10)
    except TimeoutError:
        missing = sorted({(e.type, e.subject) for e in expected} - {(r["type"], r["subject"]) for r in received})
        raise AssertionError(
            f"{operation_id}: {len(received)} of {count} events streamed; not streamed: {missing}"
        ) from None
    return received


def subscriber(world: World, principal: str) -> Client:
    client = Client(world.gateway)
    assert client.init({"Authorization": f"Bearer {KEYS[principal]}"}) == {"type": "connection_ack"}
    client.subscribe(principal, SUBSCRIBE)
    return client


def test_each_change_upstream_is_one_signed_event_within_two_polls_to_webhooks_and_subscribers(stack: Stack) -> None:
    world = stack.world
    roles = cast(world)
    # The baseline: each account's first poll (one interval after the start) remembers what exists, no events.
    polled = 'partner_gateway_polls_total{{account="{}",outcome="ok"}}'
    wait_until(lambda: all(world.metric(polled.format(a)) >= 1 for a in (ALIYUN, HUAWEI)), "the baseline polls", 30)
    assert world.receiver.arrivals == []
    with subscriber(world, "admin") as admin, subscriber(world, "sales") as sales:
        wait_until(lambda: world.metric("partner_gateway_subscriptions ") == 2, "both subscriptions open", 10)
        chains: list[Callable[[], None]] = [
            lambda: invitation_chain(world),
            lambda: aliyun_freeze_chain(world, roles.ali_freeze),
            lambda: aliyun_low_chain(world, roles.ali_low),
            lambda: huawei_freeze_chain(world, roles.hw_freeze),
            lambda: huawei_low_chain(world, roles.hw_low),
            lambda: voucher_chain(world, roles.hw_voucher, roles.quota),
            lambda: reseller_chain(world),
            lambda: huawei_created_chain(world),
            lambda: aliyun_voucher_chain(world, roles.ali_voucher, roles.template),
            lambda: project_chain(world, roles.ali_project),
            lambda: settled_chain(world, roles.hw_transfer),
        ]
        with ThreadPoolExecutor(len(chains)) as pool:
            for future in [pool.submit(chain) for chain in chains]:
                future.result()
        time.sleep(WITHIN + 1)  # nothing else comes: no event twice, none that no change made
        arrivals = list(world.receiver.arrivals)
        expected = world.expected
        everything = stream_of(admin, "admin", len(arrivals), expected)
        own = [e for e in expected if e.mine]
        theirs = stream_of(sales, "sales", len(own), own)
        with pytest.raises(TimeoutError):
            admin.message("admin", timeout=0.5)
        with pytest.raises(TimeoutError):
            sales.message("sales", timeout=0.2)

    # Exactly one event per change: nothing twice (every answer was 200), nothing else.
    ids = [a.webhook_id for a in arrivals]
    assert len(ids) == len(set(ids)), "an event was delivered twice"
    got = sorted((json.loads(a.body)["type"], json.loads(a.body)["data"]["subject"]) for a in arrivals)
    assert got == sorted((e.type, e.subject) for e in expected)
    # Signed per Standard Webhooks, verified as a receiver does; the data names what changed.
    verifier = Webhook(world.secret)
    for arrival in arrivals:
        payload = verifier.verify(arrival.body, arrival.headers)
        assert payload["id"] == arrival.webhook_id
    wrong = [(e.type, e.subject, e.payload["data"]) for e in expected if not e.check(e.payload["data"])]
    assert wrong == []
    # Within two poll intervals of the change.
    taken = [(e.type, e.subject, e.arrival.at - e.since) for e in expected if e.arrival is not None]
    assert [(kind, subject, round(t, 2)) for kind, subject, t in taken if t > WITHIN] == [], f"later than {WITHIN:g} s"
    # The outbox holds these events and no other; the subscribers get them in its order: the admin every event as
    # the webhook got it, the salesperson those of its customers and none of another owner's.
    outbox = [event.id for event in asyncio.run(stored_events(stack.store_url))]
    assert sorted(outbox) == sorted(ids)
    sent = {e.payload["id"]: e.payload for e in expected}
    assert [e["id"] for e in everything] == outbox
    for streamed in everything:
        payload = sent[streamed["id"]]
        data = {k: v for k, v in payload["data"].items() if k not in ("subject", "accountId")}
        assert (streamed["type"], streamed["subject"], streamed["data"]) == (
            payload["type"],
            payload["data"]["subject"],
            data,
        )
    mine = {e.payload["id"] for e in expected if e.mine}
    assert [e["id"] for e in theirs] == [event for event in outbox if event in mine]
    assert 0 < len(mine) < len(expected)
    assert {e["type"] for e in everything} == set(EVENT_TYPES) - {"consumption.month_closed"}
    for log in stack.logs:  # the secret is never logged
        assert world.secret.removeprefix("whsec_") not in log.read_text()


def next_month_start(now: datetime) -> datetime:
    """The first second of the billing month (UTC+8) after ``now``'s."""
    china = timezone(timedelta(hours=8))
    local = now.astimezone(china)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 1, 0, 0, 1, tzinfo=china)


@pytest.mark.anyio
async def test_a_month_closed_reaches_a_webhook_once_per_account_signed(tmp_path: Path) -> None:
    """consumption.month_closed, in-process (see the module's doc): the embedded demo's accounts behind a gateway
    whose detector's clock is moved to the first second of the next billing month; the event reaches a receiver
    on loopback through the gateway's webhook worker, verified as a receiver does. Once per account and month."""
    secret = new_secret()
    registry = Registry.discover()
    demo = demo_config(registry)
    accounts = [entry.account.id for entry in demo.accounts]
    with receiving(Receiver()) as receiver:
        hook = WebhookConfig(
            name="months", url=receiver.url, secret_env="UNUSED", types=("consumption.month_closed",), poll_seconds=0.05
        )
        config = GatewayConfig(
            accounts=demo.accounts,
            simulated=demo.simulated,
            store_url=sqlite_url(tmp_path),
            events=EventsConfig(poll_seconds=3600),  # polls happen when the test says so
            webhooks=(WebhookEntry(hook, Secret(secret)),),
        )
        app = create_app(config, registry)
        async with app.router.lifespan_context(app) as state:
            assert state is not None
            detector: Detector = state["detector"]
            for account in accounts:  # the baseline
                assert (await detector.poll(account)).outcome == "ok"
            now = datetime.now(UTC)
            later = next_month_start(now)
            detector.clock = lambda: later
            closed = [
                e for a in accounts for e in (await detector.poll(a)).events if e.type == "consumption.month_closed"
            ]
            for _ in range(200):
                if len(receiver.delivered()) >= len(closed):
                    break
                await asyncio.sleep(0.05)
            assert not [
                e for a in accounts for e in (await detector.poll(a)).events if e.type == "consumption.month_closed"
            ]
            await asyncio.sleep(0.3)  # nothing more comes
    assert sorted(e.subject for e in closed) == sorted(f"consumption/{a}/{current_month(now)}" for a in accounts)
    assert sorted(receiver.ids()) == sorted(e.id for e in closed)
    for arrival in receiver.arrivals:
        payload = Webhook(secret).verify(arrival.body, arrival.headers)
        assert payload["type"] == "consumption.month_closed"
        assert payload["data"]["month"] == current_month(now)
        assert payload["data"]["totals"], payload  # the closed month's consumption, per currency and source
