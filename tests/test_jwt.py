"""Sign-in for people: JWT bearer tokens from an [auth.jwt] issuer, through the real /graphql of the embedded demo.

The issuer is played here: RSA and EC keys generated in the test, tokens signed with them, the JWKS served
by respx at the configured URL (never the internet). Forged tokens are built by hand, as an attacker would.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import tomllib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, Key, OKPKey, RSAKey

from gateway.app import create_app
from gateway.auth import ApiKey, Authenticator, Role, hash_key
from gateway.config import GatewayConfig, JwtConfig, demo_config
from gateway.config_tables import parse_table
from gateway.errors import Unauthenticated
from gateway.registry import Registry
from gateway.testing import running
from gateway.tokens import REFETCH_INTERVAL, TokenVerifier, keys_location
from tests.support.mutations_demo import ALIYUN, FAST_SETTLE, FAST_UPSTREAM, SALES_OWNER, partner_id

pytestmark = pytest.mark.anyio

ISSUER = "https://login.example.test/realms/partners"
AUDIENCE = "partner-gateway"
JWKS_URL = "https://login.example.test/realms/partners/jwks.json"
JWT_CONFIG = JwtConfig(issuer=ISSUER, audience=AUDIENCE, jwks_url=JWKS_URL, algorithms=("RS256", "PS256", "ES256"))
COUNT = "{ customers { totalCount } }"
OWNERS = """query($filter: CustomerFilterInput) { customers(first: 100, filter: $filter) {
  totalCount nodes { id owner } } }"""
NOTE = """mutation($id: ID!, $key: String!) { addNote(customerId: $id, input: {content: "回访"}, idempotencyKey: $key) {
  __typename ... on CustomerPayload { operation { operationId } } } }"""
AUDIT = """{ auditLog(first: 100, filter: {operation: "addNote"}) { nodes { principal operation input } } }"""


def _rsa(kid: str) -> RSAKey:
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return RSAKey.import_key(pem, parameters={"kid": kid})


def _ec(kid: str) -> ECKey:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return ECKey.import_key(pem, parameters={"kid": kid})


RSA_KEY = _rsa("rsa-1")
EC_KEY = _ec("ec-1")
STRANGER = _rsa("rsa-2")  # a key the issuer does not publish (yet)


def jwks(*keys: Key) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "role": "admin",
        "iat": now,
        "nbf": now - 5,
        "exp": now + 300,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: Key = RSA_KEY, alg: str = "RS256", **header: Any) -> str:
    """A token signed as the issuer signs; a header value None leaves that parameter out."""
    fields = {k: v for k, v in {"alg": alg, "kid": key.kid, **header}.items() if v is not None}
    return jwt.encode(fields, payload, key, algorithms=[alg])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    """A token built by hand: HMAC-SHA256 with ``secret``, or no signature at all."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()) if secret else ""
    return f"{signing_input}.{signature}"


@pytest.fixture
def issuer() -> Iterator[respx.Route]:
    with respx.mock(assert_all_called=False) as mock:
        yield mock.get(JWKS_URL).mock(return_value=httpx.Response(200, json=jwks(RSA_KEY, EC_KEY)))


@pytest.fixture
async def client(issuer: respx.Route) -> AsyncIterator[httpx.AsyncClient]:
    """The embedded demo (both simulators in-process) behind a gateway that signs people in with JWTs."""
    registry = Registry.discover()
    demo = demo_config(registry)
    machine = ApiKey("nightly-job", hash_key("pgw_machine-key"), Role.FINANCE)
    config = GatewayConfig(
        accounts=demo.accounts,
        simulated=demo.simulated,
        api_keys=(machine,),
        jwt=JWT_CONFIG,
        upstream=FAST_UPSTREAM,
        writes=FAST_SETTLE,
    )
    async with running(create_app(config, registry)) as test_client:
        yield test_client


async def ask(client: httpx.AsyncClient, token: str, query: str = COUNT, **variables: Any) -> httpx.Response:
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {token}"}
    )


