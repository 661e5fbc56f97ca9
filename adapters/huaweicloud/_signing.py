"""AK/SK request signing, ``SDK-HMAC-SHA256`` (CONTRACTS.md H.2).

The pure functions build the canonical request and the signature; ``SdkHmacAuth`` applies them to an
outgoing ``httpx.Request``. The simulator verifies incoming requests with the same functions, and the
tests check both against the official SDK's ``Signer``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote

import httpx

from gateway.models import Secret

__all__ = [
    "ALGORITHM",
    "DATE_FORMAT",
    "EMPTY_BODY_SHA256",
    "SdkHmacAuth",
    "authorization_header",
    "canonical_query",
    "canonical_request",
    "canonical_uri",
    "format_sdk_date",
    "signature",
    "string_to_sign",
]

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"  # X-Sdk-Date, UTC (H.2 step 2)
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
CONTENT_SHA256_HEADER = "x-sdk-content-sha256"

#: Headers always signed. Every ``x-*`` header we set is signed too; headers the transport adds
#: (accept, accept-encoding, connection, content-length) never are, so the signature is deterministic.
_ALWAYS_SIGNED = ("content-type", "host", "user-agent")


def _quote(value: str) -> str:
    return quote(value, safe="~")


def canonical_uri(path: str) -> str:
    """Each segment percent-encoded (safe ``~``), always ending in ``/`` (H.2 step 5, signer.py:167)."""
    uri = "/".join(_quote(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(params: Iterable[tuple[str, str]]) -> str:
    """Sorted ``key=value`` pairs, both encoded, joined by ``&``; repeated keys sorted by value."""
    return "&".join(f"{_quote(key)}={_quote(value)}" for key, value in sorted(params))


def payload_hash(body: bytes, headers: Mapping[str, str]) -> str:
    # signer.py _process_hash_payload: empty body -> the empty hash; else X-Sdk-Content-Sha256 if set.
    if not body:
        return EMPTY_BODY_SHA256
    return headers.get(CONTENT_SHA256_HEADER) or hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body: bytes,
) -> str:
    """The CanonicalRequest of H.2 step 5. ``headers`` maps lower-case names to values."""
    canonical_headers = "".join(f"{name}:{headers[name].strip()}\n" for name in signed_headers)
    return "\n".join(
        (
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            canonical_headers,
            ";".join(signed_headers),
            payload_hash(body, headers),
        )
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret_key: str, to_sign: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(access_key: str, signed_headers: Sequence[str], sig: str) -> str:
    # Comma + space separators and ``Access=`` (H.2 step 8).
    return f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(signed_headers)}, Signature={sig}"


def format_sdk_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(DATE_FORMAT)


def query_pairs(raw_query: str) -> list[tuple[str, str]]:
    """Decode a wire query string (``%20`` or ``+`` for spaces) into pairs, keeping blank values."""
    return parse_qsl(raw_query, keep_blank_values=True)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SdkHmacAuth(httpx.Auth):
    """Signs each request like the official SDK with ``GlobalCredentials`` (H.1, H.2).

    Sets ``X-Domain-Id`` (the account's ``domain_id``), ``X-Sdk-Date`` (from ``clock``) and a JSON
    ``Content-Type`` when absent, then adds ``Authorization``.
    """

    requires_request_body = True

    def __init__(
        self,
        access_key: str,
        secret_key: Secret,
        domain_id: str,
        *,
        clock: Callable[[], datetime] | None = None,
        user_agent: str = "partner-gateway/0.1",
    ) -> None:
        self._access_key = access_key
        self._secret_key = secret_key
        self._domain_id = domain_id
        self._clock = clock or _utc_now
        self._user_agent = user_agent

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def sign(self, request: httpx.Request) -> None:
        """Add the scope, date and ``Authorization`` headers to ``request`` in place."""
        headers = request.headers
        headers.setdefault("Content-Type", "application/json")  # on every BSS op, GETs too (H.1)
        headers.setdefault("User-Agent", self._user_agent)
        headers["X-Domain-Id"] = self._domain_id  # set before signing, so it is signed (H.1)
        headers["X-Sdk-Date"] = format_sdk_date(self._clock())
        lowered = {name.lower(): value for name, value in headers.items()}
        signed = sorted(
            name
            for name in lowered
            if (name in _ALWAYS_SIGNED or name.startswith("x-")) and "_" not in name  # signer.py:223
        )
        raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
        canonical = canonical_request(
            request.method, raw_path, query_pairs(raw_query), lowered, signed, request.content
        )
        sig = signature(self._secret_key.reveal(), string_to_sign(canonical, lowered["x-sdk-date"]))
        headers["Authorization"] = authorization_header(self._access_key, signed, sig)
