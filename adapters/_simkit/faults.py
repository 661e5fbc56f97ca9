"""Fault injection for the simulators, per operation and at run time.

Kinds (what the client sees, and whether the simulated upstream applied the request):

=============  ==========================================================  ========
kind           effect                                                       applied
=============  ==========================================================  ========
latency:MS     the reply is delayed by MS milliseconds                      yes
5xx[:STATUS]   the upstream's own server-error reply (default 503)          no
throttle[:S]   the upstream's own throttling reply, retry-after S seconds   no
drop           the connection drops before the request is applied           no
ambiguous      the request is applied, then the connection drops            yes
=============  ==========================================================  ========

A dropped connection is a real one over HTTP (the response is cut off, so the client's HTTP library
reports a protocol error) and raises ``httpx.RemoteProtocolError`` in-process (``httpx.ASGITransport``
re-raises app exceptions), so an adapter sees the same failure either way.

A fault may be narrowed to the requests of its operation whose query string or body contains a text
(``match``, e.g. ``Uid=1234`` or ``"customer_id": "c1"``), so that one customer's calls fail while the
others' succeed.

Faults are set from tests (``FaultPlan.add``), from the CLI (``--fault SPEC``, see ``Fault.parse``) or
at run time through the control endpoint ``/_simulator/faults`` (GET lists, POST adds a JSON fault,
DELETE clears). The endpoint is the simulator's, not the upstream's: serve simulators on loopback.
"""

from __future__ import annotations

import asyncio
import enum
import json
import random
import re
import threading
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import httpx

