"""Aliyun failures -> the gateway's error tree, in one table (CONTRACTS.md A.3, X.2).

Three kinds of failure reach here:

* transport errors: HTTP 4xx/5xx with ``{Code, Message, RequestId, HostId?}`` (A.3.1);
* business errors: HTTP 200 whose ``Code`` is not ``"200"`` or whose ``Success`` is false (A.3.2);
* httpx errors: nothing (or nothing readable) came back.
"""

from __future__ import annotations

from collections.abc import Mapping

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

__all__ = [
    "PROVIDER",
    "REASONS",
    "business_error",
    "is_business_error",
    "item_error",
    "network_error",
    "protocol_error",
    "reason_of",
    "transport_error",
]

PROVIDER = "aliyun"

#: Upstream ``Code`` -> error class. Gateway-level codes are Aliyun's public POP error codes
#: (https://help.aliyun.com/document_detail/51132.html and the SDK issues cited in simulator/_auth.py);
#: numeric codes are the Agency API's business codes (A.4.x).
ERROR_CLASSES: Mapping[str, type[ProviderError]] = {
    # credentials and signature: retrying the same call cannot help
    "InvalidAccessKeyId": ProviderAuthError,
    "InvalidAccessKeyId.NotFound": ProviderAuthError,
    "InvalidAccessKeyId.Inactive": ProviderAuthError,
    "SignatureDoesNotMatch": ProviderAuthError,
    "IncompleteSignature": ProviderAuthError,
    "MissingAuthorization": ProviderAuthError,
    "InvalidSecurityToken.Expired": ProviderAuthError,
    "InvalidSecurityToken.Malformed": ProviderAuthError,
    "InvalidSecurityToken.MismatchWithAccessKey": ProviderAuthError,
    "Forbidden.AccessKeyDisabled": ProviderAuthError,
    "Forbidden.NotDistributor": ProviderForbidden,  # the simulator's code for a reseller's key on a
    # distributor-only operation: the SDK lists none (docs/simulator-aliyun.md)
    # our clock is off by more than 15 minutes: a configuration problem, not a transient one
    "InvalidTimeStamp.Expired": ProviderAuthError,
    "InvalidTimeStamp.Format": ProviderAuthError,
    # rate limits
    "Throttling": ProviderThrottled,
    "Throttling.User": ProviderThrottled,
    "Throttling.Api": ProviderThrottled,
    "Throttling.Concurrent": ProviderThrottled,
    # the upstream's own trouble
    "InternalError": ProviderUnavailable,
    "ServiceUnavailable": ProviderUnavailable,
    "ServiceTimeout": ProviderUnavailable,
    "1109": ProviderUnavailable,  # "System error" (A.3.2)
}

#: Upstream ``Code`` -> the gateway's provider-neutral ``Reason`` for a refused write. Numeric codes are
#: the SDK's (A.4.x); dotted ones are the simulator's choices for cases the SDK lists no code for
#: (docs/simulator-aliyun.md). Any other ``*.NotFound`` business code is ``NOT_FOUND`` and any
#: ``InvalidParameter*`` / ``Missing*`` is ``INVALID_INPUT`` (see ``reason_of``).
REASONS: Mapping[str, Reason] = {
    "3029": Reason.NOT_FOUND,  # Invalid UID: not a sub-account of this partner (A.4.3)
    "3030": Reason.INVALID_INPUT,  # nickname over 150 bytes
    "3031": Reason.INVALID_INPUT,  # remark over 3000 bytes
    "3040": Reason.FROZEN,  # sub-account frozen, cannot operate (A.4.7)
    "3041": Reason.INVALID_INPUT,  # credit is not a proper number (A.4.7)
    "3044": Reason.INVALID_INPUT,  # warning value is not a number (A.7.26)
    "3045": Reason.INVALID_INPUT,  # warning value not between 1 and 100 (A.7.26)
    "3057": Reason.INVALID_INPUT,  # InviteId is empty (A.4.5)
    "3058": Reason.TOO_FREQUENT,  # 10 e-mails every 5 minutes (A.4.5)
    "3060": Reason.NOT_FOUND,  # no sending record for InviteId (A.4.5)
    "3061": Reason.INVITATION_EXPIRED,  # registration URL expired (or used), cannot resend (A.4.5)
    "3062": Reason.INVALID_INPUT,
    "3063": Reason.INVALID_INPUT,
    "FilingLimitExceeded": Reason.FILING_LIMIT_EXCEEDED,
    "AccountBelongsToAnotherPartner": Reason.CUSTOMER_OF_ANOTHER_PARTNER,
    "AccountAlreadyAssociated": Reason.ALREADY_EXISTS,
    "Forbidden.NotDistributor": Reason.ROLE_NOT_ALLOWED,
    "InvalidCouponStatus": Reason.INVALID_INPUT,  # only an AVAILABLE coupon can be cancelled
    "InvalidCouponTemplateStatus": Reason.INVALID_INPUT,  # the template is not approved (yet)
    "CouponLimitPerPersonExceeded": Reason.INVALID_INPUT,
    "InvalidApprovalStatus": Reason.ALREADY_EXISTS,  # the application was decided already
    "QuotaInsufficient": Reason.INSUFFICIENT_FUNDS,  # the T2's coupon quota is too small
    "SubscriptionExists": Reason.ALREADY_EXISTS,
}
#: Codes of the API gateway itself that end in ``.NotFound`` but are not about the caller's data.
_NOT_DATA = frozenset({"InvalidAccessKeyId.NotFound", "InvalidAction.NotFound"})

