"""Webhook deliveries (issue #13), an admin's to read and redeliver: the gateway's own records, read from the
store, and a redelivery audited like the other gateway-owned writes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from gateway.auth import Role
from gateway.errors import GatewayError, InvalidInput, Reason, RuleViolation
from gateway.events import EVENT_TYPES
from gateway.models import Page
from gateway.notifications.deliveries import DeliveryFilter, WebhookDelivery
from gateway.pagination import MergedList, list_key
from gateway.session._writes import Writes

__all__ = ["WebhookDeliveries"]


class WebhookDeliveries(Writes):
    def webhook_deliveries(self, where: DeliveryFilter) -> MergedList[WebhookDelivery]:
        """Every webhook delivery, newest first (admins only)."""
        self._admins_only("read webhook deliveries")
        if where.event_type is not None and where.event_type not in EVENT_TYPES:
            raise InvalidInput(f"{where.event_type!r} is not an event type", "filter.eventType")
        store = self.gateway.store

        async def fetch(_: str, offset: int, limit: int) -> Page[WebhookDelivery]:
            return await store.list_webhook_deliveries(where, offset, limit)

        return MergedList(list_key("webhook-deliveries", where), ["store"], fetch)

    async def redeliver_webhook(self, delivery_id: str) -> WebhookDelivery:
        """Queue a delivery again, due now, with its attempts from zero: the same event, so the receiver gets
        the same ``webhook-id`` (admins only; audited as ``redeliverWebhook``)."""
        data: dict[str, object] = {"deliveryId": delivery_id}
        started = time.monotonic()
        store = self.gateway.store
        try:
            if self.principal.role is not Role.ADMIN:
                raise RuleViolation("only admins redeliver webhooks", Reason.ROLE_NOT_ALLOWED)
            found = await store.get_webhook_delivery(int(delivery_id)) if delivery_id.isdigit() else None
            if found is None:
                raise RuleViolation(f"there is no webhook delivery {delivery_id}", Reason.NOT_FOUND, "deliveryId")
        except GatewayError as exc:
            await self._audit("redeliverWebhook", None, data, "REJECTED", started, error=exc)
            raise
        again = await store.redeliver_webhook(found.id, datetime.now(UTC))
        assert again is not None, "deliveries are never deleted"
        data |= {"webhook": found.webhook, "eventId": found.event_id, "previousStatus": found.status.value}
        await self._audit("redeliverWebhook", None, data, "SUCCEEDED", started)
        return again