def data(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    return dict(body["data"])


def refusal(response: httpx.Response, token: str) -> str:
    """The 401's message, after checking it is a 401 UNAUTHENTICATED that does not echo the token."""
    assert response.status_code == 401, response.text
    assert token not in response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED"}
    assert response.headers["www-authenticate"].startswith('Bearer realm="partner-gateway"')
    return str(error["message"])


# -- accepted --------------------------------------------------------------------------------------------------


async def test_an_admin_token_signed_with_rsa_or_ec_is_accepted(client: httpx.AsyncClient) -> None:
    everyone = data(await ask(client, sign(claims())))["customers"]["totalCount"]
    assert everyone > 0
    assert data(await ask(client, sign(claims(), EC_KEY, "ES256")))["customers"]["totalCount"] == everyone
    assert data(await ask(client, sign(claims(), RSA_KEY, "PS256")))["customers"]["totalCount"] == everyone
    # Within the clock leeway (60 s) a token just past exp, or just before nbf, still holds.
    now = int(time.time())
    assert data(await ask(client, sign(claims(exp=now - 30))))
    assert data(await ask(client, sign(claims(nbf=now + 30))))
    # An audience list naming the gateway among others is fine.
    assert data(await ask(client, sign(claims(aud=["another-app", AUDIENCE]))))


async def test_a_sales_token_sees_only_its_owners_customers(client: httpx.AsyncClient) -> None:
    everyone = data(await ask(client, sign(claims()), OWNERS))["customers"]
    owned = [node for node in everyone["nodes"] if node["owner"] == SALES_OWNER]
    assert owned
    assert len(owned) < everyone["totalCount"]
    sales = sign(claims(sub="wang.fang@example.com", role="sales", owner=SALES_OWNER))
    mine = data(await ask(client, sales, OWNERS))["customers"]
    assert sorted(n["id"] for n in mine["nodes"]) == sorted(n["id"] for n in owned)
    assert mine["totalCount"] == len(owned)


async def test_the_role_decides_what_a_token_may_do(client: httpx.AsyncClient) -> None:
    finance = sign(claims(sub="bob", role="finance"))
    response = await ask(client, finance, AUDIT)
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert data(await ask(client, sign(claims()), AUDIT))["auditLog"] is not None


async def test_the_audit_trail_names_the_tokens_subject_or_the_keys_name_never_the_secret(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sales = sign(claims(sub="wang.fang@example.com", role="sales", owner=SALES_OWNER))
    filter_ = {"partnerIds": [partner_id(ALIYUN)], "status": "ASSOCIATED", "owner": SALES_OWNER}
    customer = data(await ask(client, sales, OWNERS, filter=filter_))["customers"]["nodes"][0]
    note = data(await ask(client, sales, NOTE, id=customer["id"], key=uuid.uuid4().hex))["addNote"]
    assert note["__typename"] == "CustomerPayload", note
    # A machine's key is named by its configured name.
    by_machine = data(await ask(client, "pgw_machine-key", NOTE, id=customer["id"], key=uuid.uuid4().hex))
    assert by_machine["addNote"]["__typename"] == "CustomerPayload", by_machine
    admin = sign(claims())
    records = data(await ask(client, admin, AUDIT))["auditLog"]["nodes"]
    assert sorted(record["principal"] for record in records) == ["jwt:wang.fang@example.com", "nightly-job"]
    everything = json.dumps(records) + caplog.text
    for secret in (sales, admin, "pgw_machine-key", hash_key("pgw_machine-key")):
        assert secret not in everything


async def test_api_keys_still_work_beside_tokens(client: httpx.AsyncClient) -> None:
    assert data(await ask(client, "pgw_machine-key"))["customers"]["totalCount"] > 0
    keyed = await client.post("/graphql", json={"query": COUNT}, headers={"x-api-key": "pgw_machine-key"})
    assert data(keyed)
    assert refusal(await ask(client, "pgw_not-a-key"), "pgw_not-a-key") == "the API key is unknown or has expired"
    missing = await client.post("/graphql", json={"query": COUNT})
    assert refusal(missing, "-") == "an API key or a bearer token is required"


# -- refused ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (lambda: claims(exp=int(time.time()) - 120), "the token has expired"),
        (lambda: claims(nbf=int(time.time()) + 600), "the token is not yet valid"),
        (lambda: claims(aud="another-app"), "the token is for another audience"),
        (lambda: claims(iss="https://evil.example.test/"), "the token is from another issuer"),
        (lambda: claims(exp=None), "the token lacks a required claim (exp)"),
        (lambda: claims(aud=None), "the token lacks a required claim (aud)"),
        (lambda: claims(role=None), "the token's role claim ('role') is missing or not one of: admin, finance, sales"),
        (
            lambda: claims(role="root"),
            "the token's role claim ('role') is missing or not one of: admin, finance, sales",
        ),
        (lambda: claims(role="sales"), "a sales token needs the owner claim ('owner')"),
        (lambda: claims(sub=None), "the token's subject claim ('sub') is missing"),
        (lambda: claims(sub="alice\nadmin"), "the token's subject claim ('sub') is missing or not a name"),
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "audience",
        "issuer",
        "no-exp",
        "no-aud",
        "no-role",
        "odd-role",
        "no-owner",
        "no-sub",
        "odd-sub",
    ],
)
async def test_a_token_whose_claims_do_not_hold_is_refused(
    client: httpx.AsyncClient, payload: Callable[[], dict[str, Any]], why: str
) -> None:
    token = sign(payload())  # made now: a token made at collection may have expired by the time this runs
    assert refusal(await ask(client, token), token).startswith(why)


