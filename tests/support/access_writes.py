"""The mutations of the access matrix (``tests/test_access_matrix.py``): one row per mutation, its cells,
and its replays by other principals.

A row names its mutation, what it acts on and who may do it; the document is built from the schema (every
argument a variable), so a row says only what its values are. A cell prepares its target (a voucher to
reclaim, a project to change: made by its owner, before the baseline), then asks. Allowed: the payload.
Forbidden: a typed refusal, and no upstream write sent (``Demo.counted``), both simulators as they were,
no accepted change in the audit trail and every project at its version.
"""

from __future__ import annotations

import contextlib
import dataclasses
import random
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from graphql import GraphQLObjectType, GraphQLUnionType, get_named_type

from gateway import rules
from gateway.events import new_event
from gateway.store import MEMORY_URL, open_store, sqlite_url
from tests.support.access_matrix import (
    ADMIN,
    COLUMNS,
    FINANCE,
    OTHER,
    OTHER_SALES,
    OWN,
    OWNERLESS,
    SALES_OTHER,
    SALES_OWN,
    SCHEMA,
    Answer,
    Column,
    Tally,
    selection,
    send,
    simulator_state,
    upstream_writes,
)
from tests.support.access_world import World, prepare
from tests.support.mutations_demo import ALIYUN, HUAWEI, OTHER_OWNER, SALES_OWNER, Demo, demo, key, partner_id

__all__ = ["SALES_REASONS", "WRITES", "Baseline", "Write", "dead_delivery", "write_row"]

NEVER, OWN_ONLY, ANY = "never", "own", "any"
PARENT_QUOTA = "Q9f74bcf0ee830296"  # the Huawei tier-1's first voucher quota (docs/simulator-huaweicloud.md)
REFUSALS = frozenset(
    {
        "RuleViolationError",
        "InvalidInputError",
        "IdempotencyConflictError",
        "UnsupportedError",
        "UpstreamError",
        "VersionConflictError",
        "ProjectRuleViolationError",
    }
)
#: Why a sales key may be refused: none of these says that another owner's object exists.
SALES_REASONS = frozenset({"NOT_FOUND", "ROLE_NOT_ALLOWED", "CUSTOMER_OF_ANOTHER_PARTNER"})
PAYLOADS = {
    "CustomerPayload": f"operation {{ operationId replayed }} customer {{ {selection('Customer', 0)} }}",
    "CreateCustomerPayload": "operation { operationId replayed } customerId invitationId customer { id owner }",
    "AssignmentPayload": "customer { id owner }",
    "ResellerPayload": "operation { operationId replayed } reseller { id name }",
    "VoucherPayload": "operation { operationId replayed } customer { id owner } vouchers { id status }",
    "ProjectPayload": "replayed project { id version owner history { kind actor } }",
    "TemplatePayload": "operation { operationId replayed } templateId applicationId",
    "WebhookDeliveryPayload": "delivery { id status attempts eventId }",
    "ResendInvitationsPayload": "items { status operation { operationId replayed } customer { id owner } "
    "refusal { __typename ... on MutationError { code message } ... on RuleViolationError { reason field } } }",
}
REFUSED = "... on MutationError { code message } ... on RuleViolationError { reason field }"
Values = Callable[[World, str, Column], dict[str, Any]]


