"""Webhook deliveries as the store keeps them and admins list them: one per (event, webhook).

Apart from the worker that makes them (``gateway.notifications.webhooks``) so that the store and the GraphQL
layer can name them without importing it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

__all__ = ["DeliveryFilter", "DeliveryStatus", "WebhookDelivery"]


class DeliveryStatus(enum.StrEnum):
    """Where one event stands with one webhook."""

    PENDING = "PENDING"
    """Not delivered yet: due at ``next_attempt_at`` (or waiting for an earlier event of its subject)."""
    DELIVERED = "DELIVERED"
    """The receiver answered 2xx."""
    DEAD = "DEAD"
    """Every attempt failed: not tried again unless an admin redelivers it."""


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """One event's delivery to one webhook: its status and its last attempt (never the secret nor the body)."""

    id: int
    webhook: str
    event_id: str
    """The Standard Webhooks ``webhook-id``: the same on every attempt, so receivers de-duplicate by it."""
    event_sequence: int
    event_type: str
    subject: str
    status: DeliveryStatus
    attempts: int
    """Attempts made since it was queued (or redelivered)."""
    next_attempt_at: datetime
    created_at: datetime
    last_attempt_at: datetime | None = None
    last_status: int | None = None
    """The HTTP status of the last attempt (None: no answer, or none yet)."""
    last_error: str | None = None
    """Why the last attempt failed: ``HTTP 500``, a timeout, a refused connection."""
    delivered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeliveryFilter:
    """What an admin lists deliveries by (None: any)."""

    webhook: str | None = None
    status: DeliveryStatus | None = None
    event_type: str | None = None
