"""The web console at /console: the built files are those of the committed sources, served from the gateway
itself with their types and a strict Content-Security-Policy, and the page learns from config.json how to sign
in. (What the console does in a browser is for the browser tests.)"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import hash_key
from gateway.config import GatewayConfig, parse_config
from gateway.console import CONSOLE_DIR
from gateway.registry import Registry
from gateway.store import MEMORY_URL
from gateway.testing import running
from tests.support.fakes import FakePlugin
from tests.test_app import config_for
from tests.test_ide import references

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).parent.parent
SOURCES = ROOT / "console"
PAGE_URL = "http://gateway.test/console/"
ADMIN_KEY = "pgw_admin-key-0123456789"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
JWT = """
[auth.jwt]
issuer = "https://login.example.com/realms/partners"
audience = "partner-gateway"
jwks_url = "https://login.example.com/realms/partners/certs"
"""


TOP_FILES = ("index.html", "vite.config.js", "package.json", "package-lock.json")


def source_files(root: Path = SOURCES) -> list[Path]:
    return [p for p in (root / "src").rglob("*") if p.is_file()] + [root / name for name in TOP_FILES]


def sources_digest(root: Path = SOURCES) -> str:
    """What console/scripts/build-info.mjs computes: per source file, in path order, "<path>\\0<sha256>\\n"."""
    digest = hashlib.sha256()
    for path in sorted(source_files(root), key=lambda p: p.relative_to(root).as_posix()):
        digest.update(
            f"{path.relative_to(root).as_posix()}\0{hashlib.sha256(path.read_bytes()).hexdigest()}\n".encode()
        )
    return digest.hexdigest()


def keyed(config_text: str) -> tuple[GatewayConfig, Registry]:
    registry = Registry.discover()
    return parse_config({**tomllib.loads(config_text), "store": {"url": MEMORY_URL}}, registry, {}), registry


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(config_for("one"), Registry([FakePlugin({"one": 5})]))) as client:
        yield client


def test_the_built_console_is_built_from_the_committed_sources() -> None:
    info = json.loads((CONSOLE_DIR / "build-info.json").read_text())
    assert info["sources_sha256"] == sources_digest(), (
        "console/ changed since gateway/static/console was built: cd console && npm ci && npm run build"
    )
    lock = json.loads((SOURCES / "package-lock.json").read_text())
    for name, version in info["versions"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_the_digest_sees_a_change_to_any_source(tmp_path: Path) -> None:
    before = sources_digest()
    for path in source_files():
        target = tmp_path / path.relative_to(SOURCES)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    assert sources_digest(tmp_path) == before
    changed = tmp_path / "src" / "app.js"
    changed.write_bytes(changed.read_bytes() + b"\n")
    assert sources_digest(tmp_path) != before
    changed.write_bytes((SOURCES / "src" / "app.js").read_bytes())
    (tmp_path / "src" / "lib" / "new.js").write_text("export {}\n")
    assert sources_digest(tmp_path) != before


async def test_the_page_loads_only_its_own_files_under_a_strict_policy(client: httpx.AsyncClient) -> None:
    redirect = await client.get("/console")
    assert redirect.status_code in (307, 308)
    assert urlsplit(redirect.headers["location"]).path == "/console/"
    page = await client.get("/console/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["referrer-policy"] == "no-referrer"  # an OIDC code in the address never leaves as a referrer
    found = references(page.text)
    assert found.inline_scripts == 0
    assert "http://" not in page.text
    assert "https://" not in page.text
    csp = dict(d.strip().split(" ", 1) for d in page.headers["content-security-policy"].split(";"))
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'"  # no inline script, no eval
    assert csp["style-src"] == "'self'"
    assert csp["connect-src"] == "'self'"  # /graphql and its WebSocket; no issuer configured
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    loaded = [url for _, url in found.urls if not url.startswith("data:")]
    assert {Path(urlsplit(u).path).suffix for u in loaded} == {".js", ".css"}
    for url in loaded:
        assert not urlsplit(url).netloc, url
        path = urlsplit(urljoin(PAGE_URL, url)).path
        assert path.startswith("/console/assets/")
        response = await client.get(path)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == CONTENT_TYPES[Path(path).suffix]
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.content == (CONSOLE_DIR / path.removeprefix("/console/")).read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "nothing",
        "customers/123",
        "assets/nothing.js",
        "../console.py",
        "..%2Fconsole.py",
        "assets/../../console.py",
        "index.html",
        "%00",
        "assets/",
    ],
)
async def test_anything_else_under_console_is_not_found(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(f"/console/{path}")
    assert response.status_code == 404


async def test_the_open_gateway_needs_no_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/console/config.json")
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    assert response.json() == {"auth": {"open": True, "apiKeys": False, "oidc": None}}


async def test_with_keys_the_console_asks_for_one() -> None:
    config, registry = keyed(f'[[api_keys]]\nname = "a"\nsha256 = "{hash_key(ADMIN_KEY)}"\nrole = "admin"\n')
    async with running(create_app(config, registry)) as client:
        assert (await client.get("/console/config.json")).json() == {
            "auth": {"open": False, "apiKeys": True, "oidc": None}
        }


async def test_with_an_issuer_the_console_signs_in_there_and_may_reach_it() -> None:
    config, registry = keyed(JWT)
    async with running(create_app(config, registry)) as client:
        assert (await client.get("/console/config.json")).json()["auth"] == {
            "open": False,
            "apiKeys": False,
            "oidc": {
                "issuer": "https://login.example.com/realms/partners",
                "clientId": "partner-gateway",
                "scopes": ["openid"],
            },
        }
        csp = (await client.get("/console/")).headers["content-security-policy"]
        assert "connect-src 'self' https://login.example.com;" in csp
    config, registry = keyed(JWT + 'console_client_id = "console"\nconsole_scopes = ["openid", "profile"]\n')
    async with running(create_app(config, registry)) as client:
        oidc = (await client.get("/console/config.json")).json()["auth"]["oidc"]
        assert (oidc["clientId"], oidc["scopes"]) == ("console", ["openid", "profile"])


def test_both_languages_have_every_message() -> None:
    def keys(name: str) -> set[str]:
        return set(re.findall(r"^\s*'([\w.-]+)':", (SOURCES / "src" / "messages" / name).read_text(), re.M))

    zh, en = keys("zh-CN.js"), keys("en.js")
    assert zh == en, f"only zh-CN: {sorted(zh - en)}; only en: {sorted(en - zh)}"
    used = set()
    for path in (SOURCES / "src").rglob("*.js"):
        used |= set(re.findall(r"\bt\('([\w.-]+)'", path.read_text()))
    assert used <= en, f"messages missing: {sorted(used - en)}"


def test_the_package_ships_the_built_console() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["gateway"]
    gateway_dir = CONSOLE_DIR.parent.parent
    shipped = {p.relative_to(gateway_dir).as_posix() for p in CONSOLE_DIR.rglob("*") if p.is_file()}
    matched = {p.relative_to(gateway_dir).as_posix() for pattern in patterns for p in gateway_dir.glob(pattern)}
    assert "static/console/index.html" in shipped
    assert shipped <= matched
    ignored = (ROOT / ".gitignore").read_text()
    assert "/console/node_modules/" in ignored
