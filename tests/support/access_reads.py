"""What the read cells of the access matrix (``tests/test_access_matrix.py``) expect, column by column.

Each check takes a whole answer and returns what is wrong with it (nothing: the cell passes); ``ask``
sends a read as a column's key, scans an answer to a sales key for other owners' data, and counts the cell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.access_matrix import ADMIN, FINANCE, OTHER, OWN, Answer, Column, Tally, send
from tests.support.access_world import World
from tests.support.mutations_demo import ALIYUN, OTHER_OWNER, SALES_OWNER, Demo, partner_id

__all__ = [
    "NODE",
    "ask",
    "customer_node",
    "hidden",
    "listed",
    "nodes_answer",
    "owned_node",
    "partner_node",
    "partners_answer",
    "project_node",
    "refused",
    "reseller_node",
    "same_as",
    "stray_errors",
]

#: Fields of a partner that are not for sales keys at all (null, with FORBIDDEN at their path).
PARTNER_ONLY = frozenset(
    {
        "balances",
        "voucherQuotas",
        "ledger",
        "resellers",
        "quotaMovements",
        "program",
        "voucherTemplates",
        "voucherTemplateProducts",
        "voucherApplications",
        "voucherApplication",
        "voucherRecords",
        "ownVouchers",
        "incentivePolicies",
        "commissionableProducts",
        "renewalRates",
        "billFiles",
    }
)
NODE = "query($id: ID!) {{ node(id: $id) {{ __typename ... on {type} {{ {selection} }} }} }}"
Check = Callable[[Answer], list[str]]


async def ask(
    gw: Demo, world: World, tally: Tally, cell: str, col: Column, document: str, expect: Check, **v: Any
) -> Answer:
    """One read cell: asked as ``col``, checked by ``expect``, and (for a sales key) scanned for leaks."""
    answer = await send(gw, document, col.api_key, **v)
    leaks = world.leaks(answer, document, v) if col.sales else []
    tally.cell(f"{cell} [{col.name}]", leaks=leaks, wrong=expect(answer))
    return answer


def sees(col: Column) -> bool:
    return not (col.sales and col.side == OTHER)


def stray_errors(answer: Answer, col: Column) -> list[str]:
    """Errors other than a provider's missing capability and, for a sales key, the partner-only fields."""
    stray = []
    for error in answer.errors:
        code, path = error.get("extensions", {}).get("code"), error.get("path") or [""]
        if code == "UNSUPPORTED_BY_PROVIDER" or (code == "FORBIDDEN" and col.sales and path[-1] in PARTNER_ONLY):
            continue
        stray.append(f"{code} at {path}: {error['message']}")
    return stray


def hidden(answer: Answer, field: str) -> list[str]:
    """Null, as for an object that does not exist: no error that would say it does."""
    data = answer.data or {}
    return [] if data.get(field) is None and not answer.errors else [f"not hidden: {answer.text[:400]}"]


def refused(answer: Answer) -> list[str]:
    """A root field not for the role: no data, and FORBIDDEN."""
    return [] if answer.data is None and answer.codes() == {"FORBIDDEN"} else [f"not FORBIDDEN: {answer.text[:400]}"]


def same_as(answer: Answer, expected: Answer) -> list[str]:
    """Data with no owner: every role gets the admin's answer (its cost aside: a cached read costs nothing)."""
    same = (answer.data, answer.errors) == (expected.data, expected.errors)
    return [] if same else [f"{answer.text[:300]} differs from {expected.text[:300]}"]


def listed(answer: Answer, col: Column, field: str, count: int | None, *, mine: set[str] | None = None) -> list[str]:
    """A list's total (None: some), and that it holds exactly the ids ``mine``, when given."""
    found = int(answer.data[field]["totalCount"]) if answer.data else -1
    wrong = stray_errors(answer, col)
    if (found < 1) if count is None else (found != count):
        wrong.append(f"{field}: {found}, not {count if count is not None else 'some'}")
    ids = {n["id"] for n in answer.data[field]["nodes"]} if answer.data else set()
    return wrong + ([f"{field} {ids} are not {mine}"] if mine is not None and ids != mine else [])


# -- one object by its global id ------------------------------------------------------------------------------------


def _node(answer: Answer) -> dict[str, Any]:
    return (answer.data or {}).get("node") or {}


