"""Role × operation: every query and mutation of the schema, asked by an admin, a finance user, the sales key
about its own customer's objects and the same key about another owner's, over both simulators.

Allowed cells answer with the data or the payload. Forbidden ones answer with a typed refusal, or null (with
FORBIDDEN where a field is not for the role), and then no upstream write was sent, the simulators hold what
they held, the audit trail shows nothing carried out and every project is at its version. No answer to a
sales key holds anything of another owner (``tests/support/access_world.py`` says what that means).
Another principal sending the same document with the same idempotency key never gets the first one's
outcome. The schema's fields are enumerated: a query, mutation or nested field with no row fails.

The rows are here: reads below (``READS``), mutations in ``tests/support/access_writes.py`` (``WRITES``).
Each test prints its count of cells, leaks and writes accepted where forbidden; the module its total.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from gateway.store import sqlite_url
from tests.support.access_matrix import (
    ADMIN,
    COLUMNS,
    FINANCE,
    OTHER,
    OTHER_SALES,
    OWN,
    OWNERLESS,
    SALES,
    SALES_OWN,
    Answer,
    Column,
    Tally,
    nested_fields,
    node_types,
    root_fields,
    selection,
    send,
)
from tests.support.access_reads import (
    NODE,
    ask,
    customer_node,
    listed,
    nodes_answer,
    owned_node,
    partner_node,
    partners_answer,
    project_node,
    refused,
    reseller_node,
    same_as,
    stray_errors,
)
from tests.support.access_world import World, prepare
from tests.support.access_writes import SALES_REASONS, WRITES, Baseline, Write, dead_delivery, write_row
from tests.support.mutations_demo import ALIYUN, HUAWEI, OTHER_OWNER, SALES_OWNER, Demo, demo, key, partner_id

pytestmark = pytest.mark.anyio

CLOUDS = (ALIYUN, HUAWEI)
Row = Callable[[Demo, World, Tally], Awaitable[None]]
READS: dict[str, Row] = {}


def reads(field: str) -> Callable[[Row], Row]:
    """The row of the query field ``field``."""

    def register(row: Row) -> Row:
        READS[field] = row
        return row

    return register


#: For each type with a global id: the fields that reach past its own scalars (the schema's, enumerated by
#: ``nested_fields``), and the rows that select every one of them (``selection``) and check them per column.
NESTED: dict[str, tuple[set[str], tuple[str, ...]]] = {
    "Customer": (
        {
            "email",
            "phone",
            "partner",
            "funds",
            "balance",
            "creditLine",
            "vouchers",
            "orders",
            "notes",
            "creditHistory",
            "consumption",
        },
        ("node",),
    ),
    "Order": ({"partner", "customer", "listPrice", "amountDue", "discount", "voucherAmount"}, ("node", "orders")),
    "Voucher": ({"partner", "customer", "faceValue", "remaining"}, ("node", "vouchers")),
    "Project": ({"partner", "customer", "history", "orders", "configurations"}, ("node", "projects")),
    "Reseller": (
        {
            "email",
            "phone",
            "partner",
            "funds",
            "voucherQuotas",
            "fundMovements",
            "quotaMovements",
            "customers",
            "performance",
        },
        ("node", "resellers"),
    ),
    "Partner": (
        {
            "balances",
            "voucherQuotas",
            "ledger",
            "quotaMovements",
            "customers",
            "resellers",
            "vouchers",
            "orders",
            "voucherTemplates",
            "voucherApplications",
            "voucherApplication",
            "voucherRecords",
            "ownVouchers",
            "incentivePolicies",
            "commissionableProducts",
            "renewalRates",
            "billFiles",
            "consumption",
            "program",
        },
        ("node", "partners"),
    ),
    "VoucherQuota": ({"total", "remaining"}, ("node", "partners")),
}


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def overall() -> Iterator[Tally]:
    tally = Tally("the whole module")
    yield tally
    print(tally.report())


@pytest.fixture(scope="module")
async def shared(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Demo, World]]:
    """One demo (with the tier accounts: four partners) for every read cell: reads change nothing. Its store is a
    file, where a webhook delivery is put for the admins' list."""
    async with demo(tiers=True, store_url=sqlite_url(tmp_path_factory.mktemp("matrix-store"))) as gw:
        world = await prepare(gw)
        await dead_delivery(gw.store_url)
        yield gw, world


