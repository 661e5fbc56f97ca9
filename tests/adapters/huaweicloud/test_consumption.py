"""HuaweiCloudProvider.consumption against the in-process simulator: H.6.1 sums, H.6.2 records, H.6.3 consumers.

The simulator's fee records are the truth; the provider's summary of a month (H.6.1, plus advisory
customers' records) must equal the sum of its itemised lines (H.6.2) for every customer, to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import httpx
import pytest

from adapters.huaweicloud.simulator import SimulatorApp
from adapters.huaweicloud.simulator._history import fee_records
from gateway.errors import InvalidInput
from gateway.models import ChargeMode, ConsumptionLine, ConsumptionSource
from gateway.provider import Capability

from .conftest import ENDPOINT, T1, T2, Clock, Traffic, partner, provider_for

pytestmark = pytest.mark.anyio

MONTH = "2025-02"  # NOW is 2025-03-01 08:00 UTC (16:00 in UTC+8): February is complete


def _by_product(lines: Iterable[ConsumptionLine]) -> dict[tuple[str, str, ChargeMode], Decimal]:
    sums: dict[tuple[str, str, ChargeMode], Decimal] = defaultdict(Decimal)
    for line in lines:
        sums[(line.customer_id, line.product_code, line.charge_mode)] += line.amount.amount
    return dict(sums)


async def _consumers(http: httpx.AsyncClient, clock: Clock, month: str) -> set[str]:
    client = provider_for(http, clock).client
    found: set[str] = set()
    while True:
        data = await client.list_consume_sub_customers({"bill_cycle": month, "offset": len(found), "limit": 10})
        found |= {entry["customer_id"] for entry in data["sub_customers"]}
        if len(found) >= data["total_count"]:
            return found


async def test_a_months_summary_equals_its_itemised_lines_for_every_customer(
    moving_http: httpx.AsyncClient, moving_app: SimulatorApp, clock: Clock
) -> None:
    provider = provider_for(moving_http, clock, page_size=7)  # every page read, in pages of 7
    assert Capability.CONSUMPTION in provider.capabilities
    summary = await provider.consumption(MONTH)
    consumers = await _consumers(moving_http, clock, MONTH)
    assert {line.customer_id for line in summary} == consumers
    customers = {c.customer_id: c for c in partner(moving_app).customers}
    assert {customers[c].association_type for c in consumers} == {"1", "2"}  # advisory and resale
    assert len({(line.customer_id, line.product_code, line.charge_mode) for line in summary}) == len(summary)
    assert {line.charge_mode for line in summary} == {ChargeMode.SUBSCRIPTION, ChargeMode.PAY_PER_USE}
    for line in summary:
        assert (line.month, line.source, line.amount.currency, line.day, line.record_id) == (
            MONTH,
            ConsumptionSource.BILL,
            "CNY",
            None,
            None,
        )
        assert line.product_code.startswith("hws.service.type.")
        assert line.product_name != line.product_code
    itemised: list[ConsumptionLine] = []
    for customer_id in sorted(consumers):
        lines = await provider.consumption(MONTH, customer_id=customer_id, itemised=True)
        assert lines
        assert {line.customer_id for line in lines} == {customer_id}
        itemised.extend(lines)
    assert _by_product(summary) == _by_product(itemised)
    for line in itemised:
        assert line.day is not None
        assert date(2025, 2, 1) <= line.day <= date(2025, 2, 28)
        assert line.region
        assert line.record_id
        assert line.reseller_id is None
    # the simulator's own records agree to the cent
    state, t1 = moving_app.simulator, partner(moving_app)
    truth = sum(r.payment_amount for c in t1.customers for r in fee_records(state, t1, c, MONTH))
    assert sum(line.amount.amount for line in summary) == truth


async def test_refunds_are_negative_in_both_views(moving_http: httpx.AsyncClient, clock: Clock) -> None:
    provider = provider_for(moving_http, clock)
    for month in ("2025-02", "2025-01", "2024-12", "2024-11", "2024-10", "2024-09"):
        consumers = sorted(await _consumers(moving_http, clock, month))
        for customer_id in consumers:
            lines = await provider.consumption(month, customer_id=customer_id, itemised=True)
            refunds = [line for line in lines if line.amount.amount < 0]
            if refunds:
                assert {line.charge_mode for line in refunds} == {ChargeMode.SUBSCRIPTION}
                summary = await provider.consumption(month, customer_id=customer_id)
                assert _by_product(summary) == _by_product(lines)
                return
    pytest.fail("no refund in six months of history")


async def test_history_goes_back_thirteen_months_and_not_into_the_future(
    moving_http: httpx.AsyncClient, moving_app: SimulatorApp, clock: Clock
) -> None:
    provider = provider_for(moving_http, clock)
    for month in ("2024-02", "2024-06", "2024-10", "2025-01"):
        assert await provider.consumption(month), month
    assert await provider.consumption("2025-04") == ()
    current = await provider.consumption("2025-03")
    state, t1 = moving_app.simulator, partner(moving_app)
    assert all(r.trade_time <= clock.now for c in t1.customers for r in fee_records(state, t1, c, "2025-03"))
    clock.advance(days=12)  # the month's first settlements fall due
    later = await provider.consumption("2025-03")
    assert sum(line.amount.amount for line in later) > sum(line.amount.amount for line in current)


async def test_a_tier2s_customers_through_reseller_id(
    moving_http: httpx.AsyncClient, moving_app: SimulatorApp, clock: Clock
) -> None:
    provider = provider_for(moving_http, clock)
    summary = await provider.consumption(MONTH, reseller_id=T2.domain_id)
    assert summary
    assert {line.reseller_id for line in summary} == {T2.domain_id}
    t2_customers = {c.customer_id for c in partner(moving_app, T2).customers}
    assert {line.customer_id for line in summary} <= t2_customers
    itemised: list[ConsumptionLine] = []
    for customer_id in {line.customer_id for line in summary}:
        lines = await provider.consumption(MONTH, customer_id=customer_id, reseller_id=T2.domain_id, itemised=True)
        assert {line.reseller_id for line in lines} == {T2.domain_id}  # fee_records[].partner_id
        itemised.extend(lines)
    assert _by_product(summary) == _by_product(itemised)
    # without indirect_partner_id a tier-1 sees none of a tier-2 customer's consumption (H.6.2)
    some = next(iter(t2_customers & {line.customer_id for line in summary}))
    assert await provider.consumption(MONTH, customer_id=some, itemised=True) == ()
    assert await provider.consumption(MONTH, customer_id=some) == ()


async def test_consumption_added_now_moves_every_view(
    moving_http: httpx.AsyncClient, moving_app: SimulatorApp, clock: Clock
) -> None:
    provider = provider_for(moving_http, clock)
    customers = partner(moving_app).customers
    resale = next(c.customer_id for c in customers if c.is_resale)
    advisory = next(c.customer_id for c in customers if not c.is_resale)
    before = {c: await provider.consumption("2025-03", customer_id=c) for c in (resale, advisory)}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=moving_app), base_url=ENDPOINT) as control:
        for customer_id, body in (
            (resale, {"amount": "123.45", "cloud_service_type": "hws.service.type.ec2", "charge_mode": 3}),
            (resale, {"amount": "-20.00", "cloud_service_type": "hws.service.type.rds", "charge_mode": 1}),
            (advisory, {"amount": "7.01", "cloud_service_type": "hws.service.type.obs", "region": "cn-east-3"}),
        ):
            added = await control.post("/_simulator/consumption", json={"customer_id": customer_id, **body})
            assert added.status_code == 201, added.text
        refused = await control.post("/_simulator/consumption", json={"customer_id": "nobody", "amount": "1"})
        assert refused.status_code == 400
    after = {c: await provider.consumption("2025-03", customer_id=c) for c in (resale, advisory)}
    delta = {
        key: value - _by_product(before[key[0]]).get(key, Decimal(0))
        for c in (resale, advisory)
        for key, value in _by_product(after[c]).items()
    }
    assert {key: value for key, value in delta.items() if value} == {
        (resale, "hws.service.type.ec2", ChargeMode.PAY_PER_USE): Decimal("123.45"),
        (resale, "hws.service.type.rds", ChargeMode.SUBSCRIPTION): Decimal("-20.00"),
        (advisory, "hws.service.type.obs", ChargeMode.PAY_PER_USE): Decimal("7.01"),
    }
    assert {resale, advisory} <= await _consumers(moving_http, clock, "2025-03")
    (obs,) = [
        line
        for line in await provider.consumption("2025-03", customer_id=advisory, itemised=True)
        if line.product_code == "hws.service.type.obs" and line.amount.amount == Decimal("7.01")
    ]
    assert (obs.day, obs.region, obs.product_name) == (date(2025, 3, 1), "cn-east-3", "对象存储服务")


async def test_bad_months_and_itemised_reads_without_a_customer_are_refused(
    moving_http: httpx.AsyncClient, clock: Clock
) -> None:
    provider = provider_for(moving_http, clock)
    with pytest.raises(InvalidInput):
        await provider.consumption("2025-13")
    with pytest.raises(InvalidInput):
        await provider.consumption(MONTH, itemised=True)  # H.6.2 needs a customer
    customer_id = "0" * 32
    with pytest.raises(InvalidInput):
        await provider.consumption("2023-08", customer_id=customer_id, itemised=True)  # beyond 18 months
    assert await provider.consumption("2023-08") == ()  # the summary of so old a month is empty, not an error


async def test_a_tier2_reads_its_own_customers(moving_app: SimulatorApp, clock: Clock) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=moving_app), base_url=ENDPOINT) as http:
        provider = provider_for(http, clock, T2)
        assert Capability.CONSUMPTION in provider.capabilities
        summary = await provider.consumption(MONTH)
        assert summary
        assert {line.reseller_id for line in summary} == {None}
        tier1 = provider_for(http, clock, T1)
        through_t1 = await tier1.consumption(MONTH, reseller_id=T2.domain_id)
        assert _by_product(summary) == _by_product(through_t1)


async def test_the_other_h6_client_methods_reach_their_operations(
    moving_http: httpx.AsyncClient, moving_app: SimulatorApp, clock: Clock, traffic: Traffic
) -> None:
    client = provider_for(moving_http, clock).client
    records = await client.list_partner_coupons_record({"operation_types": ["1", "4"], "limit": 100})
    assert {r["operation_type"] for r in records["records"]} == {"1", "4"}  # the list went as repeated keys
    assert isinstance(records["records"][0]["operation_amount"], Decimal)
    own = await client.list_sub_customer_coupons({"offset": 0, "limit": 100})
    assert own["count"] == len(partner(moving_app).own_coupons) - 1
    tags = await client.list_sub_customer_new_tag({"offset": 0, "limit": 5})
    assert len(tags["new_customer_tags"]) == 5
    policies = await client.list_incentive_discount_policies({"time": "2025-02", "limit": 100})
    assert policies["total_count"] == 8
    product = {
        "id": "1",
        "cloud_service_type": "hws.service.type.ec2",
        "resource_type": "hws.resource.type.vm",
        "resource_spec": "s6.small.1.linux",
        "region": "cn-north-4",
        "period_type": 2,
        "period_num": 1,
        "subscription_num": 1,
    }
    rated = await client.list_rate_on_period_detail({"project_id": "p", "product_infos": [product]})
    assert rated["official_website_rating_result"]["official_website_amount"] == Decimal("55.44")
    services = await client.list_service_types({"limit": 100}, language="en_US")
    assert services["total_count"] == 8
    assert (await client.list_resource_types({"limit": 100}))["total_count"] == 9
    vpc = await client.list_service_resources({"service_type_code": "hws.service.type.vpc"})
    assert vpc["total_count"] == 2
    assert (await client.list_usage_types({"resource_type_code": "hws.resource.type.obs"}))["total_count"] == 2
    assert {u["measure_id"] for u in (await client.list_measure_units())["measure_units"]} >= {1, 10, 17}
    assert (await client.list_conversions({"measure_type": 3}))["conversions"]
    assert "/v2/bases/conversions" in traffic.paths
