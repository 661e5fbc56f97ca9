"""The embedded demo's simulators, read through the gateway: ``GET /_demo/{account}/_simulator/{path}``.

A standalone simulator answers its control endpoints on its own port (``/_simulator/verification-codes``
for the Huawei SMS codes, ``/_simulator/clock``, ``/_simulator/faults``: docs/simulator-*.md). The
embedded demo's simulators run in-process and have no port, so the gateway forwards to them, and only:

- when the account is one of the embedded demo's (the route is not there otherwise: a real upstream is
  never reached this way);
- for ``GET``: reading an SMS code, the clock or the fault plan. Moving the clock, registering a customer
  or injecting a fault stays with the standalone simulator;
- for an admin. A demo may be served on a network with keys or tokens configured, so the gateway's own
  sign-in guards the codes (they let someone verify a customer's phone); a loopback-only rule would be
  no guard behind a reverse proxy, where every request comes from loopback. Without keys the gateway is
  open (every request is an admin) and listens on loopback only anyway.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from starlette.requests import Request
from starlette.responses import Response

from gateway.auth import Authenticator, Role
from gateway.errors import Forbidden, NotFound, Unauthenticated
from gateway.provider import ASGIApp
from gateway.responses import error_response

__all__ = ["DEMO_ROUTE", "DemoControl"]

DEMO_ROUTE = "/_demo/{account}/_simulator/{path:path}"
_PASSED_HEADERS = ("content-type", "x-request-id")


class DemoControl:
    """``read`` is the Starlette endpoint of ``DEMO_ROUTE`` over the embedded demo's simulators (account id -> app)."""

    def __init__(self, simulated: Mapping[str, ASGIApp], authenticator: Authenticator) -> None:
        self._simulated = dict(simulated)
        self._authenticator = authenticator

    async def read(self, request: Request) -> Response:
        try:
            await self._admin(request)
            simulator = self._simulated.get(request.path_params["account"])
            if simulator is None:
                known = ", ".join(sorted(self._simulated))
                raise NotFound(f"no embedded demo account by that id (the demo's accounts: {known})")
        except Unauthenticated as exc:
            return error_response(401, exc, {"www-authenticate": 'Bearer realm="partner-gateway"'})
        except Forbidden as exc:
            return error_response(403, exc)
        except NotFound as exc:
            return error_response(404, exc)
        path = "/_simulator/" + request.path_params["path"]
        transport = httpx.ASGITransport(app=simulator)
        async with httpx.AsyncClient(transport=transport, base_url="http://simulator") as client:
            reply = await client.get(path, params=str(request.query_params))
        headers = {name: reply.headers[name] for name in _PASSED_HEADERS if name in reply.headers}
        return Response(reply.content, status_code=reply.status_code, headers=headers)

    async def _admin(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
        principal = await self._authenticator.authenticate(bearer, request.headers.get("x-api-key"))
        if principal.role is not Role.ADMIN:
            raise Forbidden("the embedded demo's simulators are read by admins only")