# -- the tests ------------------------------------------------------------------------------------------------------


def test_every_query_mutation_and_nested_field_has_a_row() -> None:
    assert root_fields("Query") == set(READS), "a query without a row (or a row without a query)"
    assert root_fields("Mutation") == {w.field for w in WRITES}, "a mutation without a row (or a row without one)"
    assert node_types() == set(NESTED), "a type with a global id without a row"
    for type_name, (fields, rows) in NESTED.items():
        assert nested_fields(type_name) == fields, f"{type_name}: a nested field without a row"
        assert set(rows) <= set(READS)


async def test_queries_and_nested_fields(shared: tuple[Demo, World], overall: Tally) -> None:
    gw, world = shared
    tally = Tally("queries and nested fields")
    for row in READS.values():
        await row(gw, world, tally)
    overall.add(tally)
    tally.assert_clean()


@pytest.mark.parametrize("row", WRITES, ids=[w.field for w in WRITES])
async def test_mutations_and_replays(row: Write, overall: Tally) -> None:
    tally = Tally(row.field)
    await write_row(row, tally)
    overall.add(tally)
    tally.assert_clean()


# -- reads: one object by its global id ------------------------------------------------------------------------------


@reads("node")
async def node_row(gw: Demo, world: World, tally: Tally) -> None:
    for cloud in CLOUDS:
        for col in COLUMNS:
            customer = world.customers[cloud, col.side]
            document = NODE.format(type="Customer", selection=selection("Customer", 2, costly=True))
            check = partial(customer_node, col=col, world=world, cloud=cloud)
            await ask(gw, world, tally, f"node(Customer) {cloud}", col, document, check, id=customer.id)
            for kind, things in (("Order", world.orders), ("Voucher", world.vouchers)):
                target = things[cloud, col.side]
                document = NODE.format(type=kind, selection=selection(kind, 1))
                check = partial(owned_node, col=col, want=target.id)
                await ask(gw, world, tally, f"node({kind}) {cloud}", col, document, check, id=target.id)
            project = world.projects[cloud, col.side]
            document = NODE.format(type="Project", selection=selection("Project", 2))
            check = partial(project_node, col=col, world=world, cloud=cloud)
            await ask(gw, world, tally, f"node(Project) {cloud}", col, document, check, id=project.id)
        for col in OWNERLESS:
            document = NODE.format(type="Reseller", selection=selection("Reseller", 2, costly=True))
            check = partial(reseller_node, col=col, world=world, cloud=cloud)
            await ask(gw, world, tally, f"node(Reseller) {cloud}", col, document, check, id=world.resellers[cloud].id)
    for account in world.capabilities:
        for col in OWNERLESS:
            document = NODE.format(type="Partner", selection=selection("Partner", 2, costly=True))
            check = partial(partner_node, col=col, world=world, want=partner_id(account))
            await ask(gw, world, tally, f"node(Partner) {account}", col, document, check, id=partner_id(account))


@reads("nodes")
async def nodes_row(gw: Demo, world: World, tally: Tally) -> None:
    owned = (world.customers, world.orders, world.vouchers, world.projects)
    mine = [t[c, OWN].id for t in owned for c in CLOUDS]
    theirs = [t[c, OTHER].id for t in owned for c in CLOUDS] + [world.resellers[c].id for c in CLOUDS]
    ids = [*mine, *theirs, partner_id(ALIYUN)]
    document = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Node { id } } }"
    for col in OWNERLESS:
        visible = [None if col.sales and i in theirs else i for i in ids]
        check = partial(nodes_answer, col=col, visible=visible)
        await ask(gw, world, tally, "nodes", col, document, check, ids=ids)


