"""Shared pieces of the Huawei Cloud adapter tests: two seeded partner accounts and a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from starlette.applications import Starlette

from adapters.huaweicloud._signing import SdkHmacAuth
from adapters.huaweicloud.simulator import SimAccount, SimulatorApp, SimulatorState, create_app
from gateway.models import PartnerRole, Secret

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
