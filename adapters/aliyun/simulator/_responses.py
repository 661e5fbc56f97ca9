"""The simulator's answers: Aliyun's transport-error body and the Agency business envelope (A.3)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from starlette.responses import Response

__all__ = [
    "ENVELOPES",
    "HOST_ID",
    "BusinessError",
    "GatewayRefusal",
    "Num",
    "console_time",
    "envelope",
    "error_envelope",
    "json_response",
    "new_request_id",
    "refusal",
]

HOST_ID = "agency.aliyuncs.com"
_CONTENT_TYPE = "application/json;charset=utf-8"


def new_request_id() -> str:
    """Aliyun request ids are upper-case UUIDs, e.g. ``61671224-9C93-440F-8962-FBBA450296E2``."""
    return str(uuid.uuid4()).upper()


class Num(Decimal):
    """A decimal the wire carries as a JSON *number* (the SDK's ``Number``/``float`` fields, e.g.
    ListCouponUsage ``Amount``), written with its exact digits; a plain ``Decimal`` is a string."""


_NUM_MARK = "\x00num:"
_NUM_TOKEN = re.compile(r'"\\u0000num:(-?[0-9.]+)"')


def _default(value: object) -> object:
    if isinstance(value, Num):
        return f"{_NUM_MARK}{value}"  # replaced by the bare number below
    if isinstance(value, Decimal):
        return str(value)  # a decimal string (e.g. GetCreditInfo CreditLine)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False, default=_default)
    content = _NUM_TOKEN.sub(r"\1", text).encode("utf-8")
    return Response(content, status_code=status, media_type=_CONTENT_TYPE, headers=headers)


_A7_CODE_ONLY = ("AutomaticWriteOff", "ExportReversedDeductionHistory", "ListExportTasks",
                 "QueryAutomaticWriteOffChangeRecords", "QueryReversedDeductionHistory")  # fmt: skip
_A7_WITH_MSG = ("CustomerQuotaRecordList", "EditNewBuyStatus", "EditZeroCreditShutdown", "ExportCustomerQuotaRecord",
                "QuotaListExportPaged")  # fmt: skip
#: Top-level envelope fields per operation besides ``RequestId`` and ``Message`` (CONTRACTS.md A.3.2):
#: (has Code, has Success, has Msg, has HttpStatusCode + AccessDeniedDetail).
ENVELOPES: Mapping[str, tuple[bool, bool, bool, bool]] = {
    "ListCouponUsage": (True, False, False, False),
    "GetCustomerOrders": (True, True, True, False),
    "EditEndUserStatus": (True, False, True, False),
    "GetSubPartnerList": (False, True, False, False),
    "GetCustomerOrderList": (True, True, False, True),
    "CustomerNoteCreate": (True, False, True, True),
    "CustomerNoteEdit": (True, False, True, True),
    "CustomerNoteList": (True, False, True, True),
    "CustomerNoteListDetail": (True, False, True, True),
    # A.7 credit controls and exports: no Success; Msg where the SDK model has one (Message is always sent)
    **dict.fromkeys(_A7_CODE_ONLY, (True, False, False, False)),
    **dict.fromkeys(_A7_WITH_MSG, (True, False, True, False)),
}
_DEFAULT_ENVELOPE = (True, True, False, False)


def _envelope(action: str, code: str, message: str, ok: bool, http_status: int) -> dict[str, Any]:
    has_code, has_success, has_msg, has_http = ENVELOPES.get(action, _DEFAULT_ENVELOPE)
    body: dict[str, Any] = {"Message": message}
    if has_code:
        body["Code"] = code
    if has_success:
        body["Success"] = ok
    if has_msg:
        body["Msg"] = message
    if has_http:
        body["HttpStatusCode"] = http_status
        body["AccessDeniedDetail"] = ""
    return body


def envelope(action: str, **payload: Any) -> dict[str, Any]:
    """A success body for ``action`` with the envelope fields A.3.2 lists for it."""
    return {**_envelope(action, "200", "Success", True, 200), **payload}


def error_envelope(action: str, error: BusinessError) -> dict[str, Any]:
    """A business failure: HTTP 200, the operation's own envelope, ``Success`` false where it has one."""
    return _envelope(action, error.code, error.message, False, error.http_status)


class GatewayRefusal(Exception):
    """The API gateway refuses the request before any operation runs (HTTP 4xx/5xx, A.3.1)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class BusinessError(Exception):
    """An operation fails with an Agency business code: HTTP 200, ``Success`` false (A.3.2)."""

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status  # what the 2025 envelopes report in ``HttpStatusCode``


def refusal(error: GatewayRefusal, request_id: str) -> Response:
    # Body shape of a real POP gateway refusal, e.g. NewFuture/DDNS#57 and dromara/SMS4J#34:
    # {"RequestId","HostId","Code","Message","Recommend"}. The SDK reads only Code/Message/RequestId.
    return json_response(
        {
            "RequestId": request_id,
            "HostId": HOST_ID,
            "Code": error.code,
            "Message": error.message,
            "Recommend": (f"https://api.aliyun.com/troubleshoot?q={error.code}&product=Agency&requestId={request_id}"),
        },
        status=error.status,
    )


_CHINA = timezone(timedelta(hours=8))


def console_time(moment: datetime | None) -> str:
    """Timestamps as the Agency API writes them: ``yyyy-MM-dd HH:mm:ss``, China time (A.5.5)."""
    return "" if moment is None else moment.astimezone(_CHINA).strftime("%Y-%m-%d %H:%M:%S")