# -- reads: the lists ------------------------------------------------------------------------------------------------


@reads("partners")
async def partners_row(gw: Demo, world: World, tally: Tally) -> None:
    # Every nested list at pages of 5: each partner's lists hold customers with lists of their own.
    document = f"{{ partners {{ totalCount nodes {{ {selection('Partner', 3, first=5)} }} }} }}"
    for col in OWNERLESS:
        await ask(gw, world, tally, "partners", col, document, partial(partners_answer, col=col, world=world))


@reads("customers")
async def customers_row(gw: Demo, world: World, tally: Tally) -> None:
    document = """query($filter: CustomerFilterInput) {
      customers(first: 100, filter: $filter) { totalCount nodes { id owner } } }"""
    other = world.customers[HUAWEI, OTHER]
    own_invitation, invitations = {world.invitations[OWN].id}, {world.invitations[s].id for s in (OWN, OTHER)}
    for col in OWNERLESS:
        sales = col.sales
        cases: list[tuple[str, dict[str, Any], int | None, set[str] | None]] = [
            ("all", {}, world.counts["own customers" if sales else "customers"], None),
            ("INVITED", {"status": "INVITED"}, 1 if sales else None, own_invitation if sales else None),
            ("of the other owner", {"owner": OTHER_OWNER}, 0 if sales else world.counts["other customers"], None),
            ("by the other's name", {"search": world.customers[ALIYUN, OTHER].name}, 0 if sales else None, None),
            ("by the other's e-mail", {"search": other.email}, 0 if sales else None, None),
            ("by the other's id", {"search": other.native}, 0 if sales else None, None),
        ]
        for name, where, count, mine in cases[: 2 if col is FINANCE else None]:  # finance sees as admins do
            check = partial(listed, col=col, field="customers", count=count, mine=mine)
            answer = await ask(gw, world, tally, f"customers({name})", col, document, check, filter=where)
            if (
                name == "INVITED"
                and not sales
                and not invitations <= {n["id"] for n in answer.data["customers"]["nodes"]}
            ):
                tally.cell(f"customers(INVITED) [{col.name}]", wrong=["an invitation is missing"])


@reads("resellers")
async def resellers_row(gw: Demo, world: World, tally: Tally) -> None:
    document = f"{{ resellers(first: 100) {{ totalCount nodes {{ {selection('Reseller', 1)} }} }} }}"
    for col in OWNERLESS:
        check = refused if col.sales else partial(listed, col=col, field="resellers", count=world.counts["resellers"])
        await ask(gw, world, tally, "resellers", col, document, check)


@reads("vouchers")
async def vouchers_row(gw: Demo, world: World, tally: Tally) -> None:
    await catalog(gw, world, tally, "vouchers", "VoucherFilterInput")


@reads("orders")
async def orders_row(gw: Demo, world: World, tally: Tally) -> None:
    await catalog(gw, world, tally, "orders", "OrderFilterInput")


async def catalog(gw: Demo, world: World, tally: Tally, field: str, filter_type: str) -> None:
    """Vouchers or orders: a sales key's customers' only, even when it asks for another owner's customer's."""
    document = f"""query($filter: {filter_type}) {{ {field}(first: 100, filter: $filter) {{
      totalCount nodes {{ {selection(field[:-1].capitalize(), 1)} }} }} }}"""
    for col in OWNERLESS:
        check = partial(listed, col=col, field=field, count=world.counts[f"own {field}" if col.sales else field])
        await ask(gw, world, tally, f"{field}(all)", col, document, check, filter={})
        for cloud in CLOUDS if col is not FINANCE else ():  # finance sees as admins do
            customer = world.customers[cloud, OTHER]
            where = {"partnerIds": [partner_id(cloud)], "customerId": customer.native}
            check = partial(
                listed, col=col, field=field, count=0 if col.sales else world.counts[f"{field} of {customer.id}"]
            )
            await ask(gw, world, tally, f"{field}(the other's customer, {cloud})", col, document, check, filter=where)


