"""The gateway's Prometheus metrics, defined once (prometheus-client's default registry, served at ``/metrics``).

Every layer that has something to count imports its metric from here. Label values are bounded: accounts,
providers and upstream operations come from the configuration and the adapters, outcomes from fixed sets,
and a GraphQL operation is named by ``operation_label``: as the client named it when the name is a GraphQL
name of at most 64 characters and one of the first ``MAX_OPERATION_LABELS`` names this process has seen,
else ``other``; ``anonymous`` for an operation without a name, ``unknown`` for a request refused before its
document was read (authentication, rate limit, a malformed request). A client choosing names cannot grow
the registry past that.
"""

from __future__ import annotations

import re

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CIRCUIT_OPEN",
    "EVENTS",
    "MAX_OPERATION_LABELS",
    "OPERATIONS_PENDING",
    "POLLS",
    "POLL_DURATION",
    "POLL_SKIPPED_KINDS",
    "RATE_LIMITED",
    "REDIS_DEGRADED",
    "REDIS_FALLBACKS",
    "REQUESTS",
    "REQUEST_COST",
    "REQUEST_DURATION",
    "SUBSCRIPTIONS",
    "SUBSCRIPTIONS_DROPPED",
    "SUBSCRIPTION_EVENTS",
    "SUBSCRIPTION_POLLS",
    "UPSTREAM_CACHE",
    "UPSTREAM_DURATION",
    "UPSTREAM_IN_FLIGHT",
    "UPSTREAM_LIMITED",
    "UPSTREAM_REQUESTS",
    "UPSTREAM_RETRIES",
    "WEBHOOK_DELIVERIES",
    "WEBHOOK_PENDING",
    "OperationLabels",
    "operation_label",
    "operation_name",
]

#: Distinct GraphQL operation names one process counts under their own label (the rest: ``other``).
MAX_OPERATION_LABELS = 200
_GRAPHQL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def operation_name(name: str | None) -> str:
    """A GraphQL operation as metrics, spans and logs show it: its name when that is a GraphQL name of at most
    64 characters, ``anonymous`` without one, else ``other``."""
    if name is None:
        return "anonymous"
    return name if _GRAPHQL_NAME.fullmatch(name) else "other"


class OperationLabels:
    """The ``operation`` label of a GraphQL request's metrics: ``operation_name``, and ``other`` for names
    past the first ``limit`` distinct ones."""

    def __init__(self, limit: int = MAX_OPERATION_LABELS) -> None:
        self.limit = limit
        self._seen: set[str] = set()

    def __call__(self, name: str | None) -> str:
        shown = operation_name(name)
        if name is None or shown != name or name in self._seen:
            return shown
        if len(self._seen) >= self.limit:
            return "other"
        self._seen.add(name)
        return name


operation_label = OperationLabels()

