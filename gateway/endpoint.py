"""``/graphql``: authentication, then strawberry, then the GraphQL-over-HTTP response rules.

- A missing, unknown or expired API key, or a refused bearer token, is ``401`` with ``extensions.code``
  ``UNAUTHENTICATED`` and a message that says why (never what was presented). The GraphiQL
  page itself (a browser's GET with no query: ``gateway.ide``) is served without a key; its requests need one.
- ``Accept: application/graphql-response+json`` gets that media type and the spec's status codes: a
  request error (unparsable, invalid, over a limit: nothing executed) is ``400`` with no ``data`` entry;
  once execution starts the status is ``200``, with errors beside whatever data there is.
- ``application/json`` (the legacy media type, and the default) is always ``200`` for GraphQL errors.
- Past ``[limits] requests_per_minute`` a principal's request is ``429`` with ``Retry-After`` (``gateway.ratelimit``),
  before anything runs (counted: ``partner_gateway_rate_limited_total``). A persisted query's refusal
  (``gateway.persisted``) is a request error, before parsing.
- The request runs under its deadline (``gateway.deadline``); if it has not answered ``GRACE`` after it, the
  backstop answers ``DEADLINE_EXCEEDED`` (``504`` with the spec media type). A request that may write is left
  to finish on its own (its writes are bounded by ``[writes] attempt_seconds`` and settled by their keys);
  any other is cancelled.
- Transport-level failures strawberry reports as plain text (a body that is not JSON, no query) become
  JSON error bodies in either media type.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL

from gateway import deadline
from gateway.auth import Authenticator, Principal
from gateway.errors import DeadlineExceeded, GatewayError, RateLimited, Unauthenticated
from gateway.ide import ide_page
from gateway.observability import requests
from gateway.observability.metrics import RATE_LIMITED
from gateway.persisted import Documents, with_document
from gateway.ratelimit import RateLimiter
from gateway.request_guard import GRAPHQL_RESPONSE_JSON, send_json
from gateway.responses import bearer_token

__all__ = ["GRAPHQL_RESPONSE_JSON", "REQUEST_ERROR_CODES", "GraphQLEndpoint", "principal_of"]

REQUEST_ERROR_CODES = frozenset(
    {"GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_COMPLEX", "COST_ESTIMATED_TOO_EXPENSIVE", "BAD_REQUEST"}
)
#: How the app's encode_json begins an answer whose data is an object (not null: execution ran).
_WITH_DATA = b'{"data":{'


def principal_of(state: Any) -> Principal:
    principal = getattr(state, "principal", None)
    if not isinstance(principal, Principal):
        raise RuntimeError("no principal: the request did not pass through GraphQLEndpoint")
    return principal


class GraphQLEndpoint:
    def __init__(
        self,
        graphql: GraphQL[Any, Any],
        authenticator: Authenticator,
        *,
        limiter: RateLimiter | None = None,
        documents: Documents | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        self.graphql = graphql
        self.authenticator = authenticator
        self.limiter = limiter
        self.documents = documents or Documents()
        self.timeout_seconds = timeout_seconds
        self._detached: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        wants_spec_media_type = GRAPHQL_RESPONSE_JSON in request.headers.get("accept", "")
        if _is_ide_page(request):
            # The page shipped with the package (gateway.ide), not strawberry's, which loads from a CDN.
            requests.note_page()  # not a GraphQL request: not counted
            await ide_page(auth_required=not self.authenticator.open)(scope, receive, send)
            return
        bearer = bearer_token(request)
        try:
            principal = await self.authenticator.authenticate(bearer, request.headers.get("x-api-key"))
        except Unauthenticated as exc:
            # RFC 6750: a credential that was sent and refused is an "invalid_token".
            challenge = b'Bearer realm="partner-gateway"' + (b', error="invalid_token"' if bearer else b"")
            await send_json(
                send,
                401,
                {"errors": [{"message": exc.message, "extensions": exc.extensions()}]},
                GRAPHQL_RESPONSE_JSON if wants_spec_media_type else "application/json",
                extra_headers=[(b"www-authenticate", challenge)],
            )
            return
        scope.setdefault("state", {})["principal"] = principal
        media_type = GRAPHQL_RESPONSE_JSON if wants_spec_media_type else "application/json"
        wait = await self.limiter.acquire(principal.name) if self.limiter is not None else None
        if wait is not None:
            RATE_LIMITED.inc()
            await _send_error(send, 429, RateLimited(wait), media_type, [(b"retry-after", str(wait).encode())])
            return
        try:
            scope, receive, query = await with_document(self.documents, scope, receive)
        except GatewayError as exc:  # a persisted query refused: nothing parsed, nothing run
            await _send_error(send, 400 if wants_spec_media_type else 200, exc, media_type)
            return
        await self._run(scope, receive, send, wants_spec_media_type, may_write="mutation" in (query or ""))

    async def _run(self, scope: Scope, receive: Receive, send: Send, spec: bool, *, may_write: bool) -> None:
        """Strawberry under the request's deadline, and the backstop of the module docstring."""
        rewriter = _Rewriter(send, spec)
        with deadline.started(self.timeout_seconds):
            task = asyncio.create_task(self.graphql(scope, receive, rewriter.send))
        try:
            done, _ = await asyncio.wait({task}, timeout=self.timeout_seconds + deadline.GRACE)
        except asyncio.CancelledError:
            task.cancel()
            raise
        if done or rewriter.answering:
            await task
            return
        rewriter.closed = True
        if may_write:
            self._detached.add(task)
            task.add_done_callback(self._detached.discard)
        else:
            task.cancel()
        message = f"the request did not finish within its deadline ({self.timeout_seconds:g} s)"
        body = {"message": message, "extensions": {"code": DeadlineExceeded.code}}
        payload = {"errors": [body]} if spec else {"data": None, "errors": [body]}
        requests.note_answer(False, [DeadlineExceeded.code], final=True)  # not the late result, if one comes
        await send_json(send, 504 if spec else 200, payload, GRAPHQL_RESPONSE_JSON if spec else "application/json")


