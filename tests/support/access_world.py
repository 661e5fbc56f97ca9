"""The objects of the access matrix's cells, in one running demo (``prepare``), on both clouds.

The sales key's own side and another owner's: seeded Aliyun customers of 王芳 and of 李强, and a Huawei
customer the admin assigns to each (the Huawei seed's account managers are other people); their orders
and vouchers; an invitation, two projects and a note of each salesperson, made by that salesperson's own
key. The seeded data is the same in every fresh demo, so it is surveyed once per configuration (cached)
and only the objects made in the demo are made again.

``World.leaks`` is what a response to the sales key must not hold: every string of what is not the sales
key's (customers of other owners and of none, with their names, contacts and ids; their orders' and
vouchers' ids; the other salesperson's invitation, projects and note; resellers; the partners' ledgers),
other than what the request itself carried; and the global id of any owned object not its own.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.ids import decode_opaque
from tests.support.access_matrix import OTHER, OWN, Answer, global_ids, request_text, send, strings
from tests.support.mutations_demo import ALIYUN, HUAWEI, OTHER_OWNER, SALES_OWNER, Demo, key, partner_id

__all__ = ["Thing", "World", "prepare"]

SIDES = ((OWN, SALES_OWNER, "k-sales"), (OTHER, OTHER_OWNER, "k-sales-other"))
#: The account type whose money the partner moves (credit lines, funds, vouchers), per cloud.
MONEY_TYPE = {ALIYUN: "CONSIGNMENT", HUAWEI: "RESALE"}


@dataclass(frozen=True)
class Thing:
    """One object of a cell: its global id, native id, and what of it must not reach another owner."""

    id: str
    native: str
    name: str = ""
    email: str | None = None
    phone: str | None = None
    secrets: tuple[str, ...] = ()


@dataclass
class World:
    """The objects of the matrix in one demo, by (cloud, side), and what is not the sales key's."""

    customers: dict[tuple[str, str], Thing]
    orders: dict[tuple[str, str], Thing]
    vouchers: dict[tuple[str, str], Thing]
    projects: dict[tuple[str, str], Thing]
    invitations: dict[str, Thing]
    resellers: dict[str, Thing]
    notes: dict[str, str]
    counts: dict[str, int]
    """Totals as an admin sees them, and as the sales key should (``own ...``), overall and per partner."""
    own_ids: frozenset[str]
    """Global ids of what the sales key may see: its customers, their orders and vouchers, its projects."""
    secrets: frozenset[str]
    capabilities: dict[str, set[str]]
    """Each partner account's capabilities, by account id."""
    template: str
    """An Aliyun coupon template the demo distributor issues vouchers from."""

    def leaks(self, answer: Answer, document: str, variables: dict[str, Any], *, ids: bool = True) -> list[str]:
        """What of other owners a response to the sales key holds, other than what its request carried."""
        sent = request_text(document, variables)
        found = sorted(s for s in self.secrets if s in answer.text and s not in sent)
        if ids:
            found += sorted(i for i in global_ids(answer.body) if i not in self.own_ids and i not in sent)
        return found


CUSTOMER = "id nativeId name owner email phone accountType status invitationId"
PAGED = """query($after: String) {{ {field}(first: 100, after: $after) {{
  pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} }} }} }}"""
BALANCES = """query($filter: CustomerFilterInput) { customers(first: 100, filter: $filter) {
  nodes { nativeId balance { amount } } } }"""
PARTNERS = """{ partners { nodes { id name capabilities ledger(first: 100) { nodes { nativeId } }
  quotaMovements(first: 100) { nodes { nativeId quotaId } } } } }"""
ASSIGN = "mutation($id: ID!, $owner: String!) { assignCustomer(customerId: $id, owner: $owner) { __typename } }"
CREATE = """mutation($input: CreateCustomerInput!, $key: String!) {
  createCustomer(input: $input, idempotencyKey: $key) {
    __typename ... on CreateCustomerPayload { invitationId customer { id nativeId } } } }"""
FILE = """mutation($id: ID!, $name: String!, $text: String!, $key: String!) {
  fileProject(input: {customerId: $id, name: $name, description: $text}, idempotencyKey: $key) {
    __typename ... on ProjectPayload { project { id } } } }"""
NOTE = """mutation($id: ID!, $text: String!, $key: String!) {
  addNote(customerId: $id, input: {content: $text}, idempotencyKey: $key) { __typename } }"""


