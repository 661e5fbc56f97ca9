"""Sign-in for people: OIDC/JWT bearer tokens checked against an issuer's published keys (``[auth.jwt]``).

A token is accepted when, in this order:

1. its header's ``alg`` is one of the configured (asymmetric) algorithms: ``none`` and HMAC never are,
   so no key is looked up for them;
2. its ``kid`` names a key of the issuer's JWKS (fetched from ``jwks_url`` or read from ``jwks_file``,
   cached, and fetched again when a token names an unknown ``kid``: at most once per
   ``REFETCH_INTERVAL``, so random kids cannot hammer the issuer), and that key's type fits the algorithm
   (an RSA key never verifies an HMAC: no "public key as HMAC secret" confusion);
3. the signature verifies;
4. ``exp`` (required), ``nbf``, ``iss`` and ``aud`` hold, with ``leeway_seconds`` of clock leeway;
5. the role claim is admin, finance or sales, and a sales token carries the owner claim.

A refusal is a ``Unauthenticated`` that says why in general terms and never contains the token.

joserfc does the JOSE work (by the Authlib author; JWS, JWK and JWT per the RFCs, strictly typed): each
algorithm declares its key type and checks it, and its claims registry takes a leeway.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import ECKey, Key, KeySet, OKPKey, RSAKey

from gateway.auth import Principal, Role
from gateway.config_tables import JwtConfig
from gateway.errors import ConfigError, Unauthenticated

__all__ = [
    "JWKS_TIMEOUT",
    "MAX_KEY_AGE",
    "REFETCH_INTERVAL",
    "TokenVerifier",
    "check_jwks_file",
    "keys_location",
    "load_jwks_file",
    "parse_jwks",
]

log = logging.getLogger(__name__)

#: At most one fetch of the key set per this many seconds for unknown kids (a flood of them costs nothing).
REFETCH_INTERVAL = 30.0
#: Cached keys are fetched again after this many seconds, so a key the issuer withdrew stops working.
MAX_KEY_AGE = 3600.0
#: Connect and read timeout of a JWKS fetch: a slow issuer must not hold requests for long.
JWKS_TIMEOUT = 5.0
_PUBLIC_KEY_TYPES = (RSAKey, ECKey, OKPKey)
_ROLES = {role.value: role for role in Role}
#: What decoding an attacker's bytes may raise besides a refusal: all of it is "malformed", never a 500.
_MALFORMED = (JoseError, ValueError, TypeError, KeyError, AttributeError, OverflowError)


def parse_jwks(data: object) -> dict[str, Key]:
    """The signing keys of a JWKS document by kid; symmetric and unknown key types are ignored."""
    if not isinstance(data, Mapping) or not isinstance(data.get("keys"), list):
        raise ValueError('not a JWKS document (a JSON object with a "keys" array)')
    keys: dict[str, Key] = {}
    for entry in data["keys"]:
        if not isinstance(entry, Mapping) or entry.get("kty") not in ("RSA", "EC", "OKP"):
            continue  # "oct" keys (shared secrets) never verify anything here
        if entry.get("use", "sig") != "sig":
            continue
        try:
            (key,) = KeySet.import_key_set({"keys": [dict(entry)]}).keys
        except (JoseError, ValueError, TypeError):
            continue  # one malformed key must not take the others down
        if isinstance(key, _PUBLIC_KEY_TYPES) and key.kid is not None:
            keys[key.kid] = key
    if not keys:
        raise ValueError("holds no usable public signing key (RSA, EC or OKP)")
    return keys


def load_jwks_file(path: Path) -> dict[str, Key]:
    try:
        return parse_jwks(json.loads(path.read_bytes()))
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    except json.JSONDecodeError:
        raise ValueError("is not JSON") from None


class _Keys:
    """The issuer's keys, cached; fetched again when old, and on an unknown kid at most once per interval."""

    def __init__(self, config: JwtConfig, clock: Callable[[], float], transport: httpx.AsyncBaseTransport | None):
        self._config = config
        self._clock = clock
        self._transport = transport
        self._keys: dict[str, Key] = {}
        self._fetched_at: float | None = None
        self._failed_at: float | None = None
        self._refetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self, kid: str | None) -> Key | None:
        if self._stale():
            async with self._lock:
                if self._stale():
                    await self._fetch()
        found = self._find(kid)
        if found is None and kid is not None:
            # Perhaps the issuer rotated its keys. Requests with known kids never wait on this lock.
            async with self._lock:
                found = self._find(kid)  # another request may have just fetched it
                now = self._clock()
                if found is None and (self._refetched_at is None or now - self._refetched_at >= REFETCH_INTERVAL):
                    self._refetched_at = now
                    await self._fetch()
                    found = self._find(kid)
        return found

    def _find(self, kid: str | None) -> Key | None:
        if kid is None:  # a token without kid: only an issuer with a single key can be meant
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _stale(self) -> bool:
        now = self._clock()
        if self._failed_at is not None and now - self._failed_at < REFETCH_INTERVAL:
            return False  # the issuer just failed: do not ask again at once
        return self._fetched_at is None or now - self._fetched_at > MAX_KEY_AGE

    async def _fetch(self) -> None:
        now = self._clock()
        try:
            keys = await self._load()
        except (httpx.HTTPError, ValueError) as exc:
            # Keep the keys there are: the issuer may be briefly down. Say where, never what was sent.
            log.error("could not load the JWT signing keys from %s: %s", self._where, _describe(exc))
            self._failed_at = now
            return
        self._keys, self._fetched_at, self._failed_at = keys, now, None

    @property
    def _where(self) -> str:
        return keys_location(self._config)

    async def _load(self) -> dict[str, Key]:
        if self._config.jwks_file is not None:
            return load_jwks_file(Path(self._config.jwks_file))
        assert self._config.jwks_url is not None
        timeout = httpx.Timeout(JWKS_TIMEOUT)
        async with httpx.AsyncClient(timeout=timeout, transport=self._transport, follow_redirects=False) as client:
            response = await client.get(self._config.jwks_url, headers={"accept": "application/json"})
            response.raise_for_status()
            return parse_jwks(response.json())