#: Seconds, from a cached answer (~1 ms) to a request cut off at a long deadline.
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUESTS = Counter(
    "partner_gateway_requests",
    "GraphQL requests answered, by operation name and outcome (ok, partial, error, refused).",
    ["operation", "outcome"],
)
REQUEST_DURATION = Histogram(
    "partner_gateway_request_duration_seconds",
    "Time to answer a GraphQL request.",
    ["operation"],
    buckets=_SECONDS,
)
REQUEST_COST = Histogram(
    "partner_gateway_request_cost",
    "A GraphQL request's cost: estimated before it ran (requested) and upstream calls it made (actual).",
    ["kind"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000),
)
RATE_LIMITED = Counter(
    "partner_gateway_rate_limited",
    "GraphQL requests refused by a principal's requests_per_minute.",
)
UPSTREAM_REQUESTS = Counter(
    "partner_gateway_upstream_requests",
    "Requests toward a cloud, by outcome: ok, error (an upstream error reply), throttled, server_error, "
    "timeout, network, deadline, circuit_open, limited, cached, shared, cancelled (the caller gave up).",
    ["provider", "account", "operation", "outcome"],
)
UPSTREAM_DURATION = Histogram(
    "partner_gateway_upstream_duration_seconds",
    "Time for one request toward a cloud (those actually sent).",
    ["provider", "account", "operation"],
    buckets=_SECONDS,
)
UPSTREAM_IN_FLIGHT = Gauge(
    "partner_gateway_upstream_in_flight",
    "Requests toward a cloud now in flight from this process.",
    ["account"],
)
UPSTREAM_LIMITED = Counter(
    "partner_gateway_upstream_limited",
    "Requests held by an account's concurrency cap or rate limit: waited, or refused (no slot or token "
    "before the request's deadline).",
    ["account", "limit", "outcome"],
)
UPSTREAM_RETRIES = Counter(
    "partner_gateway_upstream_retries",
    "Retries toward a cloud: sent, or denied by the account's retry budget.",
    ["account", "outcome"],
)
UPSTREAM_CACHE = Counter(
    "partner_gateway_upstream_cache",
    "Reads answered from the cache (hit), sent (miss), or shared with an identical read in flight (shared).",
    ["account", "result"],
)
CIRCUIT_OPEN = Gauge(
    "partner_gateway_circuit_open",
    "1 while an account's circuit breaker is open (or half-open), else 0.",
    ["account"],
)
OPERATIONS_PENDING = Gauge(
    "partner_gateway_operations_pending",
    "Writes whose outcome is not yet known (kept pending until the upstream's records settle them).",
)
REDIS_DEGRADED = Gauge(
    "partner_gateway_redis_degraded",
    "1 while Redis ([redis]) fails and this process serves rate limits, caches and single flight from its own "
    "memory instead; 0 while Redis answers, or without [redis].",
)
REDIS_FALLBACKS = Counter(
    "partner_gateway_redis_fallbacks",
    "Shared-state calls served from this process's memory because Redis failed (or is left alone after a "
    "failure), by call: take (rate limits), get, put, claim, release, changed (caches, single flight).",
    ["call"],
)


# --- change detection (issue #13, gateway.notifications.detect) -----------------------------------------

POLLS = Counter(
    "partner_gateway_polls",
    "Polls of an account for changes, by outcome: ok, partial (a kind's read failed and waits for the next "
    "poll), not_holder (another replica holds the account's lease), lost_lease, conflict (another poller saved "
    "first), error (nothing saved: the store failed).",
    ["account", "outcome"],
)
POLL_DURATION = Histogram(
    "partner_gateway_poll_duration_seconds",
    "Time for one poll of an account (reads, comparison and save), by this replica as the lease holder.",
    ["account"],
    buckets=_SECONDS,
)
POLL_SKIPPED_KINDS = Counter(
    "partner_gateway_poll_skipped_kinds",
    "Kinds of change a poll skipped because their upstream read failed (customers, funds, vouchers, "
    "reseller_funds, consumption): no event from a partial answer; the next poll reads them again.",
    ["account", "kind"],
)
EVENTS = Counter(
    "partner_gateway_events",
    "Change events added to the outbox, by type (each event once, whichever replica or write added it).",
    ["type"],
)
# --- GraphQL subscriptions to change events (issue #13: gateway.notifications.stream) ---------------------------
SUBSCRIPTIONS = Gauge(
    "partner_gateway_subscriptions",
    "GraphQL subscriptions to change events open on this process.",
)
SUBSCRIPTION_EVENTS = Counter(
    "partner_gateway_subscription_events",
    "Change events queued for this process's subscribers (one per subscription that receives it).",
)
SUBSCRIPTIONS_DROPPED = Counter(
    "partner_gateway_subscriptions_dropped",
    "Subscriptions ended because their subscriber fell too far behind (its queue of events was full).",
)
SUBSCRIPTION_POLLS = Counter(
    "partner_gateway_subscription_polls",
    "Reads of the outbox by this process's follower of it, by outcome (ok, failed).",
    ["outcome"],
)

# --- webhooks (gateway.notifications.webhooks): webhook names come from the configuration ----------------------

WEBHOOK_DELIVERIES = Counter(
    "partner_gateway_webhook_deliveries",
    "Webhook delivery attempts by webhook and outcome: delivered (2xx), failed (to be retried), dead (the last "
    "attempt failed).",
    ["webhook", "outcome"],
)
WEBHOOK_PENDING = Gauge(
    "partner_gateway_webhook_deliveries_pending",
    "Webhook deliveries not yet delivered nor dead, by webhook (in the store: every replica's).",
    ["webhook"],
)
