"""Every read method of HuaweiCloudProvider against the in-process simulator (httpx.ASGITransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from starlette.applications import Starlette

from adapters._simkit.faults import Fault, FaultKind
from adapters.huaweicloud import HuaweiCloudProvider
from adapters.huaweicloud._plugin import PROGRAM
from adapters.huaweicloud.provider import FUNDS_BATCH
from adapters.huaweicloud.simulator import SimAccount, SimulatorApp, SimulatorState, create_app
from gateway.errors import InvalidInput, ProviderError, ProviderUnavailable, UnsupportedByProvider
from gateway.models import (
    AccountType,
    BalanceKind,
    Funds,
    LedgerKind,
    PartnerAccount,
    PriceItem,
    PriceRequest,
    RegionLevel,
    Secret,
    VoucherQuotaStatus,
    VoucherStatus,
)
from gateway.provider import Capability
from tests.support.rounds import Rounds, RoundsTransport
from tests.support.sleeps import Sleeps

from .conftest import ENDPOINT, NOW, OTHER_T1, SEED, T1, T2, fixed_clock


class Counter:
    """Counts upstream requests per path through an httpx event hook (no patching)."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, request: httpx.Request) -> None:
        self.paths.append(request.url.path)


@pytest.fixture
def counter() -> Counter:
    return Counter()


@pytest.fixture
async def http(app: Starlette, counter: Counter) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=ENDPOINT, event_hooks={"request": [counter]}) as client:
        yield client


def _account(sim: SimAccount, **settings: object) -> PartnerAccount:
    return PartnerAccount(
        id=f"hw-{sim.name.lower()}", provider="huaweicloud", name=sim.name, role=sim.role, endpoint=ENDPOINT,
        program=PROGRAM, settings={"domain_id": sim.domain_id, **settings},
    )  # fmt: skip


def _credentials(sim: SimAccount) -> dict[str, Secret]:
    return {"access_key": Secret(sim.access_key), "secret_key": Secret(sim.secret_key)}


def _provider(
    http: httpx.AsyncClient, sim: SimAccount = T1, sleep: Sleeps | None = None, **settings: object
) -> HuaweiCloudProvider:
    return HuaweiCloudProvider(_account(sim, **settings), _credentials(sim), http, clock=fixed_clock(), sleep=sleep)


def _partner(state: SimulatorState, sim: SimAccount = T1):  # type: ignore[no-untyped-def]
    return state.by_access_key(sim.access_key)


@pytest.mark.anyio
async def test_customer_funds_is_one_batch_call(
    http: httpx.AsyncClient, state: SimulatorState, counter: Counter
) -> None:
    customers = _partner(state).customers
    ids = [c.customer_id for c in customers[:20]] + ["unknown"]
    funds = await _provider(http).customer_funds(ids)
    assert counter.paths == ["/v2/accounts/customer-accounts/balances/batch-query"]
    resale = {c.customer_id: c for c in customers[:20] if c.is_resale}
    assert set(funds) == set(resale)  # advisory and unknown customers are absent
    for customer_id, found in funds.items():
        assert found.available.amount == resale[customer_id].amount
        assert found.available.currency == "CNY"
        assert found.debt is not None
        assert found.debt.amount == resale[customer_id].debt_amount
    assert await _provider(http).customer_funds([]) == {}
    assert len(counter.paths) == 1


@pytest.mark.anyio
async def test_a_failing_balance_call_fails_only_the_ids_it_carried() -> None:
    app = create_app([T1], seed=SEED, clock=fixed_clock(), customers_per_account=FUNDS_BATCH + 30)
    customers = app.state.simulator.by_access_key(T1.access_key).customers
    ids = [c.customer_id for c in customers]
    first, second = ids[:FUNDS_BATCH], ids[FUNDS_BATCH:]  # two list_customers_balances_detail calls
    app.faults.add(Fault(FaultKind.SERVER_ERROR, "list_customers_balances_detail", 503.0, match=second[5]))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ENDPOINT) as http:
        funds = await _provider(http, sleep=Sleeps()).customer_funds(ids)
    for customer_id in second:
        assert isinstance(funds[customer_id], ProviderUnavailable)  # the failed call's ids carry its error
    resale = {c.customer_id for c in customers[:FUNDS_BATCH] if c.is_resale}
    assert {i for i in first if isinstance(funds.get(i), Funds)} == resale  # the other call's stand


