"""[limits] on one document: linear in its size, whatever its fragments do; tokens counted before parsing."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query, parse

from gateway.app import create_app
from gateway.config import GatewayConfig, LimitsConfig, parse_config
from gateway.endpoint import GRAPHQL_RESPONSE_JSON
from gateway.errors import ConfigError, QueryTooComplex
from gateway.registry import Registry
from gateway.schema import limits as limits_module
from gateway.schema.limits import Figures, check_document, measure, tokens_over
from gateway.testing import running
from tests.support.fakes import FakePlugin
from tests.test_app import config_for
from tests.test_config import ENV, REGISTRY, VALID

SPEC = {"accept": GRAPHQL_RESPONSE_JSON}
DEFAULTS = LimitsConfig()


def fragment_bomb(levels: int) -> str:
    """``{ ...F0 }``, each fragment spreading the next twice: 2**levels fields once expanded."""
    fragments = [f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels - 1)]
    return " ".join(["{ ...F0 }", *fragments, f"fragment F{levels - 1} on Query {{ __typename }}"])


def client_for(limits: LimitsConfig = DEFAULTS) -> Any:
    config = config_for("one")
    return running(
        create_app(GatewayConfig(accounts=config.accounts, limits=limits), Registry([FakePlugin({"one": 5})]))
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with client_for() as client:
        yield client


async def _refused(client: httpx.AsyncClient, query: str, **extra: Any) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, **extra}, headers=SPEC)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE_JSON)
    body: dict[str, Any] = response.json()
    assert "data" not in body
    [error] = body["errors"]
    return dict(error)


# -- fragment bombs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [23, 30])
def test_a_fragment_bomb_is_measured_in_milliseconds(levels: int) -> None:
    document = parse(fragment_bomb(levels))
    timings = []
    for _ in range(3):  # the best of three: a refusal takes the same work each time, a busy machine does not
        started = time.perf_counter()
        with pytest.raises(QueryTooComplex) as caught:
            check_document(document, DEFAULTS)
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.1, timings
    assert caught.value.limit == "max_fields"
    # Exact, not a guess: each fragment is its two spreads and twice the next one's fields.
    expected = 1
    for _ in range(levels - 1):
        expected = 2 * (1 + expected)
    [(_, figures)] = measure(document)
    assert figures.fields == 1 + expected


@pytest.mark.anyio
@pytest.mark.parametrize("levels", [23, 30])
async def test_a_fragment_bomb_is_refused_over_http_in_under_100_ms(client: httpx.AsyncClient, levels: int) -> None:
    await client.post("/graphql", json={"query": "{ __typename }"})  # warm up: the first request builds loaders
    timings = []
    for _ in range(3):  # the best of three round trips (see above); strawberry's limiters took 19.8 s at 23
        started = time.perf_counter()
        error = await _refused(client, fragment_bomb(levels))
        timings.append(time.perf_counter() - started)
    assert min(timings) < 0.1, timings
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "max_fields", "maximum": DEFAULTS.max_fields}
    health = await client.get("/healthz")  # and the process is free
    assert health.status_code == 200


def test_each_fragment_is_measured_once_and_counted_wherever_it_is_spread(monkeypatch: pytest.MonkeyPatch) -> None:
    aliases = " ".join(f"a{n}: customers {{ totalCount }}" for n in range(20))
    document = parse(
        "{ ...Aliases ...Deep x: partners { nodes { ...Aliases } } } "
        f"fragment Aliases on Query {{ {aliases} }} "
        "fragment Deep on Query { customers { edges { node { partner { customers { totalCount } } } } } }"
    )
    visits: Counter[int] = Counter()
    original = limits_module._Measure.selections

    def counting(self: Any, node: Any, nesting: int) -> Figures:
        visits[id(node)] += 1
        return original(self, node, nesting)

    monkeypatch.setattr(limits_module._Measure, "selections", counting)
    [(_, figures)] = measure(document)
    aliases_fragment = document.definitions[1].selection_set  # type: ignore[attr-defined]
    assert visits[id(aliases_fragment)] == 1
    assert figures.aliases == 20 + 1 + 20  # the fragment's twice, and x
    # Fields: 20 aliased fields of 2 each (customers, totalCount), twice; x, nodes; Deep's 6; 3 spreads.
    assert figures.fields == 2 * 40 + 2 + 6 + 3
    assert figures.depth == 5  # customers > edges > node > partner > customers { totalCount }
    with pytest.raises(QueryTooComplex) as caught:
        check_document(document, DEFAULTS)
    assert caught.value.limit == "max_aliases"
    assert "41 aliases found" in caught.value.message


def test_depth_runs_through_fragments_and_ignores_introspection() -> None:
    deep = parse(
        "{ ...A } fragment A on Query { customers { edges { node { ...B } } } } "
        "fragment B on Customer { partner { customers { edges { node { partner { id } } } } } }"
    )
    [(_, figures)] = measure(deep)
    assert figures.depth == 8
    with pytest.raises(QueryTooComplex, match="maximum operation depth of 7") as caught:
        check_document(deep, LimitsConfig(max_depth=7))
    assert caught.value.extensions() == {"code": "QUERY_TOO_COMPLEX", "limit": "max_depth", "maximum": 7}
    check_document(deep, LimitsConfig(max_depth=8))
    introspection = parse("{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }")
    [(_, figures)] = measure(introspection)
    assert figures.depth == 0


@pytest.mark.anyio
async def test_a_fragment_that_spreads_itself_is_a_validation_error(client: httpx.AsyncClient) -> None:
    error = await _refused(
        client, "{ ...A } fragment A on Query { customers { totalCount } ...B } fragment B on Query { ...A }"
    )
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "within itself" in error["message"]


@pytest.mark.anyio
async def test_a_wide_but_legal_document_runs(client: httpx.AsyncClient) -> None:
    fields = "id name status owner email phone"
    aliases = " ".join(f"p{n}: customers(first: 2) {{ ...Row }}" for n in range(DEFAULTS.max_aliases))
    query = f"{{ {aliases} }} fragment Row on CustomerConnection {{ totalCount nodes {{ {fields} partner {{ id }} }} }}"
    assert not tokens_over(query, DEFAULTS.max_tokens)
    response = await client.post("/graphql", json={"query": query}, headers=SPEC)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body
    assert len(body["data"]) == DEFAULTS.max_aliases
    assert body["data"]["p0"]["totalCount"] == 5
    assert len(body["data"]["p29"]["nodes"]) == 2


@pytest.mark.anyio
async def test_the_full_introspection_query_runs_within_the_defaults(client: httpx.AsyncClient) -> None:
    query = get_introspection_query(descriptions=True, specified_by_url=True, input_value_deprecation=True)
    response = await client.post("/graphql", json={"query": query}, headers=SPEC)  # what GraphiQL asks first
    assert response.status_code == 200, response.text
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


# -- tokens ---------------------------------------------------------------------------------------------


def test_tokens_are_counted_without_reading_past_the_limit() -> None:
    assert not tokens_over("{ a b c }", 5)  # { a b c }: 5 tokens
    assert tokens_over("{ a b c d }", 5)
    assert tokens_over("# one\n# two\n{ a }", 4)  # comments count: they are read too
    assert not tokens_over('{ a(s: "unterminated }', 100)  # a lexing error is the parser's to report
    huge = "{ " + "a " * 2_000_000 + "}"
    started = time.perf_counter()
    assert tokens_over(huge, DEFAULTS.max_tokens)
    assert time.perf_counter() - started < 0.1


@pytest.mark.anyio
async def test_a_document_of_too_many_tokens_is_refused_before_parsing(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import strawberry.schema.schema as strawberry_schema

    parsed: list[object] = []
    original = strawberry_schema.parse

    def spy(source: Any, **options: Any) -> Any:
        parsed.append(source)
        return original(source, **options)

    monkeypatch.setattr(strawberry_schema, "parse", spy)
    huge = "query Big { customers { totalCount " + "__typename " * 80_000 + "} }"  # under max_body_bytes
    error = await _refused(client, huge, operationName="Big")
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": "max_tokens", "maximum": DEFAULTS.max_tokens}
    assert f"more than {DEFAULTS.max_tokens} tokens" in error["message"]
    assert parsed == []
    response = await client.post("/graphql", json={"query": "{ customers { totalCount } }"}, headers=SPEC)
    assert response.status_code == 200
    assert len(parsed) == 1  # the spy does see an ordinary document parsed


# -- configuration --------------------------------------------------------------------------------------


def test_limits_are_read_from_the_configuration_with_defaults() -> None:
    default = parse_config(VALID, REGISTRY, ENV).limits
    assert default == LimitsConfig()
    assert (default.max_tokens, default.max_depth, default.max_aliases) == (2000, 12, 30)
    assert (default.max_fields, default.max_cost) == (500, 1000)
    tuned = parse_config({**VALID, "limits": {"max_depth": 6, "max_cost": 50}}, REGISTRY, ENV).limits
    assert (tuned.max_depth, tuned.max_cost, tuned.max_aliases) == (6, 50, 30)


@pytest.mark.parametrize(
    ("limits", "key", "problem"),
    [
        ({"max_depth": 0}, "limits.max_depth", "greater than or equal to 1"),
        ({"max_cost": "1000"}, "limits.max_cost", "must be a valid integer"),
        ({"max_tokens": 1.5}, "limits.max_tokens", "must be a valid integer"),
        ({"max_body": 10}, "limits.max_body", "unknown key"),
    ],
)
def test_a_bad_limit_is_named_by_its_key(limits: dict[str, object], key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config({**VALID, "limits": limits}, REGISTRY, ENV)
    assert caught.value.key == key
    assert problem in caught.value.problem


@pytest.mark.anyio
async def test_the_configured_limits_apply() -> None:
    async with client_for(LimitsConfig(max_depth=2, max_fields=4, max_tokens=12)) as client:
        ok = await client.post("/graphql", json={"query": "{ customers { edges { cursor } } }"}, headers=SPEC)
        assert ok.status_code == 200, ok.text
        error = await _refused(client, "{ customers { edges { node { id } } } }")
        assert error["extensions"]["limit"] == "max_depth"
        error = await _refused(client, "{ customers { totalCount pageInfo { hasNextPage endCursor } } }")
        assert error["extensions"]["limit"] == "max_fields"
        error = await _refused(client, "{ a: customers { totalCount } b: customers { totalCount } }")
        assert error["extensions"]["limit"] == "max_tokens"
