"""The HTTP app: ``/graphql``, ``/healthz`` and ``/readyz``.

The lifespan opens one ``httpx.AsyncClient`` per partner account (through the account's in-process
simulator in the embedded demo), builds each account's provider through its plug-in, and closes the
clients on shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, TypedDict

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from gateway import __version__
from gateway.auth import Authenticator
from gateway.config import GatewayConfig
from gateway.endpoint import GraphQLEndpoint, principal_of
from gateway.registry import Registry
from gateway.schema import Context, build_schema
from gateway.service import Gateway
from gateway.store import open_store

__all__ = ["create_app"]

log = logging.getLogger(__name__)

READY_TIMEOUT = 5.0
USER_AGENT = f"partner-gateway/{__version__}"


class State(TypedDict):
    gateway: Gateway


class GraphQLApp(GraphQL[Context, None]):
    def encode_json(self, data: object) -> bytes:
        # UTF-8 as it is: customer names are mostly Chinese, and \uXXXX escapes help nobody.
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        return Context(gateway=request.state.gateway, principal=principal_of(request.state))


def create_app(config: GatewayConfig, registry: Registry) -> Starlette:
    """The gateway as an ASGI app. Nothing touches the network until the lifespan starts."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        async with contextlib.AsyncExitStack() as stack:
            store = await open_store(config.store_url)
            stack.push_async_callback(store.close)
            providers = []
            for entry in config.accounts:
                account = entry.account
                simulator = config.simulated.get(account.id)
                client = httpx.AsyncClient(
                    base_url=account.endpoint,
                    transport=httpx.ASGITransport(app=simulator) if simulator is not None else None,
                    timeout=httpx.Timeout(
                        config.upstream.timeout_seconds, connect=config.upstream.connect_timeout_seconds
                    ),
                    headers={"user-agent": USER_AGENT},
                )
                await stack.enter_async_context(client)
                providers.append(registry[account.provider].create(account, entry.credentials, client))
            titles = {name: plugin.title for name, plugin in registry.items()}
            gateway = Gateway(
                providers,
                store=store,
                titles=titles,
                ping_seconds=READY_TIMEOUT,
                settle=timedelta(seconds=config.writes.settle_seconds),
            )
            for operation_id, outcome in await gateway.operations.reconcile_pending():
                log.warning("operation %s left pending by an earlier run: %s", operation_id, outcome)
            sweep = asyncio.create_task(gateway.operations.sweep(max(1.0, min(30.0, config.writes.settle_seconds / 4))))
            stack.callback(sweep.cancel)
            yield {"gateway": gateway}

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    async def readyz(request: Request) -> Response:
        gateway: Gateway = request.state.gateway
        results = await gateway.health()
        accounts: dict[str, Any] = {}
        for health in results:
            entry: dict[str, Any] = {"provider": health.provider, "ok": health.ok}
            if health.error is not None:
                entry["error"] = {"message": health.error.message, **health.error.extensions()}
            accounts[health.account_id] = entry
        ready = all(h.ok for h in results)
        body = {"status": "ready" if ready else "unready", "accounts": accounts}
        return JSONResponse(body, status_code=200 if ready else 503)

    graphql = GraphQLEndpoint(GraphQLApp(build_schema()), Authenticator(config.api_keys))
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