def account_of(global_id: str) -> str:
    return decode_opaque(global_id, "id", "id").split(":")[1]


async def scan(gw: Demo, field_name: str, selection: str) -> list[dict[str, Any]]:
    """Every item of a root list, as the admin sees it."""
    items: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gw.ask(PAGED.format(field=field_name, selection=selection), after=after))[field_name]
        items += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return items
        after = page["pageInfo"]["endCursor"]


@dataclass
class Survey:
    """The seeded data of a demo, as an admin sees it (the same in every fresh demo of a configuration)."""

    customers: list[dict[str, Any]]
    orders: list[dict[str, Any]]
    vouchers: list[dict[str, Any]]
    resellers: list[dict[str, Any]]
    partners: list[dict[str, Any]]
    assigned: dict[str, str]
    """Huawei customers to give the two salespeople: native id -> owner."""


_SURVEYS: dict[tuple[str, ...], Survey] = {}


async def survey(gw: Demo) -> Survey:
    customers = await scan(gw, "customers", CUSTOMER)
    orders = await scan(gw, "orders", "id nativeId customer { nativeId }")
    vouchers = await scan(gw, "vouchers", "id nativeId sourceId customer { nativeId }")
    resellers = await scan(gw, "resellers", "id nativeId name accountName email phone")
    partners = (await send(gw, PARTNERS, "k-admin")).data["partners"]["nodes"]  # Aliyun has no ledger: null
    where = {"partnerIds": [partner_id(HUAWEI)], "accountType": "RESALE", "status": "ASSOCIATED"}
    funded = {
        c["nativeId"]
        for c in (await gw.ask(BALANCES, filter=where))["customers"]["nodes"]
        if c["balance"] and Decimal(c["balance"]["amount"]) > 100
    }

    def has(items: list[dict[str, Any]], native: str) -> bool:
        return any((i["customer"] or {}).get("nativeId") == native for i in items)

    picked = [n for n in sorted(funded) if has(orders, n) and has(vouchers, n)][:2]
    assert len(picked) == 2, "the Huawei seed has no two funded resale customers with orders and vouchers"
    assigned = dict(zip(picked, (SALES_OWNER, OTHER_OWNER), strict=True))
    return Survey(customers, orders, vouchers, resellers, partners, assigned)


