"""Change events as a GraphQL subscription: ``subscription { events(types: [...]) { ... } }`` over WebSocket
(``graphql-transport-ws`` at ``/graphql``: ``gateway.notifications.websocket``), fed by this process's
follower of the outbox (``gateway.notifications.stream``); and the latest ones as a query (``recentEvents``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.types.graphql import OperationType

from gateway import events as domain
from gateway.auth import Principal, Role
from gateway.errors import InvalidInput, Unauthenticated
from gateway.ids import encode_global_id
from gateway.notifications.stream import EventStream, Subscription
from gateway.schema.context import Context
from gateway.schema.json import jsonable

__all__ = [
    "NOT_SIGNED_IN",
    "ChangeEvent",
    "EventQuery",
    "EventSubscription",
    "SubscriptionContext",
    "TransportOperations",
    "event_types",
]

NOT_SIGNED_IN = Principal("(not signed in)", Role.SALES, owner="")
"""A WebSocket connection's principal until its ``connection_init`` is accepted: a salesperson of no one's."""


@dataclass
class SubscriptionContext(Context):
    """The context of one WebSocket connection: every subscription on it shares it. Its principal is the one
    its ``connection_init`` signed in (``sign_in``); until then nothing runs."""

    stream: EventStream | None = None
    connection_params: dict[str, Any] | None = None
    """The ``connection_init`` payload (strawberry sets it; it holds the credential: never logged)."""
    signed_in: bool = field(default=False)

    def sign_in(self, principal: Principal) -> None:
        """From now on the connection's operations run as ``principal``, through its session."""
        self.principal = principal
        super().__post_init__()  # the session, as for an HTTP request's principal
        self.signed_in = True


Info = strawberry.Info[Context, None]


@strawberry.type(
    name="ChangeEvent",
    description="A change the gateway found upstream or made itself, as webhooks receive it.",
)
class ChangeEvent:
    id: strawberry.ID = strawberry.field(
        description="The event's id (`evt_...`): the same in webhooks (`webhook-id`); de-duplicate by it."
    )
    type: str = strawberry.field(description="What changed: `customer.created`, `voucher.expiring`, ...")
    occurred_at: datetime = strawberry.field(description="When the change happened or was found.")
    subject: str = strawberry.field(
        description="What the event is about (`customer/<account>/<id>`, `project/<id>`, ...): events of one "
        "subject come in the order they happened."
    )
    partner_id: strawberry.ID | None = strawberry.field(
        description="The partner account it concerns (a Partner's global id); null for the gateway's own "
        "objects that belong to no account."
    )
    data: JSON = strawberry.field(
        description="What changed, by type: ids as strings, amounts as decimal strings with their currency."
    )

    @classmethod
    def from_domain(cls, event: domain.Event) -> ChangeEvent:
        return cls(
            id=strawberry.ID(event.id),
            type=event.type,
            occurred_at=event.occurred_at,
            subject=event.subject,
            partner_id=(
                strawberry.ID(encode_global_id("Partner", event.account_id)) if event.account_id is not None else None
            ),
            data=jsonable(dict(event.data)),
        )


class _Events:
    """A subscription's events as ``ChangeEvent``s. It joins the stream when first read (an operation
    cancelled before then leaves nothing behind) and leaves it when closed."""

    def __init__(self, stream: EventStream, principal: Principal, types: frozenset[str] | None) -> None:
        self._stream = stream
        self._principal = principal
        self._types = types
        self._subscription: Subscription | None = None
        self._closed = False

    def __aiter__(self) -> _Events:
        return self

    async def __anext__(self) -> ChangeEvent:
        if self._closed:
            raise StopAsyncIteration
        if self._subscription is None:
            self._subscription = await self._stream.subscribe(self._principal, self._types)
            if self.closed:  # closed while it was joining
                await self._subscription.aclose()
                raise StopAsyncIteration
        return ChangeEvent.from_domain(await self._subscription.__anext__())

    @property
    def closed(self) -> bool:
        return self._closed

    async def aclose(self) -> None:
        self._closed = True
        if self._subscription is not None:
            await self._subscription.aclose()


def event_types(types: Sequence[str] | None) -> frozenset[str] | None:
    """The types asked for (None: all); ``BAD_USER_INPUT`` for an unknown one or an empty list."""
    if types is None:
        return None
    unknown = sorted({t for t in types if t not in domain.EVENT_TYPES})
    if unknown:
        raise InvalidInput(
            f"unknown event type(s): {', '.join(unknown)}; the types are {', '.join(domain.EVENT_TYPES)}",
            "types",
            reason="UNKNOWN_EVENT_TYPE",
        )
    if not types:
        raise InvalidInput("name at least one event type, or leave types out for every type", "types")
    return frozenset(types)


@strawberry.type
class EventQuery:
    @strawberry.field(
        description="The latest change events, newest first (`first`: 1 to 100): what happened before a "
        "subscription to `events` began, so a screen can show the last ones and then the live stream (de-duplicate "
        "by `id`). Admin and finance keys only: a sales key has its own customers' events from the subscription."
    )
    async def recent_events(self, info: Info, first: int = 20) -> list[ChangeEvent]:
        return [ChangeEvent.from_domain(event) for event in await info.context.session.recent_events(first)]


@strawberry.type
class EventSubscription:
    @strawberry.subscription(
        description="Change events from now on, in the order they were recorded, over WebSocket "
        "(`graphql-transport-ws` at `/graphql`; send the API key or bearer token in `connection_init`'s payload "
        "as `Authorization: Bearer <key>` or `apiKey`). `types` keeps only those types (unknown ones are "
        "BAD_USER_INPUT before anything streams); absent, every type. Admin and finance keys receive every "
        "event; a sales key only the events of its own customers (and their vouchers, projects and operations), "
        "never events without an owner (a reseller's funds, a closed consumption month, partner-wide changes). "
        "A subscriber that reads too slowly is ended with SUBSCRIPTION_LAGGED; subscribe again."
    )
    async def events(self, info: Info, types: list[str] | None = None) -> AsyncIterator[ChangeEvent]:
        wanted = event_types(types)
        context = info.context
        if not isinstance(context, SubscriptionContext) or context.stream is None:
            raise InvalidInput("subscriptions are served over WebSocket (graphql-transport-ws) at /graphql")
        if not context.signed_in:
            raise Unauthenticated("sign in with connection_init first")
        return _Events(context.stream, context.principal, wanted)


class TransportOperations(SchemaExtension):
    """Subscriptions run over WebSocket only; queries and mutations over HTTP only, where their deadline, rate
    limit and observation apply. Refused before anything runs, like a document over a limit."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None and context.graphql_document is not None:
            try:
                operation_type: OperationType | None = context.operation_type
            except Exception:  # no such operation: graphql-core's validation says so
                operation_type = None
            over_websocket = isinstance(context.context, SubscriptionContext)
            if operation_type is not None and over_websocket != (operation_type is OperationType.SUBSCRIPTION):
                if over_websocket:
                    kind = "mutations" if operation_type is OperationType.MUTATION else "queries"
                    message = f"only subscriptions are served over WebSocket: send {kind} over HTTP"
                    reason = "NOT_A_SUBSCRIPTION"
                else:
                    message = "subscriptions are served over WebSocket (graphql-transport-ws) at /graphql"
                    reason = "SUBSCRIPTION_OVER_HTTP"
                error = InvalidInput(message, reason=reason)
                context.pre_execution_errors = [GraphQLError(error.message, original_error=error)]
        yield
