"""The HTTP app: ``/graphql``, the finance exports (``/export/*.csv``: ``gateway.export``), ``/healthz``,
``/readyz``, ``/metrics``, GraphiQL's assets (``gateway.ide``)
and, for the embedded demo, its simulators' read-only control endpoints (``gateway.demo``).

``/graphql`` is observed (``gateway.observability.middleware``: a request id, a span, metrics, an access
line); ``/metrics`` serves prometheus-client's registry in Prometheus' text format. Like ``/readyz``, it
names partner accounts (never a secret), is not signed in, rate-limited or counted as a request: serve it
to the operator's network only (a reverse proxy that publishes ``/graphql`` alone, or a scrape over the
internal network).

The lifespan opens the store (``StoreUnavailable`` stops the start: a missing or replaced database, an
unreachable server), opens one ``httpx.AsyncClient`` per partner account (through the account's
in-process simulator in the embedded demo, with a network's timeouts: ``gateway.inprocess``), builds each
account's provider through its plug-in, settles the operations an earlier run left pending, starts change
detection (``gateway.notifications.detect``, unless ``[events] enabled = false``) and a worker per ``[[webhooks]]``
table (``gateway.notifications.webhooks``), and closes it all on shutdown (the workers before the store).
``/readyz`` answers 503 unless every account and the store answer within ``READY_TIMEOUT``.

With ``[redis]`` the replicas' shared state (rate limits, caches, single flight) is a ``RedisState``, else
this process's ``LocalState``. ``/readyz`` reports Redis but does not turn unready when it fails: every
replica shares the one Redis, so an unready verdict would take them all out of service at once, for a
dependency each can do without (it serves from its own memory, degraded: ``gateway.upstream.redis_state``),
and no other replica would do better.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl
import urllib.request
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlsplit

import httpx
import orjson
from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from gateway import __version__
from gateway.auth import Authenticator
from gateway.config import GatewayConfig
from gateway.console import console_routes
from gateway.demo import DEMO_ROUTE, DemoControl
from gateway.endpoint import GraphQLEndpoint, principal_of
from gateway.errors import StoreUnavailable
from gateway.export import Export
from gateway.ide import ASSETS_ROUTE, asset
from gateway.inprocess import InProcessTransport
from gateway.notifications.detect import Detector
from gateway.notifications.stream import EventStream
from gateway.notifications.webhooks import WebhookWorkers
from gateway.notifications.websocket import SubscriptionEndpoint
from gateway.observability import requests, tracing
from gateway.observability.middleware import REQUEST_ID_HEADER, ObserveRequests
from gateway.persisted import Documents
from gateway.ratelimit import RateLimiter, SharedBuckets, TokenBuckets
from gateway.registry import Registry
from gateway.request_guard import RequestGuard
from gateway.schema import Context, build_schema
from gateway.service import Gateway
from gateway.store import Store, open_store
from gateway.upstream.shared import LocalState, SharedState
from gateway.upstream.stack import Upstream, account_policy, build_transport, retry_policy

if TYPE_CHECKING:  # imported where used: only [redis], [auth.jwt] and OTEL_* need these (a faster start)
    from opentelemetry.sdk.trace import TracerProvider

    from gateway.upstream.redis_state import RedisState

__all__ = ["create_app"]

log = logging.getLogger(__name__)

READY_TIMEOUT = 5.0
USER_AGENT = f"partner-gateway/{__version__}"
#: The request headers a browser app may send cross-origin.
CORS_HEADERS = ("authorization", "content-type", "x-api-key", "x-request-id")


class State(TypedDict):
    gateway: Gateway
    store: Store
    redis: RedisState | None
    detector: Detector | None
    """Change detection's pollers (``[events]``), None when disabled."""
    events: EventStream


class GraphQLApp(GraphQL[Context, None]):
    def encode_json(self, data: object) -> bytes:
        # UTF-8 as it is (customer names are mostly Chinese, and \uXXXX escapes help nobody), compact. orjson writes
        # what json.dumps(ensure_ascii=False, separators=(",", ":")) writes for an answer (strings, integers,
        # booleans, null: money is a decimal string, and the schema has no Float), a 100-row page in a twentieth of
        # the time. What it refuses (an integer beyond 64 bits in a provider's extra fields) goes to json as before.
        try:
            return orjson.dumps(data)
        except TypeError:  # orjson.JSONEncodeError
            return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        return Context(gateway=request.state.gateway, principal=principal_of(request.state))

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        # What the client gets, for the request's observer: no need to parse a large page back.
        codes = [str(code) for error in result.errors or () if (code := (error.extensions or {}).get("code"))]
        cost = (result.extensions or {}).get("cost")
        requests.note_answer(result.data is not None, codes, cost if isinstance(cost, dict) else None)
        return await super().process_result(request, result)


