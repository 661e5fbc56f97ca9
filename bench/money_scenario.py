"""A randomized money and voucher run against both simulators, with lost and late replies injected.

Every operation goes through the GraphQL API with its own idempotency key and is retried with that key
(backing off, within a deadline) until the answer is definite; a few clients run side by side. The
simulators' fault plans lose replies (applied, then the connection drops), drop calls before applying
them, and delay calls beyond the gateway's upstream timeout: the gateway gives up on the reply while the
request goes on and lands later (the in-process simulators are reached like a network,
``gateway.inprocess``), and the operation must stay pending until the upstream's records show it.
Afterwards the simulators' balances, quotas, voucher lists and credit lines are read back and compared
with what the gateway's audit trail says succeeded: any duplicated (or lost) effect shows as a
difference. Used by ``tests/test_money_safety.py`` and ``bench/writes.py``.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun.simulator._control import operation_of as aliyun_operation_of
from adapters.huaweicloud.simulator._faults import operation_of as huawei_operation_of
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import GatewayConfig, LimitsConfig, UpstreamConfig, WritesConfig, demo_config
from gateway.registry import Registry
from gateway.testing import running

MONEY_OPERATIONS = {
    "huaweicloud-demo": (
        "update_customer_account_amount",
        "reclaim_to_partner_account",
        "update_indirect_partner_account",
        "reclaim_indirect_partner_account",
        "update_coupon_quotas",
        "create_partner_coupons",
        "reclaim_partner_coupons",
    ),
    "aliyun-demo": ("SetCreditLine", "IssueCouponForCustomer", "CancelCoupon"),
}

_REFUSALS = "... on UpstreamError { retryable pending reason code message } ... on RuleViolationError { reason }"
#: What to select of each mutation family's result union.
RESULTS = {
    "customer": f"__typename ... on CustomerPayload {{ operation {{ upstreamIds }} }} {_REFUSALS}",
    "reseller": f"__typename ... on ResellerPayload {{ operation {{ upstreamIds }} }} {_REFUSALS}",
    "voucher": (
        "__typename ... on VoucherPayload { operation { upstreamIds } vouchers { id nativeId faceValue { amount } } } "
        + _REFUSALS
    ),
}
_FAMILY = {
    "transferFunds": "customer",
    "reclaimFunds": "customer",
    "setCreditLine": "customer",
    "allocateResellerFunds": "reseller",
    "reclaimResellerFunds": "reseller",
    "grantVoucherQuota": "reseller",
    "issueVoucher": "voucher",
    "reclaimVoucher": "voucher",
}

#: Delays injected into money calls (milliseconds, each drawn on its own, so both may add up): all beyond
#: the upstream timeout below, so the gateway gives up on the reply while the request goes on and lands
#: (the simulators delay a call before applying it). Well beyond it: the gateway reads the upstream's records
#: as soon as it gives up, and a late request must still be on its way then for its operation to be left
#: pending. With 200 and 400 ms, a loaded machine (or the event loop busy with the other clients) often read
#: the records only after the request had landed: settled at once, which is right, but the pending path went
#: unexercised for over half of the late replies and the test's check of it failed under load.
LATE_MS = (400.0, 800.0)
#: The in-process simulators time out like a network (``gateway.inprocess``), so a request can outlive
#: its caller: the settle window must exceed the longest time a request can take to land, the injected
#: delays together plus ample room for a loaded machine. Short values keep the run fast; never over a
#: network.
#: The injected faults (about 22 % of money calls lost, dropped or late) are what a circuit breaker acts on: a
#: few failures in a row open an account's circuit, and its calls are refused (not applied, retryable) until a
#: probe succeeds. Its open time is kept short here, so that a failed probe cannot outlast a client's retry
#: deadline: refusals by the open circuit are part of the run, and must not cost an effect either.
FAST_UPSTREAM = UpstreamConfig(timeout_seconds=0.1, breaker_open_seconds=0.2, breaker_max_open_seconds=1.0)
#: Above the injected delays together (1.2 s) with over a second to spare for a loaded machine.
FAST_SETTLE = WritesConfig(settle_seconds=2.5)
#: How a client retries an operation whose answer is not definite yet (pending, or refused before being
#: applied): backing off from the first delay up to the longest, within a number of attempts and a
#: deadline that leave room for its own settle window and one of an earlier write to the same target.
RETRY_FIRST, RETRY_LONGEST, RETRY_ATTEMPTS, RETRY_DEADLINE = 0.2, 0.4, 40, 15.0


@dataclass
class Report:
    operations: int = 0
    succeeded: int = 0
    refused: int = 0
    attempts: int = 0
    ambiguous_injected: int = 0
    money_calls: int = 0
    """Calls of the money operations the simulators received (retries and resends included)."""
    late_injected: int = 0
    """Money calls delayed beyond the upstream timeout: the gateway gave up, the request landed later."""
    pended: int = 0
    """Operations an attempt left pending (a late or lost reply, and records that showed nothing yet)."""
    settled_applied: int = 0
    """Of those, settled afterwards as applied: the records showed them (late replies that landed)."""
    settled_not_applied: int = 0
    """Of those, settled as not applied once the settle window had passed (calls dropped unapplied)."""
    unsettled: int = 0
    """Of those, still pending at the end (there must be none)."""
    reconciled: int = 0
    replays: int = 0
    drops_injected: int = 0
    resent: int = 0
    mismatches: list[str] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"operations {self.operations}: succeeded {self.succeeded}, refused by rules or upstream {self.refused}",
            f"attempts {self.attempts} (retries with the same key: {self.attempts - self.operations})",
            f"lost replies injected {self.ambiguous_injected}; settled from upstream records {self.reconciled}; "
            f"calls dropped before applying {self.drops_injected}",
            f"late replies injected {self.late_injected} ({self.late_share:.1%} of {self.money_calls} money calls); "
            f"operations left pending {self.pended}, settled afterwards as applied {self.settled_applied} and as "
            f"not applied {self.settled_not_applied}, still pending {self.unsettled}",
            f"completed operations sent again with their key {self.resent}; answered from the log {self.replays}",
            f"refusals: {dict(sorted(self.refusals.items()))}",
            f"duplicated or lost effects: {len(self.mismatches)}",
            f"by kind: {dict(sorted(self.by_kind.items()))}",
            f"{self.seconds:.1f} s",
        ]

    @property
    def late_share(self) -> float:
        return self.late_injected / self.money_calls if self.money_calls else 0.0


async def run(
    operations: int = 1500,
    ambiguous: float = 0.10,
    seed: int = 7,
    dropped: float = 0.03,
    resend: float = 0.10,
    late: float = 0.045,
    clients: int = 8,
) -> Report:
    """``operations`` random operations from ``clients`` clients side by side. Per money call: ``ambiguous``
    loses the reply of an applied call, ``dropped`` drops the call unapplied, and ``late`` is the chance of
    each delay of ``LATE_MS``; ``resend`` is the chance that a client asks again for a completed one."""
    if FAST_SETTLE.settle_seconds <= sum(LATE_MS) / 1000:
        raise ValueError("the settle window must exceed the longest time an injected late request takes to land")
    registry = Registry.discover()
    demo = demo_config(registry)
    counted = {account_id: _MoneyCalls(demo.simulated[account_id], account_id) for account_id in MONEY_OPERATIONS}
    keys = (ApiKey("finance", hash_key("k-finance"), Role.FINANCE), ApiKey("admin", hash_key("k-admin"), Role.ADMIN))
    # A load test as one key: [limits] requests_per_minute would hold it to the default rate, so it is off.
    config = GatewayConfig(
        accounts=demo.accounts,
        simulated={**demo.simulated, **counted},
        api_keys=keys,
        upstream=FAST_UPSTREAM,
        writes=FAST_SETTLE,
        limits=LimitsConfig(requests_per_minute=0),
    )
    picks, resends = random.Random(seed), random.Random(seed + 1)
    report = Report(operations=operations)
    started = time.monotonic()
    async with running(create_app(config, registry)) as client:
        world = await _World.read(client)
        for account_id, names in MONEY_OPERATIONS.items():
            plan = demo.simulated[account_id].faults  # type: ignore[attr-defined]
            for name in names:
                plan.add(Fault(FaultKind.AMBIGUOUS, name, probability=ambiguous))
                plan.add(Fault(FaultKind.DROP, name, probability=dropped))
                for delay in LATE_MS:
                    plan.add(Fault(FaultKind.LATENCY, name, delay, probability=late))
        since = datetime.now(UTC)
        left = operations

        async def one_client() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                kind, document = world.pick(picks)
                report.by_kind[kind] += 1
                answer = await _until_definite(client, document, report)
                if answer["__typename"].endswith("Payload"):
                    report.succeeded += 1
                    world.applied(kind, answer)
                else:
                    report.refused += 1
                    report.refusals[f"{answer['__typename']}:{answer.get('reason')}"] += 1
                if resends.random() < resend:  # a client that lost the gateway's answer asks again
                    report.resent += 1
                    again = await _until_definite(client, document, report)
                    assert again["__typename"] == answer["__typename"], (answer, again)

        async with asyncio.TaskGroup() as group:
            for _ in range(clients):
                group.create_task(one_client())
        for account_id in MONEY_OPERATIONS:
            plan = demo.simulated[account_id].faults  # type: ignore[attr-defined]
            plan.clear()
            report.ambiguous_injected += sum(n for (_, k), n in plan.injected.items() if k is FaultKind.AMBIGUOUS)
            report.drops_injected += sum(n for (_, k), n in plan.injected.items() if k is FaultKind.DROP)
            report.late_injected += sum(n for (_, k), n in plan.injected.items() if k is FaultKind.LATENCY)
            report.money_calls += counted[account_id].calls
        # A request still on its way (none should be: every operation is settled) lands within the settle
        # window, and then shows in the comparison.
        await asyncio.sleep(FAST_SETTLE.settle_seconds)
        audit = await _audit_trail(client, since)
        outcomes = Counter(entry["outcome"] for entry in audit)
        report.reconciled, report.replays = outcomes["RECONCILED"], outcomes["REPLAYED"]
        pended = {e["operationId"] for e in audit if e["outcome"] == "PENDING"}
        applied = {e["operationId"] for e in audit if e["outcome"] == "RECONCILED"} & pended
        not_applied = {e["operationId"] for e in audit if e["outcome"] == "NOT_APPLIED"} & pended
        report.pended, report.settled_applied, report.settled_not_applied = len(pended), len(applied), len(not_applied)
        report.unsettled = len(pended - applied - not_applied)
        report.mismatches = await world.compare(client, world.expected_from_audit(audit))
    report.seconds = time.monotonic() - started
    return report


class _MoneyCalls:
    """Counts the calls of an account's money operations its simulator receives (by the simulator's own
    operation names, as its fault plan sees them)."""

    def __init__(self, app: Any, account_id: str) -> None:
        self.app = app
        self.names = frozenset(MONEY_OPERATIONS[account_id])
        self.operation_of = huawei_operation_of if account_id.startswith("huawei") else aliyun_operation_of
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and self.operation_of(scope) in self.names:
            self.calls += 1
        await self.app(scope, receive, send)


async def _audit_trail(client: httpx.AsyncClient, since: datetime) -> list[dict[str, Any]]:
    """Every audit entry since ``since``, oldest first, read as an admin through ``auditLog``."""
    entries: list[dict[str, Any]] = []
    after = None
    while True:
        data = await _gql(
            client,
            """query($after: String, $since: DateTime) {
              auditLog(first: 100, after: $after, filter: {since: $since}) {
                pageInfo { hasNextPage endCursor }
                edges { node { id operation outcome input partnerAccount principal operationId } }
              }
            }""",
            "k-admin",
            after=after,
            since=since.isoformat(),
        )
        page = data["auditLog"]
        entries += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return sorted(entries, key=lambda entry: int(entry["id"]))
        after = page["pageInfo"]["endCursor"]


async def _gql(
    client: httpx.AsyncClient, document: str, api_key: str = "k-finance", **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": document, "variables": variables}, headers={"authorization": f"Bearer {api_key}"}
    )
    body: dict[str, Any] = response.json()
    if body.get("errors"):
        raise AssertionError(body["errors"])
    return body["data"]


async def _until_definite(client: httpx.AsyncClient, document: str, report: Report) -> dict[str, Any]:
    """Send ``document`` until its answer is definite, with the same key, backing off between tries."""
    delay, deadline = RETRY_FIRST, time.monotonic() + RETRY_DEADLINE
    for _ in range(RETRY_ATTEMPTS):
        report.attempts += 1
        data = await _gql(client, document)
        answer: dict[str, Any] = next(iter(data.values()))
        if not (
            answer["__typename"] == "UpstreamError"
            and (answer["pending"] or answer["retryable"])
            and answer["code"] != "PROVIDER_ERROR"
        ):
            return answer
        if time.monotonic() + delay > deadline:
            break
        await asyncio.sleep(delay)  # the same key again later: never a second effect
        delay = min(RETRY_LONGEST, delay * 2)
    raise AssertionError(f"no definite answer within {RETRY_DEADLINE:g} s or {RETRY_ATTEMPTS} attempts: {answer}")


def _money(amount: Decimal) -> str:
    return f'{{amount: "{amount}", currency: "CNY"}}'


def _mutation(name: str, args: str) -> str:
    selection = RESULTS[_FAMILY[name]]
    return f'mutation {{ {name}({args}, idempotencyKey: "{uuid.uuid4().hex}") {{ {selection} }} }}'


class _World:
    """The targets of the run and the state before it, read through the gateway."""

    def __init__(self) -> None:
        self.huawei_customers: list[str] = []
        self.aliyun_customers: list[str] = []
        self.resellers: list[str] = []
        self.quota: str = ""
        self.templates: list[str] = []
        self.issued_huawei: list[str] = []
        self.face_of: dict[str, Decimal] = {}
        """Face value of each voucher issued in the run, by native id: a reclaim gives it back to the quota."""
        self.before: dict[str, Any] = {}

    @classmethod
    async def read(cls, client: httpx.AsyncClient) -> _World:
        world = cls()
        data = await _gql(
            client,
            """{
              hw: customers(first: 100, filter: {provider: "huaweicloud", accountType: RESALE}) {
                edges { node { id nativeId } }
              }
              al: customers(first: 100, filter: {provider: "aliyun", accountType: CONSIGNMENT}) {
                edges { node { id } }
              }
              resellers(first: 10, filter: {provider: "huaweicloud"}) { edges { node { id } } }
              partners(provider: "huaweicloud") {
                edges { node { provider voucherQuotas(first: 10) { edges { node { nativeId status } } } } }
              }
              vouchers(first: 100, filter: {provider: "aliyun"}) { edges { node { sourceId } } }
            }""",
        )
        world.huawei_customers = [e["node"]["id"] for e in data["hw"]["edges"]][:12]
        world.aliyun_customers = [e["node"]["id"] for e in data["al"]["edges"]][:8]
        world.resellers = [e["node"]["id"] for e in data["resellers"]["edges"]]
        huawei = next(e["node"] for e in data["partners"]["edges"] if e["node"]["provider"] == "huaweicloud")
        world.quota = next(
            q["node"]["nativeId"] for q in huawei["voucherQuotas"]["edges"] if q["node"]["status"] == "ACTIVE"
        )
        world.templates = sorted({e["node"]["sourceId"] for e in data["vouchers"]["edges"]})
        world.before = await world.snapshot(client)
        return world

    def pick(self, rng: random.Random) -> tuple[str, str]:
        """One random operation: its kind and its GraphQL document (with a fresh idempotency key)."""
        roll = rng.random()
        cents = Decimal(rng.randrange(100, 2000)) / 100
        quarter = (cents / 4).quantize(Decimal("0.01"))
        customer, reseller = rng.choice(self.huawei_customers), rng.choice(self.resellers)
        if roll < 0.25:
            return "transferFunds", _mutation("transferFunds", f'customerId: "{customer}", amount: {_money(cents)}')
        if roll < 0.35:
            return "reclaimFunds", _mutation("reclaimFunds", f'customerId: "{customer}", amount: {_money(quarter)}')
        if roll < 0.45:
            args = f'resellerId: "{reseller}", amount: {_money(cents)}'
            return "allocateResellerFunds", _mutation("allocateResellerFunds", args)
        if roll < 0.50:
            args = f'resellerId: "{reseller}", amount: {_money(quarter)}'
            return "reclaimResellerFunds", _mutation("reclaimResellerFunds", args)
        if roll < 0.60:
            args = f'resellerId: "{reseller}", parentQuotaId: "{self.quota}", amount: {_money(cents)}'
            return "grantVoucherQuota", _mutation("grantVoucherQuota", args)
        if roll < 0.75:
            args = f'customerId: "{customer}", input: {{quotaId: "{self.quota}", faceValue: {_money(cents)}}}'
            return "issueVoucher:huaweicloud", _mutation("issueVoucher", args)
        if roll < 0.80 and self.issued_huawei:
            voucher = self.issued_huawei.pop(rng.randrange(len(self.issued_huawei)))
            return "reclaimVoucher", _mutation("reclaimVoucher", f'voucherId: "{voucher}"')
        consignment = rng.choice(self.aliyun_customers)
        if roll < 0.90:
            line = Decimal(rng.randrange(1, 500)) * 100
            return "setCreditLine", _mutation("setCreditLine", f'customerId: "{consignment}", amount: {_money(line)}')
        args = f'customerId: "{consignment}", input: {{templateId: "{rng.choice(self.templates)}"}}'
        return "issueVoucher:aliyun", _mutation("issueVoucher", args)

    def applied(self, kind: str, answer: dict[str, Any]) -> None:
        if kind == "issueVoucher:huaweicloud":
            for voucher in answer["vouchers"]:
                self.issued_huawei.append(voucher["id"])
                self.face_of[voucher["nativeId"]] = Decimal(voucher["faceValue"]["amount"])

    async def snapshot(self, client: httpx.AsyncClient) -> dict[str, Any]:
        data = await _gql(
            client,
            """query($hw: [ID!]!, $al: [ID!]!, $rs: [ID!]!) {
              hw: nodes(ids: $hw) { ... on Customer { nativeId funds { available { amount } } voucherCount } }
              al: nodes(ids: $al) { ... on Customer { nativeId creditLine { amount } vouchers { sourceId status } } }
              rs: nodes(ids: $rs) { ... on Reseller { nativeId funds { available { amount } } } }
              partners(provider: "huaweicloud") {
                edges {
                  node {
                    provider
                    balances { kind amount { amount } }
                    voucherQuotas(first: 20) { edges { node { nativeId remaining { amount } } } }
                  }
                }
              }
            }""",
            hw=self.huawei_customers,
            al=self.aliyun_customers,
            rs=self.resellers,
        )
        huawei = next(e["node"] for e in data["partners"]["edges"] if e["node"]["provider"] == "huaweicloud")
        return {
            "customer": {
                n["nativeId"]: Decimal(n["funds"]["available"]["amount"]) if n["funds"] else Decimal(0)
                for n in data["hw"]
            },
            "vouchers": {n["nativeId"]: n["voucherCount"] for n in data["hw"]},
            "reseller": {n["nativeId"]: Decimal(n["funds"]["available"]["amount"]) for n in data["rs"]},
            "allocatable": next(
                Decimal(b["amount"]["amount"]) for b in huawei["balances"] if b["kind"] == "ALLOCATABLE"
            ),
            "quota": next(
                Decimal(q["node"]["remaining"]["amount"])
                for q in huawei["voucherQuotas"]["edges"]
                if q["node"]["nativeId"] == self.quota
            ),
            "credit": {n["nativeId"]: n["creditLine"]["amount"] if n["creditLine"] else None for n in data["al"]},
            "coupons": {n["nativeId"]: Counter(v["sourceId"] for v in n["vouchers"]) for n in data["al"]},
        }

    def expected_from_audit(self, entries: list[dict[str, Any]]) -> dict[str, Any]:
        """The state the audit trail's successes imply, starting from the snapshot before the run."""
        before = self.before
        customer = defaultdict(Decimal, before["customer"])
        reseller = defaultdict(Decimal, before["reseller"])
        vouchers = Counter(before["vouchers"])
        coupons = {k: Counter(v) for k, v in before["coupons"].items()}
        credit = dict(before["credit"])
        allocatable, quota = before["allocatable"], before["quota"]
        for entry in entries:
            if entry["outcome"] not in ("SUCCEEDED", "RECONCILED"):
                continue
            data = entry["input"]
            amount = Decimal(data["amount"]["amount"]) if isinstance(data.get("amount"), dict) else Decimal(0)
            kind, provider = entry["operation"], entry["partnerAccount"]
            if kind == "transferFunds":
                customer[data["customer_id"]] += amount
                allocatable -= amount
            elif kind == "reclaimFunds":
                customer[data["customer_id"]] -= amount
                allocatable += amount
            elif kind == "allocateResellerFunds":
                reseller[data["reseller_id"]] += amount
                allocatable -= amount
            elif kind == "reclaimResellerFunds":
                reseller[data["reseller_id"]] -= amount
                allocatable += amount
            elif kind == "grantVoucherQuota":
                quota -= amount
            elif kind == "issueVoucher" and provider == "huaweicloud-demo":
                face = Decimal(data["face_value"]["amount"])
                vouchers[data["customer_id"]] += 1
                quota -= face
            elif kind == "issueVoucher":
                coupons.setdefault(data["customer_id"], Counter())[data["template_id"]] += 1
            elif kind == "setCreditLine":
                credit[data["customer_id"]] = data["amount"]["amount"]
            elif kind == "reclaimVoucher" and provider == "huaweicloud-demo":
                quota += self.face_of[data["voucher_id"]]
        return {
            "customer": dict(customer),
            "vouchers": dict(vouchers),
            "reseller": dict(reseller),
            "allocatable": allocatable,
            "quota": quota,
            "credit": credit,
            "coupons": coupons,
        }

    async def compare(self, client: httpx.AsyncClient, expected: dict[str, Any]) -> list[str]:
        actual = await self.snapshot(client)
        mismatches = []
        for name in ("customer", "vouchers", "reseller", "credit"):
            for key in set(expected[name]) | set(actual[name]):
                want, got = expected[name].get(key), actual[name].get(key)
                if name == "credit" and want is not None and got is not None:
                    want, got = Decimal(want), Decimal(got)
                if want != got:
                    mismatches.append(f"{name} {key}: simulator {got}, audit trail says {want}")
        for key in set(expected["coupons"]) | set(actual["coupons"]):
            if Counter(expected["coupons"].get(key, {})) != Counter(actual["coupons"].get(key, {})):
                mismatches.append(
                    f"aliyun coupons {key}: {actual['coupons'].get(key)} vs {expected['coupons'].get(key)}"
                )
        if expected["quota"] != actual["quota"]:
            mismatches.append(f"quota {self.quota}: simulator {actual['quota']}, audit trail says {expected['quota']}")
        if expected["allocatable"] != actual["allocatable"]:
            mismatches.append(
                f"allocatable: simulator {actual['allocatable']}, audit trail says {expected['allocatable']}"
            )
        return mismatches
