"""Shared pieces of the Huawei Cloud adapter tests: two seeded partner accounts and a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from starlette.applications import Starlette

from adapters.huaweicloud import HuaweiCloudProvider
from adapters.huaweicloud._plugin import PROGRAM
from adapters.huaweicloud._roles import PartnerRole
from adapters.huaweicloud._signing import SdkHmacAuth
from adapters.huaweicloud.simulator import PartnerState, SimAccount, SimulatorApp, SimulatorState, create_app
from gateway.models import PartnerAccount, Secret

ENDPOINT = "https://bss.myhuaweicloud.com"
NOW = datetime(2025, 3, 1, 8, 0, 0, tzinfo=UTC)
SEED = 11

T1 = SimAccount("AKT1TESTACCESSKEY0001", "t1-secret-key", "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1", name="T1")
T2 = SimAccount(
    "AKT2TESTACCESSKEY0002",
    "t2-secret-key",
    "d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2d2",
    PartnerRole.TIER2_RESELLER,
    "T2",
    parent_domain_id=T1.domain_id,
)
OTHER_T1 = SimAccount("AKT1OTHERACCESSKEY03", "other-secret", "d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3", name="other")


def fixed_clock(moment: datetime = NOW) -> Callable[[], datetime]:
    return lambda: moment


@pytest.fixture
def app() -> SimulatorApp:
    return create_app([T1, T2, OTHER_T1], seed=SEED, clock=fixed_clock())


@pytest.fixture
def state(app: Starlette) -> SimulatorState:
    simulator: SimulatorState = app.state.simulator
    return simulator


def signed_client(
    app: Starlette,
    account: SimAccount = T1,
    *,
    secret_key: str | None = None,
    domain_id: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> httpx.AsyncClient:
    """An HTTP client to the in-process simulator that signs as ``account`` (overrides to break it)."""
    auth = SdkHmacAuth(
        account.access_key,
        Secret(secret_key if secret_key is not None else account.secret_key),
        domain_id if domain_id is not None else account.domain_id,
        clock=clock or fixed_clock(),
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ENDPOINT, auth=auth)


class Clock:
    """A clock a test moves: shared by the simulator and the provider (signing and reconciliation)."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Traffic:
    """Every upstream request (path, body) and the request id of every answer, through httpx event hooks."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.bodies: list[bytes] = []
        self.request_ids: list[str | None] = []

    async def on_request(self, request: httpx.Request) -> None:
        self.paths.append(request.url.path)
        self.bodies.append(request.content)

    async def on_response(self, response: httpx.Response) -> None:
        self.request_ids.append(response.headers.get("X-Request-Id"))


class NoSleep:
    async def __call__(self, delay: float) -> None:
        return None


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def moving_app(clock: Clock) -> SimulatorApp:
    """The seeded simulator on a clock the test moves (created customers associate after 2 s)."""
    return create_app([T1, T2, OTHER_T1], seed=SEED, clock=clock)


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
async def moving_http(moving_app: SimulatorApp, traffic: Traffic) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=moving_app),
        base_url=ENDPOINT,
        event_hooks={"request": [traffic.on_request], "response": [traffic.on_response]},
    ) as client:
        yield client


def provider_for(
    http: httpx.AsyncClient, clock: Callable[[], datetime], sim: SimAccount = T1, **settings: object
) -> HuaweiCloudProvider:
    account = PartnerAccount(
        id=f"hw-{sim.name.lower()}",
        provider="huaweicloud",
        name=sim.name,
        role=sim.role,
        endpoint=ENDPOINT,
        program=PROGRAM,
        settings={"domain_id": sim.domain_id, **settings},
    )
    credentials = {"access_key": Secret(sim.access_key), "secret_key": Secret(sim.secret_key)}
    return HuaweiCloudProvider(account, credentials, http, clock=clock, sleep=NoSleep())


def partner(app: SimulatorApp, sim: SimAccount = T1) -> PartnerState:
    found = app.simulator.by_access_key(sim.access_key)
    assert found is not None
    return found