async def store_health(store: Store) -> dict[str, Any]:
    """The store answers a cheap read and a no-op write, and is still the store it was, in time."""
    try:
        async with asyncio.timeout(READY_TIMEOUT):
            await store.check()
    except TimeoutError:
        error = StoreUnavailable(f"the gateway's store did not answer within {READY_TIMEOUT:g} s")
    except StoreUnavailable as exc:
        error = exc
    else:
        return {"ok": True}
    return {"ok": False, "error": {"message": error.message, **error.extensions()}}


async def redis_health(redis: RedisState | None) -> dict[str, Any] | None:
    """Redis answers a PING (None: no ``[redis]``)."""
    return await redis.health() if redis is not None else None


def _proxy_for(endpoint: str) -> str | None:
    """The proxy the environment names for ``endpoint`` (what httpx does unless given its own transport)."""
    parts = urlsplit(endpoint)
    if parts.hostname and urllib.request.proxy_bypass(parts.hostname):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")


async def _stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def metrics(request: Request) -> Response:
    # The format the scraper asks for (Prometheus' text format, or OpenMetrics), as prometheus-client's own
    # ASGI app negotiates it.
    encode, media_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(REGISTRY), media_type=media_type)


def create_app(
    config: GatewayConfig, registry: Registry, *, tracer_provider: TracerProvider | None = None
) -> Starlette:
    """The gateway as an ASGI app. Nothing touches the network until the lifespan starts.

    Spans go to ``tracer_provider`` (its owner shuts it down); without one, to the provider the ``OTEL_*``
    variables describe, if any (``gateway.observability.tracing``), which the app shuts down with itself."""
    owned = tracing.provider_from_env() if tracer_provider is None else None
    tracer = tracing.tracer_of(tracer_provider or owned)
    redis: RedisState | None = None
    if config.redis is not None:
        from gateway.upstream.redis_state import RedisState

        redis = RedisState(config.redis)
    state: SharedState = redis if redis is not None else LocalState()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[State]:
        async with contextlib.AsyncExitStack() as stack:
            if owned is not None:
                stack.callback(owned.shutdown)  # last: the spans of the shutdown are sent too
            store = await open_store(config.store_url)
            stack.push_async_callback(store.close)
            stack.push_async_callback(state.close)
            if redis is not None:
                await redis.start()  # a Redis that does not answer is a degraded start, not a failed one
            upstream = Upstream(state, tracer)
            providers = []
            tls: ssl.SSLContext | None = None  # one for every account: each loads the CA bundle (~25 ms of CPU)
            for entry in config.accounts:
                account = entry.account
                simulator = config.simulated.get(account.id)
                inner: httpx.AsyncBaseTransport
                if simulator is not None:
                    inner = InProcessTransport(simulator)
                else:
                    tls = tls or httpx.create_ssl_context()  # as httpx.AsyncHTTPTransport() makes it by default
                    inner = httpx.AsyncHTTPTransport(proxy=_proxy_for(account.endpoint), verify=tls)
                policy = account_policy(entry.upstream, config.upstream, in_process=simulator is not None)
                client = httpx.AsyncClient(
                    base_url=account.endpoint,
                    transport=build_transport(inner, account, upstream, policy),
                    timeout=httpx.Timeout(policy.timeout_seconds, connect=policy.connect_timeout_seconds),
                    headers={"user-agent": USER_AGENT},
                )
                await stack.enter_async_context(client)
                retry = retry_policy(account, policy, upstream)
                providers.append(registry[account.provider].create(account, entry.credentials, client, retry=retry))
            titles = {name: plugin.title for name, plugin in registry.items()}
            gateway = Gateway(
                providers,
                store=store,
                titles=titles,
                ping_seconds=READY_TIMEOUT,
                settle=timedelta(seconds=config.writes.settle_seconds),
                attempt=timedelta(seconds=config.writes.attempt_seconds),
                program=config.program,
            )
            try:
                settled = await gateway.operations.reconcile_pending()
            except StoreUnavailable as exc:  # serve anyway: /readyz says why it is not ready
                log.error(
                    "could not settle the operations an earlier run left pending (they stay pending, and are "
                    "settled when their keys are retried, by the sweep, or at the next start): %s",
                    exc.message,
                )
                settled = []
            for operation_id, outcome in settled:
                log.warning("operation %s left pending by an earlier run: %s", operation_id, outcome)
            sweep = asyncio.create_task(gateway.operations.sweep(max(1.0, min(30.0, config.writes.settle_seconds / 4))))
            stack.push_async_callback(_stop, sweep)
            # Change events for this process's subscriptions (issue #13): ended before the store closes.
            events = EventStream(store)
            stack.push_async_callback(events.close)
            # Change notifications: a worker per [[webhooks]] table follows the outbox (gateway.notifications).
            webhooks = WebhookWorkers(config.webhooks, store)
            await webhooks.start()
            stack.push_async_callback(webhooks.close)
            # Change detection (issue #13): this replica polls the accounts whose lease it holds, until shutdown
            # (stopped before the store closes, giving its leases up for another replica to take at once).
            detector = Detector(gateway, config.events) if config.events.enabled else None
            if detector is not None:
                stack.push_async_callback(_stop, asyncio.create_task(detector.run()))
            yield {"gateway": gateway, "store": store, "redis": redis, "detector": detector, "events": events}

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    async def readyz(request: Request) -> Response:
        gateway: Gateway = request.state.gateway
        results, store, redis = await asyncio.gather(
            gateway.health(), store_health(request.state.store), redis_health(request.state.redis)
        )
        accounts: dict[str, Any] = {}
        for health in results:
            entry: dict[str, Any] = {"provider": health.provider, "ok": health.ok}
            if health.error is not None:
                entry["error"] = {"message": health.error.message, **health.error.extensions()}
            accounts[health.account_id] = entry
        ready = store["ok"] and all(h.ok for h in results)
        body = {"status": "ready" if ready else "unready", "store": store, "accounts": accounts}
        if redis is not None:  # reported, not a condition of readiness (see the module's doc)
            body["redis"] = redis
        return JSONResponse(body, status_code=200 if ready else 503)

    tokens = None
    if config.jwt is not None:
        from gateway.tokens import TokenVerifier

        tokens = TokenVerifier(config.jwt)
    authenticator = Authenticator(config.api_keys, tokens)
    per_minute = config.limits.requests_per_minute
    limiter: RateLimiter | None = None
    if per_minute:
        limiter = SharedBuckets(state, per_minute) if redis is not None else TokenBuckets(per_minute)
    schema = build_schema(config.limits, accounts=len(config.accounts), introspection=config.graphql.introspection)
    graphql = GraphQLEndpoint(
        GraphQLApp(schema, graphql_ide=None),  # gateway.ide's page
        authenticator,
        limiter=limiter,
        documents=Documents(config.trusted_documents, config.graphql.persisted_queries_cache),
        timeout_seconds=config.limits.request_timeout_seconds,
    )
    subscriptions = SubscriptionEndpoint(schema, authenticator, allowed_origins=config.server.cors_origins)
    export = Export(authenticator, limiter, config.limits)  # signed in and limited as /graphql is (gateway.export)
    routes = [
        Route(
            "/graphql",
            ObserveRequests(RequestGuard(graphql, config.limits.max_body_bytes), tracer),
            methods=["GET", "POST"],
        ),
        # The same path over WebSocket: subscriptions (graphql-transport-ws; gateway.notifications.websocket).
        WebSocketRoute("/graphql", subscriptions),
        Route("/export/customers.csv", export.customers, methods=["GET"]),
        Route("/export/consumption.csv", export.consumption, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route(ASSETS_ROUTE, asset, methods=["GET"]),
        *console_routes(config),  # the web console at /console/ (gateway.console)
    ]
    if config.simulated:  # the embedded demo: its simulators' read-only control endpoints (gateway.demo)
        routes.append(Route(DEMO_ROUTE, DemoControl(config.simulated, authenticator).read, methods=["GET"]))
    middleware = []
    if config.server.cors_origins:
        # Exact origins; bearer tokens and API keys are headers, so no cookies (credentials) are allowed.
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.server.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=list(CORS_HEADERS),
                # Not CORS-safelisted: a page reads them only when exposed.
                expose_headers=["retry-after", REQUEST_ID_HEADER],
                max_age=600,
            )
        )
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
