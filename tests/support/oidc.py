"""A minimal OpenID Connect issuer on loopback, for signing in through a browser: the authorization code flow with
PKCE (RFC 7636, S256 only), as a public client (a single-page app) runs it against a real identity provider.

- ``GET /.well-known/openid-configuration``: discovery (OIDC Discovery 1.0, section 3);
- ``GET /authorize``: checks the client, its redirect URI and the PKCE challenge, then approves at once as the
  configured person (no login form: the person is the test's) and redirects back with ``code`` and ``state``.
  A bad client or redirect URI is a 400 page, never a redirect (RFC 6749, 4.1.2.1); other errors redirect back
  with ``error`` and ``state``;
- ``POST /token``: exchanges a code once, within ``CODE_SECONDS``, for the client and redirect URI it was made
  for, and only with the ``code_verifier`` whose SHA-256 is the challenge; answers an access token for the
  gateway (``aud`` = its audience) and an ID token for the client (``aud`` = the client id, with the nonce);
- ``GET /jwks.json``: the public key the gateway's ``[auth.jwt] jwks_url`` reads.

Tokens are signed with joserfc (as the gateway verifies them: ``gateway.tokens``) and carry the gateway's role and
owner claims. Every exchange is recorded (``Issuer.exchanges``), so a test can show the browser really went
through the code flow with a verifier. CORS is open (``*``, no credentials): the console reads discovery and
the key set and posts to ``/token`` from the gateway's origin, as a browser app does.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.jwk import ECKey
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.servers import live_server

__all__ = ["CODE_SECONDS", "Exchange", "Issuer", "Person", "pkce_pair", "serve_issuer"]

CODE_SECONDS = 60.0
TOKEN_SECONDS = 600
ALGORITHM = "ES256"
#: RFC 7636, 4.1: 43 to 128 unreserved characters.
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


@dataclass(frozen=True)
class Person:
    """Who signs in: the subject and the gateway's role and owner claims."""

    subject: str
    role: str
    owner: str | None = None
    name: str | None = None