@pytest.mark.anyio
async def test_a_failing_reseller_balance_fails_only_that_reseller(app: SimulatorApp, http: httpx.AsyncClient) -> None:
    app.faults.add(Fault(FaultKind.SERVER_ERROR, "list_partner_balances", 503.0, match=T2.domain_id))
    funds = await _provider(http, sleep=Sleeps()).reseller_funds([T2.domain_id, OTHER_T1.domain_id])
    assert isinstance(funds[T2.domain_id], ProviderUnavailable)
    assert isinstance(funds[OTHER_T1.domain_id], ProviderError)  # not this partner's: refused on its own


@pytest.mark.anyio
async def test_per_id_reads_go_out_at_once() -> None:
    app = create_app([T1, T2], seed=SEED, clock=fixed_clock(), customers_per_account=2 * FUNDS_BATCH + 10)
    ids = [c.customer_id for c in app.state.simulator.by_access_key(T1.access_key).customers]
    rounds = Rounds()
    transport = RoundsTransport(httpx.ASGITransport(app=app), rounds)
    async with httpx.AsyncClient(transport=transport, base_url=ENDPOINT) as http:
        provider = _provider(http)
        funds = await provider.customer_funds(ids)
        assert funds
        assert [len(r) for r in rounds.rounds] == [3]  # three balance batches, in one round
        rounds.clear()
        assert (await provider.get_customers(ids[:4])).keys() == set(ids[:4])
        assert [len(r) for r in rounds.rounds] == [4]  # one filtered lookup per id, all at once
        rounds.clear()
        await provider.reseller_funds([T2.domain_id, OTHER_T1.domain_id, "r3"])
        assert [len(r) for r in rounds.rounds] == [3]


@pytest.mark.anyio
async def test_partner_balances(http: httpx.AsyncClient, state: SimulatorState) -> None:
    balances = {b.kind: b for b in await _provider(http).partner_balances()}
    assert set(balances) == {BalanceKind.CASH, BalanceKind.CREDIT, BalanceKind.BONUS, BalanceKind.ALLOCATABLE}
    allocatable = balances[BalanceKind.ALLOCATABLE]
    assert allocatable.amount.amount == _partner(state).balances[8]
    assert isinstance(allocatable.amount.amount, Decimal)  # a float on the wire, never a float here
    assert allocatable.designated is not None
    assert allocatable.designated.amount == Decimal("20000.00")
    credit_limit = balances[BalanceKind.CREDIT].credit_limit
    assert credit_limit is not None
    assert credit_limit.amount == Decimal("100000.00")


@pytest.mark.anyio
async def test_resellers_their_customers_and_funds(http: httpx.AsyncClient, state: SimulatorState) -> None:
    provider = _provider(http)
    page = await provider.list_resellers(0, 10)
    assert page.total == 1
    (reseller,) = page.items
    assert (reseller.native_id, reseller.name) == (T2.domain_id, "T2")
    assert (await provider.get_resellers([T2.domain_id, "nope"])).keys() == {T2.domain_id}
    customers = await provider.list_reseller_customers(T2.domain_id, 0, 5)
    assert customers.total == len(_partner(state, T2).customers)
    assert [c.native_id for c in customers.items] == [c.customer_id for c in _partner(state, T2).customers[:5]]
    funds = await provider.reseller_funds([T2.domain_id])
    assert funds[T2.domain_id].available.amount == _partner(state, T2).balances[8]
    tier2 = _provider(http, T2)
    assert Capability.LIST_RESELLERS not in tier2.capabilities
    with pytest.raises(UnsupportedByProvider):
        await tier2.list_resellers(0, 10)


@pytest.mark.anyio
async def test_get_customers_by_filter_and_by_scan(
    http: httpx.AsyncClient, state: SimulatorState, counter: Counter
) -> None:
    ids = [c.customer_id for c in _partner(state).customers]
    few = await _provider(http).get_customers([ids[3], ids[4], "nope"])
    assert few.keys() == {ids[3], ids[4]}
    assert len(counter.paths) == 3
    counter.paths.clear()
    many = await _provider(http, page_size=20).get_customers(ids[:10])
    assert many.keys() == set(ids[:10])
    assert many[ids[0]].account_type in (AccountType.ADVISORY, AccountType.RESALE)
    assert len(counter.paths) == 2  # 36 customers, 20 a page


