"""OpenTelemetry traces: one span per GraphQL request, a child span per upstream request.

``provider_from_env`` builds an SDK ``TracerProvider`` from the standard ``OTEL_*`` variables, and only when
they ask for spans to go somewhere:

- ``OTEL_TRACES_EXPORTER=otlp`` (or ``console``), or an OTLP endpoint (``OTEL_EXPORTER_OTLP_ENDPOINT``,
  ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``): spans are batched and sent over OTLP/HTTP (protobuf), the exporter
  reading its own ``OTEL_EXPORTER_OTLP_*`` settings (headers, timeout, certificates). ``OTEL_SERVICE_NAME``
  and ``OTEL_RESOURCE_ATTRIBUTES`` name the service (``partner-gateway`` by default), ``OTEL_TRACES_SAMPLER``
  samples;
- nothing set, ``OTEL_TRACES_EXPORTER=none`` or ``OTEL_SDK_DISABLED=true``: no provider. The gateway then
  uses the API's no-op tracer, whose spans record nothing and cost next to nothing, yet still carry an
  incoming ``traceparent``'s trace id, so log lines name the caller's trace either way.

The provider is passed in (``create_app(..., tracer_provider=...)``) rather than set globally: tests give each
app its own provider with an in-memory exporter, and the gateway never fights another library over
OpenTelemetry's set-once global.

An incoming W3C ``traceparent`` (and ``tracestate``) makes the request's span a child of the caller's. The
gateway does not send ``traceparent`` on to the clouds: they would not join the trace. (It would not break a
signature: both signers sign named headers only, ``x-acs-*`` and ``x-*`` with a few plain ones, and a
transport layer would add it after signing.)
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from gateway import __version__

if TYPE_CHECKING:  # the SDK is imported only when the OTEL_* variables ask for spans (a faster start)
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

__all__ = ["SERVICE_NAME", "TRACER_NAME", "parent_from", "provider_from_env", "trace_id_of", "tracer_of"]

log = logging.getLogger(__name__)

SERVICE_NAME = "partner-gateway"
TRACER_NAME = "gateway"
_PROPAGATOR = TraceContextTextMapPropagator()
_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def _exporters(environ: Mapping[str, str]) -> list[str]:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    named = [name.strip().lower() for name in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if name.strip()]
    if not named:
        return ["otlp"] if any(environ.get(name, "").strip() for name in _ENDPOINTS) else []
    return [name for name in named if name != "none"]


def provider_from_env(environ: Mapping[str, str] | None = None) -> TracerProvider | None:
    """A provider exporting as the ``OTEL_*`` variables say, or None when they ask for no traces. ``environ``
    (default: the process's) decides whether and where to; the SDK reads its other settings from the process."""
    environ = os.environ if environ is None else environ
    names = _exporters(environ)
    if not names:
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    exporters: list[SpanExporter] = []
    for name in names:
        if name == "otlp":
            protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
            if protocol and protocol.strip() != "http/protobuf":
                log.warning("OTLP protocol %r is not installed: sending traces over http/protobuf", protocol)
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporters.append(OTLPSpanExporter())
        elif name == "console":
            exporters.append(ConsoleSpanExporter())
        else:
            log.warning("unknown OTEL_TRACES_EXPORTER %r: ignored (use otlp, console or none)", name)
    if not exporters:
        return None
    # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by Resource.create) win over the gateway's own name.
    detected = Resource.create()
    defaults: dict[str, str] = {}
    if str(detected.attributes.get("service.name", "unknown_service")).startswith("unknown_service"):
        defaults["service.name"] = SERVICE_NAME
    if "service.version" not in detected.attributes:
        defaults["service.version"] = __version__
    provider = TracerProvider(resource=detected.merge(Resource(defaults)))
    for exporter in exporters:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def tracer_of(provider: trace.TracerProvider | None) -> trace.Tracer:
    """The gateway's tracer from ``provider``; the no-op tracer without one."""
    if provider is None:
        return trace.NoOpTracer()
    return provider.get_tracer(TRACER_NAME, __version__)


def parent_from(headers: Mapping[str, str]) -> Context:
    """The caller's span context from a W3C ``traceparent`` header (an empty context without a valid one)."""
    return _PROPAGATOR.extract(headers)


def trace_id_of(span: trace.Span) -> str | None:
    """The span's trace id as 32 hex digits, as log lines and trace back ends show it (None if invalid)."""
    context = span.get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None