async def test_alg_none_is_refused(client: httpx.AsyncClient) -> None:
    for alg in ("none", "None", "NONE"):
        token = forged({"alg": alg, "typ": "JWT", "kid": "rsa-1"}, claims(), secret=None)
        assert refusal(await ask(client, token), token) == "the token's signing algorithm is not accepted"


async def test_hmac_signed_with_the_issuers_public_key_is_refused(
    client: httpx.AsyncClient, issuer: respx.Route
) -> None:
    """The classic confusion: HS256 "signed" with the RSA public key that anyone can download."""
    public = RSA_KEY.as_dict(private=False)
    pem = RSAKey.import_key(public).as_pem(private=False)
    for secret in (pem, json.dumps(public).encode(), public["n"].encode()):
        token = forged({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims(), secret)
        assert refusal(await ask(client, token), token) == "the token's signing algorithm is not accepted"
    assert issuer.call_count == 0  # refused on its header: no key was even looked up


async def test_an_allowed_algorithm_with_a_key_of_another_type_is_refused(client: httpx.AsyncClient) -> None:
    """ES256 is allowed, but the kid names the RSA key: the key's type must fit the algorithm."""
    token = sign(claims(), EC_KEY, "ES256", kid="rsa-1")
    assert refusal(await ask(client, token), token).startswith("the token's signing algorithm does not fit its key")


async def test_a_tampered_payload_is_refused(client: httpx.AsyncClient) -> None:
    token = sign(claims(sub="wang", role="sales", owner=SALES_OWNER))
    header, _, signature = token.split(".")
    promoted = b64(json.dumps(claims(sub="wang", role="admin")).encode())
    tampered = f"{header}.{promoted}.{signature}"
    assert refusal(await ask(client, tampered), tampered) == "the token's signature does not verify"


async def test_an_unknown_kid_refetches_the_keys_once_then_refuses(
    client: httpx.AsyncClient, issuer: respx.Route
) -> None:
    assert data(await ask(client, sign(claims())))
    assert issuer.call_count == 1  # fetched once, then cached
    assert data(await ask(client, sign(claims(), EC_KEY, "ES256")))
    assert issuer.call_count == 1
    # An unknown kid may mean the issuer rotated its keys: look once more, then refuse.
    unknown = sign(claims(), STRANGER)
    assert refusal(await ask(client, unknown), unknown) == "the token's signing key is unknown to the issuer's key set"
    assert issuer.call_count == 2
    # A flood of random kids costs the issuer nothing more (one look per REFETCH_INTERVAL).
    for _ in range(20):
        token = sign(claims(), STRANGER, kid=uuid.uuid4().hex)
        assert refusal(await ask(client, token), token).startswith("the token's signing key is unknown")
    assert issuer.call_count == 2
    assert data(await ask(client, sign(claims())))  # the known keys still work meanwhile


async def test_malformed_bearer_values_are_refused_without_echo(client: httpx.AsyncClient) -> None:
    for value in ("a.b.c", "bm90IGpzb24.e30.", "x..y", "W10.e30.", "eyJhbGciOiJSUzI1NiIsImtpZCI6MX0.e30.sig"):
        assert refusal(await ask(client, value), value).startswith("the bearer token is malformed")
    # Header values joserfc trips on (a "crit" that is not a list) are refused too, not a 500.
    _, payload, signature = sign(claims()).split(".")
    odd = f"{b64(json.dumps({'alg': 'RS256', 'kid': 'rsa-1', 'crit': 1}).encode())}.{payload}.{signature}"
    assert refusal(await ask(client, odd), odd).endswith("or it is malformed")
    # Well formed, but with no kid while the issuer publishes several keys: no key can be meant.
    no_kid = sign(claims(), kid=None)
    assert refusal(await ask(client, no_kid), no_kid) == "the token's signing key is unknown to the issuer's key set"


# -- the key cache, with a clock of our own ----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_rotated_key_is_picked_up_on_its_first_token_and_a_dead_issuer_keeps_the_cached_keys() -> None:
    clock = Clock()
    published = {"keys": jwks(RSA_KEY)["keys"]}
    with respx.mock() as mock:
        route = mock.get(JWKS_URL).mock(side_effect=lambda request: httpx.Response(200, json=published))
        verifier = TokenVerifier(JWT_CONFIG, clock=clock)
        assert (await verifier.principal(sign(claims()))).name == "jwt:alice"
        published["keys"] = jwks(RSA_KEY, STRANGER)["keys"]  # the issuer rotates in a new key
        clock.now += 1
        principal = await verifier.principal(sign(claims(sub="carol", role="finance"), STRANGER))
        assert (principal.name, principal.role, principal.owner) == ("jwt:carol", Role.FINANCE, None)
        assert route.call_count == 2
        unknown = sign(claims(), STRANGER, kid="rsa-3")
        with pytest.raises(Unauthenticated, match="signing key is unknown"):
            await verifier.principal(unknown)
        assert route.call_count == 2  # too soon after the last look
        clock.now += REFETCH_INTERVAL
        with pytest.raises(Unauthenticated, match="signing key is unknown"):
            await verifier.principal(unknown)
        assert route.call_count == 3
        # The issuer goes down: the keys already fetched keep working, and it is not asked again at once.
        route.mock(side_effect=httpx.ConnectError("down"))
        clock.now += 3 * 3600
        assert (await verifier.principal(sign(claims()))).role is Role.ADMIN
        assert (await verifier.principal(sign(claims()))).role is Role.ADMIN
        assert route.call_count == 4


async def test_a_sales_tokens_principal_carries_its_owner_and_a_custom_claim_layout() -> None:
    config = JwtConfig(
        issuer=ISSUER,
        audience=AUDIENCE,
        jwks_url=JWKS_URL,
        role_claim="https://partner-gateway/role",
        owner_claim="https://partner-gateway/salesperson",
        subject_claim="email",
    )
    with respx.mock() as mock:
        mock.get(JWKS_URL).mock(return_value=httpx.Response(200, json=jwks(RSA_KEY)))
        verifier = TokenVerifier(config)
        token = sign(
            claims(
                email="wang.fang@example.com",
                **{"https://partner-gateway/role": "sales", "https://partner-gateway/salesperson": SALES_OWNER},
            )
        )
        principal = await verifier.principal(token)
    assert (principal.name, principal.role, principal.owner) == ("jwt:wang.fang@example.com", Role.SALES, SALES_OWNER)
    assert principal.scoped_owner == SALES_OWNER


async def test_keys_can_come_from_a_jwks_file(tmp_path: Path) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(EC_KEY)))
    config = JwtConfig(issuer=ISSUER, audience=AUDIENCE, jwks_file=str(path), algorithms=("ES256",))
    verifier = TokenVerifier(config)
    assert (await verifier.principal(sign(claims(), EC_KEY, "ES256"))).role is Role.ADMIN
    with pytest.raises(Unauthenticated, match="algorithm is not accepted"):  # RS256 is not configured here
        await verifier.principal(sign(claims()))