def _tag() -> str:
    return uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class Write:
    """One mutation: what it acts on (``target``), who may (``sales``: never, on its own objects, or any
    sales key where nothing owned is involved; ``finance``), where, and its other values."""

    field: str
    target: str
    sales: str = NEVER
    finance: bool = True
    clouds: tuple[str, ...] = (ALIYUN, HUAWEI)
    values: Values | dict[str, Any] = field(default_factory=dict)
    prep: tuple[str, ...] = ()
    """Project changes: the changes (by an admin) that make this one valid."""
    batch: bool = False
    """A bulk mutation: one item per cell, its key inside the item; its outcome is the item's."""

    @property
    def store(self) -> bool:
        """Its demo keeps its store in a file the test writes to too (a webhook delivery to redeliver)."""
        return self.target == "delivery"

    @property
    def owned(self) -> bool:
        owned = ("customer", "invitation", "invitations", "voucher", "project", "new customer", "new project")
        return self.target in owned

    @property
    def columns(self) -> tuple[Column, ...]:
        return COLUMNS if self.owned else OWNERLESS

    def _field(self) -> Any:
        mutation = SCHEMA.get_type("Mutation")
        assert isinstance(mutation, GraphQLObjectType)
        return mutation.fields[self.field]

    @property
    def keyed(self) -> bool:
        return self.batch or "idempotencyKey" in self._field().args

    @property
    def payload(self) -> str:
        union = get_named_type(self._field().type)
        assert isinstance(union, GraphQLUnionType)
        (payload,) = (t.name for t in union.types if t.name.endswith("Payload"))
        return payload

    def document(self, variables: dict[str, Any]) -> str:
        args = self._field().args
        params = ", ".join(f"${name}: {args[name].type}" for name in variables)
        passed = ", ".join(f"{name}: ${name}" for name in variables)
        refused = "... on MutationError { code message }" if self.batch else REFUSED  # items carry the rest
        result = f"__typename ... on {self.payload} {{ {PAYLOADS[self.payload]} }} {refused}"
        return f"mutation({params}) {{ {self.field}({passed}) {{ {result} }} }}"

    def allowed(self, world: World, cloud: str, col: Column) -> bool:
        capability = rules.CAPABILITY_OF.get(self.field)
        if capability is not None and capability.value not in world.capabilities[cloud]:
            return False
        if col is OTHER_SALES:  # the other salesperson on its own objects
            return self.sales != NEVER
        if col is ADMIN:
            return True
        if col is FINANCE:
            return self.finance
        return self.sales == ANY or (self.sales == OWN_ONLY and col.side == OWN)


def _customer_input(world: World, cloud: str, col: Column) -> dict[str, Any]:
    tag = _tag()
    data: dict[str, Any] = {"partnerId": partner_id(cloud), "name": f"矩阵客户{tag}有限公司"}
    if cloud == ALIYUN:
        data |= {"accountType": "CONSIGNMENT", "email": f"m-{tag}@pg-test.cn"}
    else:
        data |= {"accountType": "RESALE", "accountName": f"pg_m_{tag}"}
    if col.sales and col.side == OTHER:
        data["owner"] = OTHER_OWNER  # for another owner: a sales key files for itself whatever it asks
    return {"input": data}


def _voucher_input(world: World, cloud: str, col: Column) -> dict[str, Any]:
    if cloud == ALIYUN:
        return {"input": {"templateId": world.template}}
    return {"input": {"quotaId": PARENT_QUOTA, "faceValue": {"amount": "8.00"}}}


def _money(amount: str) -> dict[str, Any]:
    return {"amount": {"amount": amount}}


CREATE_TEMPLATE = """mutation($input: VoucherTemplateInput!, $key: String!) {
  createVoucherTemplate(input: $input, idempotencyKey: $key) { ... on TemplatePayload { templateId } } }"""


def _template_input(world: World, cloud: str, col: Column) -> dict[str, Any]:
    return {
        "input": {
            "partnerId": partner_id(cloud),
            "name": f"矩阵券{_tag()}",
            "faceValue": {"amount": "20.00"},
            "validDays": 30,
            "reason": "矩阵测试",
        }
    }


def _new_application(gw: Demo) -> str:
    """A tier-2's new coupon application, pending (as if the tier-2 had just applied): each decision uses one."""
    (partner,) = gw.aliyun.state.partners.values()
    seeded = partner.tier2_applications[0]
    sheet = f"AS{uuid.uuid4().hex[:12].upper()}"
    receipts = [(seeded.receipts[0][0], Decimal("1.00"))]
    partner.tier2_applications.append(
        dataclasses.replace(seeded, sheet_id=sheet, status="PENDING", receipts=receipts, processed_at=None)
    )
    return sheet


