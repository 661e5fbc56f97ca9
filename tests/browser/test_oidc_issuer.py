"""The test OIDC issuer (tests/support/oidc.py) the console's sign-in test runs against, checked without a browser:
the code flow with PKCE as a public client runs it, each refusal RFC 6749 and RFC 7636 require, and its tokens
accepted by the gateway's own verifier (gateway.tokens) with the person's role and owner."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from gateway.auth import Principal, Role
from gateway.config import JwtConfig
from gateway.errors import Unauthenticated
from gateway.tokens import TokenVerifier
from tests.support.oidc import Issuer, Person, pkce_pair, serve_issuer

CLIENT, AUDIENCE = "console-test", "partner-gateway"
REDIRECT = "http://127.0.0.1:9/console/"


@pytest.fixture(scope="module")
def issuer() -> Iterator[Issuer]:
    with serve_issuer(CLIENT, AUDIENCE, Person("u-1", "sales", owner="王芳", name="王芳")) as running:
        running.allow_redirects_under("http://127.0.0.1:9/console")
        yield running


def authorize(issuer: Issuer, challenge: str, **changes: str) -> httpx.Response:
    params = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "s-1",
        "nonce": "n-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **changes,
    }
    return httpx.get(f"{issuer.url}/authorize", params={k: v for k, v in params.items() if v}, timeout=10)


def redirected(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    return {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}


def exchange(issuer: Issuer, code: str, verifier: str, **changes: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT,
        "code_verifier": verifier,
        **changes,
    }
    return httpx.post(f"{issuer.url}/token", data=form, headers={"origin": "http://127.0.0.1:9"}, timeout=10)


def verify(issuer: Issuer, token: str) -> Principal:
    config = JwtConfig(issuer=issuer.url, audience=AUDIENCE, jwks_url=issuer.jwks_url)

    async def principal() -> Principal:
        return await TokenVerifier(config).principal(token)

    # A thread of its own: the browser tests' Playwright (sync API) may hold this thread's event loop.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, principal()).result()


def test_discovery_names_the_endpoints_and_s256(issuer: Issuer) -> None:
    document = httpx.get(f"{issuer.url}/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == issuer.url
    assert document["authorization_endpoint"] == f"{issuer.url}/authorize"
    assert document["token_endpoint"] == f"{issuer.url}/token"
    assert httpx.get(document["jwks_uri"], timeout=10).json()["keys"][0]["kid"] == issuer.key.kid
    assert document["code_challenge_methods_supported"] == ["S256"]


def test_the_code_flow_with_pkce_gives_tokens_the_gateway_accepts(issuer: Issuer) -> None:
    verifier, challenge = pkce_pair()
    back = redirected(authorize(issuer, challenge))
    assert back["state"] == "s-1"
    answer = exchange(issuer, back["code"], verifier)
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"  # a browser app may read it
    assert answer.headers["cache-control"] == "no-store"
    tokens = answer.json()
    assert tokens["token_type"] == "Bearer"
    principal = verify(issuer, tokens["access_token"])
    assert (principal.name, principal.role, principal.owner) == ("jwt:u-1", Role.SALES, "王芳")
    # The ID token is for the client, not the gateway: the gateway refuses it for its audience.
    with pytest.raises(Unauthenticated):
        verify(issuer, tokens["id_token"])


def test_a_wrong_verifier_is_refused_and_the_code_is_then_spent(issuer: Issuer) -> None:
    verifier, challenge = pkce_pair()
    code = redirected(authorize(issuer, challenge))["code"]
    other, _ = pkce_pair()
    wrong = exchange(issuer, code, other)
    assert (wrong.status_code, wrong.json()["error"]) == (400, "invalid_grant")
    again = exchange(issuer, code, verifier)  # the right verifier, too late: codes are single use
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_a_code_is_used_once(issuer: Issuer) -> None:
    verifier, challenge = pkce_pair()
    code = redirected(authorize(issuer, challenge))["code"]
    assert exchange(issuer, code, verifier).status_code == 200
    assert exchange(issuer, code, verifier).json()["error"] == "invalid_grant"


def test_a_code_is_bound_to_its_client_and_redirect_uri(issuer: Issuer) -> None:
    verifier, challenge = pkce_pair()
    code = redirected(authorize(issuer, challenge))["code"]
    assert exchange(issuer, code, verifier, redirect_uri=REDIRECT + "x").json()["error"] == "invalid_grant"
    code = redirected(authorize(issuer, challenge))["code"]
    assert exchange(issuer, code, verifier, client_id="other").json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "profile"}, "invalid_scope"),
    ],
)
def test_authorization_errors_go_back_to_the_client_with_the_state(
    issuer: Issuer, changes: dict[str, str], error: str
) -> None:
    _, challenge = pkce_pair()
    back = redirected(authorize(issuer, challenge, **changes))
    assert (back["error"], back["state"]) == (error, "s-1")
    assert "code" not in back


@pytest.mark.parametrize("changes", [{"client_id": "stranger"}, {"redirect_uri": "http://127.0.0.1:9/elsewhere"}])
def test_an_unknown_client_or_redirect_uri_is_never_redirected_to(issuer: Issuer, changes: dict[str, str]) -> None:
    _, challenge = pkce_pair()
    answer = authorize(issuer, challenge, **changes)
    assert answer.status_code == 400
    assert "location" not in answer.headers
