"""The HTTP app over a fake provider plug-in: routes, lifespan, GraphQL errors."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.app import create_app
from gateway.config import AccountConfig, GatewayConfig
from gateway.ids import decode_global_id
from gateway.models import PartnerAccount, Secret
from gateway.registry import Registry
from gateway.testing import running
from tests.support.fakes import FAKE_PROGRAM, FakePlugin, unavailable

pytestmark = pytest.mark.anyio

QUERY = (
    "{ customers(first: 60) { totalCount edges { cursor node { id provider nativeId name partner { id name } } } } }"
)


def config_for(*account_ids: str) -> GatewayConfig:
    return GatewayConfig(
        accounts=tuple(
            AccountConfig(
                PartnerAccount(
                    account_id, "fake", f"Name of {account_id} 名", "distributor", "https://fake.invalid", FAKE_PROGRAM
                ),
                {"token": Secret("tok-SECRET-1")},
            )
            for account_id in account_ids
        )
    )


@pytest.fixture
def plugin() -> FakePlugin:
    return FakePlugin({"one": 25, "two": 40})


@pytest.fixture
async def client(plugin: FakePlugin) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(config_for("one", "two"), Registry([plugin]))) as test_client:
        yield test_client


async def test_healthz_says_the_process_is_alive(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


async def test_readyz_is_200_when_every_account_answers(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["store"] == {"ok": True}
    assert response.json()["accounts"] == {
        "one": {"provider": "fake", "ok": True},
        "two": {"provider": "fake", "ok": True},
    }


async def test_readyz_is_503_naming_the_failing_accounts() -> None:
    plugin = FakePlugin({"one": 3, "two": unavailable("two")})
    async with running(create_app(config_for("one", "two"), Registry([plugin]))) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unready"
    assert body["store"] == {"ok": True}
    assert body["accounts"]["one"]["ok"] is True
    assert body["accounts"]["two"]["ok"] is False
    assert body["accounts"]["two"]["error"]["code"] == "PROVIDER_UNAVAILABLE"
    assert body["accounts"]["two"]["error"]["upstreamCode"] == "ServiceUnavailable"


async def test_customers_of_every_account_by_post_and_get(client: httpx.AsyncClient) -> None:
    posted = await client.post("/graphql", json={"query": QUERY})
    assert posted.status_code == 200
    data = posted.json()["data"]["customers"]
    assert data["totalCount"] == 65
    nodes = [edge["node"] for edge in data["edges"]]
    assert [n["nativeId"] for n in nodes] == [f"one-{i}" for i in range(25)] + [f"two-{i}" for i in range(35)]
    assert nodes[0]["partner"]["name"] == "Name of one 名"
    assert "\\u" not in posted.text  # UTF-8 as it is, not escaped
    assert decode_global_id(nodes[0]["id"], "Customer", 2) == ("one", "one-0")
    assert decode_global_id(nodes[0]["partner"]["id"], "Partner", 1) == ("one",)
    assert len({n["id"] for n in nodes}) == 60

    fetched = await client.get("/graphql", params={"query": QUERY})
    assert fetched.status_code == 200
    assert fetched.json()["data"] == posted.json()["data"]


async def test_graphiql_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_a_bad_cursor_is_a_typed_error(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": '{ customers(after: "bogus") { totalCount } }'})
    [error] = response.json()["errors"]
    assert error["message"] == "malformed cursor"
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    assert response.json()["data"] is None


async def test_a_provider_failure_carries_code_provider_partner_and_request_id(plugin: FakePlugin) -> None:
    plugin.data["two"] = unavailable("two")
    async with running(create_app(config_for("one", "two"), Registry([plugin]))) as client:
        response = await client.post("/graphql", json={"query": QUERY})
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "PROVIDER_UNAVAILABLE",
        "provider": "fake",
        "partnerId": "two",
        "upstreamCode": "ServiceUnavailable",
        "requestId": "req-1",
    }


async def test_an_unexpected_exception_is_masked_and_logged(
    plugin: FakePlugin, caplog: pytest.LogCaptureFixture
) -> None:
    plugin.data["one"] = RuntimeError("boom at /secret/path with tok-SECRET-1")
    async with running(create_app(config_for("one"), Registry([plugin]))) as client:
        response = await client.post("/graphql", json={"query": QUERY})
    assert response.status_code == 200
    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL"}
    assert "SECRET" not in response.text
    assert "Traceback" not in response.text
    assert any("unexpected error" in record.message for record in caplog.records)


async def test_syntax_errors_are_typed(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ customers(first: "})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_expected_errors_are_not_logged_as_incidents(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.post("/graphql", json={"query": "{ customers(first: 0) { totalCount } }"})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"  # an error was answered...
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # ...and not logged as an incident