@reads("consumption")
async def consumption_row(gw: Demo, world: World, tally: Tally) -> None:
    """Everyone's figures to admins and finance; the sales key's own customers' only to it."""
    document = """{ consumption { totals { amount { amount currency } source } partners { id }
      topCustomers(first: 100) { nativeId amount { amount } partner { id } customer { id owner name } } } }"""
    expected = await send(gw, document, "k-admin")
    every = expected.data["consumption"]
    assert every["topCustomers"], expected.text
    for col in OWNERLESS:

        def check(answer: Answer, col: Column = col) -> list[str]:
            wrong = stray_errors(answer, col)
            found = (answer.data or {}).get("consumption") or {}
            customers = found.get("topCustomers") or []
            if not col.sales:
                return wrong + ([] if found == every else [f"differs from the admin's: {answer.text[:300]}"])
            if not customers or any(c["customer"]["owner"] != SALES_OWNER for c in customers):
                wrong.append(f"not only its own customers: {answer.text[:300]}")
            if found.get("totals") == every["totals"]:
                wrong.append("the sales key's totals are everyone's")
            return wrong

        await ask(gw, world, tally, "consumption", col, document, check)


@reads("projects")
async def projects_row(gw: Demo, world: World, tally: Tally) -> None:
    document = f"""query($filter: ProjectFilterInput) {{ projects(filter: $filter) {{
      totalCount nodes {{ {selection("Project", 1)} }} }} }}"""
    own = {world.projects[c, OWN].id for c in CLOUDS}
    every = own | {world.projects[c, OTHER].id for c in CLOUDS}
    other, customer = world.projects[ALIYUN, OTHER], world.customers[ALIYUN, OTHER]
    for col in OWNERLESS:
        none_for_sales = set() if col.sales else {other.id}
        cases = [
            ("all", {}, own if col.sales else every),
            ("of the other owner", {"owner": OTHER_OWNER}, set() if col.sales else every - own),
            ("of the other's customer", {"customerId": customer.native}, none_for_sales),
            ("by the other's name", {"search": other.name}, none_for_sales),
        ]
        for name, where, mine in cases[: 1 if col is FINANCE else None]:  # finance sees as admins do
            check = partial(listed, col=col, field="projects", count=len(mine), mine=mine)
            await ask(gw, world, tally, f"projects({name})", col, document, check, filter=where)


# -- reads: no owner (reference data), or the admins' own ------------------------------------------------------------


@reads("capabilities")
async def capabilities_row(gw: Demo, world: World, tally: Tally) -> None:
    document = "{ capabilities { provider title operations } }"
    expected = await send(gw, document, "k-admin")
    assert expected.data["capabilities"], expected.text
    for col in OWNERLESS:
        await ask(gw, world, tally, "capabilities", col, document, partial(same_as, expected=expected))


@reads("viewer")
async def viewer_row(gw: Demo, world: World, tally: Tally) -> None:
    # Each principal is told who it is, and nothing of another's.
    document = "{ viewer { name role owner movesMoney } }"
    expected = {
        ADMIN.name: {"name": "admin", "role": "ADMIN", "owner": None, "movesMoney": True},
        FINANCE.name: {"name": "finance", "role": "FINANCE", "owner": None, "movesMoney": True},
        SALES.name: {"name": "wang.fang", "role": "SALES", "owner": SALES_OWNER, "movesMoney": False},
    }

    def check(answer: Answer, col: Column) -> list[str]:
        got = (answer.data or {}).get("viewer")
        return [] if got == expected[col.name] and not answer.errors else [f"viewer: {answer.text[:300]}"]

    for col in OWNERLESS:
        await ask(gw, world, tally, "viewer", col, document, partial(check, col=col))


