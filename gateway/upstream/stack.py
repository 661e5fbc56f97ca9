"""One partner account's transport stack (the order and the reasons: ``gateway.upstream``)."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from opentelemetry.trace import NoOpTracer, Tracer

from gateway.deadline import DeadlineTransport
from gateway.metering import MeteredTransport
from gateway.models import PartnerAccount
from gateway.upstream.flight import FlightTransport
from gateway.upstream.observed import ObservedTransport
from gateway.upstream.shared import SharedState

__all__ = ["Upstream", "build_transport"]


@dataclass(frozen=True, slots=True)
class Upstream:
    """What every account's stack shares: the replicas' shared state, the tracer."""

    state: SharedState
    tracer: Tracer = field(default_factory=NoOpTracer)


def build_transport(
    inner: httpx.AsyncBaseTransport, account: PartnerAccount, upstream: Upstream
) -> httpx.AsyncBaseTransport:
    """The layers of ``gateway.upstream`` over ``inner`` (the network, or an in-process simulator)."""
    metered = MeteredTransport(inner)  # extensions.cost.actual: requests really sent
    transport: httpx.AsyncBaseTransport = DeadlineTransport(metered, provider=account.provider, partner_id=account.id)
    # limits, breaker, flight and observed are added here, innermost first
    transport = FlightTransport(transport, upstream.state, provider=account.provider, partner_id=account.id)
    return ObservedTransport(transport, account, upstream.tracer)