async def prepare(gw: Demo, *, make: bool = True) -> World:
    """Find and make the matrix's objects in a running demo (see the module docstring); ``make``: also the
    invitations, projects and notes (cells that need none of them are quicker without)."""
    configuration = tuple(gw.counted)
    if configuration not in _SURVEYS:
        _SURVEYS[configuration] = await survey(gw)
    seen = copy.deepcopy(_SURVEYS[configuration])
    customers = seen.customers
    for customer in customers:
        if customer["nativeId"] in seen.assigned and account_of(customer["id"]) == HUAWEI:
            customer["owner"] = seen.assigned[customer["nativeId"]]
            assigned = await gw.one(ASSIGN, id=customer["id"], owner=customer["owner"])
            assert assigned["__typename"] == "AssignmentPayload", assigned
    owner_of = {c["nativeId"]: c["owner"] for c in customers}
    for item in (*seen.orders, *seen.vouchers):
        item["owner"] = owner_of.get((item["customer"] or {}).get("nativeId", ""))

    def first(items: list[dict[str, Any]], owner: str, cloud: str, **match: Any) -> Thing:
        found = next(
            i
            for i in items
            if i["owner"] == owner and account_of(i["id"]) == cloud and all(i.get(k) == v for k, v in match.items())
        )
        name, email, phone = found.get("name") or "", found.get("email"), found.get("phone")
        return Thing(found["id"], found["nativeId"], name, email, phone, tuple(s for s in (name, email, phone) if s))

    things: dict[str, dict[tuple[str, str], Thing]] = {"customers": {}, "orders": {}, "vouchers": {}}
    for cloud in (ALIYUN, HUAWEI):
        for side, owner, _ in SIDES:
            money = {"accountType": MONEY_TYPE[cloud], "status": "ASSOCIATED"}
            things["customers"][cloud, side] = first(customers, owner, cloud, **money)
            things["orders"][cloud, side] = first(seen.orders, owner, cloud)
            things["vouchers"][cloud, side] = first(seen.vouchers, owner, cloud)

    # An invitation, a project on each cloud and a note of each salesperson, made with its own key.
    invitations: dict[str, Thing] = {}
    projects: dict[tuple[str, str], Thing] = {}
    notes: dict[str, str] = {}
    for side, owner, api_key in SIDES if make else ():
        tag = uuid.uuid4().hex[:8]
        name, email = f"邀请{side}{tag}有限公司", f"invite-{side}-{tag}@pg-test.cn"
        data = {"partnerId": partner_id(ALIYUN), "name": name, "accountType": "CONSIGNMENT", "email": email}
        invited = await gw.one(CREATE, api_key, input=data, key=key())
        row = invited["customer"]
        invitations[side] = Thing(row["id"], invited["invitationId"], name, email, None, (name, email))
        customers.append({"id": row["id"], "nativeId": row["nativeId"], "name": name, "email": email, "owner": owner})
        for cloud in (ALIYUN, HUAWEI):
            title, text = f"项目{side}{tag}{cloud[:2]}", f"项目说明{side}{tag}{cloud[:2]}"
            filed = await gw.one(
                FILE, api_key, id=things["customers"][cloud, side].id, name=title, text=text, key=key()
            )
            projects[cloud, side] = Thing(filed["project"]["id"], "", title, secrets=(title, text))
        notes[side] = f"回访记录{side}{tag}"
        noted = await gw.one(NOTE, api_key, id=things["customers"][ALIYUN, side].id, text=notes[side], key=key())
        assert noted["__typename"] == "CustomerPayload", noted

    def mine(item: dict[str, Any]) -> bool:
        return item["owner"] == SALES_OWNER

    own = [*(i for i in (*customers, *seen.orders, *seen.vouchers) if mine(i))]
    own_ids = frozenset([*(i["id"] for i in own), *(p.id for (_, side), p in projects.items() if side == OWN)])
    # What the sales key may see is no secret, even where another owner's text contains it.
    allowed = "\n".join(
        [
            SALES_OWNER,
            *(p["name"] for p in seen.partners),
            json.dumps(own, ensure_ascii=False),
            *(s for side, i in invitations.items() if side == OWN for s in i.secrets),
            *(n for side, n in notes.items() if side == OWN),
            *(s for (_, side), p in projects.items() if side == OWN for s in p.secrets),
        ]
    )
    fields = ("name", "email", "phone", "nativeId", "invitationId")
    theirs = [
        *(s for c in customers if not mine(c) for s in strings({k: c.get(k) for k in fields})),
        *(i["nativeId"] for i in (*seen.orders, *seen.vouchers) if not mine(i)),
        *(s for side, i in invitations.items() if side == OTHER for s in i.secrets),
        *(n for side, n in notes.items() if side == OTHER),
        *(s for (_, side), p in projects.items() if side == OTHER for s in p.secrets),
        *(s for r in seen.resellers for s in strings(r)),
        *(s for p in seen.partners for s in strings(p["ledger"] or {})),
        *(s for p in seen.partners for s in strings(p["quotaMovements"] or {})),
    ]
    secrets = frozenset(s for s in theirs if len(s) > 1 and s not in allowed)

    counts = {"resellers": len(seen.resellers), "other customers": sum(c["owner"] == OTHER_OWNER for c in customers)}
    for kind, items in (("customers", customers), ("vouchers", seen.vouchers), ("orders", seen.orders)):
        for item in items:
            for name in (kind, f"{kind} {partner_id(account_of(item['id']))}"):
                counts[name] = counts.get(name, 0) + 1
                counts[f"own {name}"] = counts.get(f"own {name}", 0) + mine(item)
        for target in things["customers"].values():
            counts[f"{kind} of {target.id}"] = sum(
                (i.get("customer") or {}).get("nativeId") == target.native for i in items
            )

    resellers = {}
    for reseller in reversed(seen.resellers):  # each account's first
        name = reseller["name"]
        resellers[account_of(reseller["id"])] = Thing(
            reseller["id"], reseller["nativeId"], name, reseller["email"], reseller["phone"]
        )
    return World(
        customers=things["customers"],
        orders=things["orders"],
        vouchers=things["vouchers"],
        projects=projects,
        invitations=invitations,
        resellers=resellers,
        notes=notes,
        counts=counts,
        own_ids=own_ids,
        secrets=secrets,
        capabilities={account_of(p["id"]): set(p["capabilities"]) for p in seen.partners},
        template=min(v["sourceId"] for v in seen.vouchers if account_of(v["id"]) == ALIYUN),
    )
