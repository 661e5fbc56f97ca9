"""The harness of the role × operation matrix (``tests/test_access_matrix.py``).

A cell is one operation asked by one principal about one object: an admin, a finance user, the sales key
(``k-sales``, 王芳) on its own object, and the same sales key on another owner's (李强's, who has a key of
his own: ``k-sales-other``). Here: those columns, whole answers (data, errors and text), what counts as
an upstream write and as simulator state, the schema's fields (to enumerate operations and build
selections of every field), and the ``Tally`` of cells, leaks and forbidden writes that were accepted.
The objects of the cells are in ``tests.support.access_world``.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLObjectType, build_schema, get_named_type, is_leaf_type, is_non_null_type
from graphql.pyutils import Undefined

from adapters.aliyun._client import AgencyClient
from adapters.huaweicloud._operations import OPERATIONS
from gateway.errors import InvalidInput
from gateway.ids import decode_opaque
from gateway.schema import sdl
from tests.support.mutations_demo import Demo

__all__ = [
    "ADMIN",
    "COLUMNS",
    "COSTLY",
    "FINANCE",
    "OTHER",
    "OTHER_SALES",
    "OWN",
    "OWNERLESS",
    "SALES",
    "SALES_OTHER",
    "SALES_OWN",
    "SCHEMA",
    "Answer",
    "Column",
    "Tally",
    "global_ids",
    "nested_fields",
    "node_types",
    "request_text",
    "root_fields",
    "selection",
    "send",
    "simulator_state",
    "strings",
    "upstream_writes",
]

OWN, OTHER = "own", "other"


@dataclass(frozen=True)
class Column:
    """Who asks, and about whose object (``side``: the sales key's own, or another owner's)."""

    name: str
    api_key: str
    side: str
    sales: bool = False


ADMIN = Column("admin", "k-admin", OTHER)
FINANCE = Column("finance", "k-finance", OTHER)
SALES_OWN = Column("sales on own", "k-sales", OWN, sales=True)
SALES_OTHER = Column("sales on another owner's", "k-sales", OTHER, sales=True)
COLUMNS = (ADMIN, FINANCE, SALES_OWN, SALES_OTHER)
#: Where nothing asked has an owner: the sales key at all.
SALES = Column("sales", "k-sales", OWN, sales=True)
OWNERLESS = (ADMIN, FINANCE, SALES)
#: The other salesperson (李强), acting on its own objects (the ``OTHER`` side): a principal to replay.
OTHER_SALES = Column("the other salesperson", "k-sales-other", OTHER, sales=True)

#: The upstream operations that change something: Huawei's by its operation table, Aliyun's by its client
#: (every Action it sends as a write). A refused write must reach none of them.
HUAWEI_WRITES = frozenset(op.name for op in OPERATIONS if not op.idempotent)
_CLIENT = inspect.getsource(AgencyClient)
ALIYUN_WRITES = frozenset(
    re.findall(r'_write\(\s*"(\w+)"', _CLIENT) + re.findall(r'_note\("(\w+)"[^)]*idempotent=False', _CLIENT)
)


@dataclass(frozen=True)
class Answer:
    """A whole GraphQL response: data, errors, and its text (what the leak scan reads)."""

    body: dict[str, Any]
    text: str

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    def codes(self) -> set[str]:
        return {str(e.get("extensions", {}).get("code")) for e in self.errors}

    def error_paths(self, code: str) -> list[tuple[Any, ...]]:
        return [tuple(e.get("path") or ()) for e in self.errors if e.get("extensions", {}).get("code") == code]

    def one(self) -> dict[str, Any]:
        """A mutation's single result (a payload or a typed refusal)."""
        (value,) = (self.data or {None: None}).values()
        return value if isinstance(value, dict) else {"__typename": None, "errors": self.errors}