class TokenVerifier:
    """Turns a bearer token into a principal, or refuses it (``Unauthenticated``)."""

    def __init__(
        self,
        config: JwtConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self._now = now
        self._keys = _Keys(config, clock, transport)

    async def principal(self, token: str) -> Principal:
        try:
            header = jws.extract_compact(token.encode()).headers()
        except _MALFORMED:
            raise Unauthenticated("the bearer token is malformed (not a signed JWT)") from None
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or alg not in self.config.algorithms:
            raise Unauthenticated("the token's signing algorithm is not accepted")
        if kid is not None and not isinstance(kid, str):
            raise Unauthenticated("the bearer token is malformed (its kid is not a string)")
        key = await self._keys.get(kid)
        if key is None:
            raise Unauthenticated("the token's signing key is unknown to the issuer's key set")
        if key.alg is not None and key.alg != alg:
            raise Unauthenticated("the token's signing algorithm does not fit its key")
        try:
            claims = jwt.decode(token, key, algorithms=list(self.config.algorithms)).claims
        except BadSignatureError:
            raise Unauthenticated("the token's signature does not verify") from None
        except _MALFORMED:  # joserfc raises TypeError too, for odd header values (a "crit" that is a number)
            raise Unauthenticated("the token's signing algorithm does not fit its key, or it is malformed") from None
        self._check_claims(claims)
        return self._principal_from(claims)

    def _check_claims(self, claims: dict[str, Any]) -> None:
        config = self.config
        registry = jwt.JWTClaimsRegistry(
            now=int(self._now()),
            leeway=config.leeway_seconds,
            iss={"essential": True, "value": config.issuer},
            aud={"essential": True, "value": config.audience},
            exp={"essential": True},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError:
            raise Unauthenticated("the token has expired") from None
        except MissingClaimError as exc:
            raise Unauthenticated(f"the token lacks a required claim ({exc.claim})") from None
        except InvalidClaimError as exc:
            raise Unauthenticated(_claim_problem(exc.claim)) from None
        except _MALFORMED:
            raise Unauthenticated("the token's claims are malformed") from None

    def _principal_from(self, claims: dict[str, Any]) -> Principal:
        config = self.config
        subject = claims.get(config.subject_claim)
        if not isinstance(subject, str) or not subject.strip() or len(subject) > 255 or not subject.isprintable():
            raise Unauthenticated(f"the token's subject claim ({config.subject_claim!r}) is missing or not a name")
        value = claims.get(config.role_claim)
        role = _ROLES.get(value) if isinstance(value, str) else None
        if role is None:
            roles = ", ".join(_ROLES)
            raise Unauthenticated(f"the token's role claim ({config.role_claim!r}) is missing or not one of: {roles}")
        owner = claims.get(config.owner_claim)
        if role is not Role.SALES:
            owner = None
        elif not isinstance(owner, str) or not owner.strip():
            raise Unauthenticated(
                f"a sales token needs the owner claim ({config.owner_claim!r}): the salesperson whose customers it sees"
            )
        return Principal(f"jwt:{subject}", role, owner)


def keys_location(config: JwtConfig) -> str:
    """Where the keys come from, fit for logs: a URL without user info or query (they could hold a secret)."""
    if config.jwks_url is None:
        return str(config.jwks_file)
    parts = urlsplit(config.jwks_url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def _claim_problem(claim: str) -> str:
    return {
        "iss": "the token is from another issuer",
        "aud": "the token is for another audience",
        "nbf": "the token is not yet valid",
        "exp": "the token's expiry is malformed",
    }.get(claim, "the token's claims are malformed")


def _describe(exc: Exception) -> str:
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, httpx.HTTPError):
        return type(exc).__name__
    return str(exc)


def check_jwks_file(config: JwtConfig, key: str) -> None:
    """Refuse at start a ``jwks_file`` that cannot be read or holds no signing key."""
    if config.jwks_file is None:
        return
    try:
        load_jwks_file(Path(config.jwks_file))
    except ValueError as exc:
        raise ConfigError(f"{key}.jwks_file", str(exc)) from None
