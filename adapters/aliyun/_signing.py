"""ACS3-HMAC-SHA256 request signing (CONTRACTS.md A.2.1).

The pure functions (``canonical_request``, ``signature``, ``authorization``) are shared by the
``httpx.Auth`` signer below and by the simulator's verifier, so both sides compute the same bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

import httpx

from gateway.models import Secret

__all__ = [
    "ALGORITHM",
    "EMPTY_BODY_SHA256",
    "Acs3Signer",
    "authorization",
    "canonical_headers",
    "canonical_query_string",
    "canonical_request",
    "format_acs_date",
    "parse_query",
    "sha256_hex",
    "signature",
    "string_to_sign",
]

ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ACS_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # utils.py:261, always UTC

#: Headers the signer signs when the request carries them, besides every ``x-acs-*`` header.
#: Transport headers httpx adds (connection, accept-encoding, content-length) are left out so the
#: signature does not depend on the transport; the SDK signs every header it sets itself (A.2.1).
_SIGNED_PLAIN_HEADERS = ("accept", "content-type", "host", "user-agent")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_acs_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(ACS_DATE_FORMAT)


def parse_query(raw: str | bytes) -> list[tuple[str, str]]:
    """Decode a URL query into pairs. ``+`` is a space: the SDK sends the query form-encoded (A.2.1)."""
    text = raw.decode("ascii") if isinstance(raw, bytes) else raw
    return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")


def canonical_query_string(pairs: Iterable[tuple[str, str]]) -> str:
    """Keys sorted (stable) and not encoded; values RFC 3986-encoded with only ``~`` safe (utils.py:68)."""
    ordered = sorted(pairs, key=lambda pair: pair[0])
    return "&".join(f"{key}={quote(value, safe='~', encoding='utf-8')}" for key, value in ordered)


def canonical_headers(headers: Mapping[str, Sequence[str]], signed: Sequence[str]) -> str:
    """``name:value\\n`` per signed header, names lower-cased and sorted, repeated values sorted and
    joined with ``,`` (utils.py:88)."""
    lines = []
    for name in sorted(name.lower() for name in signed):
        values = sorted(value.strip() for value in headers.get(name, ()))
        lines.append(f"{name}:{','.join(values)}\n")
    return "".join(lines)


def canonical_request(
    method: str,
    pathname: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, Sequence[str]],
    signed_headers: Sequence[str],
    payload_sha256: str,
) -> str:
    """The canonical request of A.2.1. ``headers`` maps lower-case names to their values."""
    names = sorted(name.lower() for name in signed_headers)
    return "\n".join(
        [
            method.upper(),
            pathname or "/",
            canonical_query_string(query),
            canonical_headers(headers, names),
            ";".join(names),
            payload_sha256,
        ]
    )


def string_to_sign(canonical: str) -> str:
    return f"{ALGORITHM}\n{sha256_hex(canonical.encode('utf-8'))}"


def signature(secret: str, canonical: str) -> str:
    """Hex HMAC-SHA256 of the string to sign, keyed with the AccessKey secret."""
    digest = hmac.new(secret.encode("utf-8"), string_to_sign(canonical).encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()


def authorization(access_key_id: str, signed_headers: Sequence[str], signature_hex: str) -> str:
    names = ";".join(sorted(name.lower() for name in signed_headers))
    return f"{ALGORITHM} Credential={access_key_id},SignedHeaders={names},Signature={signature_hex}"


def _random_nonce() -> str:
    return secrets.token_hex(16)  # 32 hex characters, like the SDK's md5 nonce (utils.py:458)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Acs3Signer(httpx.Auth):
    """Signs each request with ACS3-HMAC-SHA256 (CONTRACTS.md A.2.1).

    Adds ``x-acs-date``, ``x-acs-signature-nonce``, ``x-acs-content-sha256`` and ``Authorization``.
    The caller sets ``x-acs-action``/``x-acs-version``, ``accept`` and ``user-agent``. ``clock`` and
    ``nonce`` are injectable so tests can pin the signature.
    """

    requires_request_body = True

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: Secret,
        *,
        clock: Callable[[], datetime] = _utc_now,
        nonce: Callable[[], str] = _random_nonce,
    ) -> None:
        self._access_key_id = access_key_id
        self._secret = access_key_secret
        self._clock = clock
        self._nonce = nonce

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.sign(request)
        yield request

    def sign(self, request: httpx.Request) -> None:
        body = request.content
        payload_sha256 = sha256_hex(body)
        request.headers["x-acs-date"] = format_acs_date(self._clock())
        request.headers["x-acs-signature-nonce"] = self._nonce()
        request.headers["x-acs-content-sha256"] = payload_sha256
        if not body:
            request.headers.pop("content-type", None)
        signed = sorted(
            {
                name
                for name in (key.lower() for key in request.headers)
                if name.startswith("x-acs-") or name in _SIGNED_PLAIN_HEADERS
            }
        )
        headers = {name: request.headers.get_list(name) for name in signed}
        canonical = canonical_request(
            request.method,
            request.url.path,
            parse_query(request.url.query),
            headers,
            signed,
            payload_sha256,
        )
        request.headers["Authorization"] = authorization(
            self._access_key_id, signed, signature(self._secret.reveal(), canonical)
        )
