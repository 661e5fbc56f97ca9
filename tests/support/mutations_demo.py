"""The embedded demo (both real simulators, in-process) wired for mutation tests.

Used by ``tests/test_mutations_*.py`` and ``tests/test_access_matrix.py``: API keys for an admin, a
finance user and two salespeople who each own real seeded Aliyun customers (``k-sales`` for 王芳,
``k-sales-other`` for 李强); every simulator request counted per partner account and operation, so a
test can show that a rule refused a write before anything was sent, or that a replay sent nothing.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.aliyun import plugin as aliyun_plugin
from adapters.aliyun._roles import PartnerRole
from adapters.aliyun.simulator import AgencySimulator, SimulatedPartner
from adapters.aliyun.simulator import create_app as aliyun_simulator
from adapters.huaweicloud import plugin as huaweicloud_plugin
from adapters.huaweicloud._operations import BY_ROUTE
from adapters.huaweicloud._roles import PartnerRole as HuaweiRole
from adapters.huaweicloud.simulator import SimulatorApp
from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import AccountConfig, GatewayConfig, UpstreamConfig, WritesConfig, demo_config
from gateway.ids import encode_global_id
from gateway.models import PartnerAccount, Secret
from gateway.provider import ASGIApp
from gateway.registry import Registry
from gateway.store import MEMORY_URL
from gateway.testing import running

#: Salespeople of the seeded Aliyun demo customers (CustomerBd): the sales key's, and another owner's.
SALES_OWNER, OTHER_OWNER = "王芳", "李强"
KEYS = (
    ApiKey("admin", hash_key("k-admin"), Role.ADMIN),
    ApiKey("finance", hash_key("k-finance"), Role.FINANCE),
    ApiKey("wang.fang", hash_key("k-sales"), Role.SALES, owner=SALES_OWNER),
    ApiKey("li.qiang", hash_key("k-sales-other"), Role.SALES, owner=OTHER_OWNER),
)
ALIYUN, HUAWEI = "aliyun-demo", "huaweicloud-demo"
#: Accounts of the tier-rule tests: a Huawei tier-2 reseller in the demo's Huawei simulator (its demo
#: credentials, docs/simulator-huaweicloud.md) and an Aliyun T2 reseller in an Aliyun simulator that
#: serves the demo distributor too (docs/simulator-aliyun.md).
HUAWEI_T2, ALIYUN_T2 = "huaweicloud-t2", "aliyun-t2"
HUAWEI_T2_DOMAIN = "9f8e7d6c5b4a40312f1e0d9c8b7a6f5e"
HUAWEI_T2B_DOMAIN = "8e7d6c5b4a3f40211e0d9c8b7a6f5e4d"
_ALIYUN_DEMO = SimulatedPartner(
    access_key_id="LTAI5tDemoAgencyDistributor",
    access_key_secret="demo-secret-aliyun-distributor",
    role=PartnerRole.DISTRIBUTOR,
    name="Demo Aliyun distributor",
)
_ALIYUN_RESELLER = SimulatedPartner(
    access_key_id="LTAI5tSimAgencyReseller",
    access_key_secret="sim-secret-aliyun-reseller",
    role=PartnerRole.RESELLER,
    name="Simulated Aliyun reseller",
)

# The selection of every mutation result union's members.
REFUSALS = """
  ... on RuleViolationError { message reason field }
  ... on InvalidInputError { message field }
  ... on IdempotencyConflictError { key }
  ... on UnsupportedError { provider }
  ... on UpstreamError { code reason upstreamCode requestId retryable pending upstreamProvider: provider partnerId }
