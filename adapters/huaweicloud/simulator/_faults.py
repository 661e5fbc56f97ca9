"""Huawei's own replies for injected faults (``adapters._simkit.faults``), and which operation a request is.

* 5xx: the BSS error body ``{"error_code": "CBC.0999", "error_msg": "Other errors."}`` (H.3).
* Throttling: HTTP 429 from API Gateway, ``APIGW.0308`` ("The throttling threshold has been reached"),
  in its ``{"error_msg", "error_code", "request_id"}`` shape, with ``Retry-After`` in whole seconds
  (https://support.huaweicloud.com/intl/en-us/usermanual-apig/apig-ug-180530090.html).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping

from adapters._simkit.faults import Receive, Scope, Send

from .. import _json
from .._operations import BY_ROUTE
from ._errors import SERVER_ERROR

__all__ = ["HuaweiFaultReplies", "operation_of"]


def operation_of(scope: Scope) -> str | None:
    """The SDK method name of a request, or ``None`` for a path that is not a BSS operation."""
    operation = BY_ROUTE.get((scope.get("method", ""), scope.get("path", "")))
    return operation.name if operation is not None else None


async def _reply(
    send: Send, status: int, body: Mapping[str, object], request_id: str, *extra: tuple[bytes, bytes]
) -> None:
    payload = _json.dumps(body).encode("utf-8")
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"x-request-id", request_id.encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


class HuaweiFaultReplies:
    """The ``FaultReplies`` of the BSS simulator."""

    async def server_error(self, scope: Scope, receive: Receive, send: Send, status: int) -> None:
        body = {"error_code": SERVER_ERROR, "error_msg": "Other errors."}
        await _reply(send, status, body, uuid.uuid4().hex)

    async def throttled(self, scope: Scope, receive: Receive, send: Send, retry_after: float) -> None:
        request_id = uuid.uuid4().hex
        body = {
            "error_msg": "The throttling threshold has been reached: policy user over ratelimit,limit:50,time:1 minute",
            "error_code": "APIGW.0308",
            "request_id": request_id,
        }
        seconds = str(max(0, math.ceil(retry_after))).encode()
        await _reply(send, 429, body, request_id, (b"retry-after", seconds))
