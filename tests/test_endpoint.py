"""/graphql: API keys and roles, GraphQL-over-HTTP media types and status codes, query limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import ApiKey, Authenticator, Role, hash_key
from gateway.config import GatewayConfig
from gateway.endpoint import GRAPHQL_RESPONSE_JSON
from gateway.registry import Registry
from gateway.schema import MAX_ALIASES, MAX_DEPTH
from gateway.testing import running
from tests.support.fakes import FakePlugin
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

KEYS = {"admin-key-0123456789": Role.ADMIN, "sales-key-0123456789": Role.SALES}
SPEC = {"accept": GRAPHQL_RESPONSE_JSON}
COUNT = "{ customers { totalCount } }"


def with_keys(config: GatewayConfig) -> GatewayConfig:
    keys = tuple(
        ApiKey(name=f"{role.value}-key", sha256=hash_key(key), role=role, owner="wang" if role is Role.SALES else None)
        for key, role in KEYS.items()
    )
    return GatewayConfig(accounts=config.accounts, api_keys=keys)


@pytest.fixture
async def open_client() -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(config_for("one"), Registry([FakePlugin({"one": 5})]))) as client:
        yield client


@pytest.fixture
async def keyed_client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(with_keys(config_for("one")), Registry([FakePlugin({"one": 5})]))
    async with running(app) as client:
        yield client


async def test_with_keys_configured_a_request_without_one_is_401(keyed_client: httpx.AsyncClient) -> None:
    response = await keyed_client.post("/graphql", json={"query": COUNT})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


@pytest.mark.parametrize(
    "headers",
    [{"authorization": "Bearer wrong-key"}, {"x-api-key": "wrong"}, {"authorization": "Basic admin-key-0123456789"}],
)
async def test_an_unknown_or_misplaced_key_is_401(keyed_client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await keyed_client.post("/graphql", json={"query": COUNT}, headers=headers)
    assert response.status_code == 401
    assert "admin-key" not in response.text


@pytest.mark.parametrize(
    "headers", [{"authorization": "Bearer admin-key-0123456789"}, {"x-api-key": "admin-key-0123456789"}]
)
async def test_a_known_key_is_let_in(keyed_client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await keyed_client.post("/graphql", json={"query": COUNT}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    body.pop("extensions")  # the request's cost (tests/test_cost.py)
    assert body == {"data": {"customers": {"totalCount": 5}}}


async def test_the_graphiql_page_needs_no_key_but_its_queries_do(keyed_client: httpx.AsyncClient) -> None:
    page = await keyed_client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    query = await keyed_client.get("/graphql", params={"query": COUNT}, headers={"accept": "text/html"})
    assert query.status_code == 401


def test_keys_are_looked_up_by_hash_and_no_keys_means_open() -> None:
    authenticator = Authenticator([ApiKey("k", hash_key("secret-key"), Role.FINANCE)])
    principal = authenticator.principal("secret-key")
    assert principal is not None
    assert principal.role is Role.FINANCE
    assert authenticator.principal(hash_key("secret-key")) is None  # the hash itself is no key
    assert authenticator.principal(None) is None
    open_principal = Authenticator([]).principal(None)
    assert open_principal is not None
    assert open_principal.role is Role.ADMIN


async def test_spec_media_type_request_error_is_400_without_data(open_client: httpx.AsyncClient) -> None:
    response = await open_client.post("/graphql", json={"query": "{ customers { nope } }"}, headers=SPEC)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_spec_media_type_field_error_is_200_with_data_entry(open_client: httpx.AsyncClient) -> None:
    response = await open_client.post(
        "/graphql", json={"query": "{ customers(first: 0) { totalCount } }"}, headers=SPEC
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_legacy_json_request_error_stays_200(open_client: httpx.AsyncClient) -> None:
    response = await open_client.post("/graphql", json={"query": "{ customers { nope } }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_body_that_is_not_json_gets_a_json_error(open_client: httpx.AsyncClient) -> None:
    response = await open_client.post(
        "/graphql", content=b"{not json", headers={**SPEC, "content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def _nested_type_query(levels: int) -> str:
    return '{ __type(name: "Customer") { ' + "ofType { " * levels + "name" + " }" * levels + " } }"


async def test_a_query_within_the_limits_runs(open_client: httpx.AsyncClient) -> None:
    response = await open_client.post("/graphql", json={"query": _nested_type_query(MAX_DEPTH - 2)}, headers=SPEC)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        (" ".join(["{", *[f"a{n}: customers {{ totalCount }}" for n in range(MAX_ALIASES + 1)], "}"]), "aliases found"),
        ("{ customers { totalCount " + "__typename " * 2100 + "} }", "tokens"),
        ("{ " + "customers { edges { node { partner { " * 4 + "id" + " } } } }" * 4 + " }", "maximum operation depth"),
    ],
)
async def test_over_a_limit_is_a_400_query_too_complex(
    open_client: httpx.AsyncClient, query: str, fragment: str
) -> None:
    response = await open_client.post("/graphql", json={"query": query}, headers=SPEC)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert fragment in error["message"]
