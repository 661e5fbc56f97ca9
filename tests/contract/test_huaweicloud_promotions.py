"""The official SDK against the BSS simulator: coupon records, the partner's own coupons, new-customer tags,
incentive policies and the yearly/monthly price inquiry (H.6.4-H.6.8).

SDK vs CONTRACTS.md, found here:

* list_partner_coupons_record (H.6.4): the SDK sets ``collection_formats`` to ``multi`` for
  ``operation_types`` and ``coupon_ids`` (CONTRACTS says empty); either way the values go as repeated keys,
  as this test sees. An empty list sends nothing at all, so the documented "an empty list filters" cannot
  be sent through the Python SDK. The SDK docstring also says ``coupon_ids`` filters when null or empty.
* list_sub_customer_coupons (H.6.5): ``face_value``/``balance`` are typed ``float``; the SDK turns the
  wire's JSON numbers into Python floats in the model (as CONTRACTS notes).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    CreatePartnerCouponsReq,
    CreatePartnerCouponsRequest,
    ListIncentiveDiscountPoliciesRequest,
    ListPartnerCouponsRecordRequest,
    ListQuotaCouponsRequest,
    ListRateOnPeriodDetailRequest,
    ListSubCustomerCouponsRequest,
    ListSubCustomerNewTagReq,
    ListSubCustomerNewTagRequest,
    PeriodProductInfo,
    QueryCouponQuotasReqExt,
    RateOnPeriodReq,
    ReclaimPartnerCouponsReq,
    ReclaimPartnerCouponsRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from tests.adapters.huaweicloud.sdk_support import T1, T2, Served, serve


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    yield from serve()


def _refused(call) -> ClientRequestException:  # type: ignore[no-untyped-def]
    with pytest.raises(ClientRequestException) as caught:
        call()
    return caught.value


def test_list_partner_coupons_record(served: Served) -> None:
    client = served.client()
    seeded = client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(limit=100))
    assert seeded.total_count == len(served.partner(T1).coupon_records)
    assert {r.operation_type for r in seeded.records} >= {"1", "2", "4"}  # issue, manual reclaim, expiry
    times = [r.operation_time for r in seeded.records]
    assert times == sorted(times, reverse=True)  # newest first
    # issue two vouchers (one customer refused), then reclaim one: each shows in the log
    quota = next(
        q
        for q in client.list_quota_coupons(ListQuotaCouponsRequest(body=QueryCouponQuotasReqExt())).quotas
        if q.quota_status == 0
    )
    customers = served.partner(T1).customers
    resale = [c.customer_id for c in customers if c.is_resale][-1]
    advisory = next(c.customer_id for c in customers if not c.is_resale)
    body = CreatePartnerCouponsReq(
        quota_id=quota.quota_id, customer_ids=[resale, advisory], face_value=Decimal("42.50")
    )
    issued = client.create_partner_coupons(CreatePartnerCouponsRequest(body=body))
    coupon_id = issued.coupon_infos[0].coupon_id
    client.reclaim_partner_coupons(ReclaimPartnerCouponsRequest(body=ReclaimPartnerCouponsReq(coupon_id=coupon_id)))
    mine = client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(coupon_ids=[coupon_id]))
    assert [(r.operation_type, r.operation_amount, r.result, r.customer_id) for r in mine.records] == [
        ("2", Decimal("42.50"), "0", resale),
        ("1", Decimal("42.50"), "0", resale),
    ]
    assert isinstance(mine.records[0].operation_amount, Decimal)
    assert (mine.records[1].quota_id, mine.records[1].quota_type) == (quota.quota_id, 0)
    failed = client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(result="-1", customer_id=advisory))
    assert [(r.operation_type, r.coupon_id) for r in failed.records] == [("1", None)]
    # operation_types go as repeated keys (H.5 item 10)
    both = client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(operation_types=["2", "4"], limit=100))
    assert {r.operation_type for r in both.records} == {"2", "4"}
    assert both.total_count == sum(r["operation_type"] in ("2", "4") for r in served.partner(T1).coupon_records)
    assert client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(customer_id="")).total_count == 0
    assert client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(result="7", limit=1)).total_count == len(
        served.partner(T1).coupon_records
    )  # a result outside the enumeration does not filter
    later = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(operation_time_begin=later, limit=100))
    assert {r.coupon_id for r in recent.records} >= {coupon_id, None}
    full = client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(limit=100)).records
    page = client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(offset=1, limit=2))
    assert [r.id for r in page.records] == [r.id for r in full[1:3]]
    # the tier-1 reads what its tier-2 issued through indirect_partner_id
    t2 = client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(indirect_partner_id=T2.domain_id))
    assert t2.total_count == len(served.partner(T2).coupon_records) > 0
    assert (
        _refused(
            lambda: client.list_partner_coupons_record(ListPartnerCouponsRecordRequest(operation_types=["10"]))
        ).error_code
        == "CBC.0100"
    )


def test_list_sub_customer_coupons(served: Served) -> None:
    client = served.client()
    own = served.partner(T1).own_coupons
    response = client.list_sub_customer_coupons(ListSubCustomerCouponsRequest(offset=0, limit=100))
    assert response.count == len(own) - 1  # one was used over 12 months ago (H.6.5)
    assert {c.coupon_type for c in response.user_coupons} == {1, 2, 3, 4}
    assert {c.status for c in response.user_coupons} == {1, 2, 3, 4, 5}
    first = response.user_coupons[0]
    assert (first.coupon_id, first.customer_id, first.currency, first.measure_id) == (
        own[0]["coupon_id"],
        T1.domain_id,
        "CNY",
        1,
    )
    assert isinstance(first.face_value, float)  # typed float in the SDK model (H.6.5)
    assert Decimal(str(first.face_value)) == own[0]["face_value"]
    usable = client.list_sub_customer_coupons(ListSubCustomerCouponsRequest(status=2, offset=0, limit=100))
    assert {c.status for c in usable.user_coupons} == {2}
    cash = client.list_sub_customer_coupons(ListSubCustomerCouponsRequest(coupon_type=4, offset=0, limit=100))
    assert {c.coupon_type for c in cash.user_coupons} == {4}
    by_id = client.list_sub_customer_coupons(ListSubCustomerCouponsRequest(coupon_id=own[1]["coupon_id"]))
    assert [c.coupon_id for c in by_id.user_coupons] == [own[1]["coupon_id"]]
    assert client.list_sub_customer_coupons(ListSubCustomerCouponsRequest(coupon_id="")).count == 0  # "" filters
    source = client.list_sub_customer_coupons(ListSubCustomerCouponsRequest(source_id="HWC-CASH", offset=0, limit=10))
    assert source.count == 1  # the other cash coupon is too old
    assert client.list_sub_customer_coupons(ListSubCustomerCouponsRequest(indirect_partner_id=T2.domain_id)).count > 0
    refused = _refused(lambda: client.list_sub_customer_coupons(ListSubCustomerCouponsRequest(offset=1)))
    assert refused.error_code == "CBC.0100"  # offset only together with limit


def test_list_sub_customer_new_tag(served: Served) -> None:
    customers = served.partner(T1).customers
    ids = [c.customer_id for c in customers[:6]]
    body = ListSubCustomerNewTagReq(customer_ids=[*ids, "not-a-customer"], offset=0, limit=10)
    response = served.client().list_sub_customer_new_tag(ListSubCustomerNewTagRequest(body=body))
    assert [t.customer_id for t in response.new_customer_tags] == ids  # the stranger is dropped
    assert {t.customer_tag_type for t in response.new_customer_tags} == {"SMB"}
    for tag, customer in zip(response.new_customer_tags, customers, strict=False):
        if customer.verified_status == "-1":
            assert (tag.new_customer_tag, tag.effective_time) == ("", None)
        elif customer.verified_status == "2":
            assert tag.new_customer_tag in ("Y", "N")
            assert tag.effective_time == customer.associated_on[:7] or tag.effective_time > customer.associated_on[:7]
        else:
            assert tag.new_customer_tag == "UNDETERMINED"
    everything = served.client().list_sub_customer_new_tag(
        ListSubCustomerNewTagRequest(body=ListSubCustomerNewTagReq(offset=30, limit=10))
    )
    assert len(everything.new_customer_tags) == len(customers) - 30  # a short page: no total (H.6.6)
    t2 = served.client().list_sub_customer_new_tag(
        ListSubCustomerNewTagRequest(body=ListSubCustomerNewTagReq(indirect_partner_id=T2.domain_id, limit=3))
    )
    assert {t.customer_id for t in t2.new_customer_tags} <= {c.customer_id for c in served.partner(T2).customers}


def test_list_incentive_discount_policies(served: Served) -> None:
    client = served.client()
    now = client.list_incentive_discount_policies(ListIncentiveDiscountPoliciesRequest(time="2025-06", limit=100))
    assert now.total_count == len(now.policies) == 8
    cdn = {p.service_type_code: p for p in now.policies}["hws.service.type.cdn"]
    assert (cdn.incentive_policy, cdn.allow_discount, cdn.service_type_name) == ("2", "NO", "内容分发网络")
    before = client.list_incentive_discount_policies(
        ListIncentiveDiscountPoliciesRequest(time="2024-12", service_type_code="hws.service.type.cdn")
    )
    assert [(p.incentive_policy, p.allow_discount) for p in before.policies] == [("13", "YES")]
    assert (
        client.list_incentive_discount_policies(
            ListIncentiveDiscountPoliciesRequest(time="2025-06", service_type_code="")
        ).total_count
        == 0
    )
    for bad in (ListIncentiveDiscountPoliciesRequest(), ListIncentiveDiscountPoliciesRequest(time="2025-6")):
        assert _refused(lambda bad=bad: client.list_incentive_discount_policies(bad)).error_code == "CBC.0100"


def _product(item_id: str, **overrides: object) -> PeriodProductInfo:
    fields: dict[str, object] = {
        "id": item_id,
        "cloud_service_type": "hws.service.type.ec2",
        "resource_type": "hws.resource.type.vm",
        "resource_spec": "s6.small.1.linux",
        "region": "cn-north-4",
        "period_type": 2,
        "period_num": 1,
        "subscription_num": 1,
    }
    return PeriodProductInfo(**{**fields, **overrides})


def test_list_rate_on_period_detail(served: Served) -> None:
    client = served.client()
    body = RateOnPeriodReq(
        project_id="project-of-the-customer",
        product_infos=[
            _product("vm-month"),
            _product("vm-year", period_type=3),
            _product(
                "disk",
                cloud_service_type="hws.service.type.ebs",
                resource_type="hws.resource.type.volume",
                resource_spec="SSD",
                resource_size=40,
                size_measure_id=17,
            ),
        ],
    )
    response = client.list_rate_on_period_detail(ListRateOnPeriodDetailRequest(body=body))
    official = response.official_website_rating_result
    prices = {p.id: p.official_website_amount for p in official.product_rating_results}
    assert prices["vm-year"] == prices["vm-month"] * 10  # a year is ten months' price
    assert official.official_website_amount == sum(prices.values())
    assert isinstance(official.official_website_amount, Decimal)
    assert response.currency == "CNY"
    assert {d.discount_type for d in response.optional_discount_rating_results} == {606, 607}
    for discount in response.optional_discount_rating_results:
        assert discount.amount == discount.official_website_amount - discount.discount_amount
        for item in discount.product_rating_results:
            assert item.amount == item.official_website_amount - item.discount_amount
    best = [d for d in response.optional_discount_rating_results if d.best_offer == 1]
    assert [d.discount_type for d in best] == [607]  # the larger discount
    unknown = RateOnPeriodReq(project_id="p", product_infos=[_product("x", resource_spec="no.such.spec")])
    refused = _refused(lambda: client.list_rate_on_period_detail(ListRateOnPeriodDetailRequest(body=unknown)))
    assert (refused.status_code, refused.error_code) == (400, "CBC.99006007")
    no_size = RateOnPeriodReq(
        project_id="p",
        product_infos=[
            _product(
                "d",
                cloud_service_type="hws.service.type.ebs",
                resource_type="hws.resource.type.volume",
                resource_spec="SSD",
            )
        ],
    )
    refused = _refused(lambda: client.list_rate_on_period_detail(ListRateOnPeriodDetailRequest(body=no_size)))
    assert refused.error_code == "CBC.0100"  # linear products need resource_size
