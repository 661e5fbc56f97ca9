"""AliyunProvider.consumption against the simulator: paid orders (source ORDERS) by the month they were paid."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from adapters.aliyun import AliyunProvider
from adapters.aliyun.simulator import AgencySimulator, PartnerState, SimulatedClock
from adapters.aliyun.simulator._records import Order, OrderStatus
from gateway.errors import InvalidInput, UnsupportedByProvider
from gateway.models import ChargeMode, ConsumptionSource, Money, month_of
from gateway.provider import Capability
from tests.adapters.aliyun.conftest import DISTRIBUTOR, RESELLER, CountingTransport, account_for, credentials_for

pytestmark = pytest.mark.anyio

CHINA = timezone(timedelta(hours=8))


def state(simulator: AgencySimulator, partner: object = DISTRIBUTOR) -> PartnerState:
    return simulator.state.partners[partner.access_key_id]  # type: ignore[attr-defined]


def months_back(clock: SimulatedClock, back: int) -> str:
    local = clock().astimezone(CHINA)
    year, month = divmod(local.year * 12 + local.month - 1 - back, 12)
    return f"{year:04d}-{month + 1:02d}"


def paid_in(orders: list[Order], month: str) -> list[Order]:
    return [
        o
        for o in orders
        if o.status == OrderStatus.PAID and o.paid_at and month_of(o.paid_at.astimezone(CHINA).date()) == month
    ]


def signed(order: Order) -> Decimal:
    return -order.amount_due if order.order_type == "REFUND" else order.amount_due


async def test_every_customer_has_thirteen_months_of_paid_orders(
    simulator: AgencySimulator, clock: SimulatedClock
) -> None:
    orders = state(simulator).orders
    for account in (a for a in state(simulator).accounts if a.user_type in (1, 2)):
        mine = [o for o in orders if o.customer_uid == account.uid]
        months = {month_of(o.paid_at.astimezone(CHINA).date()) for o in mine if o.paid_at}
        assert {months_back(clock, back) for back in range(1, 14)} <= months, account.uid


async def test_a_months_summary_is_the_sum_of_its_paid_orders(
    provider: AliyunProvider, simulator: AgencySimulator, clock: SimulatedClock, transport: CountingTransport
) -> None:
    assert Capability.CONSUMPTION in provider.capabilities
    month = months_back(clock, 2)
    upstream = paid_in(state(simulator).orders, month)
    assert len(upstream) > 45  # a renewal from every customer, and some of the seed's random orders
    lines = await provider.consumption(month)
    assert transport.actions() == ["GetCustomerOrderList"] * ((len(upstream) + 49) // 50)
    want: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for order in upstream:
        want[str(order.customer_uid), order.product_code] += signed(order)
    got = {(line.customer_id, line.product_code): line.amount.amount for line in lines}
    assert got == dict(want)
    assert all(line.source is ConsumptionSource.ORDERS and line.day is None and line.month == month for line in lines)
    assert all(line.amount.currency == "CNY" and isinstance(line.amount.amount, Decimal) for line in lines)
    assert {line.charge_mode for line in lines} <= {ChargeMode.SUBSCRIPTION, ChargeMode.OTHER}


async def test_itemised_lines_are_the_orders_of_one_customer_by_paid_day(
    provider: AliyunProvider, simulator: AgencySimulator, clock: SimulatedClock
) -> None:
    month = months_back(clock, 1)
    customer = next(a for a in state(simulator).accounts if a.user_type == 2)
    upstream = [o for o in paid_in(state(simulator).orders, month) if o.customer_uid == customer.uid]
    lines = await provider.consumption(month, customer_id=str(customer.uid), itemised=True)
    assert sorted(line.record_id or "" for line in lines) == sorted(str(o.order_id) for o in upstream)
    by_id = {str(o.order_id): o for o in upstream}
    for line in lines:
        order = by_id[line.record_id or ""]
        assert line.day == order.paid_at.astimezone(CHINA).date()  # type: ignore[union-attr]
        assert line.amount == Money(signed(order), "CNY")
        assert (line.product_code, line.product_name) == (order.product_code, order.product_name)
    summary = await provider.consumption(month, customer_id=str(customer.uid))
    assert sum(s.amount.amount for s in summary) == sum(line.amount.amount for line in lines)


async def test_consumption_moves_with_a_new_paid_order(
    provider: AliyunProvider, simulator: AgencySimulator, clock: SimulatedClock
) -> None:
    month = months_back(clock, 3)
    customer = next(a for a in state(simulator).accounts if a.user_type == 1)
    before = sum(line.amount.amount for line in await provider.consumption(month, customer_id=str(customer.uid)))
    template = next(o for o in state(simulator).orders if o.customer_uid == customer.uid and o.paid_at)
    paid = datetime.fromisoformat(f"{month}-15T12:00:00+08:00")
    state(simulator).orders.append(
        Order(9_000_000_000_000_001, customer.uid, customer.aliyun_id, customer.customer_bd, OrderStatus.PAID, "BUY",
              1, "oss", "对象存储 OSS", Decimal("123.45"), Decimal("0"), Decimal("0"), paid, paid, None, "SMB", "1")
    )  # fmt: skip
    after = await provider.consumption(month, customer_id=str(customer.uid))
    assert sum(line.amount.amount for line in after) == before + Decimal("123.45")
    assert template.customer_uid == customer.uid


async def test_a_future_month_and_an_invitee_ask_nothing(
    provider: AliyunProvider, clock: SimulatedClock, transport: CountingTransport
) -> None:
    future = (datetime.now(UTC) + timedelta(days=70)).astimezone(CHINA)
    assert await provider.consumption(f"{future.year:04d}-{future.month:02d}") == ()
    assert await provider.consumption(months_back(clock, 1), customer_id="invitation-1") == ()
    assert transport.actions() == []
    with pytest.raises(InvalidInput):
        await provider.consumption("2025-13")


async def test_a_resellers_consumption_is_its_paid_orders(
    provider: AliyunProvider, simulator: AgencySimulator, http: object
) -> None:
    orders = [o for o in state(simulator).sub_partner_orders if o.status == OrderStatus.PAID and o.paid_at]
    order = orders[0]
    month = month_of(order.paid_at.astimezone(CHINA).date())  # type: ignore[union-attr]
    lines = await provider.consumption(month, reseller_id=str(order.sub_partner_uid), itemised=True)
    want = {str(o.order_id) for o in paid_in(orders, month) if o.sub_partner_uid == order.sub_partner_uid}
    assert {line.record_id for line in lines} == want
    assert {line.reseller_id for line in lines} == {str(order.sub_partner_uid)}
    reseller = AliyunProvider(account_for(RESELLER), credentials_for(RESELLER), http)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedByProvider):
        await reseller.consumption(month, reseller_id=str(order.sub_partner_uid))