WRITES = (
    Write("createCustomer", "new customer", sales=ANY, values=_customer_input),
    Write(
        "sendVerificationCode",
        "partner",
        sales=ANY,
        values=lambda w, c, col: {"phone": f"137{random.randrange(10**8):08d}"},
    ),
    Write("resendInvitation", "invitation", sales=OWN_ONLY),
    Write("resendInvitations", "invitations", sales=OWN_ONLY, clouds=(ALIYUN,), batch=True),
    Write("setCustomerFrozen", "customer", values=lambda w, c, col: {"frozen": col is not FINANCE}),
    Write("setCreditLine", "customer", values=_money("1234.00")),
    Write("setWarningThreshold", "customer", values=lambda w, c, col: {"percent": 70 if col is ADMIN else 85}),
    Write("setNewPurchaseBan", "customer", values=lambda w, c, col: {"banned": col is not FINANCE}),
    Write("setShutdownPolicy", "customer", values={"policy": "NO_STOP"}),
    Write("setAutomaticWriteOff", "customer", values=lambda w, c, col: {"enabled": col is ADMIN}),
    Write("transferFunds", "customer", values=_money("10.00")),
    Write("reclaimFunds", "customer", values=_money("1.00")),
    Write("addNote", "customer", sales=OWN_ONLY, values={"input": {"content": "矩阵回访"}}),
    Write(
        "assignCustomer",
        "customer",
        finance=False,
        values=lambda w, c, col: {"owner": "赵敏" if col is ADMIN else SALES_OWNER},
    ),
    Write(
        "inviteReseller",
        "new reseller",
        values=lambda w, c, col: {
            "input": {"partnerId": partner_id(c), "name": f"矩阵伙伴{_tag()}", "email": f"r-{_tag()}@pg-test.cn"}
        },
    ),
    Write("allocateResellerFunds", "reseller", values=_money("10.00")),
    Write("reclaimResellerFunds", "reseller", values=_money("1.00")),
    Write("grantVoucherQuota", "reseller", values={"parentQuotaId": PARENT_QUOTA, **_money("30.00")}),
    Write("reclaimVoucherQuota", "quota"),
    Write("issueVoucher", "customer", values=_voucher_input),
    Write("reclaimVoucher", "voucher"),
    Write("createVoucherTemplate", "new template", values=_template_input),
    Write("deleteVoucherTemplate", "template"),
    Write("decideVoucherApplication", "application", values={"approve": True, "comment": "矩阵审批"}),
    Write("fileProject", "new project", sales=OWN_ONLY),
    Write("recordProjectApproval", "project", sales=OWN_ONLY, clouds=(ALIYUN,), values={"approved": True}),
    Write("confirmProject", "project", sales=OWN_ONLY, clouds=(ALIYUN,), prep=("approve",)),
    Write(
        "advanceProject",
        "project",
        sales=OWN_ONLY,
        clouds=(ALIYUN,),
        prep=("approve", "confirm"),
        values={"to": "CONFIRMED_OPPORTUNITY"},
    ),
    Write("closeProjectLost", "project", sales=OWN_ONLY, clouds=(ALIYUN,), values={"reason": "预算取消"}),
    Write("setProjectWinRate", "project", sales=OWN_ONLY, values={"winRate": "40"}),
    Write(
        "linkProjectOpportunity",
        "project",
        sales=OWN_ONLY,
        clouds=(ALIYUN,),
        values=lambda w, c, col: {"opportunityId": f"20261122{random.randrange(10**8):08d}"},  # one project each
    ),
    Write("setProjectFlags", "project", sales=OWN_ONLY, values={"thirdParty": True, "bid": True}),
    Write("addProjectConfiguration", "project", sales=OWN_ONLY, values={"name": "矩阵配置单"}),
    Write(
        "setProjectConfigurationStatus",
        "project",
        sales=OWN_ONLY,
        prep=("configure",),
        values={"number": 1, "status": "SUBMITTED"},
    ),
    Write("redeliverWebhook", "delivery", finance=False, clouds=(ALIYUN,)),  # admins only; no cloud involved
)


# -- targets: found in the world, or made by their owner before the baseline ----------------------------------------

ISSUE = """mutation($id: ID!, $input: IssueVoucherInput!, $key: String!) {
  issueVoucher(customerId: $id, input: $input, idempotencyKey: $key) { ... on VoucherPayload { vouchers { id } } } }"""
GRANT = """mutation($id: ID!, $parent: String!, $key: String!) {
  grantVoucherQuota(resellerId: $id, parentQuotaId: $parent, amount: {amount: "30.00"}, idempotencyKey: $key) {
    ... on ResellerPayload { operation { upstreamIds } } } }"""
FILE = """mutation($id: ID!, $key: String!) {
  fileProject(input: {customerId: $id, name: "待变更项目"}, idempotencyKey: $key) {
    ... on ProjectPayload { project { id version } } } }"""
STEP = "mutation($id: ID!, $v: Int!) {{ {step} {{ ... on ProjectPayload {{ project {{ version }} }} }} }}"
STEPS = {
    "approve": "recordProjectApproval(projectId: $id, version: $v, approved: true)",
    "confirm": "confirmProject(projectId: $id, version: $v)",
    "configure": 'addProjectConfiguration(projectId: $id, version: $v, name: "矩阵配置单")',
}


