"""Verifying ``SDK-HMAC-SHA256`` like Huawei's API Gateway does, with its real refusals (H.2).

Refusals use the API Gateway body ``{"error_msg", "error_code", "request_id"}``, HTTP 401, code
``APIGW.0301`` and the messages Huawei documents:
https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-0001.html ("verify aksk signature
fail", "Get secretKey failed,ak:...,err:ak not exist"), https://support.huaweicloud.com/intl/en-us/
ocr_faq/ocr_01_0063.html ("x-auth-token not found": no AK/SK signature and no token) and
https://support.huaweicloud.com/intl/en-us/devg-apisign/api-sign-0003.html ("signature expired,
signature time:...,server time:...": X-Sdk-Date more than 15 minutes off).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from .._signing import DATE_FORMAT, canonical_request, query_pairs, signature, string_to_sign
from ._errors import ApiError
from ._state import PartnerState, SimulatorState

__all__ = ["MAX_CLOCK_SKEW", "authenticate"]

MAX_CLOCK_SKEW = timedelta(minutes=15)

_AUTHORIZATION = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<sig>[0-9a-fA-F]+)$"
)
_IAM = "Incorrect IAM authentication information: "
_VERIFY_FAIL = _IAM + "verify aksk signature fail"


def _refuse(message: str) -> ApiError:
    return ApiError(401, "APIGW.0301", message, gateway=True)


def _mask(access_key: str) -> str:
    return access_key[:4] + "******" if len(access_key) > 4 else "******"


def authenticate(
    state: SimulatorState,
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: Mapping[str, str],
    body: bytes,
) -> PartnerState:
    """The partner the request is signed for, or an ``ApiError``. ``headers`` has lower-case names."""
    authorization = headers.get("authorization")
    if not authorization:
        raise _refuse(_IAM + "x-auth-token not found")
    match = _AUTHORIZATION.match(authorization.strip())
    if match is None:
        raise _refuse(_VERIFY_FAIL)
    access_key, signed = match["ak"], match["signed"].split(";")
    partner = state.by_access_key(access_key)
    if partner is None:
        raise _refuse(f"{_IAM}Get secretKey failed,ak:{_mask(access_key)},err:ak not exist")
    # The signed set must cover host and the date, and every signed header must be present (H.2).
    if "host" not in signed or "x-sdk-date" not in signed or any(name not in headers for name in signed):
        raise _refuse(_VERIFY_FAIL)
    sdk_date = headers["x-sdk-date"]
    try:
        signed_at = datetime.strptime(sdk_date, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise _refuse(_VERIFY_FAIL) from None
    now = state.clock()
    if abs(now - signed_at) > MAX_CLOCK_SKEW:
        raise _refuse(f"{_IAM}signature expired, signature time:{sdk_date},server time:{now.strftime(DATE_FORMAT)}")
    canonical = canonical_request(method, raw_path, query_pairs(raw_query), headers, signed, body)
    expected = signature(partner.account.secret_key, string_to_sign(canonical, sdk_date))
    if not hmac.compare_digest(expected, match["sig"].lower()):
        raise _refuse(_VERIFY_FAIL)
    # Global services are scoped by X-Domain-Id (H.1). Huawei documents no message for a domain that
    # is not the AK's own; we refuse it as an IAM authentication failure.
    if headers.get("x-domain-id") != partner.account.domain_id:
        raise _refuse(_IAM + "the domain in X-Domain-Id does not own this AK")
    return partner
