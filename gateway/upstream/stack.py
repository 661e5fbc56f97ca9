"""One partner account's transport stack (the order and the reasons: ``gateway.upstream``), and its retry policy.

``build_transport`` layers innermost first; each layer is one line, so a layer is added where it belongs in the
order. The account's policy is its ``UpstreamConfig`` (``[upstream]`` merged with ``[accounts.upstream]``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from opentelemetry.trace import NoOpTracer, Tracer

from gateway.config_tables import UpstreamConfig
from gateway.deadline import DeadlineTransport
from gateway.metering import MeteredTransport
from gateway.models import PartnerAccount
from gateway.retry import RetryBudget, RetryPolicy
from gateway.upstream.breaker import BreakerPolicy, BreakerTransport, CircuitBreaker
from gateway.upstream.call import call_of
from gateway.upstream.flight import FlightTransport
from gateway.upstream.limits import LimitsTransport
from gateway.upstream.observed import ObservedTransport
from gateway.upstream.shared import SharedState

__all__ = ["Upstream", "account_policy", "build_transport", "retry_policy"]


@dataclass(frozen=True, slots=True)
class Upstream:
    """What every account's stack shares: the replicas' shared state, the tracer, and the clock breakers and
    retry budgets read."""

    state: SharedState
    tracer: Tracer = field(default_factory=NoOpTracer)
    clock: Callable[[], float] = field(default=time.monotonic)


def build_transport(
    inner: httpx.AsyncBaseTransport,
    account: PartnerAccount,
    upstream: Upstream,
    policy: UpstreamConfig | None = None,
) -> httpx.AsyncBaseTransport:
    """The layers of ``gateway.upstream`` over ``inner`` (the network, or an in-process simulator), held to
    ``policy`` (the defaults when absent)."""
    policy = policy or UpstreamConfig()
    who, partner_id = account.provider, account.id
    metered = ReadsTimeout(MeteredTransport(inner), policy.read_timeout_seconds)  # cost.actual: really sent
    transport: httpx.AsyncBaseTransport = DeadlineTransport(metered, provider=who, partner_id=partner_id)
    transport = LimitsTransport(
        transport,
        provider=who,
        partner_id=partner_id,
        state=upstream.state,
        max_concurrency=policy.max_concurrency,
        rate=policy.rate_per_second,
        burst=policy.rate_burst,
        max_wait=policy.timeout_seconds,
    )
    breaker = CircuitBreaker(breaker_policy(policy), name=partner_id, clock=upstream.clock)
    transport = BreakerTransport(transport, breaker, provider=who, partner_id=partner_id)
    transport = FlightTransport(
        transport, upstream.state, provider=who, partner_id=partner_id, funds_seconds=policy.funds_cache_seconds
    )
    return ObservedTransport(transport, account, upstream.tracer)


class ReadsTimeout(httpx.AsyncBaseTransport):
    """Holds each read (an idempotent request) to ``[upstream] read_timeout_seconds`` between bytes of its answer,
    through httpx's per-request timeout; writes keep the client's (``timeout_seconds``)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if call_of(request).idempotent:
            timeout = dict(request.extensions.get("timeout") or {})
            read = timeout.get("read")
            timeout["read"] = self.seconds if read is None else min(read, self.seconds)
            request.extensions["timeout"] = timeout
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def breaker_policy(policy: UpstreamConfig) -> BreakerPolicy:
    return BreakerPolicy(
        failures=policy.breaker_failures,
        error_rate=policy.breaker_error_rate,
        min_calls=policy.breaker_min_calls,
        window=policy.breaker_window_seconds,
        open_seconds=policy.breaker_open_seconds,
        max_open_seconds=policy.breaker_max_open_seconds,
        probes=policy.breaker_probes,
    )


def retry_policy(account: PartnerAccount, policy: UpstreamConfig, upstream: Upstream | None = None) -> RetryPolicy:
    """The account's retries: ``retry_attempts``, within its own retry budget (one per account and process)."""
    budget = RetryBudget(
        account.id,
        ratio=policy.retry_budget_ratio,
        min_per_second=policy.retry_budget_min_per_second,
        window=policy.retry_budget_window_seconds,
        clock=upstream.clock if upstream is not None else time.monotonic,
    )
    return RetryPolicy(attempts=policy.retry_attempts, budget=budget)


def account_policy(own: UpstreamConfig | None, default: UpstreamConfig, *, in_process: bool) -> UpstreamConfig:
    """The policy an account's stack is built with: its own (``AccountConfig.upstream``), else the gateway's.
    An account without its own whose upstream is an in-process simulator (the embedded demo) has no cloud's
    documented limits to stay below: no concurrency cap and no rate limit then (the breaker, the timeouts and
    the retry budget hold as for a cloud)."""
    if own is not None:
        return own
    return default.model_copy(update={"max_concurrency": 0, "rate_per_second": 0.0}) if in_process else default
