"""Huawei BSS failures -> ``gateway.errors``, in one place.

HTTP error
├── code in _BY_CODE                      that class (auth, throttling, access denied)
├── HTTP 429                              ProviderThrottled (Retry-After honoured)
├── HTTP 5xx                              ProviderUnavailable, outcome unknown
├── HTTP 401 / 403                        ProviderAuthError
└── any other 4xx                         ProviderError
transport failure
├── connect error / connect or pool timeout   ProviderUnavailable, request never sent
└── read/write timeout, dropped connection     ProviderUnavailable, outcome unknown
unreadable 2xx body                       ProviderProtocolError

The upstream ``error_code`` and the ``X-Request-Id`` header are kept on every error (CONTRACTS.md H.3).
A refusal the gateway knows also gets a ``Reason`` (``REASONS``), whether it came as an HTTP error or as
one ``error_details[]`` item of a batch answer (``item_refusal``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from gateway.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderForbidden,
    ProviderProtocolError,
    ProviderThrottled,
    ProviderUnavailable,
    Reason,
)

from . import _json

__all__ = ["REASONS", "from_response", "from_transport_error", "item_refusal", "parse_error_body", "protocol_error"]

PROVIDER = "huaweicloud"

# API Gateway codes appear both as APIGW.xxxx (current docs) and APIG.xxxx (older docs):
# https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-0001.html (APIGW.0301) and
# https://support.huaweicloud.com/intl/en-us/usermanual-apig/apig-ug-180530090.html (APIG.0xxx table).
# 0301 and 0303 are confirmed by those pages; 0302 and 0308 are from that table as we remember it and
# were not in the excerpts we could read, so unknown codes still fall back on the HTTP status below.
_BY_CODE: dict[str, type[ProviderError]] = {}
for _prefix in ("APIGW", "APIG"):
    _BY_CODE[f"{_prefix}.0301"] = ProviderAuthError  # Incorrect IAM authentication information
    _BY_CODE[f"{_prefix}.0302"] = ProviderAuthError  # IAM user not authorised to access the API
    _BY_CODE[f"{_prefix}.0303"] = ProviderAuthError  # Incorrect app authentication information
    _BY_CODE[f"{_prefix}.0308"] = ProviderThrottled  # throttling threshold reached
# CBC codes from the partner-API error-code page (CONTRACTS.md H.3): 0151 is an access denial for the
# partner's own AK (a valid key whose role may not do this); 0156/0150 (customer not of this site) and
# 18000016 stay business errors.
_BY_CODE["CBC.0151"] = ProviderForbidden

#: Upstream code -> why, in the gateway's words. ``CBC.0100`` is BSS's bad-parameter code; the
#: ``CBC.990060xx`` block is the one the simulator chose where Huawei documents no code (see
#: ``simulator/_errors.py``): change these lines when a real code is observed.
REASONS: dict[str, Reason] = {
    "CBC.0100": Reason.INVALID_INPUT,  # invalid parameter
    "CBC.0151": Reason.ROLE_NOT_ALLOWED,  # a tier-2's AK/SK on a tier-1-only API
    "CBC.99006001": Reason.INSUFFICIENT_FUNDS,  # balance less than the amount
    "CBC.99006002": Reason.ACCOUNT_TYPE_NOT_ALLOWED,  # not a resale (代售) customer (H.5 item 6)
    "CBC.99006003": Reason.INVALID_VERIFICATION_CODE,  # SMS code wrong or expired (H.4.1)
    "CBC.99006004": Reason.ALREADY_EXISTS,  # account name taken
    "CBC.99006005": Reason.INSUFFICIENT_FUNDS,  # quota balance less than the amount
    "CBC.99006007": Reason.NOT_FOUND,  # unknown product
    "CBC.99006008": Reason.NOT_FOUND,  # unknown customer, reseller, quota or coupon
}


def parse_error_body(text: str, status: int) -> tuple[str, str]:
    """``(error_code, error_msg)`` in the SDK's parse order (H.3, exception_handler.py:77)."""
    try:
        body = _json.loads(text)
    except ValueError:
        body = None
    found = _find_code(body) if isinstance(body, Mapping) else None
    return found if found is not None else (str(status), text)


def _find_code(body: Mapping[str, Any]) -> tuple[str, str] | None:
    for code_key, msg_key in (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")):
        if code_key in body and msg_key in body:
            return str(body[code_key]), str(body[msg_key])
    for value in body.values():
        if isinstance(value, Mapping) and (found := _find_code(value)) is not None:
            return found
    return None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def from_response(response: httpx.Response, *, operation: str, partner_id: str) -> ProviderError:
    """The gateway error for an upstream HTTP error response (status >= 400)."""
    status = response.status_code
    code, msg = parse_error_body(response.text, status)
    cls = _BY_CODE.get(code)
    if cls is None:
        if status == 429:
            cls = ProviderThrottled
        elif status >= 500:
            cls = ProviderUnavailable
        elif status in (401, 403):
            cls = ProviderAuthError
        else:
            cls = ProviderError
    return cls(
        f"Huawei Cloud {operation} failed: HTTP {status} {code}: {msg}",
        provider=PROVIDER,
        partner_id=partner_id,
        upstream_code=code,
        request_id=response.headers.get("X-Request-Id"),
        http_status=status,
        # A 5xx reply means the request arrived and may have been applied; a refusal was not.
        outcome_unknown=status >= 500,
        retry_after=_retry_after(response),
        reason=REASONS.get(code),
    )


def item_refusal(
    detail: Mapping[str, Any], *, operation: str, partner_id: str, request_id: str | None
) -> ProviderError:
    """The gateway error for one ``error_details[]`` item of an HTTP 200 batch answer (H.3, H.5 item 5)."""
    code, msg = str(detail.get("error_code") or ""), str(detail.get("error_msg") or "")
    cls = _BY_CODE.get(code, ProviderError)
    return cls(
        f"Huawei Cloud {operation} refused {detail.get('id')}: {code}: {msg}",
        provider=PROVIDER,
        partner_id=partner_id,
        upstream_code=code or None,
        request_id=request_id,
        http_status=200,
        reason=REASONS.get(code),
    )


def from_transport_error(exc: httpx.TransportError, *, operation: str, partner_id: str) -> ProviderError:
    """The gateway error for a network failure or timeout. Never includes request headers."""
    never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be completed"
    return ProviderUnavailable(
        f"Huawei Cloud {operation} {kind} ({type(exc).__name__})",
        provider=PROVIDER,
        partner_id=partner_id,
        outcome_unknown=not never_sent,
    )


def protocol_error(response: httpx.Response, problem: str, *, operation: str, partner_id: str) -> ProviderProtocolError:
    """The answer was a success status but could not be understood."""
    return ProviderProtocolError(
        f"Huawei Cloud {operation} returned an unreadable answer: {problem}",
        provider=PROVIDER,
        partner_id=partner_id,
        request_id=response.headers.get("X-Request-Id"),
        http_status=response.status_code,
    )
