"""The GraphiQL page and its assets come from the gateway itself; the embedded demo's simulators are read
through it by admins."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import hash_key
from gateway.config import GatewayConfig, demo_config, parse_config
from gateway.ide import ASSETS_DIR, SCRIPTS, STYLES
from gateway.registry import Registry
from gateway.store import MEMORY_URL
from gateway.testing import running
from tests.support.fakes import FakePlugin
from tests.test_app import config_for

pytestmark = pytest.mark.anyio

PAGE_URL = "http://gateway.test/graphql"
HTML = {"accept": "text/html,application/xhtml+xml"}
ADMIN_KEY, SALES_KEY = "pgw_admin-key-0123456789", "pgw_sales-key-0123456789"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class References(HTMLParser):
    """Every URL an HTML document makes a browser load or follow (src, href, action, ...)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.inline_scripts = 0
        self.div_auth: str | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "action", "formaction", "poster", "data", "srcset"):
            if values.get(name) is not None:
                self.urls.append((tag, str(values[name])))
        self._in_script = tag == "script"
        if tag == "div" and values.get("id") == "graphiql":
            self.div_auth = values.get("data-auth")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def references(html: str) -> References:
    parser = References()
    parser.feed(html)
    return parser


@pytest.fixture
async def open_client() -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(config_for("one"), Registry([FakePlugin({"one": 5})]))) as client:
        yield client


def keyed(config_text: str) -> tuple[GatewayConfig, Registry]:
    """A configuration file's text without [[accounts]] (so: the embedded demo's), its store in memory."""
    registry = Registry.discover()
    data = tomllib.loads(config_text)
    return parse_config({**data, "store": {"url": MEMORY_URL}}, registry, {}), registry


async def test_the_page_references_no_host_but_its_own(open_client: httpx.AsyncClient) -> None:
    page = await open_client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    found = references(page.text)
    assert "http://" not in page.text
    assert "https://" not in page.text
    assert "//unpkg" not in page.text
    assert found.urls, "the page loads its scripts and styles"
    for tag, url in found.urls:
        if url.startswith("data:"):  # the (empty) favicon: nothing is fetched
            continue
        parts = urlsplit(url)
        assert not parts.scheme, f"<{tag}> {url} is not relative"
        assert not parts.netloc, f"<{tag}> {url} is not relative"
        assert urlsplit(urljoin(PAGE_URL, url)).netloc == "gateway.test"
    # No inline script: the CSP allows scripts from the gateway only, and the browser enforces it.
    assert found.inline_scripts == 0
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "connect-src 'self'" in csp
    assert "default-src 'none'" in csp