def shown_node(answer: Answer, col: Column, want: str, **fields: Any) -> list[str]:
    """The object, to whoever may see it (with ``fields`` as given); null to a sales key on another's."""
    if not sees(col):
        return hidden(answer, "node")
    node = _node(answer)
    if node.get("id") != want:
        return [f"not shown: {answer.text[:400]}"]
    return stray_errors(answer, col) + [
        f"{k} is {node.get(k)!r}, not {v!r}" for k, v in fields.items() if node.get(k) != v
    ]


def customer_node(answer: Answer, col: Column, world: World, cloud: str) -> list[str]:
    """A customer with its contact details (masked for finance), funds and notes."""
    target = world.customers[cloud, col.side]
    contact = {} if col is FINANCE else {"email": target.email, "phone": target.phone}
    wrong = shown_node(answer, col, target.id, **contact)
    node = _node(answer)
    if node and col is FINANCE and {target.email, target.phone} & {node["email"], node["phone"]} - {None}:
        wrong.append(f"finance sees contact details unmasked: {node['email']}, {node['phone']}")
    if node and node.get("funds") is None:
        wrong.append("no funds")
    notes = [n["content"] for n in (node.get("notes") or {}).get("nodes", ())]
    if node and cloud == ALIYUN and world.notes[col.side] not in notes:
        wrong.append(f"the customer's note is missing: {notes}")
    return wrong


def owned_node(answer: Answer, col: Column, want: str) -> list[str]:
    """An order, voucher or project, with its customer (whose owner is the side's)."""
    wrong = shown_node(answer, col, want)
    customer = _node(answer).get("customer") or {}
    if _node(answer) and customer.get("owner") != (SALES_OWNER if col.side == OWN else OTHER_OWNER):
        wrong.append(f"its customer is {customer}")
    return wrong


def project_node(answer: Answer, col: Column, world: World, cloud: str) -> list[str]:
    wrong = owned_node(answer, col, world.projects[cloud, col.side].id)
    return wrong + (["no history"] if _node(answer) and not _node(answer)["history"] else [])


def reseller_node(answer: Answer, col: Column, world: World, cloud: str) -> list[str]:
    """A reseller: not for sales keys (null, as if there were none); its e-mail masked for finance."""
    if col.sales:
        return hidden(answer, "node")
    target = world.resellers[cloud]
    wrong = shown_node(answer, col, target.id, **({"email": target.email} if col is ADMIN else {}))
    if col is FINANCE and target.email and _node(answer).get("email") == target.email:
        wrong.append("finance sees a reseller's e-mail unmasked")
    return wrong


def partner_fields(partner: dict[str, Any], col: Column, world: World, path: str) -> list[str]:
    """A partner's own records are not for sales keys; its customers, vouchers and orders are theirs only."""
    account = partner["id"]
    wrong = [f"{path}.{f} shown to a sales key" for f in PARTNER_ONLY if col.sales and partner.get(f) is not None]
    for kind in ("customers", "vouchers", "orders"):
        want = world.counts[f"{'own ' if col.sales else ''}{kind} {account}"]
        if partner[kind]["totalCount"] != want:
            wrong.append(f"{path}.{kind}.totalCount is {partner[kind]['totalCount']}, not {want}")
    return wrong


def partner_node(answer: Answer, col: Column, world: World, want: str) -> list[str]:
    wrong = shown_node(answer, col, want)
    if _node(answer):
        wrong += partner_fields(_node(answer), col, world, "node")
    forbidden = {p[-1] for p in answer.error_paths("FORBIDDEN")}
    if col.sales and forbidden != PARTNER_ONLY & set(_node(answer)):
        wrong.append(f"FORBIDDEN at {answer.error_paths('FORBIDDEN')}")
    return wrong


def nodes_answer(answer: Answer, col: Column, visible: list[str | None]) -> list[str]:
    """Several objects: each one the column may see, in order, and null for the others."""
    got = [n and n["id"] for n in (answer.data or {}).get("nodes") or [None] * len(visible)]
    return stray_errors(answer, col) + ([] if got == visible else [f"nodes are {got}, not {visible}"])


def partners_answer(answer: Answer, col: Column, world: World) -> list[str]:
    partners = (answer.data or {}).get("partners") or {"nodes": []}
    wrong = stray_errors(answer, col)
    if [p["id"] for p in partners["nodes"]] != [partner_id(a) for a in world.capabilities]:
        wrong.append(f"partners are {[p['id'] for p in partners['nodes']]}")
    for index, partner in enumerate(partners["nodes"]):
        wrong += partner_fields(partner, col, world, f"partners[{index}]")
    return wrong