@reads("regions")
async def regions_row(gw: Demo, world: World, tally: Tally) -> None:
    document = "query($p: String!, $level: RegionLevel!) { regions(provider: $p, level: $level) { code name level } }"
    for provider, level in (("aliyun", "COUNTRY"), ("huaweicloud", "PROVINCE")):
        expected = await send(gw, document, "k-admin", p=provider, level=level)
        assert expected.data["regions"], expected.text
        for col in OWNERLESS:
            check = partial(same_as, expected=expected)
            await ask(gw, world, tally, f"regions({provider})", col, document, check, p=provider, level=level)


@reads("priceQuote")
async def price_quote_row(gw: Demo, world: World, tally: Tally) -> None:
    document = """query($partner: ID!) { priceQuote(partnerId: $partner, customerProjectId: "project-1", items: [{
      region: "cn-north-1", serviceType: "hws.service.type.ec2", resourceType: "hws.resource.type.vm",
      resourceSpec: "s6.small.1.linux", usageValue: "10"}]) {
        listPrice { amount } discount { amount } amount { amount } } }"""
    for cloud in CLOUDS:
        expected = await send(gw, document, "k-admin", partner=partner_id(cloud))
        assert bool(expected.data["priceQuote"]) == (cloud == HUAWEI), expected.text  # Aliyun has no price inquiry
        for col in OWNERLESS:
            check = partial(same_as, expected=expected)
            await ask(gw, world, tally, f"priceQuote({cloud})", col, document, check, partner=partner_id(cloud))


@reads("catalogue")
async def catalogue_row(gw: Demo, world: World, tally: Tally) -> None:
    document = "query($p: String!) { catalogue(provider: $p, kind: SERVICE_TYPES) { code name } }"
    for provider in ("aliyun", "huaweicloud"):
        expected = await send(gw, document, "k-admin", p=provider)
        assert bool(expected.data["catalogue"]) == (provider == "huaweicloud"), expected.text  # Aliyun has none
        for col in OWNERLESS:
            check = partial(same_as, expected=expected)
            await ask(gw, world, tally, f"catalogue({provider})", col, document, check, p=provider)


@reads("auditLog")
async def audit_log_row(gw: Demo, world: World, tally: Tally) -> None:
    document = "{ auditLog(first: 100) { totalCount nodes { id principal operation outcome input } } }"
    for col in OWNERLESS:
        check = partial(listed, col=col, field="auditLog", count=None) if col is ADMIN else refused
        await ask(gw, world, tally, "auditLog", col, document, check)


@reads("pendingOperations")
async def pending_operations_row(gw: Demo, world: World, tally: Tally) -> None:
    """Admins only, like the audit trail (who sent what). The world's writes are all settled: an admin gets the
    empty list, without errors (tests/test_pending_operations.py has one pending)."""
    document = "{ pendingOperations(first: 100) { totalCount nodes { operationId principal operation input } } }"

    def empty(answer: Answer) -> list[str]:
        found = (answer.data or {}).get("pendingOperations")
        wrong = stray_errors(answer, ADMIN)
        return wrong + ([] if found == {"totalCount": 0, "nodes": []} else [f"not the empty list: {answer.text[:300]}"])

    for col in OWNERLESS:
        await ask(gw, world, tally, "pendingOperations", col, document, empty if col is ADMIN else refused)


@reads("recentEvents")
async def recent_events_row(gw: Demo, world: World, tally: Tally) -> None:
    """Admins and finance get the same latest events (the world has some: its dead delivery's); sales keys none
    (their customers' events come from the owner-scoped subscription)."""
    document = "{ recentEvents(first: 100) { id type occurredAt subject partnerId data } }"
    expected = await send(gw, document, "k-admin")
    assert expected.data["recentEvents"], expected.text
    assert not expected.errors, expected.text
    for col in OWNERLESS:
        check = refused if col.sales else partial(same_as, expected=expected)
        await ask(gw, world, tally, "recentEvents", col, document, check)


