"""Cost analysis before execution: upstream calls estimated from ``first`` and nesting, refused above
``[limits] max_cost``, and reported with the calls actually made on every answer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import (
    GraphQLSchema,
    get_named_type,
    get_nullable_type,
    is_list_type,
    is_object_type,
    parse,
)

from gateway.config import LimitsConfig
from gateway.endpoint import GRAPHQL_RESPONSE_JSON
from gateway.schema import build_schema
from gateway.schema.cost import COSTS, UPSTREAM_PAGE_SIZE, estimate
from tests.support.mutations_demo import ALIYUN, HUAWEI, Demo, demo
from tests.test_limits import client_for

pytestmark = pytest.mark.anyio

SCHEMA: GraphQLSchema = build_schema()._schema
SPEC = {"accept": GRAPHQL_RESPONSE_JSON, "authorization": "Bearer k-admin"}
PAGE = "{ customers(first: 20) { totalCount nodes { name status balance { amount currency } } } }"


def _fields() -> list[tuple[str, str, Any]]:
    return [
        (type_name, field_name, field)
        for type_name, named in SCHEMA.type_map.items()
        if is_object_type(named) and not type_name.startswith("__")
        for field_name, field in named.fields.items()  # type: ignore[attr-defined]
    ]


def _needs_a_cost(type_name: str, field: Any) -> bool:
    """A root field, a list, a connection, or a resolver that awaits something (an upstream, a loader)."""
    definition = field.extensions.get("strawberry-definition")
    resolver = getattr(definition, "base_resolver", None)
    return (
        type_name in ("Query", "Mutation")
        or is_list_type(get_nullable_type(field.type))
        or get_named_type(field.type).name.endswith("Connection")
        or (resolver is not None and resolver.is_async)
    )


def test_every_list_connection_root_field_and_awaiting_resolver_has_a_cost() -> None:
    missing = sorted(f"{t}.{f}" for t, f, field in _fields() if _needs_a_cost(t, field) and f"{t}.{f}" not in COSTS)
    assert missing == [], f"add these to gateway.schema.cost.COSTS: {missing}"


def test_every_cost_names_a_field_of_the_schema() -> None:
    known = {f"{t}.{f}" for t, f, _ in _fields()}
    assert sorted(set(COSTS) - known) == []


def _estimate(document: str, accounts: int = 2, **variables: Any) -> int:
    return estimate(SCHEMA, parse(document), None, variables, accounts)


def test_pages_multiply_their_items_cost_and_lists_across_accounts_cost_per_account() -> None:
    # Per account: one call to count or place the list, one per upstream page; then a lookup per customer.
    assert _estimate("{ customers(first: 20) { nodes { name } } }") == 2 * (1 + 1)
    assert _estimate("{ customers(first: 20) { nodes { name } } }", accounts=3) == 3 * (1 + 1)
    assert _estimate("{ customers(first: 100) { nodes { name } } }") == 2 * (1 + 100 // UPSTREAM_PAGE_SIZE)
    assert _estimate("{ customers(first: 20) { nodes { balance { amount } } } }") == 4 + 20
    # Without first: the default page; through a variable: its value; past the bounds: what is served.
    assert _estimate("{ customers { edges { node { balance { amount } } } } }") == 4 + 20
    assert _estimate("query($n: Int) { customers(first: $n) { nodes { balance { amount } } } }", n=5) == 4 + 5
    assert _estimate("{ customers(first: 100000) { nodes { name } } }") == _estimate(
        "{ customers(first: 100) { nodes { name } } }"
    )
    nested = "{ customers(first: 100) { nodes { orders(first: 100) { nodes { id } } } } }"
    assert _estimate(nested) == 2 * (1 + 5) + 100 * 5


def test_shared_loads_count_once_per_object_and_per_request_loads_once() -> None:
    funds = "{ customers(first: 10) { nodes { balance { amount } creditLine { amount } funds { debt { amount } } } } }"
    assert _estimate(funds) == 4 + 10  # one funds lookup per customer, whichever fields show it
    vouchers = "{ customers(first: 10) { nodes { vouchers { id } voucherCount } } }"
    assert _estimate(vouchers) == 4 + 2  # the vouchers of every customer: read once per account
    fragment = (
        "{ customers(first: 10) { ...Page } } fragment Page on CustomerConnection { nodes { balance { amount } } }"
    )
    assert _estimate(fragment) == 4 + 10
    assert _estimate('{ nodes(ids: ["a", "b", "c"]) { id } }') == 3
    assert _estimate("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=["a"] * 7) == 7
    assert _estimate("{ __typename capabilities { provider } }") == 0


async def test_thirty_aliases_of_nested_pages_are_refused_with_the_estimate_before_any_call() -> None:
    aliases = " ".join(
        f"c{n}: customers(first: 100) {{ nodes {{ orders(first: 100) {{ totalCount }} }} }}" for n in range(30)
    )
    async with demo() as gateway:
        response = await gateway.client.post("/graphql", json={"query": f"{{ {aliases} }}"}, headers=SPEC)
        assert response.status_code == 400, response.text
        body = response.json()
        [error] = body["errors"]
        assert error["extensions"]["code"] == "COST_ESTIMATED_TOO_EXPENSIVE"
        estimated = error["extensions"]["cost"]["estimated"]
        assert estimated == 30 * (2 * (1 + 5) + 100 * 5)
        assert error["extensions"]["cost"]["maximum"] == 1000
        assert str(estimated) in error["message"]
        assert body["extensions"]["cost"] == {"estimated": estimated, "actual": 0}
        assert gateway.requests(ALIYUN) == gateway.requests(HUAWEI) == 0


def _sent(gateway: Demo) -> int:
    return gateway.requests(ALIYUN) + gateway.requests(HUAWEI)


async def _cost(gateway: Demo, query: str) -> dict[str, int]:
    response = await gateway.client.post("/graphql", json={"query": query}, headers=SPEC)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    cost: dict[str, int] = body["extensions"]["cost"]
    return cost


async def test_an_ordinary_page_reports_its_estimate_and_the_calls_the_simulators_saw() -> None:
    async with demo(upstream={"funds_cache_seconds": 0.0}) as gateway:  # the second page reads its funds again
        cost = await _cost(gateway, PAGE)
        assert cost["actual"] == _sent(gateway) > 2  # a list of each cloud, and a credit lookup per Aliyun customer
        assert cost["actual"] <= cost["estimated"] <= 2 * cost["actual"]
        before = _sent(gateway)
        vouchers = await _cost(
            gateway, "{ customers(first: 5) { nodes { name voucherCount funds { debt { amount } } } } }"
        )
        assert vouchers["actual"] == _sent(gateway) - before  # this request's calls only
        assert vouchers["actual"] <= vouchers["estimated"] <= 2 * vouchers["actual"]
        free = await _cost(gateway, "{ __typename capabilities { provider } }")
        assert free == {"estimated": 0, "actual": 0}


async def test_concurrent_requests_each_count_their_own_calls() -> None:
    async with demo() as gateway:
        alone = (await _cost(gateway, PAGE))["actual"]
        before = _sent(gateway)
        costs = await asyncio.gather(*(_cost(gateway, PAGE) for _ in range(4)))
        # Each call sent is counted once, by the request whose call it was; a read shared with an identical
        # read in flight (gateway.upstream.flight) was no call of the request it answered.
        assert sum(cost["actual"] for cost in costs) == _sent(gateway) - before
        assert all(0 <= cost["actual"] <= alone for cost in costs)
        assert sum(cost["actual"] for cost in costs) < 4 * alone


async def test_a_read_answered_from_the_cache_costs_no_call() -> None:
    regions = '{ regions(provider: "huaweicloud", level: PROVINCE) { code } }'
    async with demo() as gateway:
        first = await _cost(gateway, regions)
        assert first["actual"] == _sent(gateway) >= 1  # a page of provinces (or more)
        cached = await _cost(gateway, regions)
        assert cached == {"estimated": first["estimated"], "actual": 0}  # served by the account's cache
        assert _sent(gateway) == first["actual"]


async def test_the_configured_max_cost_applies() -> None:
    async with client_for(LimitsConfig(max_cost=3)) as client:
        headers = {"accept": GRAPHQL_RESPONSE_JSON}
        cheap = await client.post("/graphql", json={"query": "{ customers(first: 5) { totalCount } }"}, headers=headers)
        assert cheap.status_code == 200, cheap.text
        assert cheap.json()["extensions"]["cost"]["estimated"] == 2  # one account: its list, one page
        dear = await client.post(
            "/graphql", json={"query": "{ a: customers { totalCount } b: customers { totalCount } }"}, headers=headers
        )
        assert dear.status_code == 400
        assert dear.json()["errors"][0]["extensions"]["cost"] == {"estimated": 4, "maximum": 3}
