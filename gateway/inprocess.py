"""An in-process upstream reached as if over the network: the embedded demo's simulators.

``httpx.ASGITransport`` runs the app inside the caller's task and ignores the client's timeouts: a slow
simulator holds its caller for as long as it takes, and a caller that gives up (a cancelled request)
cancels the simulated request with it. Neither is what a network does, and both hide the case the write
path must survive: a request that outlives its caller's timeout and is applied afterwards.

``InProcessTransport`` runs every request in a task of its own and honours the request's httpx timeouts
(``request.extensions["timeout"]``) the way a network connection does:

- read: the reply must be complete in time, or ``httpx.ReadTimeout`` is raised while the request goes on
  and lands when it lands, like a request already on the wire (the adapters report such a write as
  outcome unknown). The reply is buffered in-process, so the read timeout bounds the whole reply, where
  over a network it bounds each wait for data;
- connect, write and pool: the upstream takes every request up at once (its task starts at the loop's
  next turn, before any timer can fire), the body is in memory and there is no pool: nothing to wait for.
  A closed transport refuses requests with ``httpx.ConnectError`` (never sent), like a closed port.

A cancelled caller leaves its request running too, as a request already sent would. The transport keeps a
strong reference to every request still running and cancels them only when it is closed (the app's
shutdown closes each account's client, and with it its transport).
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from gateway.provider import ASGIApp

__all__ = ["InProcessTransport"]

log = logging.getLogger(__name__)


class InProcessTransport(httpx.ASGITransport):
    """``httpx.ASGITransport`` with a network's timeouts: see the module docstring."""

    def __init__(self, app: ASGIApp, *, client: tuple[str, int] = ("127.0.0.1", 123)) -> None:
        super().__init__(app=app, client=client)
        self._running: set[asyncio.Task[httpx.Response]] = set()
        self._closed = False

    @property
    def in_flight(self) -> int:
        """Requests the simulated upstream is still working on (their callers may have given up)."""
        return len(self._running)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise httpx.ConnectError("the in-process upstream is shut down", request=request)
        task = asyncio.get_running_loop().create_task(
            super().handle_async_request(request), name=f"in-process {request.method} {request.url.path}"
        )
        self._running.add(task)
        task.add_done_callback(self._finished)
        done, _ = await asyncio.wait({task}, timeout=request.extensions.get("timeout", {}).get("read"))
        if task not in done:
            raise httpx.ReadTimeout(
                "the in-process upstream did not reply in time (the request goes on and may still be applied)",
                request=request,
            )
        return task.result()

    def _finished(self, task: asyncio.Task[httpx.Response]) -> None:
        self._running.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            # Retrieved here so that a straggler's failure (its caller gave up) is not reported as lost.
            log.debug("in-process request %s ended with %r", task.get_name(), error)

    async def aclose(self) -> None:
        """Cancel the requests still running (their callers have given up) and refuse new ones."""
        self._closed = True
        running = list(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await super().aclose()
