from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from adapters.aliyun import AliyunProvider
from adapters.aliyun._plugin import PROGRAM
from adapters.aliyun._roles import PartnerRole
from adapters.aliyun.simulator import AgencySimulator, SimulatedClock, SimulatedPartner, create_app
from gateway.models import PartnerAccount, Secret

ENDPOINT = "https://agency.aliyuncs.com"
DISTRIBUTOR = SimulatedPartner(
    access_key_id="LTAI5tTestDistributor",
    access_key_secret="test-secret-distributor",
    role=PartnerRole.DISTRIBUTOR,
    name="Test distributor",
    customers=45,
)
RESELLER = SimulatedPartner(
    access_key_id="LTAI5tTestReseller",
    access_key_secret="test-secret-reseller",
    role=PartnerRole.RESELLER,
    name="Test reseller",
    customers=31,
)


def credentials_for(partner: SimulatedPartner, *, secret: str | None = None) -> dict[str, Secret]:
    return {
        "access_key_id": Secret(partner.access_key_id),
        "access_key_secret": Secret(secret or partner.access_key_secret),
    }


def account_for(partner: SimulatedPartner, **settings: object) -> PartnerAccount:
    return PartnerAccount(
        id=f"test-{partner.role.value}",
        provider="aliyun",
        name=partner.name,
        role=partner.role,
        endpoint=ENDPOINT,
        program=PROGRAM,
        settings=settings,
    )


@pytest.fixture
def clock() -> SimulatedClock:
    # The signer uses the real clock, so the simulated one starts at "now".
    return SimulatedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def simulator(clock: SimulatedClock) -> AgencySimulator:
    return create_app([DISTRIBUTOR, RESELLER], seed=7, clock=clock)


class CountingTransport(httpx.AsyncBaseTransport):
    """The simulator in-process, counting the upstream requests per action."""

    def __init__(self, app: AgencySimulator) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self.requests: list[httpx.Request] = []
        self.request_ids: list[str | None] = []
        """``x-acs-request-id`` of each answer, in order (None when the connection dropped)."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.request_ids.append(None)
        response = await self._inner.handle_async_request(request)
        self.request_ids[-1] = response.headers.get("x-acs-request-id")
        return response

    def actions(self) -> list[str]:
        """The Agency Action of each request sent, in order."""
        return [r.headers["x-acs-action"] for r in self.requests]


@pytest.fixture
def transport(simulator: AgencySimulator) -> CountingTransport:
    return CountingTransport(simulator)


@pytest.fixture
async def http(transport: CountingTransport) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=ENDPOINT, transport=transport) as client:
        yield client


@pytest.fixture
def provider(http: httpx.AsyncClient) -> AliyunProvider:
    return AliyunProvider(account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR), http)
