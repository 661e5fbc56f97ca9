"""The simulator's answers: Aliyun's transport-error body and the Agency business envelope (A.3)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from starlette.responses import Response

__all__ = ["HOST_ID", "BusinessError", "GatewayRefusal", "json_response", "new_request_id", "refusal"]

HOST_ID = "agency.aliyuncs.com"
_CONTENT_TYPE = "application/json;charset=utf-8"


def new_request_id() -> str:
    """Aliyun request ids are upper-case UUIDs, e.g. ``61671224-9C93-440F-8962-FBBA450296E2``."""
    return str(uuid.uuid4()).upper()


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)  # never a float on the wire
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, default=_default).encode("utf-8")
    return Response(content, status_code=status, media_type=_CONTENT_TYPE, headers=headers)


class GatewayRefusal(Exception):
    """The API gateway refuses the request before any operation runs (HTTP 4xx/5xx, A.3.1)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class BusinessError(Exception):
    """An operation fails with an Agency business code: HTTP 200, ``Success`` false (A.3.2)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


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