async def send(gw: Demo, document: str, api_key: str, **variables: Any) -> Answer:
    """Any GraphQL request, answered whole (``Demo.ask`` fails on errors; refusals here are expected)."""
    response = await gw.client.post(
        "/graphql", json={"query": document, "variables": variables}, headers={"authorization": f"Bearer {api_key}"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    return Answer(body, json.dumps(body, ensure_ascii=False))


#: The schema as served (the same SDL as ``schema.graphql``), to enumerate fields and build selections.
SCHEMA = build_schema(sdl())


def root_fields(type_name: str) -> set[str]:
    """The fields of ``Query`` or ``Mutation``."""
    root = SCHEMA.get_type(type_name)
    assert isinstance(root, GraphQLObjectType)
    return set(root.fields)


def nested_fields(type_name: str) -> set[str]:
    """The fields of an object type that reach past its own scalars: other objects, lists with arguments,
    and contact details (what can expose another owner's data)."""
    named = SCHEMA.get_type(type_name)
    assert isinstance(named, GraphQLObjectType)
    return {
        name
        for name, f in named.fields.items()
        if not is_leaf_type(get_named_type(f.type)) or f.args or name in ("email", "phone")
    }


def node_types() -> set[str]:
    """Every object type a global id can name (implementers of ``Node``)."""
    return {
        name
        for name, t in SCHEMA.type_map.items()
        if isinstance(t, GraphQLObjectType) and any(i.name == "Node" for i in t.interfaces)
    }


#: Fields that read a range of months (consumption, program standing): asked of one object at a time (``costly``),
#: not for every item of a list, where the cost limit would refuse the document (as it should).
COSTLY = frozenset({"consumption", "program", "performance"})


def selection(type_name: str, depth: int, first: int | None = None, *, costly: bool = False) -> str:
    """Every field of a type that needs no argument, objects ``depth`` levels down (relay ``edges`` left out:
    ``nodes`` holds the same; the ``COSTLY`` fields only at the top, when ``costly``). Built from the schema,
    so a new field is asked (and scanned) too. ``first``: the page size of every connection asked (to stay
    within the cost limit when many are nested)."""
    named = SCHEMA.get_type(type_name)
    assert isinstance(named, GraphQLObjectType)
    parts = []
    for name, f in named.fields.items():
        if any(is_non_null_type(a.type) and a.default_value is Undefined for a in f.args.values()):
            continue
        if name in COSTLY and not costly:
            continue
        inner = get_named_type(f.type)
        if is_leaf_type(inner):
            parts.append(name)
        elif isinstance(inner, GraphQLObjectType) and depth > 0 and name != "edges":
            below = selection(inner.name, depth - 1, first)
            paged = first is not None and inner.name.endswith("Connection") and "first" in f.args
            if below:
                parts.append(f"{name}{f'(first: {first})' if paged else ''} {{ {below} }}")
    return " ".join(parts)


def upstream_writes(gw: Demo) -> dict[str, int]:
    """Write operations each partner account's simulator has received so far."""
    return {
        account: sum(
            n for op, n in counted.counts.items() if op in (HUAWEI_WRITES if counted.huawei else ALIYUN_WRITES)
        )
        for account, counted in gw.counted.items()
    }


def simulator_state(gw: Demo) -> str:
    """Everything both simulators hold (their partners' customers, funds, vouchers, notes, journal)."""
    return repr(gw.aliyun.state.partners) + repr(gw.huawei.simulator.partners)


@dataclass
class Tally:
    """Cells checked, leaks found, forbidden writes accepted, and every failed expectation by cell."""

    title: str
    cells: int = 0
    leaks: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def cell(
        self, name: str, *, leaks: Sequence[str] = (), accepted: str | None = None, wrong: Sequence[str] = ()
    ) -> None:
        self.cells += 1
        self.leaks += [f"{name}: {leak}" for leak in leaks]
        if accepted is not None:
            self.accepted.append(f"{name}: {accepted}")
        self.wrong += [f"{name}: {problem}" for problem in wrong]

    def add(self, other: Tally) -> None:
        self.cells += other.cells
        self.leaks += other.leaks
        self.accepted += other.accepted
        self.wrong += other.wrong

    def report(self) -> str:
        return (
            f"access matrix, {self.title}: {self.cells} cells checked, {len(self.leaks)} leaks, "
            f"{len(self.accepted)} writes accepted where forbidden, {len(self.wrong)} other failures"
        )

    def assert_clean(self) -> None:
        print(self.report())
        problems = [*self.leaks, *(f"accepted: {a}" for a in self.accepted), *self.wrong]
        assert not problems, "\n".join([self.report(), *problems[:40]])


#: Objects with an owner, or none a sales key may see: their global ids must not reach another owner.
_OWNED_TYPES = ("Customer:", "Order:", "Voucher:", "Project:", "Reseller:", "VoucherQuota:")


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def global_ids(value: Any) -> Iterator[str]:
    """The global ids of owned objects in a JSON value."""
    for text in strings(value):
        with contextlib.suppress(InvalidInput):
            if decode_opaque(text, "id", "id").startswith(_OWNED_TYPES):
                yield text


def request_text(document: str, variables: dict[str, Any]) -> str:
    """What a request carried, with its global ids decoded: the caller may see its own input echoed."""
    decoded = []
    for text in strings(variables):
        with contextlib.suppress(InvalidInput):
            decoded.append(decode_opaque(text, "id", "id"))
    return "\n".join([document, json.dumps(variables, ensure_ascii=False), *decoded])
