"""[server] cors_origins: exact origins, preflight, nothing for others; and the [limits] keys' checks."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from gateway.app import create_app
from gateway.config import ServerConfig, parse_config
from gateway.config_tables import LimitsConfig
from gateway.errors import ConfigError
from gateway.registry import Registry
from gateway.testing import running
from tests.support.answers import without_cost
from tests.support.fakes import FakePlugin
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

APP = "https://app.example.com"
COUNT = "{ customers { totalCount } }"


def preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


async def test_a_listed_origin_gets_its_preflight_and_cors_headers_an_unlisted_one_nothing() -> None:
    config = replace(config_for("one"), server=ServerConfig(cors_origins=(APP, "http://localhost:5173")))
    async with running(create_app(config, Registry([FakePlugin({"one": 5})]))) as client:
        allowed = await client.options("/graphql", headers=preflight(APP))
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == APP
        methods = {m.strip() for m in allowed.headers["access-control-allow-methods"].split(",")}
        assert methods >= {"GET", "POST"}
        headers = {h.strip().lower() for h in allowed.headers["access-control-allow-headers"].split(",")}
        assert headers >= {"authorization", "content-type", "x-api-key", "x-request-id"}
        assert "access-control-allow-credentials" not in allowed.headers

        refused = await client.options("/graphql", headers=preflight("https://evil.example.com"))
        assert refused.status_code >= 400
        assert "access-control-allow-origin" not in refused.headers  # what a browser needs to let it through

        answered = await client.post("/graphql", json={"query": COUNT}, headers={"origin": APP})
        assert without_cost(answered.json()) == {"data": {"customers": {"totalCount": 5}}}
        assert answered.headers["access-control-allow-origin"] == APP
        assert "retry-after" in answered.headers["access-control-expose-headers"].lower()  # a 429's wait, readable
        other = await client.post("/graphql", json={"query": COUNT}, headers={"origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers


async def test_without_origins_no_cors_at_all() -> None:
    async with running(create_app(config_for("one"), Registry([FakePlugin({"one": 5})]))) as client:
        response = await client.options("/graphql", headers=preflight(APP))
        assert response.status_code == 405
        assert "access-control-allow-origin" not in response.headers


def config(**tables: Any) -> Any:
    account = {
        "id": "one",
        "provider": "fake",
        "name": "One",
        "role": "distributor",
        "credentials": {"token": "TOKEN"},
        "settings": {"region": "cn"},
    }
    return parse_config({"accounts": [account], **tables}, Registry([FakePlugin()]), {"TOKEN": "t"})


def test_origins_and_limits_are_read() -> None:
    parsed = config(
        server={"cors_origins": [APP, "http://127.0.0.1:5173"]},
        limits={"requests_per_minute": 60, "request_timeout_seconds": 2.5},
    )
    assert parsed.server.cors_origins == (APP, "http://127.0.0.1:5173")
    assert (parsed.limits.requests_per_minute, parsed.limits.request_timeout_seconds) == (60, 2.5)
    defaults = config()
    assert (defaults.limits.requests_per_minute, defaults.limits.request_timeout_seconds) == (600, 10.0)
    assert defaults.server.cors_origins == ()
    assert defaults.graphql.introspection is True
    assert defaults.trusted_documents is None


@pytest.mark.parametrize(
    ("tables", "key"),
    [
        ({"server": {"cors_origins": "https://app.example.com"}}, "server.cors_origins"),
        ({"server": {"cors_origins": ["*"]}}, "server.cors_origins[0]"),
        ({"server": {"cors_origins": [APP, "https://*.example.com"]}}, "server.cors_origins[1]"),
        ({"server": {"cors_origins": ["https://app.example.com/"]}}, "server.cors_origins[0]"),
        ({"server": {"cors_origins": ["https://app.example.com/path"]}}, "server.cors_origins[0]"),
        ({"server": {"cors_origins": ["app.example.com"]}}, "server.cors_origins[0]"),
        ({"server": {"cors_origins": ["ftp://app.example.com"]}}, "server.cors_origins[0]"),
        ({"server": {"cors_origins": ["https://user@app.example.com"]}}, "server.cors_origins[0]"),
        ({"server": {"cors_origins": ["https://app.example.com:port"]}}, "server.cors_origins[0]"),
        ({"server": {"cors_origins": [3]}}, "server.cors_origins[0]"),
        ({"limits": {"requests_per_minute": -1}}, "limits.requests_per_minute"),
        ({"limits": {"requests_per_minute": "600"}}, "limits.requests_per_minute"),
        ({"limits": {"request_timeout_seconds": 0}}, "limits.request_timeout_seconds"),
        ({"limits": {"requests_per_second": 1}}, "limits.requests_per_second"),
        ({"graphql": {"introspection": "no"}}, "graphql.introspection"),
        ({"graphql": {"trusted_documents": "missing.json"}}, "graphql.trusted_documents"),
    ],
)
def test_bad_values_are_errors_at_their_key(tables: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as error:
        config(**tables)
    assert error.value.key == key


def test_the_readme_lists_each_limit_with_its_default() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("**Limits** (`[limits]`", 1)[1].split("\n\n", 2)[1]
    rows = re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", section, flags=re.MULTILINE)
    assert {"requests_per_minute", "request_timeout_seconds"} <= {key for key, _ in rows}
    defaults = LimitsConfig()
    for key, default in rows:
        assert getattr(defaults, key) == tomllib.loads(f"v = {default}")["v"], key
