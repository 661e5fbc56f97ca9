"""The upstream timeout is the app's: each provider sends its requests with the timeout of the
``httpx.AsyncClient`` it is given (the app builds that client from the gateway's configuration).

Over real HTTP (``httpx.ASGITransport`` enforces no timeout), against a simulator whose operation is
slowed far beyond a short client timeout: a read gives up as ``PROVIDER_UNAVAILABLE`` after its retries,
a write after one attempt with ``outcome_unknown`` (it may still land). With the adapters' former fixed
15 s timeout both calls would have waited for the slow reply and succeeded.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind, FaultPlan
from adapters.aliyun import AliyunProvider
from adapters.aliyun.simulator import create_app as aliyun_app
from adapters.huaweicloud import HuaweiCloudProvider
from adapters.huaweicloud._plugin import PROGRAM as HUAWEI_PROGRAM
from adapters.huaweicloud.simulator import create_app as huawei_app
from gateway.errors import ProviderUnavailable
from gateway.models import AccountType, Money, PartnerAccount, Secret
from gateway.provider import Provider
from gateway.writes import Intent, SetCreditLine, TransferFunds
from tests.adapters.aliyun.conftest import DISTRIBUTOR, account_for, credentials_for
from tests.adapters.huaweicloud.conftest import SEED, T1
from tests.support.servers import live_server
from tests.support.sleeps import Sleeps

pytestmark = pytest.mark.anyio

SHORT = httpx.Timeout(0.2)
SLOW_MS = 1500.0  # far beyond SHORT, and far below the 15 s the adapters used to impose


@dataclass
class Upstream:
    """A simulator served over HTTP, how to build a provider on it, a read and a write to slow down."""

    app: object
    faults: FaultPlan
    provider: Callable[[httpx.AsyncClient], Provider]
    read: str
    write: str
    intent: Callable[[Provider], Awaitable[Intent]]


def _aliyun() -> Upstream:
    simulator = aliyun_app([DISTRIBUTOR], seed=7)

    def provider(http: httpx.AsyncClient) -> Provider:
        return AliyunProvider(account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR), http, sleep=Sleeps())

    async def intent(provider: Provider) -> Intent:
        uid = (await provider.list_customers(0, 1)).items[0].native_id
        return SetCreditLine(customer_id=uid, amount=Money(Decimal("10.00"), "CNY"))

    return Upstream(simulator, simulator.faults, provider, "GetAccountInfo", "SetCreditLine", intent)


def _huawei() -> Upstream:
    app = huawei_app([T1], seed=SEED)
    account = PartnerAccount(
        id="hw-t1",
        provider="huaweicloud",
        name="T1",
        role=T1.role,
        program=HUAWEI_PROGRAM,
        endpoint="https://bss.example",
        settings={"domain_id": T1.domain_id},
    )
    credentials = {"access_key": Secret(T1.access_key), "secret_key": Secret(T1.secret_key)}

    def provider(http: httpx.AsyncClient) -> Provider:
        return HuaweiCloudProvider(account, credentials, http, sleep=Sleeps())

    async def intent(provider: Provider) -> Intent:
        customer = next(c for c in (await provider.list_customers(0, 20)).items if c.account_type is AccountType.RESALE)
        return TransferFunds(customer_id=customer.native_id, amount=Money(Decimal("1.00"), "CNY"))

    return Upstream(app, app.faults, provider, "list_sub_customers", "update_customer_account_amount", intent)


@pytest.mark.parametrize("make", [_aliyun, _huawei], ids=["aliyun", "huaweicloud"])
async def test_a_short_client_timeout_fails_reads_and_writes_fast(make: Callable[[], Upstream]) -> None:
    upstream = make()
    sent: list[httpx.Request] = []

    async def count(request: httpx.Request) -> None:
        sent.append(request)

    with live_server(upstream.app) as url:
        async with httpx.AsyncClient(base_url=url, timeout=SHORT, event_hooks={"request": [count]}) as http:
            provider = upstream.provider(http)
            intent = await upstream.intent(provider)  # answered at once: no fault yet

            upstream.faults.add(Fault(FaultKind.LATENCY, upstream.read, SLOW_MS))
            sent.clear()
            started = time.monotonic()
            with pytest.raises(ProviderUnavailable) as read:
                await provider.ping()  # one read: GetAccountInfo / list_sub_customers
            assert time.monotonic() - started < SLOW_MS / 1000  # every attempt gave up before the reply
            assert read.value.code == "PROVIDER_UNAVAILABLE"
            assert isinstance(read.value.__cause__, httpx.ReadTimeout)
            assert len(sent) == 3  # a read is retried, each attempt within the same short timeout

            upstream.faults.add(Fault(FaultKind.LATENCY, upstream.write, SLOW_MS))
            sent.clear()
            started = time.monotonic()
            with pytest.raises(ProviderUnavailable) as write:
                await provider.execute(intent)
            assert time.monotonic() - started < SLOW_MS / 1000
            assert write.value.outcome_unknown  # sent, so it may land: reconciled, never resent blindly
            assert len(sent) == 1  # one attempt only
