"""``/graphql`` over WebSocket: GraphQL subscriptions (``subscription { events { ... } }``) with the
``graphql-transport-ws`` protocol, as strawberry implements it (``strawberry.asgi.GraphQL``'s handler: the
message flow, ``connection_init``'s timeout, pings, the close codes).

- **Signing in**: ``connection_init``'s payload carries the credential an HTTP request carries in its headers,
  ``{"Authorization": "Bearer <API key or token>"}`` (or ``{"apiKey": "<key>"}``), and the gateway's
  ``Authenticator`` decides, exactly as for HTTP. A missing or refused credential closes the socket with
  ``4403`` (the protocol's Forbidden); the reason is logged in general terms, never the credential. Nothing
  runs before ``connection_ack`` (the protocol closes with ``4401`` a subscribe sent before it).
- **Limits**: each subscription's document passes the ``[limits]`` of HTTP requests (tokens, depth, aliases,
  fields, cost: ``gateway.schema.limits``, a schema extension); only subscriptions run
  (``gateway.schema.events.TransportOperations``); a connection holds at most ``MAX_SUBSCRIPTIONS`` at once.
- **Origins**: a browser page on another origin may connect only from ``[server] cors_origins``.
- Messages are text frames of UTF-8 JSON (customer names as they are, not ``\\u`` escapes).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from gateway.auth import Authenticator
from gateway.errors import Unauthenticated
from gateway.schema.events import NOT_SIGNED_IN, SubscriptionContext

__all__ = ["CONNECTION_INIT_TIMEOUT", "MAX_SUBSCRIPTIONS", "SubscriptionEndpoint", "credentials"]

log = logging.getLogger(__name__)

MAX_SUBSCRIPTIONS = 10
"""Subscriptions one connection may hold at once (one more is refused with an ``error`` message)."""
CONNECTION_INIT_TIMEOUT = 10.0
"""Seconds a new connection has to send ``connection_init`` before it is closed (``4408``)."""


def credentials(payload: Mapping[str, object]) -> tuple[str | None, str | None]:
    """The bearer value and the API key of a ``connection_init`` payload (keys in any case): ``Authorization:
    Bearer <value>``, and ``apiKey`` or ``X-API-Key``."""
    lowered = {str(key).lower(): value for key, value in payload.items()}
    bearer = None
    authorization = lowered.get("authorization")
    if isinstance(authorization, str):
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            bearer = token.strip()
    api_key = lowered.get("apikey", lowered.get("x-api-key"))
    return bearer, api_key if isinstance(api_key, str) and api_key else None


class SubscriptionEndpoint(GraphQL[SubscriptionContext, None]):
    """The WebSocket side of ``/graphql`` (see the module's doc); HTTP requests never reach it."""

    def __init__(
        self,
        schema: BaseSchema,
        authenticator: Authenticator,
        *,
        allowed_origins: Sequence[str] = (),
        max_subscriptions: int = MAX_SUBSCRIPTIONS,
        connection_init_timeout: float = CONNECTION_INIT_TIMEOUT,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            allow_queries_via_get=False,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=connection_init_timeout),
            max_subscriptions_per_connection=max_subscriptions,
            allowed_origins=allowed_origins,
        )
        self.authenticator = authenticator

    def encode_json(self, data: object) -> str:
        # A text frame (the protocol's), UTF-8 as it is: customer names are mostly Chinese.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> SubscriptionContext:
        state = request.state
        return SubscriptionContext(gateway=state.gateway, principal=NOT_SIGNED_IN, stream=state.events)

    async def on_ws_connect(self, context: SubscriptionContext) -> UnsetType | dict[str, object] | None:
        bearer, api_key = credentials(context.connection_params or {})
        try:
            principal = await self.authenticator.authenticate(bearer, api_key)
        except Unauthenticated as exc:
            log.info("a WebSocket connection was refused at connection_init: %s", exc.message)
            raise ConnectionRejectionError from None
        context.sign_in(principal)
        unset: UnsetType = UNSET
        return unset