async def _target(gw: Demo, world: World, row: Write, cloud: str, col: Column) -> dict[str, Any]:
    customer = world.customers[cloud, col.side]
    if row.target == "customer":
        return {"customerId": customer.id}
    if row.target == "new project":
        return {"input": {"customerId": customer.id, "name": f"矩阵项目{_tag()}"}}
    if row.target in ("invitation", "invitations"):
        # Past the upstream's limit of 10 e-mails in 5 minutes (a rate limit, not what the matrix is about).
        gw.aliyun.state.advance(timedelta(minutes=5))
        if row.batch:
            return {"items": [{"customerId": world.invitations[col.side].id, "idempotencyKey": key()}]}
        return {"partnerId": partner_id(cloud), "invitationId": world.invitations[col.side].native}
    if row.target == "partner":
        return {"partnerId": partner_id(cloud)}
    if row.target == "reseller":
        return {"resellerId": world.resellers[cloud].id}
    if row.target == "quota":
        quota = "Q0000000000000000"
        if cloud == HUAWEI:
            granted = await gw.one(GRANT, id=world.resellers[cloud].id, parent=PARENT_QUOTA, key=key())
            [quota] = granted["operation"]["upstreamIds"]
        return {"partnerId": partner_id(cloud), "quotaId": quota}
    if row.target == "voucher":
        issued = await gw.one(ISSUE, id=customer.id, key=key(), **_voucher_input(world, cloud, col))
        return {"voucherId": issued["vouchers"][0]["id"]}
    if row.target == "project":
        owner_key = "k-sales" if col.side == OWN else "k-sales-other"
        project = (await gw.one(FILE, owner_key, id=customer.id, key=key()))["project"]
        for step in row.prep:  # by an admin
            changed = await gw.one(STEP.format(step=STEPS[step]), id=project["id"], v=project["version"])
            project["version"] = changed["project"]["version"]
        return {"projectId": project["id"], "version": project["version"]}
    if row.target == "template":
        template = "1"
        if cloud == ALIYUN:  # a template of its own for each cell: deleting one uses it up
            made = await gw.one(CREATE_TEMPLATE, input=_template_input(world, cloud, col)["input"], key=key())
            template = made["templateId"]
        return {"partnerId": partner_id(cloud), "templateId": template}
    if row.target == "delivery":
        return {"deliveryId": await dead_delivery(gw.store_url)}
    if row.target == "application":
        sheet = _new_application(gw) if cloud == ALIYUN else "AS-none"
        return {"partnerId": partner_id(cloud), "applicationId": sheet}
    assert row.target in ("new customer", "new reseller", "new template"), row.target
    return {}


async def _variables(gw: Demo, world: World, row: Write, cloud: str, col: Column) -> dict[str, Any]:
    values = row.values(world, cloud, col) if callable(row.values) else row.values
    keyed = row.keyed and not row.batch  # a batch's keys are in its items
    return {**await _target(gw, world, row, cloud, col), **values, **({"idempotencyKey": key()} if keyed else {})}


def _result(row: Write, answer: Answer) -> dict[str, Any]:
    """The mutation's result; a batch's, as its one item's: the payload's shape if applied, else its refusal."""
    result = answer.one()
    if not row.batch or result.get("__typename") != row.payload:
        return result
    [item] = result["items"]
    if item["status"] == "APPLIED":
        return {"__typename": row.payload, "operation": item["operation"], "customer": item["customer"]}
    refusal: dict[str, Any] = item["refusal"]
    return refusal


async def dead_delivery(store_url: str) -> str:
    """A webhook delivery that failed its last attempt (DEAD), put in the demo's store: its id."""
    store = await open_store(store_url)
    try:
        now = datetime.now(UTC)
        [added] = await store.add_events([new_event("customer.created", f"customer/matrix/{_tag()}", {})])
        await store.queue_webhook_deliveries("matrix", [added], now)
        [(delivery, _)] = await store.claim_webhook_deliveries("matrix", "matrix", now, now + timedelta(minutes=1), 1)
        failed = {"attempts": 1, "dead": True, "retry_at": now, "status": 500, "error": "HTTP 500"}
        assert await store.webhook_attempt_failed(delivery.id, "matrix", now, **failed)
        return str(delivery.id)
    finally:
        await store.close()


def _key_of(row: Write, variables: dict[str, Any]) -> str:
    return str(variables["items"][0]["idempotencyKey"] if row.batch else variables["idempotencyKey"])


