"""The simulator's ASGI app: API Gateway in front (routing, AK/SK verification), BSS handlers behind.

Requests are routed by the real method and path (``_operations.OPERATIONS``) to one handler per
operation, named after the SDK method. Every reply carries ``X-Request-Id`` (CONTRACTS.md H.3).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import _json
from .._operations import OPERATIONS
from ._auth import authenticate
from ._customers import list_sub_customers
from ._errors import ApiError, error_response, invalid
from ._seed import DEFAULT_CUSTOMERS, seed_customers
from ._state import PartnerState, SimAccount, SimulatorState

__all__ = ["HANDLERS", "Handler", "create_app"]

Handler = Callable[[SimulatorState, PartnerState, dict[str, Any]], dict[str, Any]]

#: SDK method name -> handler. Issue #3 adds the other operations here.
HANDLERS: Mapping[str, Handler] = {
    "list_sub_customers": list_sub_customers,
}

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = _json.loads(body)
    except ValueError:
        raise invalid("body", "must be a JSON object") from None
    if not isinstance(data, dict):
        raise invalid("body", "must be a JSON object")
    return data


def create_app(
    accounts: Sequence[SimAccount],
    *,
    seed: int = 0,
    clock: Callable[[], datetime] = _utc_now,
    customers_per_account: int = DEFAULT_CUSTOMERS,
) -> Starlette:
    """A seeded simulator serving ``accounts``; ``app.state.simulator`` is its ``SimulatorState``."""
    state = SimulatorState(
        (PartnerState(account, seed_customers(seed, account, customers_per_account)) for account in accounts),
        clock,
    )
    routes = {(op.method, op.path): HANDLERS[op.name] for op in OPERATIONS if op.name in HANDLERS}

    async def endpoint(request: Request) -> Response:
        request_id = uuid.uuid4().hex
        body = await request.body()
        raw_path = request.scope.get("raw_path") or request.url.path.encode("utf-8")
        try:
            handler = routes.get((request.method, request.url.path))
            if handler is None:
                # https://support.huaweicloud.com/intl/en-us/usermanual-apig/apig-ug-180530090.html
                raise ApiError(
                    404,
                    "APIGW.0101",
                    "The API does not exist or has not been published in the environment",
                    gateway=True,
                )
            caller = authenticate(
                state,
                method=request.method,
                raw_path=raw_path.decode("latin-1").partition("?")[0],
                raw_query=request.scope.get("query_string", b"").decode("latin-1"),
                headers={name.lower(): value for name, value in request.headers.items()},
                body=body,
            )
            result = handler(state, caller, _json_body(body))
        except ApiError as error:
            return error_response(error, request_id)
        return Response(_json.dumps(result), media_type="application/json", headers={"X-Request-Id": request_id})

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=_METHODS)])
    app.state.simulator = state
    return app
