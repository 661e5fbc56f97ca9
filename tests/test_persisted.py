"""Persisted queries: the APQ flow, trusted-documents mode (both manifest formats), introspection off."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from gateway.config import GatewayConfig, parse_config
from gateway.config_tables import GraphQLConfig
from gateway.endpoint import GRAPHQL_RESPONSE_JSON
from gateway.errors import ConfigError
from gateway.persisted import Documents, load_manifest, sha256_of
from gateway.registry import Registry
from gateway.testing import running
from tests.support.answers import without_cost
from tests.support.fakes import FakePlugin
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

COUNT = "{ customers { totalCount } }"
OTHER = "query Other { customers { totalCount } }"
MUTATION = "mutation Named { __typename }"


def apq(digest: str, query: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    return body


async def serve(config: GatewayConfig) -> Any:
    return running(create_app(config, Registry([FakePlugin({"one": 5})])))


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with await serve(config_for("one")) as test_client:
        yield test_client


async def test_an_unknown_hash_is_not_found_then_registered_then_runs_by_hash(client: httpx.AsyncClient) -> None:
    digest = sha256_of(COUNT)
    missing = await client.post("/graphql", json=apq(digest))
    assert missing.status_code == 200
    assert without_cost(missing.json()) == {
        "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
    }
    spec = await client.post("/graphql", json=apq(digest), headers={"accept": GRAPHQL_RESPONSE_JSON})
    assert spec.status_code == 400
    registered = await client.post("/graphql", json=apq(digest, COUNT))
    assert without_cost(registered.json()) == {"data": {"customers": {"totalCount": 5}}}
    by_hash = await client.post("/graphql", json=apq(digest.upper()))
    assert without_cost(by_hash.json()) == {"data": {"customers": {"totalCount": 5}}}
    extensions = json.dumps(apq(digest)["extensions"])
    by_get = await client.get("/graphql", params={"extensions": extensions})
    assert by_get.status_code == 200
    assert without_cost(by_get.json()) == {"data": {"customers": {"totalCount": 5}}}


async def test_a_hash_that_is_not_the_documents_is_refused_and_not_stored(client: httpx.AsyncClient) -> None:
    digest = sha256_of(OTHER)
    wrong = await client.post("/graphql", json=apq(digest, COUNT))
    assert wrong.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_INVALID"}
    assert "data" not in wrong.json()
    still_missing = await client.post("/graphql", json=apq(digest))
    assert still_missing.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}
    version = await client.post(
        "/graphql", json={"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha256_of(COUNT)}}}
    )
    assert version.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_INVALID"}


async def test_a_mutation_never_runs_over_get_even_by_hash(client: httpx.AsyncClient) -> None:
    digest = sha256_of(MUTATION)
    registered = await client.post("/graphql", json=apq(digest, MUTATION))
    assert without_cost(registered.json()) == {"data": {"__typename": "Mutation"}}
    response = await client.get("/graphql", params={"extensions": json.dumps(apq(digest)["extensions"])})
    assert response.status_code == 400
    assert without_cost(response.json()) == {
        "errors": [{"message": "mutations are not allowed when using GET", "extensions": {"code": "BAD_REQUEST"}}]
    }


async def test_the_store_is_bounded() -> None:
    documents = Documents(cache_size=2)
    queries = [f"{{ a{n}: __typename }}" for n in range(3)]
    for query in queries:
        documents.document(apq(sha256_of(query), query))
    assert documents.document(apq(sha256_of(queries[2]))) == queries[2]
    with pytest.raises(Exception, match="PersistedQueryNotFound"):
        documents.document(apq(sha256_of(queries[0])))


def object_manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({sha256_of(COUNT): COUNT}))
    return path


def apollo_manifest(tmp_path: Path) -> Path:
    path = tmp_path / "persisted-query-manifest.json"
    operations = [{"id": sha256_of(COUNT), "body": COUNT, "name": "Count", "type": "query"}]
    path.write_text(json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}))
    return path


@pytest.mark.parametrize("manifest", [object_manifest, apollo_manifest])
async def test_trusted_documents_run_by_hash_or_text_and_nothing_else(tmp_path: Path, manifest: Any) -> None:
    path = manifest(tmp_path)
    config = replace(config_for("one"), trusted_documents=load_manifest(path, "graphql.trusted_documents"))
    async with await serve(config) as client:
        by_hash = await client.post("/graphql", json=apq(sha256_of(COUNT)))
        assert without_cost(by_hash.json()) == {"data": {"customers": {"totalCount": 5}}}
        by_text = await client.post("/graphql", json={"query": COUNT})
        assert without_cost(by_text.json()) == {"data": {"customers": {"totalCount": 5}}}
        by_get = await client.get("/graphql", params={"query": COUNT})
        assert without_cost(by_get.json()) == {"data": {"customers": {"totalCount": 5}}}
        for refused in (
            await client.post("/graphql", json={"query": OTHER}),
            await client.post("/graphql", json=apq(sha256_of(OTHER), OTHER)),  # no registering here
            await client.post("/graphql", json=apq(sha256_of(COUNT), OTHER)),
            await client.get("/graphql", params={"query": OTHER}),
        ):
            assert refused.json()["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_ALLOWED"}
            assert "data" not in refused.json()
        # A body that is not JSON is refused before any document is looked at.
        malformed = await client.post("/graphql", content=b"{ not json", headers={"content-type": "application/json"})
        assert malformed.json()["errors"][0]["extensions"] == {"code": "BAD_REQUEST"}
        spec = await client.post("/graphql", json={"query": OTHER}, headers={"accept": GRAPHQL_RESPONSE_JSON})
        assert spec.status_code == 400


def test_graphql_table_reads_the_manifest_from_the_config_files_folder(tmp_path: Path) -> None:
    manifest = apollo_manifest(tmp_path)
    config_file = tmp_path / "gateway.toml"
    config_file.write_text("")
    data = {
        "accounts": [
            {
                "id": "one",
                "provider": "fake",
                "name": "One",
                "role": "distributor",
                "credentials": {"token": "TOKEN"},
                "settings": {"region": "cn"},
            }
        ],
        "graphql": {"trusted_documents": manifest.name, "introspection": False},
    }
    config = parse_config(data, Registry([FakePlugin()]), {"TOKEN": "t"}, source=str(config_file))
    assert config.trusted_documents == {sha256_of(COUNT): COUNT}
    assert config.graphql.introspection is False


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[]", "must be a JSON object"),
        ("{", "cannot read"),
        ("{}", "lists no documents"),
        (json.dumps({sha256_of(COUNT): OTHER}), "not that document's SHA-256"),
        (json.dumps({"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}), "version"),
        (json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x"}]}), "body"),
    ],
)
def test_a_bad_manifest_is_a_config_error_at_its_key(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=problem) as error:
        load_manifest(path, "graphql.trusted_documents")
    assert error.value.key == "graphql.trusted_documents"
    with pytest.raises(ConfigError, match="file not found"):
        load_manifest(tmp_path / "missing.json", "graphql.trusted_documents")


async def test_introspection_can_be_switched_off() -> None:
    query = "{ __schema { queryType { name } } }"
    async with await serve(config_for("one")) as client:
        on = await client.post("/graphql", json={"query": query})
        assert without_cost(on.json()) == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    config = replace(config_for("one"), graphql=GraphQLConfig(introspection=False))
    async with await serve(config) as client:
        off = await client.post("/graphql", json={"query": query}, headers={"accept": GRAPHQL_RESPONSE_JSON})
        assert off.status_code == 400
        assert "introspection" in off.json()["errors"][0]["message"].lower()
        assert off.json()["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
        type_query = await client.post("/graphql", json={"query": '{ __type(name: "Query") { name } }'})
        assert type_query.json()["errors"]
        assert without_cost((await client.post("/graphql", json={"query": COUNT})).json()) == {
            "data": {"customers": {"totalCount": 5}}
        }
