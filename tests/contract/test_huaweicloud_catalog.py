"""The official SDK against the BSS simulator: orders, price inquiries, provinces/cities/counties.

SDK vs CONTRACTS.md, checked here: the ``list_customer_orders`` amounts (H.4.20, "Number") are typed
``float`` in the SDK models, and the SDK hands them out as Python floats (as for list_partner_balances);
the adapter reads them from the raw JSON as ``Decimal``. ``order_type`` is a String in the query and an
Integer in the answer (H.5 item 4), as documented.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    DemandProductInfo,
    ListCitiesRequest,
    ListCountiesRequest,
    ListCustomerOrdersRequest,
    ListOnDemandResourceRatingsRequest,
    ListProvincesRequest,
    RateOnDemandReq,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from tests.adapters.huaweicloud.sdk_support import T1, T2, Served, serve


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    yield from serve()


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_orders_are_listed_newest_first_with_amounts(served: Served) -> None:
    orders = served.partner(T1).orders
    response = served.client().list_customer_orders(ListCustomerOrdersRequest(limit=100))
    assert response.total_count == len(orders) > 10
    newest = max(orders, key=lambda o: o["create_time"])
    first = response.order_infos[0]
    assert (first.order_id, first.customer_id, first.status, first.order_type) == (
        newest["order_id"],
        newest["customer_id"],
        newest["status"],
        newest["order_type"],
    )
    assert isinstance(first.order_type, int)
    assert Decimal(str(first.official_amount)) == newest["official_amount"]
    assert Decimal(str(first.amount_after_discount)) == newest["amount_after_discount"]
    assert first.currency == "CNY"
    assert first.agent_pay_info.paying_agent_id == T1.domain_id
    assert first.service_type_name


def test_order_filters_and_the_one_year_window(served: Served) -> None:
    orders = served.partner(T1).orders
    sample = orders[len(orders) // 2]
    by_id = served.client().list_customer_orders(ListCustomerOrdersRequest(order_id=sample["order_id"].lower()))
    assert [o.order_id for o in by_id.order_infos] == [sample["order_id"]]
    mine = served.client().list_customer_orders(ListCustomerOrdersRequest(customer_id=sample["customer_id"], limit=100))
    assert mine.total_count == sum(o["customer_id"] == sample["customer_id"] for o in orders)
    completed = served.client().list_customer_orders(ListCustomerOrdersRequest(status=5, limit=100))
    assert completed.total_count == sum(o["status"] == 5 for o in orders)
    renewals = served.client().list_customer_orders(ListCustomerOrdersRequest(order_type="2", limit=100))
    assert {o.order_type for o in renewals.order_infos} <= {2}
    now = datetime.now(UTC)
    recent = served.client().list_customer_orders(
        ListCustomerOrdersRequest(
            create_time_begin=_utc(now - timedelta(days=30)), create_time_end=_utc(now), limit=100
        )
    )
    assert recent.total_count == sum(o["create_time"] >= _utc(now - timedelta(days=30)) for o in orders)
    with pytest.raises(ClientRequestException) as caught:
        served.client().list_customer_orders(
            ListCustomerOrdersRequest(create_time_begin=_utc(now - timedelta(days=400)), create_time_end=_utc(now))
        )
    assert caught.value.error_code == "CBC.0100"
    ascending = served.client().list_customer_orders(ListCustomerOrdersRequest(order_by="createTime", limit=2))
    assert [o.order_id for o in ascending.order_infos] == [o["order_id"] for o in orders[:2]]
    t2 = served.client().list_customer_orders(ListCustomerOrdersRequest(indirect_partner_id=T2.domain_id))
    assert t2.total_count == len(served.partner(T2).orders)


def _product(**fields: object) -> DemandProductInfo:
    base: dict[str, object] = {
        "id": "p1",
        "cloud_service_type": "hws.service.type.ec2",
        "resource_type": "hws.resource.type.vm",
        "resource_spec": "s6.small.1.linux",
        "region": "cn-north-1",
        "usage_factor": "Duration",
        "usage_value": Decimal("1"),
        "usage_measure_id": 4,
        "subscription_num": 1,
    }
    return DemandProductInfo(**{**base, **fields})


def test_price_inquiry(served: Served) -> None:
    body = RateOnDemandReq(
        project_id="customer-project-1",
        product_infos=[
            _product(subscription_num=2, usage_value=Decimal("10")),
            _product(
                id="disk",
                cloud_service_type="hws.service.type.ebs",
                resource_type="hws.resource.type.volume",
                resource_spec="SSD",
                resource_size=40,
                size_measure_id=17,
            ),
        ],
    )
    response = served.client().list_on_demand_resource_ratings(ListOnDemandResourceRatingsRequest(body=body))
    vm, disk = response.product_rating_results
    assert (vm.id, vm.product_id, vm.official_website_amount) == ("p1", "OFFI100000001", Decimal("2.200000"))
    assert (vm.discount_amount, vm.amount) == (Decimal("0.110000"), Decimal("2.090000"))
    assert disk.official_website_amount == Decimal("0.040000")
    assert response.amount == vm.amount + disk.amount
    assert isinstance(response.amount, Decimal)
    assert vm.discount_rating_results[0].discount_type == 606
    assert (response.currency, response.measure_id) == ("CNY", 1)
    precise = RateOnDemandReq(project_id="p", inquiry_precision=1, product_infos=[_product()])
    answer = served.client().list_on_demand_resource_ratings(ListOnDemandResourceRatingsRequest(body=precise))
    assert answer.official_website_amount == Decimal("0.1100000000")
    unknown = RateOnDemandReq(project_id="p", product_infos=[_product(resource_spec="x9.huge")])
    with pytest.raises(ClientRequestException) as caught:
        served.client().list_on_demand_resource_ratings(ListOnDemandResourceRatingsRequest(body=unknown))
    assert caught.value.error_code == "CBC.99006007"


def test_regions_tree(served: Served) -> None:
    provinces = served.client().list_provinces(ListProvincesRequest())
    assert provinces.count == 5
    assert ("440000", "广东省") in {(p.code, p.name) for p in provinces.provinces}
    cities = served.client().list_cities(ListCitiesRequest(province_code="440000", x_language="zh_cn"))
    assert [(c.code, c.name) for c in cities.cities] == [("440100", "广州市"), ("440300", "深圳市")]
    counties = served.client().list_counties(ListCountiesRequest(city_code="440300", limit=1000))
    assert [c.name for c in counties.counties] == ["福田区", "南山区"]
    paged = served.client().list_provinces(ListProvincesRequest(offset=4, limit=1))
    assert (paged.count, len(paged.provinces)) == (5, 1)
    with pytest.raises(ClientRequestException) as caught:
        served.client().list_cities(ListCitiesRequest())
    assert caught.value.error_code == "CBC.0100"