@reads("webhookDeliveries")
async def webhook_deliveries_row(gw: Demo, world: World, tally: Tally) -> None:
    document = "{ webhookDeliveries(first: 100) { totalCount nodes { id webhook eventId status lastError } } }"
    for col in OWNERLESS:
        check = partial(listed, col=col, field="webhookDeliveries", count=None) if col is ADMIN else refused
        await ask(gw, world, tally, "webhookDeliveries", col, document, check)


# -- invitations: a salesperson's own, seen and acted on by it alone --------------------------------------------------

CUSTOMERS = "query($filter: CustomerFilterInput) { customers(first: 100, filter: $filter) { nodes { id owner } } }"
RESEND = """mutation($partner: ID!, $invitation: String!, $key: String!) {
  resendInvitation(partnerId: $partner, invitationId: $invitation, idempotencyKey: $key) {
    __typename ... on CustomerPayload { customer { id owner invitationId } } ... on RuleViolationError { reason } } }"""
NOTE = """mutation($id: ID!, $key: String!) { addNote(customerId: $id, input: {content: "回访"}, idempotencyKey: $key) {
  __typename ... on RuleViolationError { reason } } }"""
FILE = """mutation($id: ID!, $key: String!) {
  fileProject(input: {customerId: $id, name: "邀请项目"}, idempotencyKey: $key) {
    __typename ... on RuleViolationError { reason } } }"""


async def forbidden(gw: Demo, world: World, tally: Tally, cell: str, api_key: str, document: str, **v: Any) -> None:
    """A write the key may not do: refused for a reason that says nothing of the others; nothing changed."""
    baseline = await Baseline.of(gw)
    answer = await send(gw, document, api_key, **v)
    wrong = [] if answer.one().get("reason") in SALES_REASONS else [f"not refused: {answer.text[:300]}"]
    leaks = world.leaks(answer, document, v) if api_key == "k-sales" else []  # the world is the sales key's view
    tally.cell(cell, leaks=leaks, accepted=await baseline.changed(gw), wrong=wrong)


async def test_a_salesperson_sees_resends_and_acts_on_its_own_invitations_only(overall: Tally) -> None:
    tally = Tally("invitations")
    async with demo() as gw:
        world = await prepare(gw)
        aliyun = partner_id(ALIYUN)
        seeded = await gw.ask(CUSTOMERS.replace("id owner", "owner invitationId"), filter={"status": "INVITED"})
        unowned = next(c["invitationId"] for c in seeded["customers"]["nodes"] if c["owner"] is None)
        for col in (SALES_OWN, OTHER_SALES):  # each salesperson, on its own invitation and the other's
            mine, theirs = world.invitations[col.side], world.invitations[OWN if col.side == OTHER else OTHER]
            listing = await send(gw, CUSTOMERS, col.api_key, filter={"partnerIds": [aliyun], "status": "INVITED"})
            ids = {c["id"] for c in listing.data["customers"]["nodes"]}
            tally.cell(f"{col.name}: invitations listed", wrong=[] if ids == {mine.id} else [f"lists {ids}"])
            for target, seen in ((mine, True), (theirs, False)):
                answer = await send(gw, "query($id: ID!) { node(id: $id) { id } }", col.api_key, id=target.id)
                shown = (answer.data["node"] or {}).get("id") == target.id
                tally.cell(
                    f"{col.name}: node of an invitation, its own: {seen}", wrong=[] if shown == seen else [answer.text]
                )
            gw.aliyun.state.advance(timedelta(minutes=5))  # past the upstream's limit of 10 e-mails in 5 minutes
            resent = (await send(gw, RESEND, col.api_key, partner=aliyun, invitation=mine.native, key=key())).one()
            ok = (resent.get("customer") or {}).get("invitationId") == mine.native
            tally.cell(f"{col.name}: resends its own", wrong=[] if ok else [f"{resent}"])
            for name, invitation in (("another's", theirs.native), ("an unowned one", unowned)):
                v = {"partner": aliyun, "invitation": invitation, "key": key()}
                await forbidden(gw, world, tally, f"{col.name}: resends {name}", col.api_key, RESEND, **v)
            await forbidden(
                gw, world, tally, f"{col.name}: notes another's invitee", col.api_key, NOTE, id=theirs.id, key=key()
            )
            await forbidden(
                gw, world, tally, f"{col.name}: files for another's invitee", col.api_key, FILE, id=theirs.id, key=key()
            )
        where = {"search": world.invitations[OTHER].email}
        search = await send(gw, CUSTOMERS, "k-sales", filter=where)
        found = search.data["customers"]["nodes"]
        leaks = world.leaks(search, CUSTOMERS, {"filter": where})
        tally.cell("sales: searches another's invitee", leaks=leaks, wrong=[f"found {found}"] if found else [])
        # The other salesperson resends with key K; the sales key sends the same: refused, nothing sent.
        variables = {"partner": aliyun, "invitation": world.invitations[OTHER].native, "key": key()}
        assert (await send(gw, RESEND, "k-sales-other", **variables)).one()["__typename"] == "CustomerPayload"
        await forbidden(gw, world, tally, "sales replays the other's resend", "k-sales", RESEND, **variables)
    overall.add(tally)
    tally.assert_clean()


