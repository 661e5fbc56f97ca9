"""The top of each account's transport stack: what an operator sees of every request toward a cloud.

Per request (a retry is a request of its own; a cached or shared answer and a refusal by a lower layer too):

- a span (kind CLIENT) named ``<provider> <operation>``, a child of the GraphQL request's span, with the
  attributes ``partner_gateway.provider``, ``.account``, ``.operation``, ``.outcome``, ``.upstream_request_id``
  and ``http.request.method``, ``http.response.status_code``, ``server.address`` (never the URL's query,
  which may carry a signature);
- ``partner_gateway_upstream_requests_total{provider,account,operation,outcome}`` and, for requests that were
  sent, ``partner_gateway_upstream_duration_seconds``;
- a log line (logger ``gateway.upstream``: DEBUG when it went well, INFO otherwise) with the upstream's own
  request id, and an entry in the GraphQL request's record for its access line.

The request ends when its answer's body has been read (or has failed): a body cut off by the deadline or a
dropped connection is what the request's outcome says, and the duration covers the whole answer.

Outcomes, from a fixed set: ``ok`` (2xx/3xx), ``error`` (another 4xx), ``throttled`` (429, or a 4xx with a
``*retry-after`` header), ``server_error`` (5xx), ``timeout``, ``network`` (connection failures), ``deadline``
(the request's deadline), ``cancelled`` (the caller gave up), and what a lower layer says when it answers or
refuses without the network: ``mark(response_or_error, outcome)`` with ``cached``, ``shared``,
``circuit_open`` or ``limited``. Unmarked, a ``ProviderThrottled`` from below is ``limited`` and any other
``ProviderUnavailable`` ``circuit_open`` (the network below raises httpx's errors only). A business error
that an upstream answers with HTTP 200 is ``ok`` here: the adapter reads it, and the GraphQL error says it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from typing import Any, Final

import httpx
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from gateway.errors import DeadlineExceeded, ProviderThrottled, ProviderUnavailable
from gateway.models import PartnerAccount
from gateway.observability import requests
from gateway.observability.metrics import UPSTREAM_DURATION, UPSTREAM_REQUESTS
from gateway.observability.requests import RequestRecord, UpstreamRecord
from gateway.upstream.call import EXTENSION, call_of

__all__ = ["MARKED", "OUTCOMES", "REQUEST_ID_HEADERS", "ObservedTransport", "mark", "outcome_of_error"]

log = logging.getLogger("gateway.upstream")

OUTCOMES: Final = frozenset(
    {
        "ok",
        "error",
        "throttled",
        "server_error",
        "timeout",
        "network",
        "deadline",
        "cancelled",
        "circuit_open",
        "limited",
        "cached",
        "shared",
    }
)
#: Outcomes of requests that were not sent: no duration is observed for them.
_NOT_SENT = frozenset({"circuit_open", "limited", "cached", "shared"})
_WELL = frozenset({"ok", "cached", "shared"})
#: The ``httpx.Response.extensions`` key (and the exception attribute) a lower layer's outcome is kept in.
MARKED = "partner_gateway.outcome"
#: Response headers that carry the upstream's own request id, in order of preference.
REQUEST_ID_HEADERS = ("x-acs-request-id", "x-request-id", "request-id")
_PLAIN_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


def mark(target: httpx.Response | BaseException, outcome: str) -> None:
    """For a lower layer: ``target`` (its answer, or the error it raises) is ``outcome``, e.g. ``cached``."""
    if outcome not in OUTCOMES:
        raise ValueError(f"not an upstream outcome: {outcome!r}")
    if isinstance(target, httpx.Response):
        target.extensions[MARKED] = outcome
    else:
        setattr(target, MARKED.replace(".", "_"), outcome)


def outcome_of_error(error: BaseException) -> str:
    """The outcome of a request that raised ``error`` (see the module docstring)."""
    marked = getattr(error, MARKED.replace(".", "_"), None)
    if isinstance(marked, str) and marked in OUTCOMES:
        return marked
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"
    if isinstance(error, DeadlineExceeded):
        return "deadline"
    if isinstance(error, ProviderThrottled):
        return "limited"
    if isinstance(error, ProviderUnavailable):
        return "circuit_open"
    if isinstance(error, httpx.TimeoutException):
        return "timeout"
    return "network"


def _outcome_of_response(response: httpx.Response) -> str:
    marked = response.extensions.get(MARKED)
    if isinstance(marked, str) and marked in OUTCOMES:
        return marked
    status = response.status_code
    if status == 429 or (400 <= status < 500 and any(name.endswith("retry-after") for name in response.headers)):
        return "throttled"
    if status >= 500:
        return "server_error"
    return "error" if status >= 400 else "ok"


def _request_id(response: httpx.Response) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value: str | None = response.headers.get(name)
        if value is not None and _PLAIN_ID.fullmatch(value):
            return value
    return None


class ObservedTransport(httpx.AsyncBaseTransport):
    """The layer of the module docstring over ``inner`` (the rest of the account's stack)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, account: PartnerAccount, tracer: trace.Tracer) -> None:
        self.inner = inner
        self.account = account
        self.tracer = tracer

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        call = call_of(request)
        # An untagged request is named by its path, which may hold ids: its metrics say "other".
        label = call.operation if EXTENSION in request.extensions else "other"
        span = self.tracer.start_span(
            f"{self.account.provider} {call.operation}",
            kind=SpanKind.CLIENT,
            attributes={
                "partner_gateway.provider": self.account.provider,
                "partner_gateway.account": self.account.id,
                "partner_gateway.operation": call.operation,
                "http.request.method": request.method,
                "server.address": request.url.host,
            },
        )
        observation = _Observation(self.account, label, span, requests.current())
        try:
            with trace.use_span(span, end_on_exit=False, record_exception=False, set_status_on_exception=False):
                response = await self.inner.handle_async_request(request)
        except BaseException as exc:
            observation.finish(outcome_of_error(exc), error=exc)
            raise
        observation.answered(response)
        if response.is_stream_consumed:  # read below already (a cached answer): nothing left to wait for
            observation.finish()
        else:  # the same answer, its body read through the observation
            response.stream = _ObservedStream(response.stream, observation)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


class _Observation:
    """One upstream request from its start to the end of its answer: recorded once, by ``finish``."""

    def __init__(self, account: PartnerAccount, operation: str, span: trace.Span, record: RequestRecord | None):
        self.account = account
        self.operation = operation
        self.span = span
        self.record = record
        self.started = time.perf_counter()
        self.status: int | None = None
        self.outcome = "ok"
        self.request_id: str | None = None
        self.done = False

    def answered(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.outcome = _outcome_of_response(response)
        self.request_id = _request_id(response)

    def finish(self, outcome: str | None = None, error: BaseException | None = None) -> None:
        if self.done:
            return
        self.done = True
        seconds = time.perf_counter() - self.started
        outcome = outcome or self.outcome
        provider, account = self.account.provider, self.account.id
        UPSTREAM_REQUESTS.labels(provider, account, self.operation, outcome).inc()
        sent = outcome not in _NOT_SENT and not (isinstance(error, DeadlineExceeded) and not error.outcome_unknown)
        if sent:
            UPSTREAM_DURATION.labels(provider, account, self.operation).observe(seconds)
        attributes: dict[str, Any] = {"partner_gateway.outcome": outcome}
        if self.status is not None:
            attributes["http.response.status_code"] = self.status
        if self.request_id is not None:
            attributes["partner_gateway.upstream_request_id"] = self.request_id
        self.span.set_attributes(attributes)
        if error is not None and not isinstance(error, asyncio.CancelledError):
            self.span.record_exception(error)
        if outcome not in _WELL:
            self.span.set_status(Status(StatusCode.ERROR, outcome))
        self.span.end()
        duration_ms = round(seconds * 1000, 1)
        if self.record is not None:
            self.record.upstream.append(
                UpstreamRecord(provider, account, self.operation, outcome, self.status, self.request_id, duration_ms)
            )
        log.log(
            logging.DEBUG if outcome in _WELL else logging.INFO,
            "%s %s %s: %s %s in %.1f ms (upstream request id %s)",
            provider,
            account,
            self.operation,
            outcome,
            self.status if self.status is not None else "-",
            seconds * 1000,
            self.request_id or "-",
            extra={
                "provider": provider,
                "account": account,
                "upstream_operation": self.operation,
                "upstream_outcome": outcome,
                "upstream_status": self.status,
                "upstream_request_id": self.request_id,
                "duration_ms": duration_ms,
            },
        )


class _ObservedStream(httpx.AsyncByteStream):
    """The answer's body, passed through; its end (or failure) ends the observation."""

    def __init__(self, stream: httpx.SyncByteStream | httpx.AsyncByteStream, observation: _Observation) -> None:
        if not isinstance(stream, httpx.AsyncByteStream):
            raise TypeError("an async transport answers with an async stream")
        self._stream = stream
        self._observation = observation

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except (Exception, asyncio.CancelledError) as exc:
            self._observation.finish(outcome_of_error(exc), error=exc)
            raise

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            self._observation.finish()
