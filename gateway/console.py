"""The web console at ``/console``: files built from ``console/`` (``npm run build``) into ``static/console/``
and shipped in the package, so it works offline and loads nothing from another host.

- ``/console/`` is the page (``index.html``); its Content-Security-Policy allows scripts, styles and images
  from the gateway only (no inline script, no ``eval``), connections to the gateway (``/graphql``, its
  WebSocket) and, when people sign in with ``[auth.jwt]``, to the issuer (discovery and the token endpoint).
  ``/console`` redirects to it (the router's trailing slash), so the page's relative URLs resolve.
- ``/console/config.json`` tells the page how to sign in: ``open`` (no keys, no issuer: every request is an
  admin), and the issuer, client id and scopes of ``[auth.jwt]`` (``console_client_id``, ``console_scopes``)
  for the authorization code flow with PKCE. Nothing secret: it is what the browser needs anyway.
- ``/console/<path>`` is one of the built files (hashed names under ``assets/``: cached for a year), else 404.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.config import GatewayConfig
from gateway.static_files import StaticFile, load_static

__all__ = ["CONSOLE_DIR", "console_routes", "content_security_policy"]

CONSOLE_DIR = Path(__file__).parent / "static" / "console"

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".woff2": "font/woff2",
}
_IMMUTABLE = "public, max-age=31536000, immutable"
_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}
_NOT_BUILT = "the console is not built: cd console && npm ci && npm run build"


@functools.cache
def _files() -> dict[str, StaticFile]:
    """Every built file by its path under ``static/console/``: the only files served."""
    return load_static(CONSOLE_DIR, _CONTENT_TYPES)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(config: GatewayConfig) -> str:
    """The page's policy: everything from the gateway itself ('self' covers its ws: and wss: too), and
    connections to the issuer's origin when people sign in with a token."""
    connect = "'self'" + (f" {_origin(config.jwt.issuer)}" if config.jwt is not None else "")
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src {connect}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
    )


def sign_in(config: GatewayConfig) -> dict[str, Any]:
    """What ``/console/config.json`` says about signing in."""
    jwt = config.jwt
    oidc = None
    if jwt is not None:
        oidc = {
            "issuer": jwt.issuer,
            "clientId": jwt.console_client_id or jwt.audience,
            "scopes": list(jwt.console_scopes),
        }
    return {"open": not config.api_keys and jwt is None, "apiKeys": bool(config.api_keys), "oidc": oidc}


def console_routes(config: GatewayConfig) -> list[BaseRoute]:
    """The routes under ``/console/`` (see the module's doc)."""
    policy = content_security_policy(config)
    settings = {"auth": sign_in(config)}

    async def page(request: Request) -> Response:
        found = _files().get("index.html")
        if found is None:
            return PlainTextResponse(_NOT_BUILT, status_code=404)
        return Response(
            found.body,
            media_type=found.content_type,
            headers={**_HEADERS, "content-security-policy": policy, "cache-control": "no-cache", "etag": found.etag},
        )

    async def settings_json(request: Request) -> Response:
        return JSONResponse(settings, headers={**_HEADERS, "cache-control": "no-store"})

    async def file(request: Request) -> Response:
        path = request.path_params["path"]
        found = _files().get(path)
        if found is None or path == "index.html":
            return PlainTextResponse("not found", status_code=404, headers=_HEADERS)
        cache = _IMMUTABLE if path.startswith("assets/") else "no-cache"
        return Response(
            found.body, media_type=found.content_type, headers={**_HEADERS, "cache-control": cache, "etag": found.etag}
        )

    return [
        Route("/console/", page, methods=["GET"]),
        Route("/console/config.json", settings_json, methods=["GET"]),
        Route("/console/{path:path}", file, methods=["GET"]),
    ]
