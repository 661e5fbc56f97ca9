"""Around ``/graphql``: a request id, a span, the request metrics and one access-log line per request.

- ``X-Request-Id``: the client's when it is short and plain (``requests.accepted_request_id``), else a new
  one; echoed in the response (CORS exposes it), written on every log line of the request and on its span.
- The span ``graphql <type> <name>`` (``graphql`` when the request was refused before its document was
  read) is a child of the caller's W3C ``traceparent``; the upstream requests' spans are its children.
  Its attributes: ``graphql.operation.name``/``.type``, the principal's role, the outcome, the status, the
  error codes; its status is an error when the answer is ``error`` or ``partial``.
- Metrics: ``partner_gateway_requests_total{operation,outcome}``, the duration histogram, the cost
  histograms (estimated and actual upstream calls) when the answer reports its cost.
- The access line (logger ``gateway.access``, level INFO): request id, principal, operation, outcome,
  status, duration, upstream calls (each with its account, operation, outcome and the upstream's own
  request id, the first ``LOGGED_UPSTREAM`` of them), error codes, cost and trace id. Never a header, a
  query string or a variable: no credential can reach it.

The GraphiQL page, served at the same path to a browser, is neither counted nor logged. Answers sent
around the GraphQL layer (the request guard's refusals, authentication, the rate limit, the
backstop) are read from the response body, which is small; answers from the GraphQL layer are noted by it
(``requests.note_answer``), so a large page is never parsed twice.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth import Principal
from gateway.observability import requests
from gateway.observability.metrics import (
    REQUEST_COST,
    REQUEST_DURATION,
    REQUESTS,
    OperationLabels,
    operation_label,
    operation_name,
)
from gateway.observability.requests import RequestRecord
from gateway.observability.tracing import parent_from, trace_id_of

__all__ = ["LOGGED_UPSTREAM", "REQUEST_ID_HEADER", "ObserveRequests"]

access_log = logging.getLogger("gateway.access")

REQUEST_ID_HEADER = "x-request-id"
#: Upstream calls listed on one access line (all are counted): a request may make hundreds.
LOGGED_UPSTREAM = 20
#: Error codes listed on one access line (distinct, first seen first).
LOGGED_CODES = 20
#: Bodies up to this size are read when the GraphQL layer noted nothing (the gateway's own refusals).
_PEEK_BYTES = 64 * 1024


class ObserveRequests:
    """The ASGI wrapper of the module docstring."""

    def __init__(self, app: ASGIApp, tracer: trace.Tracer, labels: OperationLabels = operation_label) -> None:
        self.app = app
        self.tracer = tracer
        self.labels = labels

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        record = RequestRecord(requests.accepted_request_id(headers.get(REQUEST_ID_HEADER)))
        response = _Response()

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                response.status = int(message["status"])
                echoed = (REQUEST_ID_HEADER.encode(), record.request_id.encode())
                message = {**message, "headers": [*message.get("headers", []), echoed]}
            elif message["type"] == "http.response.body" and not record.answered:
                response.peek(message.get("body", b""))
            await send(message)

        started = time.perf_counter()
        with (
            self.tracer.start_as_current_span("graphql", context=parent_from(headers), kind=SpanKind.SERVER) as span,
            requests.opened(record),
        ):
            try:
                await self.app(scope, receive, observed)
            finally:
                principal = scope.get("state", {}).get("principal")
                seconds = time.perf_counter() - started
                self._finish(record, response, span, seconds, scope, principal)

    def _finish(
        self, record: RequestRecord, response: _Response, span: trace.Span, seconds: float, scope: Scope, who: Any
    ) -> None:
        if record.page:
            span.update_name("graphql page")
            return
        if not record.answered and response.body is not None:
            with contextlib.suppress(ValueError):  # not JSON: nothing to read from it
                requests.note_body(record, json.loads(response.body))
        outcome = requests.outcome_of(response.status, record.data, record.error_codes)
        name = _display_name(record)
        label = self.labels(record.operation_name) if record.operation_noted else "unknown"
        REQUESTS.labels(label, outcome).inc()
        REQUEST_DURATION.labels(label).observe(seconds)
        cost = _cost(record)
        if cost is not None:
            REQUEST_COST.labels("requested").observe(cost["estimated"])
            REQUEST_COST.labels("actual").observe(cost["actual"])
        codes = list(dict.fromkeys(record.error_codes))[:LOGGED_CODES]
        principal = who if isinstance(who, Principal) else None

        if record.operation_noted:
            span.update_name(" ".join(part for part in ("graphql", record.operation_type, name) if part))
        attributes: dict[str, Any] = {
            "graphql.operation.name": name,
            "partner_gateway.request_id": record.request_id,
            "partner_gateway.outcome": outcome,
            "partner_gateway.upstream_calls": len(record.upstream),
            "http.request.method": scope.get("method", ""),
            "url.path": scope.get("path", ""),
        }
        if record.operation_type is not None:
            attributes["graphql.operation.type"] = record.operation_type
        if principal is not None:
            attributes["partner_gateway.principal.role"] = principal.role.value
        if response.status is not None:
            attributes["http.response.status_code"] = response.status
        if codes:
            attributes["graphql.error.codes"] = codes
        span.set_attributes(attributes)
        if outcome in ("error", "partial"):
            span.set_status(Status(StatusCode.ERROR, ", ".join(codes) or outcome))

        fields: dict[str, Any] = {
            "request_id": record.request_id,
            "principal": principal.name if principal is not None else None,
            "operation": name,
            "operation_type": record.operation_type,
            "outcome": outcome,
            "status": response.status,
            "duration_ms": round(seconds * 1000, 1),
            "upstream_calls": len(record.upstream),
            "upstream": [call.as_log() for call in record.upstream[:LOGGED_UPSTREAM]],
            "error_codes": codes,
            "trace_id": trace_id_of(span),
        }
        if cost is not None:
            fields["cost"] = cost
        access_log.info(
            "%s %s %s %s: %s %s in %.1f ms",
            scope.get("method", ""),
            scope.get("path", ""),
            record.operation_type or "-",
            name,
            outcome,
            response.status if response.status is not None else "-",
            seconds * 1000,
            extra=fields,
        )


class _Response:
    """What the observer saw of the response: its status, and its body while it is small."""

    def __init__(self) -> None:
        self.status: int | None = None
        self._chunks: list[bytes] | None = []
        self._size = 0

    def peek(self, chunk: bytes) -> None:
        if self._chunks is None:
            return
        self._size += len(chunk)
        if self._size > _PEEK_BYTES:
            self._chunks = None
        else:
            self._chunks.append(chunk)

    @property
    def body(self) -> bytes | None:
        return b"".join(self._chunks) if self._chunks else None


def _display_name(record: RequestRecord) -> str:
    """The operation as logs and spans name it (``unknown``: refused before its document was read)."""
    return operation_name(record.operation_name) if record.operation_noted else "unknown"


def _cost(record: RequestRecord) -> dict[str, int] | None:
    cost = record.cost
    if cost is None:
        return None
    estimated, actual = cost.get("estimated"), cost.get("actual")
    if isinstance(estimated, int) and isinstance(actual, int):
        return {"estimated": estimated, "actual": actual}
    return None
