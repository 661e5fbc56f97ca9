"""What the gateway notes about one GraphQL request while it answers it: the ``RequestRecord``.

The request's observer (``gateway.observability.middleware``) opens a record in a context variable; whatever
knows something writes it down as the request goes: the schema's ``ObservedOperation`` extension the
operation's name and type, the app's ``process_result`` the answer's data, error codes and cost, the
upstream layer (``gateway.upstream.observed``) each request toward a cloud. Tasks the request starts
(resolvers, data loaders) see the same record; work no request started (the sweep, a health check) sees
none, and notes nothing.

``outcome_of`` sorts an answer into the fixed set of the metrics: ``ok``, ``partial`` (data with errors),
``error``, ``refused`` (nothing ran: authentication, the rate limit, the request limits, a bad request).
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from gateway.errors import (
    CostTooHigh,
    Forbidden,
    PersistedQueryInvalid,
    PersistedQueryNotAllowed,
    PersistedQueryNotFound,
    QueryTooComplex,
    RateLimited,
    Unauthenticated,
)

__all__ = [
    "REFUSAL_CODES",
    "RequestRecord",
    "UpstreamRecord",
    "accepted_request_id",
    "current",
    "note_answer",
    "note_body",
    "note_operation",
    "note_page",
    "opened",
    "outcome_of",
]

#: Error codes of a request refused before anything ran (with no data at all).
REFUSAL_CODES = frozenset(
    {
        "BAD_REQUEST",
        "GRAPHQL_VALIDATION_FAILED",
        Unauthenticated.code,
        Forbidden.code,
        RateLimited.code,
        QueryTooComplex.code,
        CostTooHigh.code,
        PersistedQueryNotFound.code,
        PersistedQueryNotAllowed.code,
        PersistedQueryInvalid.code,
    }
)
#: A client's ``X-Request-Id`` is kept when it looks like an id (UUIDs, ULIDs, base64, a proxy's ids).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._~:/+=@-]{1,128}")


def accepted_request_id(sent: str | None) -> str:
    """The client's request id when it is short and plain, else a new one (32 hex digits)."""
    if sent is not None and _REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


@dataclass(slots=True)
class UpstreamRecord:
    """One request toward a cloud made while answering the request."""

    provider: str
    account: str
    operation: str
    outcome: str
    status: int | None
    request_id: str | None
    """The upstream's own id for it (what its support asks for)."""
    duration_ms: float

    def as_log(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "account": self.account,
            "operation": self.operation,
            "outcome": self.outcome,
            "duration_ms": self.duration_ms,
        }
        if self.status is not None:
            entry["status"] = self.status
        if self.request_id is not None:
            entry["upstream_request_id"] = self.request_id
        return entry


@dataclass(slots=True)
class RequestRecord:
    request_id: str
    page: bool = False
    """The answer is the GraphiQL page, not a GraphQL request: neither counted nor logged."""
    operation_noted: bool = False
    """The GraphQL layer read the request (its operation's name may still be None: an anonymous one)."""
    operation_name: str | None = None
    operation_type: str | None = None
    answered: bool = False
    """What the client got is noted below (else the observer reads it from the response)."""
    final: bool = False
    """The endpoint's backstop answered: a late result from the GraphQL layer is not what the client got."""
    data: bool = False
    """The answer has data (not null)."""
    error_codes: list[str] = field(default_factory=list)
    cost: Mapping[str, Any] | None = None
    upstream: list[UpstreamRecord] = field(default_factory=list)


_CURRENT: ContextVar[RequestRecord | None] = ContextVar("partner_gateway_request", default=None)


def current() -> RequestRecord | None:
    """The record of the request being answered, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def opened(record: RequestRecord) -> Iterator[RequestRecord]:
    """Make ``record`` the current request's for the code run (and the tasks started) inside."""
    token = _CURRENT.set(record)
    try:
        yield record
    finally:
        _CURRENT.reset(token)


def note_operation(name: str | None, operation_type: str | None) -> None:
    record = _CURRENT.get()
    if record is not None:
        record.operation_noted = True
        record.operation_name = name
        record.operation_type = operation_type


def note_page() -> None:
    record = _CURRENT.get()
    if record is not None:
        record.page = True


def note_answer(
    data: bool, codes: Iterable[str], cost: Mapping[str, Any] | None = None, *, final: bool = False
) -> None:
    """What the client is sent: whether it has data, its errors' codes, its ``extensions.cost``. ``final``: the
    backstop's answer, which a late result no longer replaces."""
    record = _CURRENT.get()
    if record is None or record.final:
        return
    record.answered = True
    record.final = final
    record.data = data
    record.error_codes = list(codes)
    record.cost = cost


def note_body(record: RequestRecord, body: Any) -> None:
    """Read data and error codes from a GraphQL-shaped JSON body (an answer sent around the GraphQL layer)."""
    if not isinstance(body, dict):
        return
    errors = body.get("errors")
    record.data = body.get("data") is not None
    record.error_codes = [code for code in map(_code_of, errors if isinstance(errors, list) else []) if code]


def _code_of(error: Any) -> str | None:
    extensions = error.get("extensions") if isinstance(error, dict) else None
    code = extensions.get("code") if isinstance(extensions, dict) else None
    return code if isinstance(code, str) else None


def outcome_of(status: int | None, data: bool, codes: Iterable[str]) -> str:
    """``ok``, ``partial``, ``error`` or ``refused`` (the module docstring); ``status`` None: nothing was sent."""
    codes = list(codes)
    if status is None or status >= 500:
        return "error"
    if status >= 400:
        return "refused"
    if not codes:
        return "ok"
    if data:
        return "partial"
    return "refused" if all(code in REFUSAL_CODES for code in codes) else "error"
