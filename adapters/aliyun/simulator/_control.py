"""The simulator's own endpoints (not the Agency API's) and its fault replies.

* ``POST /_simulator/register`` ``{"invite_id": "...", "uid": "..."?}``: the invited customer registers
  (``uid``: link an existing Aliyun account instead of a new one).
* ``GET /_simulator/clock``; ``POST /_simulator/clock`` ``{"advance_seconds": N}``: read or move business
  time (invitation expiry, e-mail limits). Signatures stay checked against the real clock.
* ``POST /_simulator/consume`` ``{"uid": "...", "amount": "12.34"}``: the customer uses credit, as its bills
  would: ``ConsumedUndeductedValue`` grows and ``AvailableCredit`` falls by ``amount`` (GetCreditInfo).
* ``/_simulator/faults``: served by ``adapters._simkit.faults.FaultInjection``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from adapters._simkit.faults import Receive, Scope, Send
from adapters.aliyun.simulator._registration import RegistrationError, register
from adapters.aliyun.simulator._responses import HOST_ID, json_response, new_request_id
from adapters.aliyun.simulator._state import SimulatorState

__all__ = ["CONTROL_PREFIX", "AgencyFaultReplies", "control", "operation_of"]

CONTROL_PREFIX = "/_simulator/"


def _error(status: int, code: str, message: str) -> Response:
    return json_response({"code": code, "message": message}, status=status)


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise RegistrationError(400, "BadRequest", "the body must be a JSON object")
    return data


def _int(data: dict[str, Any], name: str, *, required: bool) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise RegistrationError(400, "BadRequest", f"{name} is required")
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RegistrationError(400, "BadRequest", f"{name} must be an integer (a string is fine)") from None


def _amount(data: dict[str, Any]) -> Decimal:
    """A positive amount with at most two decimals, as a string or a number."""
    try:
        amount = Decimal(str(data.get("amount")))
    except InvalidOperation:
        raise RegistrationError(400, "BadRequest", "amount must be a decimal number") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise RegistrationError(400, "BadRequest", "amount must be more than 0, with at most 2 decimals")
    return amount


async def control(state: SimulatorState, request: Request) -> Response:
    """Serve one control request under ``/_simulator/``."""
    path = request.url.path.removeprefix(CONTROL_PREFIX)
    try:
        if path == "register" and request.method == "POST":
            data = await _json(request)
            invite_id = _int(data, "invite_id", required=True)
            assert invite_id is not None
            account = register(state, invite_id, uid=_int(data, "uid", required=False))
            body = {"uid": str(account.uid), "aliyun_id": account.aliyun_id, "user_type": account.user_type}
            return json_response(body, status=201)
        if path == "consume" and request.method == "POST":
            data = await _json(request)
            uid = _int(data, "uid", required=True)
            amount = _amount(data)
            with state.lock:
                found = [a for p in state.partners.values() if (a := p.account(uid or 0)) is not None]
                if not found:
                    raise RegistrationError(404, "AccountNotFound", f"No account {uid} of a simulated partner.")
                found[0].consumed += amount
                body = {"uid": str(uid), "consumed": str(found[0].consumed), "available": str(found[0].available)}
            return json_response(body)
        if path == "clock" and request.method in ("GET", "POST"):
            if request.method == "POST":
                data = await _json(request)
                seconds = float(data.get("advance_seconds", 0)) + 3600 * float(data.get("advance_hours", 0))
                state.advance(timedelta(seconds=seconds))
            return json_response({"now": state.now().isoformat(), "offset_seconds": state.offset.total_seconds()})
    except RegistrationError as error:
        return _error(error.status, error.code, error.message)
    except (TypeError, ValueError) as error:
        return _error(400, "BadRequest", str(error))
    return _error(404, "NotFound", f"no control endpoint {request.method} {request.url.path}")


def operation_of(scope: Scope) -> str | None:
    """Faults are per Agency Action: the ``x-acs-action`` header (A.2.1)."""
    for name, value in scope.get("headers", []):
        if name.lower() == b"x-acs-action":
            return bytes(value).decode("latin-1")
    return None


class AgencyFaultReplies:
    """Aliyun's own failure bodies ``{RequestId, HostId, Code, Message}`` (A.3.1) for injected faults."""

    async def _send(self, send: Send, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        payload = json.dumps(body).encode()
        raw = [(b"content-type", b"application/json;charset=utf-8"), (b"content-length", str(len(payload)).encode())]
        raw += [(k.encode(), v.encode()) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": payload})

    async def server_error(self, scope: Scope, receive: Receive, send: Send, status: int) -> None:
        request_id = new_request_id()
        if status == 503:
            code, message = "ServiceUnavailable", "The request has failed due to a temporary failure of the server."
        else:
            code, message = "InternalError", "The request processing has failed due to some unknown error."
        body = {"RequestId": request_id, "HostId": HOST_ID, "Code": code, "Message": message}
        await self._send(send, status, body, {"x-acs-request-id": request_id})

    async def throttled(self, scope: Scope, receive: Receive, send: Send, retry_after: float) -> None:
        # Throttling.User is an HTTP 400; the SDK raises ThrottlingException for any 4xx/5xx carrying
        # a positive x-acs-retry-after, which it reads as *milliseconds* (utils.py:567).
        request_id = new_request_id()
        body = {
            "RequestId": request_id,
            "HostId": HOST_ID,
            "Code": "Throttling.User",
            "Message": "Request was denied due to user flow control.",
        }
        headers = {"x-acs-request-id": request_id, "x-acs-retry-after": str(max(int(retry_after * 1000), 1))}
        await self._send(send, 400, body, headers)