@pytest.mark.anyio
async def test_vouchers_and_quotas(http: httpx.AsyncClient, state: SimulatorState) -> None:
    provider = _provider(http)
    coupons = _partner(state).coupons
    page = await provider.list_vouchers(0, 100)
    assert page.total == len(coupons)
    assert {v.status for v in page.items} >= {VoucherStatus.AVAILABLE, VoucherStatus.USED_UP, VoucherStatus.RECLAIMED}
    first = page.items[0]
    assert (first.native_id, first.face_value.amount) == (coupons[0].coupon_id, coupons[0].face_value)
    mine = await provider.list_vouchers(0, 10, customer_id=coupons[0].customer_id)
    assert {v.customer_id for v in mine.items} == {coupons[0].customer_id}
    assert (await provider.get_vouchers([coupons[1].coupon_id])).keys() == {coupons[1].coupon_id}

    own = await provider.list_voucher_quotas(0, 10)
    assert own.total == 3
    assert [q.status for q in own.items] == [
        VoucherQuotaStatus.ACTIVE,
        VoucherQuotaStatus.ACTIVE,
        VoucherQuotaStatus.INVALID,
    ]
    granted = await provider.list_voucher_quotas(0, 10, reseller_id=T2.domain_id)
    (quota,) = granted.items
    assert (quota.reseller_id, quota.parent_id, quota.total.amount) == (
        T2.domain_id,
        own.items[0].native_id,
        Decimal("6000.00"),
    )


@pytest.mark.anyio
async def test_orders_default_to_the_year_up_to_now(http: httpx.AsyncClient, state: SimulatorState) -> None:
    provider = _provider(http)
    orders = _partner(state).orders
    page = await provider.list_orders(0, 100)
    assert page.total == len(orders)  # all seeded orders are within the last year
    newest = max(orders, key=lambda o: o["create_time"])
    assert page.items[0].native_id == newest["order_id"]
    assert page.items[0].list_price is not None
    assert page.items[0].list_price.amount == newest["official_amount"]
    month = await provider.list_orders(0, 100, since=NOW - timedelta(days=30))
    assert month.total == sum(
        o["create_time"] >= (NOW - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ") for o in orders
    )
    one = orders[3]
    mine = await provider.list_orders(0, 100, customer_id=one["customer_id"])
    assert {o.customer_id for o in mine.items} == {one["customer_id"]}
    assert (await provider.get_orders([one["order_id"]])).keys() == {one["order_id"]}
    with pytest.raises(InvalidInput):
        await provider.list_orders(0, 10, since=NOW - timedelta(days=400), until=NOW)


@pytest.mark.anyio
async def test_ledger_regions_and_price(http: httpx.AsyncClient, state: SimulatorState) -> None:
    provider = _provider(http)
    ledger = await provider.list_ledger(0, 5)
    assert ledger.total == len(_partner(state).adjust_records)
    assert all(entry.kind is LedgerKind.ALLOCATION for entry in ledger.items)
    assert ledger.items[0].transaction_id == _partner(state).adjust_records[-1]["trans_id"]  # newest first
    provinces = await provider.list_regions(RegionLevel.PROVINCE)
    assert ("440000", "广东省") in {(r.code, r.name) for r in provinces}
    cities = await provider.list_regions(RegionLevel.CITY, "440000")
    assert [(c.code, c.parent_code) for c in cities] == [("440100", "440000"), ("440300", "440000")]
    counties = await provider.list_regions(RegionLevel.COUNTY, "440300")
    assert [c.name for c in counties] == ["福田区", "南山区"]
    with pytest.raises(InvalidInput):
        await provider.list_regions(RegionLevel.CITY)
    with pytest.raises(UnsupportedByProvider):
        await provider.list_regions(RegionLevel.COUNTRY)
    item = PriceItem(region="cn-north-1", service_type="hws.service.type.ec2", resource_type="hws.resource.type.vm",
                     resource_spec="s6.small.1.linux", usage_value=Decimal("10"))  # fmt: skip
    quote = await provider.quote_price(PriceRequest("project-1", (item,)))
    assert (quote.list_price.amount, quote.discount.amount, quote.amount.amount) == (
        Decimal("1.100000"),
        Decimal("0.055000"),
        Decimal("1.045000"),
    )


@pytest.mark.anyio
async def test_no_notes(http: httpx.AsyncClient) -> None:
    provider = _provider(http)
    with pytest.raises(UnsupportedByProvider):
        await provider.list_notes("c1", 0, 10)