# -- a project whose customer was reassigned away -------------------------------------------------------------------


async def test_a_project_stays_its_salespersons_but_its_customer_reassigned_away_does_not(overall: Tally) -> None:
    tally = Tally("the project of a customer reassigned away")
    async with demo() as gw:
        world = await prepare(gw)
        project, customer = world.projects[ALIYUN, OWN], world.customers[ALIYUN, OWN]
        orders = "query($c: String!) { orders(first: 100, filter: {customerId: $c}) { nodes { projectId } } }"
        found = (await gw.ask(orders, c=customer.native))["orders"]["nodes"]
        opportunity = next(o["projectId"] for o in found if o["projectId"])
        link = """mutation($id: ID!, $o: String!) {
          linkProjectOpportunity(projectId: $id, version: 1, opportunityId: $o) { __typename } }"""
        assert (await gw.one(link, "k-sales", id=project.id, o=opportunity))["__typename"] == "ProjectPayload"
        document = NODE.format(type="Project", selection=selection("Project", 2))
        before = (await send(gw, document, "k-sales", id=project.id)).data["node"]
        assert before["customer"]["id"] == customer.id
        assert before["orders"]["totalCount"] >= 1  # the customer's order that carries the opportunity
        assign = "mutation($id: ID!, $owner: String!) { assignCustomer(customerId: $id, owner: $owner) { __typename } }"
        assert (await gw.one(assign, id=customer.id, owner=OTHER_OWNER))["__typename"] == "AssignmentPayload"

        answer = await send(gw, document, "k-sales", id=project.id)
        node, wrong = answer.data["node"], stray_errors(answer, SALES_OWN)
        if not node or node["owner"] != SALES_OWNER or not node["history"]:
            wrong.append(f"the project is no longer its salesperson's: {answer.text[:300]}")
        elif node["customer"] is not None or node["orders"]["totalCount"] or node["orders"]["nodes"]:
            wrong.append(f"the reassigned customer (or its orders) shows: {node['customer']}, {node['orders']}")
        # The project keeps the customer's name it was filed with; nothing else of the customer shows.
        leaks = [s for s in (customer.id, customer.native, customer.email, customer.phone) if s and s in answer.text]
        tally.cell("node(Project) after its customer was reassigned away [sales]", leaks=leaks, wrong=wrong)
    overall.add(tally)
    tally.assert_clean()
