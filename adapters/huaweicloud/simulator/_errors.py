"""Error replies in Huawei's two real shapes, each with an ``X-Request-Id`` header.

* API Gateway (auth, routing, throttling): ``{"error_msg", "error_code": "APIGW.xxxx", "request_id"}``.
* BSS itself: ``{"error_code": "CBC.xxxx", "error_msg"}`` (CONTRACTS.md H.3), codes from the partner
  API's error-code page https://support.huaweicloud.com/intl/en-us/api-bpconsole/en-us_topic_0081766005.html.
  ``CBC.0100`` (HTTP 400, "Invalid parameter", messages such as "id: must not be null") is not on that
  page; it is what BSS returns for bad parameters as seen in public client code and runbooks.

Codes the simulator had to choose: Huawei documents no code for these refusals (neither the SDKs nor
the error-code page name one), so they use the ``CBC.99xxxxxx`` form of the one business code the SDK
does name (``CBC.99000050``, H.3) in a block of our own, ``CBC.990060xx``. Clients must treat them as
opaque upstream codes, as the gateway does.
"""

from __future__ import annotations

from starlette.responses import Response

from .. import _json

__all__ = [
    "ACCESS_DENIED",
    "ACCOUNT_NAME_USED",
    "COUPON_NOT_RECLAIMABLE",
    "INSUFFICIENT_BALANCE",
    "INSUFFICIENT_QUOTA",
    "INVALID_PARAMETER",
    "NOT_FOUND",
    "NOT_RESALE",
    "PRODUCT_NOT_FOUND",
    "QUOTA_UNAVAILABLE",
    "SERVER_ERROR",
    "SUCCESS",
    "VERIFICATION_CODE_INVALID",
    "ApiError",
    "error_response",
    "invalid",
]

SUCCESS = "CBC.0000"  # error-code page: "Success."
INVALID_PARAMETER = "CBC.0100"
# error-code page (older zh-cn table, quoted in adapters/huaweicloud/_errors.py): an access denial.
ACCESS_DENIED = "CBC.0151"
SERVER_ERROR = "CBC.0999"  # "Other errors." (what BSS answers on an internal failure)
# Chosen by the simulator (see the module docstring).
INSUFFICIENT_BALANCE = "CBC.99006001"
NOT_RESALE = "CBC.99006002"
VERIFICATION_CODE_INVALID = "CBC.99006003"
ACCOUNT_NAME_USED = "CBC.99006004"
INSUFFICIENT_QUOTA = "CBC.99006005"
COUPON_NOT_RECLAIMABLE = "CBC.99006006"
PRODUCT_NOT_FOUND = "CBC.99006007"
NOT_FOUND = "CBC.99006008"
QUOTA_UNAVAILABLE = "CBC.99006009"


class ApiError(Exception):
    """A refusal the simulator sends instead of a result. ``gateway`` selects the API Gateway shape."""

    def __init__(self, status: int, code: str, message: str, *, gateway: bool = False) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.gateway = gateway

    def detail(self, item_id: str) -> dict[str, str]:
        """This refusal as one ``error_details[]`` entry of a batch answer (H.3)."""
        return {"error_code": self.code, "error_msg": self.message, "id": item_id}


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
