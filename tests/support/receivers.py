"""Webhook receivers on loopback for the webhook tests: a small Starlette app served by uvicorn on
127.0.0.1 (a random port, in a thread), that keeps every request it gets and answers as its test scripts.

``Receiver(answer)``: ``answer(arrival)`` gives the HTTP status for a request (it sees the request's webhook
id and how many times that id came before), or ``HANG`` to keep the request open without answering until the
receiver is released (at the end of the test, or by ``release()``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support.servers import live_server

__all__ = ["HANG", "Arrival", "Receiver", "new_secret", "receiving"]

HANG = -1
"""An answer that never comes: the request is held open until the receiver is released."""


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and the base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


@dataclass(frozen=True)
class Arrival:
    """One request as the receiver got it."""

    webhook_id: str
    headers: dict[str, str]
    body: bytes
    seen_before: int
    """How many requests with this webhook id came before this one."""
    at: float
    path: str


class Receiver:
    """Keeps what arrives, answers as ``answer`` says (default: 200)."""

    def __init__(self, answer: Callable[[Arrival], int] | None = None) -> None:
        self.answer = answer or (lambda arrival: 200)
        self.arrivals: list[Arrival] = []
        self.answered: list[tuple[Arrival, int]] = []
        """Requests answered, with the status sent."""
        self.released = threading.Event()
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/{path:path}", self._hook, methods=["POST"])])
        self.url = ""

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        webhook_id = headers.get("webhook-id", "")
        with self._lock:
            seen = sum(1 for a in self.arrivals if a.webhook_id == webhook_id)
            arrival = Arrival(webhook_id, headers, body, seen, time.monotonic(), request.url.path)
            self.arrivals.append(arrival)
            status = self.answer(arrival)
        if status == HANG:
            await asyncio.to_thread(self.released.wait, 60)
            return Response(status_code=200)  # to a caller long gone
        with self._lock:
            self.answered.append((arrival, status))
        return Response(status_code=status, headers={"location": "/elsewhere"} if 300 <= status < 400 else None)

    def ids(self) -> list[str]:
        with self._lock:
            return [a.webhook_id for a in self.arrivals]

    def delivered(self) -> list[str]:
        """The webhook ids answered 2xx, in order."""
        with self._lock:
            return [a.webhook_id for a, status in self.answered if 200 <= status < 300]

    def release(self) -> None:
        self.released.set()


@contextlib.contextmanager
def receiving(receiver: Receiver) -> Iterator[Receiver]:
    """Serve ``receiver`` on 127.0.0.1 (its ``url`` set to its hook's URL) until the block ends."""
    with live_server(receiver.app, lifespan="off") as base:
        receiver.url = f"{base}/hook"
        try:
            yield receiver
        finally:
            receiver.release()
