"""Known documents (gateway.schema.limits.KnownDocuments): a document text that passed the limits and validation is
neither parsed nor validated again, while everything that depends on the request is still checked each time: its
cost with its variables, its operation, its transport; an invalid document is refused every time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import strawberry.schema.schema as strawberry_schema
from graphql import parse

from gateway.app import create_app
from gateway.config import GatewayConfig, LimitsConfig
from gateway.endpoint import GRAPHQL_RESPONSE_JSON
from gateway.registry import Registry
from gateway.schema.limits import KnownDocuments
from gateway.testing import running
from tests.support.fakes import FakePlugin
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

SPEC = {"accept": GRAPHQL_RESPONSE_JSON}
BALANCES = "query($n: Int) { customers(first: $n) { nodes { name balance { amount } } } }"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    config = config_for("one")
    app = create_app(
        GatewayConfig(accounts=config.accounts, limits=LimitsConfig(max_cost=30)), Registry([FakePlugin({"one": 50})])
    )
    async with running(app) as client:
        yield client


def counted(monkeypatch: pytest.MonkeyPatch, name: str) -> list[object]:
    calls: list[object] = []
    original: Callable[..., Any] = getattr(strawberry_schema, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, name, wrapper)
    return calls


async def ask(client: httpx.AsyncClient, query: str, **body: Any) -> tuple[int, dict[str, Any]]:
    response = await client.post("/graphql", json={"query": query, **body}, headers=SPEC)
    answer: dict[str, Any] = response.json()
    return response.status_code, answer


def codes(answer: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in answer.get("errors", [])]


async def test_a_document_sent_again_is_neither_parsed_nor_validated_again(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed, validated = counted(monkeypatch, "parse"), counted(monkeypatch, "validate_document")
    first = await ask(client, BALANCES, variables={"n": 2})
    assert (len(parsed), len(validated)) == (1, 1)
    again = await ask(client, BALANCES, variables={"n": 2})
    assert (len(parsed), len(validated)) == (1, 1)
    assert again == first
    assert first[0] == 200
    assert [node["name"] for node in first[1]["data"]["customers"]["nodes"]] == ["Customer 0", "Customer 1"]


async def test_a_known_document_is_costed_with_each_requests_variables(client: httpx.AsyncClient) -> None:
    status, answer = await ask(client, BALANCES, variables={"n": 2})
    assert status == 200, answer
    status, answer = await ask(client, BALANCES, variables={"n": 50})  # 50 credit lookups: over max_cost
    assert (status, codes(answer)) == (400, ["COST_ESTIMATED_TOO_EXPENSIVE"])
    status, answer = await ask(client, BALANCES, variables={"n": 3})
    assert status == 200, answer
    assert len(answer["data"]["customers"]["nodes"]) == 3


async def test_an_invalid_document_is_refused_every_time(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated = counted(monkeypatch, "validate_document")
    for _ in range(2):
        status, answer = await ask(client, "{ customers { nope } }")
        assert (status, codes(answer)) == (400, ["GRAPHQL_VALIDATION_FAILED"])
    assert len(validated) == 2


async def test_the_operation_and_the_transport_are_checked_each_time(client: httpx.AsyncClient) -> None:
    document = "query Count { customers { totalCount } } subscription Events { events { type } }"
    for _ in range(2):
        status, answer = await ask(client, document, operationName="Count")
        assert (status, answer.get("data")) == (200, {"customers": {"totalCount": 50}})
    status, answer = await ask(client, document, operationName="Events")
    assert codes(answer) == ["BAD_USER_INPUT"]
    assert answer["errors"][0]["extensions"]["reason"] == "SUBSCRIPTION_OVER_HTTP"
    status, answer = await ask(client, document, operationName="Nope")
    assert status == 400
    assert "Nope" in answer["errors"][0]["message"]


def test_the_most_recently_used_texts_are_kept() -> None:
    known = KnownDocuments(size=2)
    a, b, c = (parse(f"{{ {name}: __typename }}") for name in "abc")
    known.add("a", a)
    known.add("b", b)
    assert known.get("a") is a  # a is now the most recently used
    known.add("c", c)
    assert (known.get("a"), known.get("b"), known.get("c")) == (a, None, c)
