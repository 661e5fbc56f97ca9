"""What the gateway's plain HTTP endpoints (exports, the demo's control proxy) share with ``/graphql``: the bearer
token of a request and an error as a GraphQL-shaped JSON body."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from gateway.errors import GatewayError

__all__ = ["bearer_token", "error_response"]


def bearer_token(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (None: no bearer token)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def error_response(status: int, error: GatewayError, headers: Mapping[str, str] | None = None) -> Response:
    """``{"errors": [{"message", "extensions"}]}`` with ``status``: the same shape as a GraphQL error."""
    body = {"errors": [{"message": error.message, "extensions": error.extensions()}]}
    return Response(
        json.dumps(body, ensure_ascii=False), status_code=status, media_type="application/json", headers=headers
    )
