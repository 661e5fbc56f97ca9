"""ACS3-HMAC-SHA256 verification, with the same canonicalisation code the adapter signs with.

Refusal codes and messages are Aliyun's own (POP gateway), from public reports:

* ``InvalidAccessKeyId.NotFound`` 404 "Specified access key is not found." (honwen/aliyun-ddns-cli#24,
  aliyun/ack-set-context#2)
* ``SignatureDoesNotMatch`` "Specified signature does not match our calculation. server StringToSign
  is [...]" (ACS3 wording, aliyun/alibabacloud-csharp-sdk#40; V2 wording in NewFuture/DDNS#57)
* ``SignatureNonceUsed`` "Specified signature nonce was used already." (aliyun/aliyun-openapi-net-sdk#344)
* ``InvalidTimeStamp.Expired`` "Specified time stamp or date value is expired."
  (https://developer.aliyun.com/ask/289064)
* ``IncompleteSignature`` 400 "The request signature does not conform to Aliyun standards."
  (https://help.aliyun.com/document_detail/51132.html)
* ``MissingAuthorization`` and ``MissingSignatureNonce``/``InvalidTimeStamp.Format`` follow the same
  naming pattern ("<X> is mandatory for this action.", cf. ``MissingSecurityToken`` in
  nccgroup/ScoutSuite#1678); their exact upstream wording is inferred, not observed.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from adapters.aliyun._signing import ALGORITHM, canonical_request, parse_query, sha256_hex, signature
from adapters.aliyun._signing import string_to_sign as make_string_to_sign
from adapters.aliyun.simulator._responses import GatewayRefusal
from adapters.aliyun.simulator._state import PartnerState, SimulatorState

__all__ = ["REPLAY_WINDOW", "verify"]

#: x-acs-date must be within 15 minutes of the server clock (Aliyun V3 signature docs).
REPLAY_WINDOW = timedelta(minutes=15)
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_REQUIRED_SIGNED = ("host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce")


def _incomplete(detail: str) -> GatewayRefusal:
    return GatewayRefusal(
        400, "IncompleteSignature", f"The request signature does not conform to Aliyun standards. {detail}"
    )


def _parse_authorization(value: str) -> tuple[str, list[str], str]:
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise _incomplete(f"Unsupported signature algorithm {algorithm!r}; expected {ALGORITHM}.")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, item = part.strip().partition("=")
        if sep:
            fields[key] = item
    credential = fields.get("Credential", "")
    signed = [name for name in fields.get("SignedHeaders", "").split(";") if name]
    provided = fields.get("Signature", "")
    if not credential or not signed or not provided:
        raise _incomplete("Authorization needs Credential, SignedHeaders and Signature.")
    return credential, signed, provided


def _check_date(raw: str | None, now: datetime) -> None:
    if not raw:
        raise GatewayRefusal(400, "InvalidTimeStamp.Format", "x-acs-date is mandatory for this action.")
    try:
        sent = datetime.strptime(raw, _DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise GatewayRefusal(
            400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."
        ) from None
    if abs(now - sent) > REPLAY_WINDOW:
        raise GatewayRefusal(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired.")


def verify(
    state: SimulatorState,
    *,
    method: str,
    path: str,
    query: bytes,
    headers: Mapping[str, Sequence[str]],
    body: bytes,
) -> PartnerState:
    """Check the request's signature; return the calling partner or raise ``GatewayRefusal``.

    ``headers`` maps lower-case names to all their values.
    """

    def first(name: str) -> str | None:
        values = headers.get(name)
        return values[0] if values else None

    authorization = first("authorization")
    if not authorization:
        raise GatewayRefusal(400, "MissingAuthorization", "Authorization is mandatory for this action.")
    access_key_id, signed, provided = _parse_authorization(authorization)
    partner = state.partner(access_key_id)
    if partner is None:
        raise GatewayRefusal(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")

    signed_set = {name.lower() for name in signed}
    unsigned = [
        name for name in (*_REQUIRED_SIGNED, *(n for n in headers if n.startswith("x-acs-"))) if name not in signed_set
    ]
    if unsigned:
        raise _incomplete(f"SignedHeaders must include {', '.join(sorted(set(unsigned)))}.")
    absent = sorted(name for name in signed_set if name not in headers)
    if absent:
        raise _incomplete(f"Signed header(s) {', '.join(absent)} are not in the request.")

    now = state.clock()
    _check_date(first("x-acs-date"), now)
    nonce = first("x-acs-signature-nonce") or ""
    if not nonce:
        raise GatewayRefusal(400, "MissingSignatureNonce", "x-acs-signature-nonce is mandatory for this action.")

    payload_sha256 = sha256_hex(body)
    if first("x-acs-content-sha256") != payload_sha256:
        raise GatewayRefusal(
            400, "SignatureDoesNotMatch", "Specified x-acs-content-sha256 does not match the request body."
        )
    try:
        pairs = parse_query(query)
    except UnicodeDecodeError:
        raise _incomplete("The query string is not valid UTF-8.") from None
    canonical = canonical_request(method, path, pairs, headers, signed, payload_sha256)
    expected = signature(partner.partner.access_key_secret, canonical)
    if not hmac.compare_digest(expected, provided.lower()):
        server_sts = make_string_to_sign(canonical).replace("\n", " ")
        raise GatewayRefusal(
            400,
            "SignatureDoesNotMatch",
            f"Specified signature does not match our calculation. server StringToSign is [{server_sts}]",
        )
    # Only a verified request burns its nonce, so a forger cannot block a real caller's nonce.
    if state.nonces.seen(access_key_id, nonce, now):
        raise GatewayRefusal(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    state.nonces.remember(access_key_id, nonce, now)
    return partner