"""
RECEIPT = "operation { operationId replayed reconciled upstreamIds requestId details }"

#: In-process simulators are reached like a network (``gateway.inprocess``): a request that outlives its
#: caller's timeout goes on and lands later. These tests inject no latency, so a simulator answers in
#: milliseconds: the timeout leaves a loaded machine ample room, and the settle window, counted from the
#: end of an attempt, is longer than a request that timed out can take to land.
FAST_UPSTREAM = UpstreamConfig(timeout_seconds=0.5)
FAST_SETTLE = WritesConfig(settle_seconds=1.0)


def global_id(kind: str, account_id: str, native_id: str) -> str:
    return encode_global_id(kind, account_id, native_id)


def partner_id(account_id: str) -> str:
    return encode_global_id("Partner", account_id)


def key() -> str:
    return f"k-{uuid.uuid4().hex}"


class Counted:
    """Counts the requests a simulator receives, by operation (Aliyun Action, Huawei SDK method name)."""

    def __init__(self, app: ASGIApp, huawei: bool) -> None:
        self.app = app
        self.huawei = huawei
        self.counts: Counter[str] = Counter()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            if self.huawei:
                operation = BY_ROUTE.get((scope["method"], scope["path"]))
                self.counts[operation.name if operation else scope["path"]] += 1
            else:
                self.counts[dict(scope["headers"]).get(b"x-acs-action", b"?").decode()] += 1
        await self.app(scope, receive, send)


@dataclass
class Demo:
    client: httpx.AsyncClient
    aliyun: AgencySimulator
    huawei: SimulatorApp
    counted: dict[str, Counted]
    store_url: str = MEMORY_URL
    """The gateway's store: a test may open it too (a SQLite file given to ``demo``) to put records there."""

    async def ask(self, document: str, api_key: str = "k-admin", **variables: Any) -> dict[str, Any]:
        """The ``data`` of a GraphQL request; any GraphQL error fails the test."""
        response = await self.client.post(
            "/graphql", json={"query": document, "variables": variables}, headers={"authorization": f"Bearer {api_key}"}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def one(self, document: str, api_key: str = "k-admin", **variables: Any) -> dict[str, Any]:
        """The single top-level field's value (a mutation's result)."""
        data = await self.ask(document, api_key, **variables)
        (value,) = data.values()
        assert isinstance(value, dict)
        return value

    def requests(self, account_id: str) -> int:
        return sum(self.counted[account_id].counts.values())

    def calls(self, account_id: str, operation: str) -> int:
        return self.counted[account_id].counts[operation]

    async def control(self, app: ASGIApp, method: str, path: str, body: Any = None) -> httpx.Response:
        """A simulator control endpoint (``/_simulator/...``), called over its own ASGI app."""
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://simulator.test") as client:
            return await client.request(method, path, json=body)


def _tier_accounts() -> tuple[AccountConfig, ...]:
    huawei = PartnerAccount(
        id=HUAWEI_T2,
        provider="huaweicloud",
        name="Demo tier-2 reseller",
        role=HuaweiRole.TIER2_RESELLER,
        endpoint="https://bss.myhuaweicloud.com",
        program=huaweicloud_plugin.program,
        settings={"domain_id": HUAWEI_T2_DOMAIN},
    )
    aliyun = PartnerAccount(
        id=ALIYUN_T2,
        provider="aliyun",
        name="Simulated Aliyun reseller",
        role=PartnerRole.RESELLER,
        endpoint="https://agency.aliyuncs.com",
        program=aliyun_plugin.program,
    )
    return (
        AccountConfig(
            huawei,
            {
                "access_key": Secret("HWDEMOAKT2RESELLER0000"),
                "secret_key": Secret("hw-demo-secret-key-t2-do-not-use-in-production"),
            },
        ),
        AccountConfig(
            aliyun,
            {
                "access_key_id": Secret(_ALIYUN_RESELLER.access_key_id),
                "access_key_secret": Secret(_ALIYUN_RESELLER.access_key_secret),
            },
        ),
    )


@contextlib.asynccontextmanager
async def demo(
    *, tiers: bool = False, store_url: str = MEMORY_URL, upstream: dict[str, Any] | None = None
) -> AsyncIterator[Demo]:
    """The embedded demo behind the gateway; ``tiers`` adds the tier-2 reseller accounts; ``store_url`` its store
    (default: in memory, its own); ``upstream`` keys over the tests' ``[upstream]``."""
    registry = Registry.discover()
    config = demo_config(registry)
    apps: dict[str, Any] = dict(config.simulated)
    accounts = config.accounts
    if tiers:
        # The same seeded demo distributor, plus a T2 reseller with its own keys, in one Aliyun simulator.
        apps[ALIYUN] = aliyun_simulator([_ALIYUN_DEMO, _ALIYUN_RESELLER], seed=0)
        apps[ALIYUN_T2] = apps[ALIYUN]
        apps[HUAWEI_T2] = apps[HUAWEI]
        accounts = (*accounts, *_tier_accounts())
    counted = {account_id: Counted(app, huawei=account_id.startswith("huawei")) for account_id, app in apps.items()}
    wired = GatewayConfig(
        accounts=accounts,
        simulated=counted,
        api_keys=KEYS,
        upstream=FAST_UPSTREAM.model_copy(update=upstream or {}),
        writes=FAST_SETTLE,
        store_url=store_url,
    )
    async with running(create_app(wired, registry)) as client:
        yield Demo(client, apps[ALIYUN], apps[HUAWEI], counted, store_url)