_MAX_MESSAGE = 300


def reason_of(code: str | None) -> Reason | None:
    """The gateway ``Reason`` for an upstream refusal code, if it is one the gateway knows."""
    if not code or code in _NOT_DATA:
        return None
    if code in REASONS:
        return REASONS[code]
    if code.endswith(".NotFound"):
        return Reason.NOT_FOUND
    if code.startswith(("InvalidParameter", "Missing")):
        return Reason.INVALID_INPUT
    return None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _retry_after(headers: httpx.Headers) -> float | None:
    # The SDK reads x-acs-retry-after as a positive integer and sleeps that many *milliseconds*
    # (alibabacloud_tea_openapi/utils.py:567, darabonba core.py get_backoff_time + sleep(ms)).
    raw = headers.get("x-acs-retry-after")
    if raw is None:
        return None
    try:
        millis = int(raw)
    except ValueError:
        return None
    return millis / 1000 if millis > 0 else None


def _message(action: str, code: str | None, upstream_message: str | None) -> str:
    detail = (upstream_message or "").strip()
    if len(detail) > _MAX_MESSAGE:
        detail = detail[:_MAX_MESSAGE] + "..."
    return f"Aliyun {action} failed: {code or 'no code'}: {detail or 'no message'}"


def _get(body: Mapping[str, object], key: str) -> object:
    # A.3.1: the SDK falls back to the lower-camel key.
    value = body.get(key)
    return body.get(key[0].lower() + key[1:]) if value is None else value


def transport_error(
    response: httpx.Response, body: Mapping[str, object], *, action: str, partner_id: str | None
) -> ProviderError:
    """An HTTP 4xx/5xx answer (A.3.1)."""
    code = _text(_get(body, "Code"))
    retry_after = _retry_after(response.headers)
    cls = ERROR_CLASSES.get(code or "")
    if retry_after is not None or response.status_code == 429:
        cls = ProviderThrottled
    elif cls is None:
        cls = ProviderUnavailable if response.status_code >= 500 else ProviderError
    return cls(
        _message(action, code, _text(_get(body, "Message"))),
        provider=PROVIDER,
        partner_id=partner_id,
        upstream_code=code,
        request_id=_text(_get(body, "RequestId")),
        http_status=response.status_code,
        retry_after=retry_after,
        reason=reason_of(code),
    )


def is_business_error(body: Mapping[str, object]) -> bool:
    """A.3.2: operations say OK with ``Code == "200"``; some have only ``Success`` (GetSubPartnerList)
    and the 2025 ones also ``HttpStatusCode`` (X.2)."""
    code = body.get("Code")
    if code is not None and str(code) != "200":
        return True
    status = body.get("HttpStatusCode")
    if status is not None and str(status) != "200":
        return True
    return body.get("Success") is False


def business_error(body: Mapping[str, object], *, action: str, partner_id: str | None) -> ProviderError:
    """An HTTP 200 answer that carries a business failure (A.3.2)."""
    code = _text(body.get("Code"))
    cls = ERROR_CLASSES.get(code or "", ProviderError)
    return cls(
        # Some A.7 answers carry their text only in ``Msg`` (CustomerQuotaRecordList and its exports).
        _message(action, code, _text(body.get("Message")) or _text(body.get("Msg"))),
        provider=PROVIDER,
        partner_id=partner_id,
        upstream_code=code,
        request_id=_text(body.get("RequestId")),
        http_status=200,
        reason=reason_of(code),
    )


def item_error(
    item: Mapping[str, object], envelope: Mapping[str, object], *, action: str, partner_id: str | None
) -> ProviderError:
    """A refused item of a batch call (``Results[]`` of InviteSubAccount / InviteSubReseller, A.4.1,
    A.4.13): the item's own ``Code``/``Message`` with the envelope's ``RequestId``."""
    body = {"Code": item.get("Code"), "Message": item.get("Message"), "RequestId": envelope.get("RequestId")}
    return business_error(body, action=action, partner_id=partner_id)


def network_error(exc: httpx.TransportError, *, action: str, partner_id: str | None) -> ProviderUnavailable:
    """No answer. ``outcome_unknown`` unless the request certainly never left (connect/pool failure)."""
    never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    kind = "timed out" if isinstance(exc, httpx.TimeoutException) else "could not be completed"
    return ProviderUnavailable(
        f"Aliyun {action} {kind}: {type(exc).__name__}",
        provider=PROVIDER,
        partner_id=partner_id,
        outcome_unknown=not never_sent,
    )


def protocol_error(
    response: httpx.Response, problem: str, *, action: str, partner_id: str | None
) -> ProviderProtocolError:
    """An answer we cannot read (not JSON, not an object, missing fields)."""
    return ProviderProtocolError(
        f"Aliyun {action} returned an unreadable answer (HTTP {response.status_code}): {problem}",
        provider=PROVIDER,
        partner_id=partner_id,
        request_id=response.headers.get("x-acs-request-id"),
        http_status=response.status_code,
    )
