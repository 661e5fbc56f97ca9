"""Drive the gateway (or any ASGI app) in-process with its lifespan, as a server would: no sockets.

For tests and benchmarks, the gateway's own and a front end's contract tests alike.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette


@contextlib.asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """Start ``app``'s lifespan, yield a client for it, then shut the lifespan down."""
    async with app.router.lifespan_context(app) as state:

        async def with_lifespan_state(scope: Any, receive: Any, send: Any) -> None:
            scope["state"] = dict(state or {})  # what uvicorn does for every request
            await app(scope, receive, send)

        transport = httpx.ASGITransport(app=with_lifespan_state)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client