def _with_key(row: Write, variables: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    if row.batch:
        return {**variables, "items": [{**variables["items"][0], "idempotencyKey": idempotency_key}]}
    return {**variables, "idempotencyKey": idempotency_key}


GATEWAY = """{ auditLog(first: 10) { totalCount nodes { operation outcome } }
  projects(first: 100) { nodes { id version } }
  webhookDeliveries(first: 100) { nodes { id status attempts nextAttemptAt } } }"""
#: Audit outcomes of a write that was carried out (or answered from an earlier one).
ACCEPTED = frozenset({"SUCCEEDED", "RECONCILED", "REPLAYED"})


@dataclass
class Baseline:
    """What a forbidden write must leave as it was: the upstream writes sent, both simulators' state, every
    project's version, and no audit entry since that shows a write carried out (or replayed)."""

    writes: dict[str, int]
    state: str
    gateway: dict[str, Any]

    @classmethod
    async def of(cls, gw: Demo) -> Baseline:
        return cls(upstream_writes(gw), simulator_state(gw), await gw.ask(GATEWAY))

    async def changed(self, gw: Demo) -> str | None:
        after = await Baseline.of(gw)
        sent = {a: n - self.writes[a] for a, n in after.writes.items() if n != self.writes[a]}
        if sent:
            return f"upstream writes sent: {sent}"
        if after.state != self.state:
            return "a simulator's state changed"
        log = after.gateway["auditLog"]
        new = log["nodes"][: log["totalCount"] - self.gateway["auditLog"]["totalCount"]]
        if any(entry["outcome"] in ACCEPTED for entry in new):
            return f"the audit trail shows it carried out: {new}"
        if after.gateway["projects"] != self.gateway["projects"]:
            return "a project changed"
        if after.gateway["webhookDeliveries"] != self.gateway["webhookDeliveries"]:
            return "a webhook delivery changed"
        return None


async def _refusal(
    gw: Demo, answer: Answer, row: Write, col: Column, baseline: Baseline
) -> tuple[list[str], str | None]:
    """What is wrong with an answer that must be a refusal, and what it accepted if it did."""
    result, wrong = _result(row, answer), []
    typename = result.get("__typename")
    accepted = f"answered {typename}" if typename == row.payload else await baseline.changed(gw)
    if typename != row.payload and typename not in REFUSALS:
        wrong.append(f"not a typed refusal: {answer.text[:300]}")
    if col.sales and typename == "RuleViolationError" and result["reason"] not in SALES_REASONS:
        wrong.append(f"refused for {result['reason']}: {result['message']}")
    return wrong, accepted


async def _owner_recorded(gw: Demo, result: dict[str, Any]) -> list[str]:
    """A customer a sales key creates is its own (the gateway's assignment, audited), whatever it asked for."""
    log = await gw.ask('{ auditLog(first: 1, filter: {operation: "assignCustomer"}) { nodes { input operationId } } }')
    [entry] = log["auditLog"]["nodes"] or [{"input": {}, "operationId": None}]
    if (entry["input"].get("owner"), entry["operationId"]) != (SALES_OWNER, result["operation"]["operationId"]):
        return [f"the new customer's owner is recorded as {entry}"]
    return []


async def _cell(gw: Demo, world: World, tally: Tally, row: Write, cloud: str, col: Column) -> None:
    variables = await _variables(gw, world, row, cloud, col)
    document = row.document(variables)
    allowed = row.allowed(world, cloud, col)
    baseline = None if allowed else await Baseline.of(gw)  # what a forbidden write must leave as it was
    answer = await send(gw, document, col.api_key, **variables)
    wrong, accepted = [], None
    if baseline is None:
        result = _result(row, answer)
        if result.get("__typename") != row.payload:
            wrong.append(f"refused: {answer.text[:400]}")
        elif col.sales and row.field == "createCustomer":
            wrong += await _owner_recorded(gw, result)
    else:
        wrong, accepted = await _refusal(gw, answer, row, col, baseline)
    if col is FINANCE:  # contact details reach finance masked, in payloads too
        contacts = {c for t in world.customers.values() for c in (t.email, t.phone) if c}
        wrong += [f"finance sees {c} unmasked" for c in sorted(contacts) if c in answer.text]
    leaks = world.leaks(answer, document, variables, ids=not allowed) if col.sales else []
    verdict = "allowed" if allowed else "forbidden"
    tally.cell(f"{row.field} on {cloud} [{col.name}, {verdict}]", leaks=leaks, accepted=accepted, wrong=wrong)


async def write_row(row: Write, tally: Tally) -> None:
    """Every cell of a mutation, then its replays, in a demo of its own: the forbidden cells first, so each
    allowed one, which changes state, comes after every check that nothing changed."""
    async with contextlib.AsyncExitStack() as stack:
        store_url = sqlite_url(stack.enter_context(tempfile.TemporaryDirectory())) if row.store else MEMORY_URL
        gw = await stack.enter_async_context(demo(store_url=store_url))
        world = await prepare(gw, make=row.target in ("invitation", "invitations"))
        cells = [(cloud, col) for cloud in row.clouds for col in row.columns]
        cells.sort(key=lambda cell: row.allowed(world, *cell))
        for cloud, col in cells:
            await _cell(gw, world, tally, row, cloud, col)
        for cloud in row.clouds:
            for first, second in PAIRS:
                if row.allowed(world, cloud, first):
                    await _replay(gw, world, tally, row, cloud, first, second)
            if row.keyed:
                await _other_input(gw, world, tally, row, cloud)


# -- replays: another principal, the same document, the same key -----------------------------------------------------

#: (A, B): A writes with key K; B sends the same document with K. The other salesperson acts on its own objects.
PAIRS = ((ADMIN, SALES_OTHER), (ADMIN, FINANCE), (FINANCE, ADMIN), (OTHER_SALES, SALES_OTHER))


def _receipt(result: dict[str, Any]) -> tuple[bool, str] | None:
    """Whether an answer is a replay, and whose outcome it is (its operation, or the project it made)."""
    if "operation" in result:
        return result["operation"]["replayed"], result["operation"]["operationId"]
    if "replayed" in result:
        return result["replayed"], result["project"]["id"]
    return None


async def _replay(gw: Demo, world: World, tally: Tally, row: Write, cloud: str, first: Column, second: Column) -> None:
    variables = await _variables(gw, world, row, cloud, first)
    document = row.document(variables)
    answer = _result(row, await send(gw, document, first.api_key, **variables))
    name = f"{row.field} on {cloud}: {second.name} replays {first.name}'s"
    if answer.get("__typename") != row.payload:
        tally.cell(name, wrong=[f"the first write was refused: {answer}"])
        return
    fresh = row.keyed and row.allowed(world, cloud, second)
    baseline = None if fresh else await Baseline.of(gw)  # what a refused replay must leave as it was
    again = await send(gw, document, second.api_key, **variables)
    result = _result(row, again)
    wrong, accepted = [], None
    if result.get("__typename") == "IdempotencyConflictError":
        wrong.append("another principal's key conflicts: it says the key was used")
    if baseline is None:  # fresh: its own outcome, a new write or the upstream's own refusal of it
        if result.get("__typename") not in (row.payload, "UpstreamError"):
            wrong.append(f"not a fresh outcome: {again.text[:300]}")
        mine, theirs = _receipt(result), _receipt(answer)
        if mine is not None and theirs is not None and (mine[0] or mine[1] == theirs[1]):
            wrong.append(f"got the first principal's outcome: {mine}")
    else:
        wrong, accepted = await _refusal(gw, again, row, second, baseline)
    leaks = world.leaks(again, document, variables, ids=not fresh) if second.sales else []
    tally.cell(name, leaks=leaks, accepted=accepted, wrong=wrong)


async def _other_input(gw: Demo, world: World, tally: Tally, row: Write, cloud: str) -> None:
    """The sales key sends a key the admin used with input of its own: just another key of its own."""
    first = await _variables(gw, world, row, cloud, ADMIN)
    await send(gw, row.document(first), "k-admin", **first)  # the admin's key: applied, or tried and refused
    variables = _with_key(row, await _variables(gw, world, row, cloud, SALES_OWN), _key_of(row, first))
    document = row.document(variables)
    baseline = await Baseline.of(gw)
    answer = await send(gw, document, "k-sales", **variables)
    result, wrong, accepted = _result(row, answer), [], None
    if row.allowed(world, cloud, SALES_OWN):
        if result.get("__typename") != row.payload or (_receipt(result) or (True, ""))[0]:
            wrong.append(f"not its own fresh outcome: {answer.text[:300]}")
    else:
        wrong, accepted = await _refusal(gw, answer, row, SALES_OWN, baseline)
    leaks = world.leaks(answer, document, variables, ids=not row.allowed(world, cloud, SALES_OWN))
    tally.cell(
        f"{row.field} on {cloud}: sales sends the admin's key with its own input",
        leaks=leaks,
        accepted=accepted,
        wrong=wrong,
    )