# -- API key expiry ------------------------------------------------------------------------------------------------


def test_an_expired_api_key_is_refused_like_an_unknown_one() -> None:
    now = datetime(2027, 6, 30, 12, tzinfo=UTC)
    keys = [
        ApiKey("old", hash_key("pgw_old"), Role.ADMIN, expires_at=now),
        ApiKey("new", hash_key("pgw_new"), Role.ADMIN, expires_at=now + timedelta(seconds=1)),
        ApiKey("forever", hash_key("pgw_forever"), Role.ADMIN),
    ]
    authenticator = Authenticator(keys, now=lambda: now)
    assert authenticator.principal("pgw_old") is None
    assert authenticator.principal("pgw_unknown") is None
    new = authenticator.principal("pgw_new")
    assert new is not None
    assert new.name == "new"
    assert authenticator.principal("pgw_forever") is not None


async def test_an_expired_api_key_gets_the_same_401_as_an_unknown_one() -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    authenticator = Authenticator([ApiKey("old", hash_key("pgw_old"), Role.ADMIN, expires_at=past)])
    with pytest.raises(Unauthenticated) as expired:
        await authenticator.authenticate("pgw_old")
    with pytest.raises(Unauthenticated) as unknown:
        await authenticator.authenticate("pgw_unknown")
    assert expired.value.message == unknown.value.message == "the API key is unknown or has expired"