__all__ = ["CONTROL_PATH", "Fault", "FaultInjection", "FaultKind", "FaultPlan", "FaultReplies"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTROL_PATH = "/_simulator/faults"
_SPEC = re.compile(
    r"^(?P<op>[\w*.\-]+)(?:\[(?P<match>[^\]]+)\])?=(?P<kind>5xx|[a-z]+?)(?::(?P<value>[\d.]+))?"
    r"(?:@(?P<p>[\d.]+))?(?:x(?P<n>\d+))?$"
)


class FaultKind(enum.Enum):
    LATENCY = "latency"
    SERVER_ERROR = "5xx"
    THROTTLE = "throttle"
    DROP = "drop"
    AMBIGUOUS = "ambiguous"


@dataclass
class Fault:
    kind: FaultKind
    operation: str = "*"
    """The upstream operation's name as the simulator knows it (Aliyun Action, Huawei SDK method), or *."""
    value: float | None = None
    """Milliseconds for latency, the HTTP status for 5xx, retry-after seconds for throttle."""
    probability: float = 1.0
    remaining: int | None = None
    """Fire this many more times, then retire; None: no limit."""
    match: str | None = None
    """Only requests whose query string or body contains this text; None: every request."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")
        if self.kind is FaultKind.SERVER_ERROR and self.value is not None and not 500 <= self.value <= 599:
            raise ValueError("a 5xx fault's status must be from 500 to 599")
        if self.remaining is not None and self.remaining < 1:
            raise ValueError("count must be at least 1")

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """``OPERATION[MATCH]=KIND[:VALUE][@PROBABILITY][xCOUNT]``, e.g. ``GetAccountInfo=latency:200``,
        ``*=5xx:502@0.1``, ``update_customer_account_amount=ambiguousx1``, ``GetCreditInfo[Uid=1234]=5xx``."""
        match = _SPEC.match(spec.strip())
        if match is None:
            raise ValueError(
                f"not a fault spec: {spec!r} (expected OPERATION[MATCH]=KIND[:VALUE][@PROBABILITY][xCOUNT])"
            )
        try:
            kind = FaultKind(match["kind"])
        except ValueError:
            kinds = ", ".join(k.value for k in FaultKind)
            raise ValueError(f"unknown fault kind {match['kind']!r} (expected one of: {kinds})") from None
        return cls(
            kind=kind,
            operation=match["op"],
            value=float(match["value"]) if match["value"] else None,
            probability=float(match["p"]) if match["p"] else 1.0,
            remaining=int(match["n"]) if match["n"] else None,
            match=match["match"],
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        return cls(
            kind=FaultKind(data["kind"]),
            operation=str(data.get("operation", "*")),
            value=float(data["value"]) if data.get("value") is not None else None,
            probability=float(data.get("probability", 1.0)),
            remaining=int(data["remaining"]) if data.get("remaining") is not None else None,
            match=str(data["match"]) if data.get("match") is not None else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "kind": self.kind.value}


class FaultPlan:
    """The faults in force, drawn per request with a seeded random source (thread-safe)."""

    def __init__(self, seed: int = 0) -> None:
        self._faults: list[Fault] = []
        self._rng = random.Random(seed)  # noqa: S311 - reproducible simulation, not cryptography
        self._lock = threading.Lock()
        self.injected: Counter[tuple[str, FaultKind]] = Counter()
        """How many times each (operation, kind) took effect: what a test compares its observations with."""

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def narrowed(self, operation: str) -> bool:
        """Whether a fault for ``operation`` looks into the request (then ``draw`` needs its text)."""
        with self._lock:
            return any(f.match is not None and f.operation in ("*", operation) for f in self._faults)

    def draw(self, operation: str, text: str = "") -> list[Fault]:
        """The faults that fire for one request of ``operation`` (``text``: its query string and body);
        counted faults are used up."""
        fired: list[Fault] = []
        with self._lock:
            for fault in list(self._faults):
                if fault.operation not in ("*", operation) or (fault.match is not None and fault.match not in text):
                    continue
                if self._rng.random() >= fault.probability:
                    continue
                fired.append(fault)
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
        return fired


#: When several faults fire for one request, the first of these decides what happens to it.
_PRECEDENCE = (FaultKind.DROP, FaultKind.SERVER_ERROR, FaultKind.THROTTLE, FaultKind.AMBIGUOUS)


class FaultReplies(Protocol):
    """The upstream's own replies for injected failures: each simulator supplies its shapes."""

    async def server_error(self, scope: Scope, receive: Receive, send: Send, status: int) -> None: ...

    async def throttled(self, scope: Scope, receive: Receive, send: Send, retry_after: float) -> None: ...


class FaultInjection:
    """ASGI middleware: applies the plan's faults to the wrapped simulator and serves the control endpoint."""

    def __init__(
        self, app: ASGIApp, plan: FaultPlan, operation_of: Callable[[Scope], str | None], replies: FaultReplies
    ) -> None:
        self.app = app
        self.plan = plan
        self.operation_of = operation_of
        self.replies = replies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == CONTROL_PATH:
            await self._control(scope, receive, send)
            return
        operation = self.operation_of(scope)
        text = ""
        if operation is not None and self.plan.narrowed(operation):
            body = await _read_body(receive)
            receive = _replay(body)
            text = f"{scope.get('query_string', b'').decode('latin-1')}\n{body.decode('utf-8', 'replace')}"
        faults = self.plan.draw(operation, text) if operation is not None else []
        if any(fault.kind is FaultKind.LATENCY for fault in faults):
            # A slow upstream has the request already: read it in full, then take the time, then apply
            # it even if the caller has gone (as a real server does).
            receive = await _buffered(receive)
        for fault in faults:
            if fault.kind is FaultKind.LATENCY:
                await asyncio.sleep((fault.value or 0) / 1000)
        kinds = {fault.kind: fault for fault in faults}
        acting = [k for k in _PRECEDENCE if k in kinds][:1]
        for kind in {FaultKind.LATENCY, *acting} & kinds.keys():
            self.plan.injected[(operation or "", kind)] += 1
        if FaultKind.DROP in kinds:
            await _drop(send)
        elif FaultKind.SERVER_ERROR in kinds:
            await self.replies.server_error(scope, receive, send, int(kinds[FaultKind.SERVER_ERROR].value or 503))
        elif FaultKind.THROTTLE in kinds:
            await self.replies.throttled(scope, receive, send, kinds[FaultKind.THROTTLE].value or 1.0)
        elif FaultKind.AMBIGUOUS in kinds:

            async def swallow(message: Message) -> None:
                return None

            await self.app(scope, receive, swallow)  # applied...
            await _drop(send)  # ...and the reply is lost
        else:
            await self.app(scope, receive, send)

    async def _control(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        status, body = 200, None
        if method == "POST":
            try:
                fault = self.plan.add(Fault.from_json(json.loads(await _read_body(receive))))
                status, body = 201, fault.to_json()
            except (ValueError, KeyError, TypeError) as exc:
                status, body = 400, {"error": f"bad fault: {exc}"}
        elif method == "DELETE":
            self.plan.clear()
        elif method != "GET":
            status, body = 405, {"error": "use GET, POST or DELETE"}
        if body is None:
            body = {"faults": [f.to_json() for f in self.plan.faults()]}
        payload = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


async def _buffered(receive: Receive) -> Receive:
    return _replay(await _read_body(receive))


def _replay(body: bytes) -> Receive:
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _drop(send: Send) -> None:
    # Start a response that promises a body, then fail: a server closes the connection mid-reply.
    headers = [(b"content-type", b"application/json"), (b"content-length", b"64")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    raise httpx.RemoteProtocolError("simulated fault: the connection dropped before the reply was complete")