async def test_every_asset_the_page_references_is_served_with_its_type_and_cached(
    open_client: httpx.AsyncClient,
) -> None:
    page = await open_client.get("/graphql", headers=HTML)
    loaded = [url for _, url in references(page.text).urls if not url.startswith("data:")]
    assert len(loaded) == len(STYLES) + len(SCRIPTS)
    for url in loaded:
        absolute = urljoin(PAGE_URL, url)
        path = urlsplit(absolute).path
        assert path.startswith("/graphiql/assets/")
        response = await open_client.get(absolute)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == CONTENT_TYPES[Path(path).suffix]
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        # The URL is versioned by the content, so a year's caching never serves a stale file.
        assert response.content == (ASSETS_DIR / path.removeprefix("/graphiql/assets/")).read_bytes()
        assert f"v={response.headers['etag'].strip(chr(34))}" in url
    scripts = [urlsplit(url).path.rsplit("/", 1)[-1] for url in loaded if url.split("?")[0].endswith(".js")]
    # React before ReactDOM before GraphiQL (UMD globals), the gateway's start-up last.
    assert scripts == ["react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "gateway-ide.js"]


@pytest.mark.parametrize("accept", ["*/*", "text/html", "application/json, */*;q=0.5"])
async def test_strawberrys_page_is_never_served(accept: str) -> None:
    """strawberry renders its (CDN) page for */* too: with a valid key that reached it before."""
    config, registry = keyed(f'[[api_keys]]\nname = "a"\nsha256 = "{hash_key(ADMIN_KEY)}"\nrole = "admin"\n')
    async with running(create_app(config, registry)) as client:
        for headers in ({"accept": accept}, {"accept": accept, "authorization": f"Bearer {ADMIN_KEY}"}):
            page = await client.get("/graphql", headers=headers)
            assert page.status_code == 200
            assert "unpkg" not in page.text
            assert references(page.text).div_auth == "required"


@pytest.mark.parametrize(
    "path", ["../ide.py", "..%2Fide.py", "graphiql-3.8.3/../../ide.py", "nothing.js", "graphiql-3.8.3/"]
)
async def test_nothing_but_the_shipped_files_is_served(open_client: httpx.AsyncClient, path: str) -> None:
    response = await open_client.get(f"/graphiql/assets/{path}")
    assert response.status_code == 404


async def test_the_licences_ship_beside_the_assets(open_client: httpx.AsyncClient) -> None:
    for package in ("graphiql-3.8.3", "react-18.2.0", "react-dom-18.2.0"):
        licence = (ASSETS_DIR / package / "LICENSE").read_text()
        assert licence.startswith("MIT License")
        response = await open_client.get(f"/graphiql/assets/{package}/LICENSE")
        assert response.status_code == 200
        assert response.text == licence


async def test_the_headers_editor_asks_for_a_key_when_requests_need_one() -> None:
    config, registry = keyed(f'[[api_keys]]\nname = "a"\nsha256 = "{hash_key(ADMIN_KEY)}"\nrole = "admin"\n')
    async with running(create_app(config, registry)) as client:
        page = await client.get("/graphql", headers=HTML)
        assert references(page.text).div_auth == "required"
        script = await client.get(urljoin(PAGE_URL, references(page.text).urls[-1][1]))
        assert "Authorization" in script.text
        assert "shouldPersistHeaders: false" in script.text
    async with running(create_app(config_for("one"), Registry([FakePlugin({"one": 5})]))) as client:
        assert references((await client.get("/graphql", headers=HTML)).text).div_auth == "open"


def test_the_package_data_includes_the_assets() -> None:
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["gateway"]
    shipped = {
        path.relative_to(ASSETS_DIR.parent.parent).as_posix() for path in ASSETS_DIR.rglob("*") if path.is_file()
    }
    gateway_dir = ASSETS_DIR.parent.parent
    matched = {path.relative_to(gateway_dir).as_posix() for pattern in patterns for path in gateway_dir.glob(pattern)}
    assert shipped <= matched


# The embedded demo's simulators, read through the gateway.

DEMO_WITH_KEYS = (
    f'[[api_keys]]\nname = "admin"\nsha256 = "{hash_key(ADMIN_KEY)}"\nrole = "admin"\n\n'
    f'[[api_keys]]\nname = "sales"\nsha256 = "{hash_key(SALES_KEY)}"\nrole = "sales"\nowner = "wang.lei"\n'
)
PARTNERS = "{ partners { edges { node { id provider } } } }"
SEND_CODE = (
    'mutation { sendVerificationCode(partnerId: "%s", phone: "13712345678", idempotencyKey: "k1") { __typename } }'
)


@pytest.fixture
async def demo_client() -> AsyncIterator[httpx.AsyncClient]:
    config, registry = keyed(DEMO_WITH_KEYS)
    async with running(create_app(config, registry)) as client:
        yield client


async def test_an_admin_reads_the_demo_simulators(demo_client: httpx.AsyncClient) -> None:
    admin = {"authorization": f"Bearer {ADMIN_KEY}"}
    faults = await demo_client.get("/_demo/huaweicloud-demo/_simulator/faults", headers=admin)
    assert faults.status_code == 200
    assert faults.headers["content-type"].startswith("application/json")
    clock = await demo_client.get("/_demo/aliyun-demo/_simulator/clock", headers=admin)
    assert clock.status_code == 200
    assert "now" in clock.json()
    codes_path, phone = "/_demo/huaweicloud-demo/_simulator/verification-codes", {"mobile_phone": "13712345678"}
    before = await demo_client.get(codes_path, params=phone, headers=admin)
    assert before.status_code == 404  # none sent yet: the simulator's own answer, passed through
    partners = await demo_client.post("/graphql", json={"query": PARTNERS}, headers=admin)
    [huawei] = [
        e["node"]["id"] for e in partners.json()["data"]["partners"]["edges"] if e["node"]["provider"] == "huaweicloud"
    ]
    sent = await demo_client.post("/graphql", json={"query": SEND_CODE % huawei}, headers=admin)
    assert sent.json()["data"] == {"sendVerificationCode": {"__typename": "CustomerPayload"}}
    assert "errors" not in sent.json()
    after = await demo_client.get(codes_path, params=phone, headers=admin)
    assert after.status_code == 200
    assert after.json()["mobile_phone"] == "13712345678"
    assert after.json()["verification_code"].isdigit()


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "UNAUTHENTICATED"),
        ({"authorization": "Bearer pgw_unknown"}, 401, "UNAUTHENTICATED"),
        ({"authorization": f"Bearer {SALES_KEY}"}, 403, "FORBIDDEN"),
    ],
)
async def test_only_admins_read_the_demo_simulators(
    demo_client: httpx.AsyncClient, headers: dict[str, str], status: int, code: str
) -> None:
    response = await demo_client.get("/_demo/huaweicloud-demo/_simulator/faults", headers=headers)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_the_demo_simulators_are_read_only(demo_client: httpx.AsyncClient) -> None:
    admin = {"authorization": f"Bearer {ADMIN_KEY}"}
    for method in ("POST", "DELETE", "PUT"):
        response = await demo_client.request(
            method, "/_demo/huaweicloud-demo/_simulator/faults", headers=admin, json={"kind": "drop"}
        )
        assert response.status_code == 405
    faults = await demo_client.get("/_demo/huaweicloud-demo/_simulator/faults", headers=admin)
    assert "drop" not in faults.text


async def test_an_unknown_demo_account_is_404(demo_client: httpx.AsyncClient) -> None:
    response = await demo_client.get("/_demo/acme/_simulator/faults", headers={"authorization": f"Bearer {ADMIN_KEY}"})
    assert response.status_code == 404
    assert "aliyun-demo" in response.json()["errors"][0]["message"]


async def test_without_the_embedded_demo_there_is_no_demo_route(open_client: httpx.AsyncClient) -> None:
    assert (await open_client.get("/_demo/one/_simulator/faults")).status_code == 404


def test_the_demo_config_has_the_demo_route_too() -> None:
    registry = Registry.discover()
    app = create_app(replace(demo_config(registry), store_url=MEMORY_URL), registry)
    assert any(getattr(route, "path", "") == "/_demo/{account}/_simulator/{path:path}" for route in app.routes)
