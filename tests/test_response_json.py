"""What /graphql sends is the JSON of the answer, byte for byte as encoded once: UTF-8 as it is (customer names are
mostly Chinese), money as decimal strings with their scale, ``extra`` as provider-only JSON (decimals and datetimes
as strings), escapes where JSON needs them, and one content type and length that match the body; in both media
types, for a full answer and a partial one."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from gateway.app import create_app
from gateway.endpoint import GRAPHQL_RESPONSE_JSON
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FakePlugin, make_customers, unavailable
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

NAME = '客户 "甲" \\ 乙\u2028\t😀'
EXTRA = {
    "creditLine": Decimal("12.30"),
    "tiny": Decimal("1E-7"),
    "at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
    "tags": ["一", 2, True, None],
}
QUERY = "{ customers(first: 1) { nodes { name extra orders(first: 1) { nodes { amountDue { amount currency } } } } } }"


def expected_node(big: int) -> dict[str, object]:
    return {
        "name": NAME,
        "extra": {
            "creditLine": "12.30",
            "tiny": "1E-7",
            "at": "2026-01-02 03:04:05+00:00",
            "tags": ["一", 2, True, None],
            "nested": {"big": big, "ratio": "0.50"},
        },
        "orders": {"nodes": [{"amountDue": {"amount": "99.90", "currency": "CNY"}}]},
    }


@pytest.fixture
def plugin() -> FakePlugin:
    return FakePlugin({"one": 1, "two": 1})


@pytest.fixture(params=[2**53 + 1, 2**70], ids=["int64", "bigger"])
def big(request: pytest.FixtureRequest) -> int:
    """An integer in a provider's extra fields: one that fits 64 bits, and one beyond (encoded all the same)."""
    value: int = request.param
    return value


@pytest.fixture
async def client(plugin: FakePlugin, big: int) -> AsyncIterator[httpx.AsyncClient]:
    extra = {**EXTRA, "nested": {"big": big, "ratio": Decimal("0.50")}}
    async with running(create_app(config_for("one", "two"), Registry([plugin]))) as client:
        one = plugin.created["one"]
        one.customers = [replace(c, name=NAME, extra=extra) for c in make_customers("one", 1)]
        one.orders = [replace(o, customer_id=one.customers[0].native_id) for o in one.orders[:1]]
        yield client


def assert_sent_as_is(response: httpx.Response, media_type: str) -> dict[str, object]:
    assert response.headers.get_list("content-type") == [f"{media_type}; charset=utf-8"]
    assert int(response.headers["content-length"]) == len(response.content)
    text = response.content.decode("utf-8")
    assert '客户 \\"甲\\" \\\\ 乙' in text
    assert "😀" in text
    assert "\\u5ba2" not in text
    assert "\\t" in text
    body: dict[str, object] = json.loads(text)
    assert response.content == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return body


@pytest.mark.parametrize("media_type", ["application/json", GRAPHQL_RESPONSE_JSON])
async def test_a_full_answer(client: httpx.AsyncClient, big: int, media_type: str) -> None:
    response = await client.post(
        "/graphql",
        json={"query": QUERY},
        headers={"accept": media_type},
    )
    assert response.status_code == 200
    body = assert_sent_as_is(response, media_type)
    assert body["data"] == {"customers": {"nodes": [expected_node(big)]}}
    assert "errors" not in body


@pytest.mark.parametrize("media_type", ["application/json", GRAPHQL_RESPONSE_JSON])
async def test_a_partial_answer(client: httpx.AsyncClient, plugin: FakePlugin, big: int, media_type: str) -> None:
    plugin.created["two"].fail_with = unavailable("two")
    response = await client.post(
        "/graphql", json={"query": QUERY.replace("first: 1", "first: 2", 1)}, headers={"accept": media_type}
    )
    assert response.status_code == 200
    body = assert_sent_as_is(response, media_type)
    assert body["data"] == {"customers": {"nodes": [expected_node(big)]}}
    errors = body["errors"]
    assert isinstance(errors, list)
    assert errors[0]["extensions"]["partnerId"] == "two"
