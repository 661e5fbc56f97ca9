"""The GraphiQL page and its assets, shipped with the package: nothing is loaded from another host.

- The page (``/graphql`` asked for by a browser) references its scripts and styles by relative URLs
  (``graphiql/assets/...``), so it works offline, behind a path prefix, and under any host name; its
  Content-Security-Policy lets it load and connect to its own origin only.
- ``GET /graphiql/assets/{path}`` serves the files under ``gateway/static/graphiql/`` (see its
  ``VENDOR.md``) and nothing else. Every URL the page uses carries ``?v=`` and a hash of the file's
  content, so the files are cached for a year (``immutable``) and a new version is a new URL.
- The headers editor is open when requests need an API key or a token (they do unless the gateway runs
  open): the key goes into ``Authorization: Bearer ...`` there, and is not persisted by the page.
"""

from __future__ import annotations

import functools
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from gateway.static_files import StaticFile, load_static

__all__ = ["ASSETS_PREFIX", "ASSETS_ROUTE", "asset", "asset_url", "ide_page"]

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"
ASSETS_PREFIX = "/graphiql/assets/"
ASSETS_ROUTE = ASSETS_PREFIX + "{path:path}"

_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE
}
_IMMUTABLE = "public, max-age=31536000, immutable"
# GraphiQL sets inline styles (and its CSS embeds its fonts as data: URLs); everything else is 'self'.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
STYLES = ("graphiql-3.8.3/graphiql.min.css",)
SCRIPTS = (
    "react-18.2.0/react.production.min.js",
    "react-dom-18.2.0/react-dom.production.min.js",
    "graphiql-3.8.3/graphiql.min.js",
    "gateway-ide.js",
)

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>partner-gateway GraphiQL</title>
    <link rel="icon" href="data:,">
{styles}
    <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
  </head>
  <body>
    <div id="graphiql" data-auth="{auth}">Loading GraphiQL...</div>
{scripts}
  </body>
</html>
"""


@functools.cache
def _assets() -> dict[str, StaticFile]:
    """Every file under ``static/graphiql/`` by its relative path: the only files the route serves."""
    return load_static(ASSETS_DIR, _CONTENT_TYPES)


def asset_url(name: str) -> str:
    """The page-relative URL of an asset, versioned by its content."""
    return f"{ASSETS_PREFIX.lstrip('/')}{name}?v={_assets()[name].digest}"


@functools.cache
def _page(auth_required: bool) -> str:
    styles = "\n".join(f'    <link rel="stylesheet" href="{escape(asset_url(name))}">' for name in STYLES)
    scripts = "\n".join(f'    <script src="{escape(asset_url(name))}"></script>' for name in SCRIPTS)
    return _PAGE.format(styles=styles, scripts=scripts, auth="required" if auth_required else "open")


def ide_page(auth_required: bool) -> Response:
    """The GraphiQL page; ``auth_required`` opens the headers editor with an ``Authorization`` header to fill."""
    return HTMLResponse(
        _page(auth_required),
        headers={
            "content-security-policy": CONTENT_SECURITY_POLICY,
            "cache-control": "no-cache",
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
        },
    )


async def asset(request: Request) -> Response:
    """``GET /graphiql/assets/{path}``: one of the shipped files, else 404."""
    found = _assets().get(request.path_params["path"])
    if found is None:
        return PlainTextResponse("not found", status_code=404)
    return Response(
        found.body,
        media_type=found.content_type,
        headers={"cache-control": _IMMUTABLE, "x-content-type-options": "nosniff", "etag": found.etag},
    )