async def test_only_a_token_issuer_configured_is_not_open_mode() -> None:
    authenticator = Authenticator([], TokenVerifier(JWT_CONFIG))
    assert not authenticator.open
    with pytest.raises(Unauthenticated, match="an API key or a bearer token is required"):
        await authenticator.authenticate(None)
    assert Authenticator([]).open


def test_the_readmes_jwt_example_is_a_valid_table_with_the_defaults_it_names() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    block = readme.split("```toml\n[auth.jwt]\n", 1)[1].split("```", 1)[0]
    table = tomllib.loads(block)
    config = parse_table(JwtConfig, table, "auth.jwt")
    defaults = JwtConfig(issuer="i", audience="a", jwks_url="https://i/jwks")
    for name in ("algorithms", "role_claim", "owner_claim", "subject_claim", "leeway_seconds"):
        assert getattr(config, name) == getattr(defaults, name), name


def test_the_keys_location_shown_in_logs_drops_user_info_and_query() -> None:
    config = JwtConfig(
        issuer=ISSUER, audience=AUDIENCE, jwks_url="https://user:pw@login.example.test:8443/jwks?token=t"
    )
    assert keys_location(config) == "https://login.example.test:8443/jwks"


async def test_an_ed25519_key_verifies_eddsa_tokens(tmp_path: Path) -> None:
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    okp = OKPKey.import_key(pem, parameters={"kid": "ed-1"})
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks(okp, RSA_KEY)))
    config = JwtConfig(issuer=ISSUER, audience=AUDIENCE, jwks_file=str(path), algorithms=("Ed25519", "RS256"))
    verifier = TokenVerifier(config)
    assert (await verifier.principal(sign(claims(sub="dora"), okp, "Ed25519"))).name == "jwt:dora"
    with pytest.raises(Unauthenticated, match="does not fit its key"):  # Ed25519 named, the RSA key's kid
        await verifier.principal(sign(claims(), okp, "Ed25519", kid="rsa-1"))
