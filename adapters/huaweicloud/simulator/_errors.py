"""Error replies in Huawei's two real shapes, each with an ``X-Request-Id`` header.

* API Gateway (auth, routing, throttling): ``{"error_msg", "error_code": "APIGW.xxxx", "request_id"}``.
* BSS itself: ``{"error_code": "CBC.xxxx", "error_msg"}`` (CONTRACTS.md H.3), codes from the partner
  API's error-code page https://support.huaweicloud.com/intl/en-us/api-bpconsole/en-us_topic_0081766005.html.
  ``CBC.0100`` (HTTP 400, "Invalid parameter", messages such as "id: must not be null") is not on that
  page; it is what BSS returns for bad parameters as seen in public client code and runbooks.
"""

from __future__ import annotations

from starlette.responses import Response

from .. import _json

__all__ = ["INVALID_PARAMETER", "ApiError", "error_response", "invalid"]

INVALID_PARAMETER = "CBC.0100"


class ApiError(Exception):
    """A refusal the simulator sends instead of a result. ``gateway`` selects the API Gateway shape."""

    def __init__(self, status: int, code: str, message: str, *, gateway: bool = False) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.gateway = gateway


def invalid(field: str, problem: str) -> ApiError:
    """A validation failure of one request field, as BSS reports it."""
    return ApiError(400, INVALID_PARAMETER, f"{field}: {problem}")


def error_response(error: ApiError, request_id: str) -> Response:
    if error.gateway:
        body: dict[str, object] = {"error_msg": error.message, "error_code": error.code, "request_id": request_id}
    else:
        body = {"error_code": error.code, "error_msg": error.message}
    return Response(
        _json.dumps(body),
        status_code=error.status,
        media_type="application/json",
        headers={"X-Request-Id": request_id},
    )
