"""The official SDK against the BSS simulator: bills (H.6.1-H.6.3) and the product catalogue (H.6.9).

Fee records (H.6.2) are the simulator's truth; each test reads one operation back through another: the
monthly sums (H.6.1) against the records, the consumers (H.6.3) against both, every code in a record
against the catalogue, and consumption added through ``/_simulator/consumption`` in all three.

SDK vs CONTRACTS.md, checked here: none in field names or types. The SDK drops a ``None`` parameter and
sends ``""`` as ``key=``, so the "empty string filters" rules (``service_type_code``, ``region_code``,
``resource_type_code``) are reachable through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from huaweicloudsdkbss.v2 import (
    ListConsumeSubCustomersReq,
    ListConsumeSubCustomersRequest,
    ListConversionsRequest,
    ListMeasureUnitsRequest,
    ListResourceTypesRequest,
    ListServiceResourcesRequest,
    ListServiceTypesRequest,
    ListSubCustomerBillDetailRequest,
    ListSubcustomerMonthlyBillsRequest,
    ListUsageTypesRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from adapters.huaweicloud.simulator._history import fee_records
from tests.adapters.huaweicloud.sdk_support import T1, T2, Served, serve


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    yield from serve()


def _month(months_back: int) -> str:
    local = datetime.now(UTC) + timedelta(hours=8)  # billing months are UTC+8
    index = local.year * 12 + local.month - 1 - months_back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


LAST = _month(1)


def _records(served: Served, month: str, account=T1):  # type: ignore[no-untyped-def]
    partner = served.partner(account)
    return {c.customer_id: fee_records(served.app.simulator, partner, c, month) for c in partner.customers}


def _refused(call) -> ClientRequestException:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientRequestException) as caught:
        call()
    return caught.value


def _all_sums(served: Served, month: str, mode: str, **filters: str):  # type: ignore[no-untyped-def]
    rows, offset = [], 0
    while True:
        request = ListSubcustomerMonthlyBillsRequest(cycle=month, charge_mode=mode, offset=offset, limit=50, **filters)
        response = served.client().list_subcustomer_monthly_bills(request)
        rows.extend(response.bill_sums)
        offset += 50
        if offset >= response.count:  # ``count``, not ``total_count`` (H.5 item 8)
            return rows


def test_list_subcustomer_monthly_bills(served: Served) -> None:
    records = _records(served, LAST)
    resale = {c.customer_id for c in served.partner(T1).customers if c.is_resale}
    rows = _all_sums(served, LAST, "3") + _all_sums(served, LAST, "1")
    assert rows
    assert {row.customer_id for row in rows} == {c for c, found in records.items() if found and c in resale}
    for row in rows:
        assert isinstance(row.amount, Decimal)
        assert row.measure_id == 1
        details = sum((d.amount for d in row.account_details), Decimal(0))
        assert row.amount == details + (row.debt_amount or 0)  # paid parts plus arrears
        mine = [
            r
            for r in records[row.customer_id]
            if (r.product.service_type, r.product.resource_type, str(r.charging_mode), r.bill_type)
            == (row.cloud_service_type, row.resource_type_code, row.charge_mode, row.bill_type)
        ]
        assert row.amount == sum(r.payment_amount for r in mine)
    refunds = [
        row for row in _all_sums(served, _month(2), "1", bill_type="1") + _all_sums(served, LAST, "1", bill_type="1")
    ]
    assert refunds
    for refund in refunds:
        assert refund.amount < 0
        assert refund.debt_amount is None
        assert refund.discount_amount is None
    first = served.client().list_subcustomer_monthly_bills(
        ListSubcustomerMonthlyBillsRequest(cycle=LAST, charge_mode="3", offset=0, limit=2)
    )
    assert len(first.bill_sums) == 2
    assert first.currency == "CNY"
    one = served.client().list_subcustomer_monthly_bills(
        ListSubcustomerMonthlyBillsRequest(cycle=LAST, charge_mode="3", customer_id=rows[0].customer_id, limit=50)
    )
    assert {row.customer_id for row in one.bill_sums} == {rows[0].customer_id}
    through_t1 = _all_sums(served, LAST, "3", indirect_partner_id=T2.domain_id)
    t2_customers = {c.customer_id for c in served.partner(T2).customers}
    assert through_t1
    assert {row.customer_id for row in through_t1} <= t2_customers
    for missing in ({"cycle": LAST}, {"charge_mode": "3"}):  # both required (Go SDK)
        refused = _refused(
            lambda missing=missing: served.client().list_subcustomer_monthly_bills(
                ListSubcustomerMonthlyBillsRequest(**missing)
            )
        )
        assert (refused.status_code, refused.error_code) == (400, "CBC.0100")
    bad = _refused(
        lambda: served.client().list_subcustomer_monthly_bills(
            ListSubcustomerMonthlyBillsRequest(cycle=LAST, charge_mode="2")
        )
    )
    assert bad.error_code == "CBC.0100"


def test_list_sub_customer_bill_detail(served: Served) -> None:
    records = _records(served, LAST)
    customer_id, mine = max(records.items(), key=lambda item: len(item[1]))
    client = served.client()
    response = client.list_sub_customer_bill_detail(
        ListSubCustomerBillDetailRequest(bill_cycle=LAST, customer_id=customer_id, limit=100, x_language="en_us")
    )
    assert response.total_count == len(mine)
    assert response.currency == "CNY"
    assert [r.id for r in response.fee_records] == [r.record_id for r in mine]
    first = response.fee_records[0]
    assert (first.bill_cycle, first.customer_id, first.partner_id) == (LAST, customer_id, T1.domain_id)
    assert isinstance(first.payment_amount, Decimal)
    assert isinstance(first.charging_mode, int)
    assert first.payment_amount == first.official_amount - first.official_discount_amount
    assert first.payment_amount == (
        first.cash_amount
        + first.credit_amount
        + first.coupon_amount
        + first.debt_amount
        + first.flexipurchase_coupon_amount
        + first.stored_value_card_amount
    )
    assert first.region_code
    assert first.region_name
    assert first.usage_type
    assert first.trade_time.endswith("Z")
    # paging, and the filters: "" filters service_type_code and region_code (matching nothing)
    page = client.list_sub_customer_bill_detail(
        ListSubCustomerBillDetailRequest(bill_cycle=LAST, customer_id=customer_id, offset=1, limit=2)
    )
    assert [r.id for r in page.fee_records] == [r.record_id for r in mine[1:3]]
    empty = client.list_sub_customer_bill_detail(
        ListSubCustomerBillDetailRequest(bill_cycle=LAST, customer_id=customer_id, service_type_code="")
    )
    assert empty.total_count == 0
    region = mine[0].region
    in_region = client.list_sub_customer_bill_detail(
        ListSubCustomerBillDetailRequest(bill_cycle=LAST, customer_id=customer_id, region_code=region, limit=100)
    )
    assert in_region.total_count == sum(r.region == region for r in mine)
    day = mine[0].day.isoformat()
    that_day = client.list_sub_customer_bill_detail(
        ListSubCustomerBillDetailRequest(
            bill_cycle=LAST, customer_id=customer_id, bill_date_begin=day, bill_date_end=day, limit=100
        )
    )
    assert that_day.total_count == sum(r.day.isoformat() == day for r in mine)
    alone = client.list_sub_customer_bill_detail(
        ListSubCustomerBillDetailRequest(bill_cycle=LAST, customer_id=customer_id, bill_date_begin=day)
    )
    assert alone.total_count == len(mine)  # begin without end: bill_cycle alone filters
    other_month = f"{_month(2)}-01"
    for request in (
        ListSubCustomerBillDetailRequest(bill_cycle=LAST),  # customer_id required
        ListSubCustomerBillDetailRequest(customer_id=customer_id),  # bill_cycle required
        ListSubCustomerBillDetailRequest(bill_cycle=_month(18), customer_id=customer_id),  # 18-month window
        ListSubCustomerBillDetailRequest(
            bill_cycle=LAST, customer_id=customer_id, bill_date_begin=other_month, bill_date_end=other_month
        ),
        ListSubCustomerBillDetailRequest(bill_cycle=LAST, customer_id=customer_id, resource_id=""),
    ):
        refused = _refused(lambda request=request: client.list_sub_customer_bill_detail(request))
        assert (refused.status_code, refused.error_code) == (400, "CBC.0100"), request
    assert (
        _refused(
            lambda: client.list_sub_customer_bill_detail(
                ListSubCustomerBillDetailRequest(bill_cycle=LAST, customer_id="ghost")
            )
        ).error_code
        == "CBC.99006008"
    )
    # an advisory customer has records here (H.6.2 covers both), not in H.6.1 (resale only)
    advisory = next(c.customer_id for c in served.partner(T1).customers if not c.is_resale and records[c.customer_id])
    listed = client.list_sub_customer_bill_detail(
        ListSubCustomerBillDetailRequest(bill_cycle=LAST, customer_id=advisory)
    )
    assert listed.total_count > 0
    assert listed.fee_records[0].association_type == "1"
    sums = _all_sums(served, LAST, "3", customer_id=advisory) + _all_sums(served, LAST, "1", customer_id=advisory)
    assert sums == []


def test_list_consume_sub_customers_and_consumption_added_now(served: Served) -> None:
    month = _month(0)

    def consumers() -> list[str]:
        body = ListConsumeSubCustomersReq(bill_cycle=month, offset=0, limit=100)
        response = served.client().list_consume_sub_customers(ListConsumeSubCustomersRequest(body=body))
        assert response.total_count == len(response.sub_customers)
        return [c.customer_id for c in response.sub_customers]

    before = consumers()
    assert before == [c for c, found in _records(served, month).items() if found]
    quiet = next(c for c in served.partner(T1).customers if c.is_resale and c.customer_id not in before)
    added = httpx.post(
        f"{served.url}/_simulator/consumption",
        json={"customer_id": quiet.customer_id, "amount": "66.60", "cloud_service_type": "hws.service.type.dcs"},
    )
    assert added.status_code == 201, added.text
    assert quiet.customer_id in consumers()
    detail = served.client().list_sub_customer_bill_detail(
        ListSubCustomerBillDetailRequest(bill_cycle=month, customer_id=quiet.customer_id, limit=100)
    )
    assert added.json()["id"] in [r.id for r in detail.fee_records]
    sums = served.client().list_subcustomer_monthly_bills(
        ListSubcustomerMonthlyBillsRequest(
            cycle=month, charge_mode="3", customer_id=quiet.customer_id, cloud_service_type="hws.service.type.dcs"
        )
    )
    assert sum(row.amount for row in sums.bill_sums) == sum(
        r.payment_amount
        for r in detail.fee_records
        if r.service_type_code == "hws.service.type.dcs" and r.charging_mode == 3
    )
    assert Decimal("66.60") <= sum(row.amount for row in sums.bill_sums)
    earlier = served.client().list_consume_sub_customers(
        ListConsumeSubCustomersRequest(body=ListConsumeSubCustomersReq(bill_cycle=LAST, offset=2, limit=3))
    )
    assert len(earlier.sub_customers) == 3
    assert earlier.total_count > 5
    assert (
        _refused(
            lambda: served.client().list_consume_sub_customers(
                ListConsumeSubCustomersRequest(body=ListConsumeSubCustomersReq())
            )
        ).error_code
        == "CBC.0100"
    )


def _codes_in_records(served: Served) -> list:  # type: ignore[type-arg]
    return [r for found in _records(served, LAST).values() for r in found]


def test_list_service_types(served: Served) -> None:
    response = served.client().list_service_types(ListServiceTypesRequest(limit=100))
    codes = {t.service_type_code for t in response.service_types}
    assert response.total_count == len(codes) >= 8
    assert {r.product.service_type for r in _codes_in_records(served)} <= codes
    fuzzy = served.client().list_service_types(ListServiceTypesRequest(service_type_name="云硬", x_language="zh_CN"))
    assert [(t.service_type_code, t.abbreviation) for t in fuzzy.service_types] == [("hws.service.type.ebs", "EVS")]
    page = served.client().list_service_types(ListServiceTypesRequest(offset=2, limit=3))
    assert len(page.service_types) == 3
    assert page.total_count == response.total_count


def test_list_resource_types(served: Served) -> None:
    response = served.client().list_resource_types(ListResourceTypesRequest(limit=100))
    assert response.total_count == len(response.resource_types)
    assert {r.product.resource_type for r in _codes_in_records(served)} <= {
        t.resource_type_code for t in response.resource_types
    }
    services = {
        t.service_type_code
        for t in served.client().list_service_types(ListServiceTypesRequest(limit=100)).service_types
    }
    assert {t.service_type_code for t in response.resource_types} <= services


def test_list_service_resources(served: Served) -> None:
    response = served.client().list_service_resources(
        ListServiceResourcesRequest(service_type_code="hws.service.type.vpc", limit=10)
    )
    assert response.total_count == 2
    assert {i.basic_info.resource_type_code for i in response.infos} == {
        "hws.resource.type.bandwidth",
        "hws.resource.type.ip",
    }
    assert {i.basic_info.product_owner_service for i in response.infos} == {"hws.service.type.vpc"}
    refused = _refused(lambda: served.client().list_service_resources(ListServiceResourcesRequest(limit=10)))
    assert refused.error_code == "CBC.0100"  # service_type_code required (Go SDK)


def test_list_usage_types(served: Served) -> None:
    everything = served.client().list_usage_types(ListUsageTypesRequest(limit=100))
    pairs = {(u.code, u.resource_type_code) for u in everything.usage_types}
    assert {(r.product.usage_type, r.product.resource_type) for r in _codes_in_records(served)} <= pairs
    obs = served.client().list_usage_types(ListUsageTypesRequest(resource_type_code="hws.resource.type.obs"))
    assert {u.code for u in obs.usage_types} == {"capacity", "reqNumber"}
    assert {u.service_type_name for u in obs.usage_types} == {"对象存储服务"}
    assert served.client().list_usage_types(ListUsageTypesRequest(resource_type_code="")).total_count == 0


def test_list_measure_units(served: Served) -> None:
    units = served.client().list_measure_units(ListMeasureUnitsRequest(x_language="en_US")).measure_units
    ids = {u.measure_id for u in units}
    assert {1, 10, 14, 15, 17} <= ids  # yuan, GB traffic, count, Mbps, GB capacity (H.4.21, H.6.9)
    assert {r.product.usage_measure_id for r in _codes_in_records(served)} <= ids
    assert next(u for u in units if u.measure_id == 1).measure_type == 1


def test_list_conversions(served: Served) -> None:
    everything = served.client().list_conversions(ListConversionsRequest()).conversions
    units = {u.measure_id for u in served.client().list_measure_units(ListMeasureUnitsRequest()).measure_units}
    assert {c.measure_id for c in everything} | {c.ref_measure_id for c in everything} <= units
    traffic = served.client().list_conversions(ListConversionsRequest(measure_type=3)).conversions
    assert {(c.measure_id, c.ref_measure_id, c.conversion_ratio) for c in traffic} >= {(10, 11, 1024)}
    assert {c.measure_type for c in traffic} == {3}