def _is_ide_page(request: Request) -> bool:
    # strawberry's own test (text/html or */*): its page, which loads from a CDN, is never served (app.py).
    accept = request.headers.get("accept", "")
    asks = "query" in request.query_params or "extensions" in request.query_params  # a persisted query by hash
    return request.method == "GET" and ("text/html" in accept or "*/*" in accept) and not asks


class _Rewriter:
    """Buffers strawberry's reply and applies the media type and status rules of the module docstring."""

    def __init__(self, send: Send, spec_media_type: bool) -> None:
        self._send = send
        self._spec = spec_media_type
        self._start: MutableMapping[str, Any] | None = None
        self._body: list[bytes] = []
        self.closed = False
        self.answering = False
        """Set when the backstop has answered: whatever comes later is dropped."""

    async def send(self, message: Message) -> None:
        if self.closed:
            return
        if message["type"] == "http.response.start":
            self._start = message
            return
        if message["type"] != "http.response.body" or self._start is None:
            await self._send(message)
            return
        self._body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        await self._finish(b"".join(self._body))

    async def _finish(self, body: bytes) -> None:
        assert self._start is not None
        self.answering = True
        status = int(self._start["status"])
        media_type = GRAPHQL_RESPONSE_JSON if self._spec else "application/json"
        if status < 400 and body.startswith(_WITH_DATA):
            # An answer with data (the common case) is no request error in either media type, and is already the
            # JSON the client gets (the app's encode_json): sent as it is, not parsed and encoded once more.
            await self._send_body(status, body, media_type)
            return
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            if status < 400:  # not a GraphQL response (e.g. a stream): leave it alone
                await self._send(self._start)
                await self._send({"type": "http.response.body", "body": body})
                return
            message = body.decode("utf-8", "replace").strip() or "bad request"
            payload = {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}
        elif self._spec and _is_request_error(payload):
            payload.pop("data", None)
            status = 400
        await send_json(self._send, status, payload, media_type, extra_headers=self._headers())

    def _headers(self) -> list[tuple[bytes, bytes]]:
        """Strawberry's response headers, but for the body's type and length (the answer's own are set)."""
        assert self._start is not None
        return [
            (k, v) for k, v in self._start.get("headers", []) if k.lower() not in (b"content-type", b"content-length")
        ]

    async def _send_body(self, status: int, body: bytes, media_type: str) -> None:
        headers = [
            *self._headers(),
            (b"content-type", f"{media_type}; charset=utf-8".encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})


def _is_request_error(payload: dict[str, Any]) -> bool:
    errors = payload.get("errors") or []
    return (
        payload.get("data") is None
        and bool(errors)
        and all((error.get("extensions") or {}).get("code") in REQUEST_ERROR_CODES for error in errors)
    )


async def _send_error(
    send: Send, status: int, error: GatewayError, media_type: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    payload = {"errors": [{"message": error.message, "extensions": error.extensions()}]}
    await send_json(send, status, payload, media_type, extra_headers=headers)
