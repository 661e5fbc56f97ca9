"""In front of ``/graphql``: a request is read once, bounded, and checked before strawberry sees it.

GraphQL over HTTP (graphql.github.io/graphql-over-http) says what a request is; anything else is the
client's mistake and is answered ``4xx`` with a JSON body of the GraphQL shape
(``{"errors": [{"message": ..., "extensions": {"code": "BAD_REQUEST"}}]}``), in the negotiated media type:

- a body longer than ``[limits] max_body_bytes``: ``413`` (a ``Content-Length`` over it is refused before
  anything is read);
- a POST whose ``Content-Type`` is not ``application/json`` (UTF-8): ``415``;
- a body that is not UTF-8, not JSON (``NaN``, ``Infinity`` and numbers beyond a float are not JSON), nested
  deeper than ``MAX_JSON_DEPTH``, not an object, or whose members have the wrong types (``query`` and
  ``operationName`` strings or null, ``variables`` and ``extensions`` objects or null): ``400``;
- a GET whose ``variables`` or ``extensions`` parameter is not such a JSON object, or whose ``query`` or
  ``operationName`` is given twice: ``400``.

Whatever reaches strawberry is then a shape it handles. Should anything still escape it (a server bug, never
the input's fault), the last-resort guard logs the traceback and answers ``500`` with ``INTERNAL``, JSON as
every other answer, instead of a plain-text page or a reset connection.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["GRAPHQL_RESPONSE_JSON", "MAX_JSON_DEPTH", "RequestGuard", "RequestRefused", "parse_json_value", "send_json"]

log = logging.getLogger("gateway.http")

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
#: Deeper JSON than any GraphQL request needs (variables are input objects a few levels deep).
MAX_JSON_DEPTH = 32
_OBJECT_MEMBERS = ("variables", "extensions")
_STRING_MEMBERS = ("query", "operationName")


class RequestRefused(Exception):
    """A request that is not a GraphQL-over-HTTP request: answered ``status`` with ``message``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RequestGuard:
    """The ASGI guard of the module docstring, around the ``/graphql`` endpoint."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        media_type = GRAPHQL_RESPONSE_JSON if GRAPHQL_RESPONSE_JSON in headers.get("accept", "") else "application/json"
        try:
            if scope["method"] == "POST":
                body = await _read_body(receive, headers, self.max_body_bytes)
                check_post(headers.get("content-type", ""), body)
                receive = _replay(body)
            elif scope["method"] == "GET":
                check_get(QueryParams(scope.get("query_string", b"")))
        except RequestRefused as refused:
            await send_error(send, refused.status, refused.message, "BAD_REQUEST", media_type)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            # Only a server bug gets here: the input was checked above.
            log.exception("unexpected error answering %s %s", scope["method"], scope.get("path", ""))
            if not started:
                await send_error(send, 500, "Internal server error", "INTERNAL", media_type)


async def _read_body(receive: Receive, headers: Headers, limit: int) -> bytes:
    declared = headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise RequestRefused(413, f"the request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise RequestRefused(413, f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def check_post(content_type: str, body: bytes) -> None:
    """Refuse a POST that is not ``application/json`` holding a GraphQL request object."""
    media_type, _, parameters = content_type.partition(";")
    if media_type.strip().lower() != "application/json":
        raise RequestRefused(415, "the request body must be application/json")
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise RequestRefused(415, "the request body must be UTF-8")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestRefused(400, "the request body is not valid UTF-8") from None
    _check_members(parse_json_value(text, "the request body"), "the request body")


def check_get(params: QueryParams) -> None:
    """Refuse GET parameters that are not a GraphQL request (``variables``/``extensions`` are JSON objects)."""
    for name in _STRING_MEMBERS:
        if len(params.getlist(name)) > 1:
            raise RequestRefused(400, f"the {name} parameter is given more than once")
    request: dict[str, Any] = {}
    for name in _OBJECT_MEMBERS:
        values = params.getlist(name)
        if len(values) > 1:
            raise RequestRefused(400, f"the {name} parameter is given more than once")
        if values and values[0]:
            request[name] = parse_json_value(values[0], f"the {name} parameter")
    _check_members(request, "the request")


def parse_json_value(text: str, what: str) -> Any:
    """``text`` as JSON (RFC 8259: no ``NaN``, no ``Infinity``, finite numbers), at most ``MAX_JSON_DEPTH`` deep."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise RequestRefused(400, f"{what} is nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:  # JSONDecodeError, a non-finite number, an integer of thousands of digits
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise RequestRefused(400, f"{what} is not valid JSON: {reason}") from None
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        raise RequestRefused(400, f"{what} is nested more than {MAX_JSON_DEPTH} levels deep")
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError("a number is out of range")
    return number


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests arrays/objects deeper than ``limit`` (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _check_members(request: Any, what: str) -> None:
    if not isinstance(request, dict):
        raise RequestRefused(400, f"{what} must be a JSON object (a GraphQL request), not {_json_type(request)}")
    for name in _STRING_MEMBERS:
        if not isinstance(request.get(name), str | None):
            raise RequestRefused(400, f"{name} must be a string or null, not {_json_type(request[name])}")
    for name in _OBJECT_MEMBERS:
        if not isinstance(request.get(name), dict | None):
            raise RequestRefused(400, f"{name} must be an object or null, not {_json_type(request[name])}")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


async def send_error(send: Send, status: int, message: str, code: str, media_type: str) -> None:
    """One GraphQL-shaped error as the whole response."""
    await send_json(send, status, {"errors": [{"message": message, "extensions": {"code": code}}]}, media_type)


async def send_json(
    send: Send, status: int, payload: object, media_type: str, extra_headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """``payload`` as the whole JSON response, UTF-8 as it is (customer names are mostly Chinese)."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = [
        *(extra_headers or []),
        (b"content-type", f"{media_type}; charset=utf-8".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