@dataclass
class Exchange:
    """One request to ``/token``: whether it gave tokens, and why not."""

    ok: bool
    error: str | None = None
    client_id: str | None = None
    code_challenge_method: str | None = None


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    scope: str
    person: Person
    expires: float


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge, as a client makes them."""
    verifier = secrets.token_urlsafe(48)
    return verifier, _s256(verifier)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


def _signing_key() -> ECKey:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ECKey.import_key(pem, parameters={"kid": f"test-{secrets.token_hex(4)}", "use": "sig", "alg": ALGORITHM})


@dataclass
class Issuer:
    """The issuer's state: its client, the person it approves, its key, its grants and what it was asked.

    ``url`` (the issuer identifier, also ``iss``) is set once it is served (``serve_issuer``). Redirect URIs
    are allowed by prefix (``redirect_prefixes``), since the test's gateway port is known only once it runs."""

    client_id: str
    audience: str
    person: Person
    redirect_prefixes: list[str] = field(default_factory=list)
    url: str = ""
    key: ECKey = field(default_factory=_signing_key)
    exchanges: list[Exchange] = field(default_factory=list)
    authorizations: list[dict[str, str]] = field(default_factory=list)
    _grants: dict[str, _Grant] = field(default_factory=dict)

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/jwks.json"

    def allow_redirects_under(self, prefix: str) -> None:
        self.redirect_prefixes.append(prefix)

    # -- the endpoints ------------------------------------------------------------------------------------------

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": self.jwks_url,
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "grant_types_supported": ["authorization_code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": [ALGORITHM],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"],
                "scopes_supported": ["openid", "profile"],
                "claims_supported": ["sub", "name", "role", "owner"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.authorizations.append(query)
        client_id, redirect_uri = query.get("client_id", ""), query.get("redirect_uri", "")
        if client_id != self.client_id:
            return PlainTextResponse(f"unknown client_id {client_id!r}", status_code=400)
        if not redirect_uri or not any(redirect_uri.startswith(prefix) for prefix in self.redirect_prefixes):
            return PlainTextResponse(f"redirect_uri {redirect_uri!r} is not registered", status_code=400)
        state = query.get("state")

        def back(**params: str) -> Response:
            if state is not None:
                params["state"] = state
            separator = "&" if "?" in redirect_uri else "?"
            return RedirectResponse(f"{redirect_uri}{separator}{urlencode(params)}", status_code=302)

        if query.get("response_type") != "code":
            return back(error="unsupported_response_type", error_description="only the code flow")
        if "openid" not in query.get("scope", "").split():
            return back(error="invalid_scope", error_description="the openid scope is required")
        challenge = query.get("code_challenge", "")
        if not challenge:
            return back(error="invalid_request", error_description="PKCE is required (code_challenge)")
        if query.get("code_challenge_method") != "S256":
            return back(error="invalid_request", error_description="code_challenge_method must be S256")
        code = secrets.token_urlsafe(32)
        self._grants[code] = _Grant(
            client_id=client_id,
            redirect_uri=redirect_uri,
            challenge=challenge,
            nonce=query.get("nonce"),
            scope=query.get("scope", ""),
            person=self.person,
            expires=time.monotonic() + CODE_SECONDS,
        )
        return back(code=code)

    async def token(self, request: Request) -> Response:
        # application/x-www-form-urlencoded (RFC 6749, 4.1.3), read without a multipart parser
        values = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        client_id = values.get("client_id")

        def refuse(error: str, description: str) -> Response:
            self.exchanges.append(Exchange(ok=False, error=error, client_id=client_id))
            body = {"error": error, "error_description": description}
            return JSONResponse(body, status_code=400, headers={"cache-control": "no-store"})

        if values.get("grant_type") != "authorization_code":
            return refuse("unsupported_grant_type", "only authorization_code")
        grant = self._grants.pop(values.get("code", ""), None)  # a code is used once, whatever happens
        if grant is None or grant.expires < time.monotonic():
            return refuse("invalid_grant", "unknown, used or expired code")
        if client_id != grant.client_id:
            return refuse("invalid_grant", "the code was issued to another client")
        if values.get("redirect_uri") != grant.redirect_uri:
            return refuse("invalid_grant", "redirect_uri differs from the authorization request's")
        verifier = values.get("code_verifier", "")
        if not _VERIFIER.match(verifier):
            return refuse("invalid_request", "code_verifier must be 43-128 unreserved characters")
        if not secrets.compare_digest(_s256(verifier), grant.challenge):
            return refuse("invalid_grant", "code_verifier does not match the code_challenge")
        self.exchanges.append(Exchange(ok=True, client_id=client_id, code_challenge_method="S256"))
        return JSONResponse(
            {
                "access_token": self._sign(grant, audience=self.audience, extra={"scope": grant.scope}),
                "id_token": self._sign(grant, audience=grant.client_id, extra={"nonce": grant.nonce}),
                "token_type": "Bearer",
                "expires_in": TOKEN_SECONDS,
                "scope": grant.scope,
            },
            headers={"cache-control": "no-store", "pragma": "no-cache"},
        )

    def _sign(self, grant: _Grant, *, audience: str, extra: dict[str, Any]) -> str:
        now = int(time.time())
        person = grant.person
        claims: dict[str, Any] = {
            "iss": self.url,
            "sub": person.subject,
            "aud": audience,
            "azp": grant.client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_SECONDS,
            "role": person.role,
        }
        if person.owner is not None:
            claims["owner"] = person.owner
        if person.name is not None:
            claims["name"] = person.name
        claims.update({name: value for name, value in extra.items() if value is not None})
        header = {"alg": ALGORITHM, "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key, algorithms=[ALGORITHM])

    @property
    def app(self) -> Starlette:
        routes = [
            Route("/.well-known/openid-configuration", self.discovery, methods=["GET"]),
            Route("/jwks.json", self.jwks, methods=["GET"]),
            Route("/authorize", self.authorize, methods=["GET"]),
            Route("/token", self.token, methods=["POST"]),
        ]
        cors = Middleware(
            CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"], allow_headers=["content-type"]
        )
        return Starlette(routes=routes, middleware=[cors])


@contextlib.contextmanager
def serve_issuer(client_id: str, audience: str, person: Person) -> Iterator[Issuer]:
    """The issuer on a loopback port (uvicorn in a thread); its ``url`` is the issuer identifier."""
    issuer = Issuer(client_id=client_id, audience=audience, person=person)
    with live_server(issuer.app) as url:
        issuer.url = url
        yield issuer
