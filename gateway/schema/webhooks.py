"""Webhook deliveries (change notifications, issue #13), for admins: what was sent to each webhook, how it went,
and a redelivery of one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gateway.errors import GatewayError
from gateway.notifications import deliveries as domain
from gateway.schema.context import Context
from gateway.schema.relay import Connection, connection
from gateway.schema.results import InvalidInputError, RuleViolationError, error_result

__all__ = ["WebhookDelivery", "WebhookMutation", "WebhookQuery"]

Info = strawberry.Info[Context, None]

DeliveryStatusEnum = strawberry.enum(
    domain.DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING (not delivered yet: due, backing off, or waiting for an earlier event of its subject), "
    "DELIVERED (the receiver answered 2xx) or DEAD (every attempt failed; redeliverWebhook queues it again).",
)


@strawberry.type(description="One event's delivery to one webhook ([[webhooks]] in the configuration).")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(description="The delivery's id: what redeliverWebhook takes.")
    webhook: str = strawberry.field(description="The webhook's name in the configuration.")
    event_id: str = strawberry.field(
        description="The event's id, sent as the webhook-id header on every attempt: receivers de-duplicate by it."
    )
    event_type: str = strawberry.field(description="The event's type, e.g. customer.created.")
    subject: str = strawberry.field(
        description="What the event is about (customer/<account>/<id>, project/<id>, ...): a subject's events are "
        "delivered in order."
    )
    status: DeliveryStatusEnum = strawberry.field(description="PENDING, DELIVERED or DEAD.")  # type: ignore[valid-type]
    attempts: int = strawberry.field(description="Attempts made since it was queued, or redelivered.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is due next (PENDING only; it also waits for an earlier PENDING event of its subject)."
    )
    last_attempt_at: datetime | None = strawberry.field(description="When the last attempt was made.")
    last_response_status: int | None = strawberry.field(
        description="The HTTP status the receiver answered the last attempt with (null: no answer, or none yet)."
    )
    last_error: str | None = strawberry.field(
        description="Why the last attempt failed: HTTP 500, timeout, connection failed, a redirect (never followed)."
    )
    delivered_at: datetime | None = strawberry.field(description="When the receiver answered 2xx.")
    created_at: datetime = strawberry.field(description="When the event was queued for this webhook.")

    @classmethod
    def from_domain(cls, d: domain.WebhookDelivery) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(str(d.id)),
            webhook=d.webhook,
            event_id=d.event_id,
            event_type=d.event_type,
            subject=d.subject,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at if d.status is domain.DeliveryStatus.PENDING else None,
            last_attempt_at=d.last_attempt_at,
            last_response_status=d.last_status,
            last_error=d.last_error,
            delivered_at=d.delivered_at,
            created_at=d.created_at,
        )


@strawberry.input(description="Which webhook deliveries to list (every given condition holds).")
class WebhookDeliveryFilterInput:
    webhook: str | None = strawberry.field(default=None, description="One webhook's, by its name.")
    status: DeliveryStatusEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only those in this status (DEAD: what may need redelivering)."
    )
    event_type: str | None = strawberry.field(default=None, description="Only events of this type.")


@strawberry.type(description="A webhook delivery queued again.")
class WebhookDeliveryPayload:
    delivery: WebhookDelivery = strawberry.field(description="The delivery, PENDING and due now.")


RedeliverWebhookResult = Annotated[
    WebhookDeliveryPayload | RuleViolationError | InvalidInputError,
    strawberry.union(
        "RedeliverWebhookResult",
        description="The redelivered delivery, or why it was refused (not an admin, no such delivery).",
    ),
]


@strawberry.type
class WebhookQuery:
    @strawberry.field(
        description="Deliveries of events to the configured webhooks, newest first, with how each went (admins only)."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        filter: WebhookDeliveryFilterInput | None = None,
    ) -> Connection[WebhookDelivery]:
        f = filter or WebhookDeliveryFilterInput()
        where = domain.DeliveryFilter(webhook=f.webhook, status=f.status, event_type=f.event_type)
        listing = info.context.session.webhook_deliveries(where)
        return await connection(info, listing, first, after, lambda _, d: WebhookDelivery.from_domain(d))


@strawberry.type
class WebhookMutation:
    @strawberry.mutation(
        description="Queue a DEAD (or DELIVERED) webhook delivery again, due now, with its attempts from zero: the "
        "receiver gets the same event with the same webhook-id (admins only; in the audit trail)."
    )
    async def redeliver_webhook(self, info: Info, delivery_id: strawberry.ID) -> RedeliverWebhookResult:
        try:
            delivery = await info.context.session.redeliver_webhook(str(delivery_id))
        except GatewayError as exc:
            return error_result(exc)
        return WebhookDeliveryPayload(delivery=WebhookDelivery.from_domain(delivery))
