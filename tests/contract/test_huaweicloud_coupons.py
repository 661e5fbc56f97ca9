"""The official SDK against the BSS simulator: voucher quotas (tier-1 -> tier-2) and vouchers (-> customers).

Batch calls answer HTTP 200 with per-item ``error_details[]`` (CONTRACTS.md H.3, H.5 item 5): the SDK
raises nothing and the failures are in the parsed model. No SDK-vs-CONTRACTS disagreement found here.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from huaweicloudsdkbss.v2 import (
    AdjustCouponQuotasReq,
    CreatePartnerCouponsReq,
    CreatePartnerCouponsRequest,
    ListCouponQuotasRecordsRequest,
    ListIssuedCouponQuotasRequest,
    ListIssuedPartnerCouponsRequest,
    ListQuotaCouponsRequest,
    QueryCouponQuotasReqExt,
    ReclaimCouponQuotasReq,
    ReclaimCouponQuotasRequest,
    ReclaimPartnerCouponsReq,
    ReclaimPartnerCouponsRequest,
    UpdateCouponQuotasRequest,
)
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

from tests.adapters.huaweicloud.sdk_support import T1, T2, T2B, Served, serve


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    yield from serve()


def _own_quota(served: Served, account=T1):  # type: ignore[no-untyped-def]
    quotas = served.client(account).list_quota_coupons(ListQuotaCouponsRequest(body=QueryCouponQuotasReqExt()))
    return next(q for q in quotas.quotas if q.quota_status == 0)


def _quota_balance(served: Served, quota_id: str, account=T1) -> Decimal:  # type: ignore[no-untyped-def]
    body = QueryCouponQuotasReqExt(quota_ids=[quota_id])
    (quota,) = served.client(account).list_quota_coupons(ListQuotaCouponsRequest(body=body)).quotas
    return quota.balance  # type: ignore[no-any-return]


def test_own_quotas_are_listed_with_decimal_money(served: Served) -> None:
    response = served.client().list_quota_coupons(ListQuotaCouponsRequest(body=QueryCouponQuotasReqExt(limit=10)))
    seeded = served.partner(T1).quotas
    assert response.total_count == len(seeded) == 3
    assert [q.quota_id for q in response.quotas] == [q.quota_id for q in seeded]
    first = response.quotas[0]
    assert isinstance(first.quota_value, Decimal)
    assert first.quota_value == Decimal("100000.00")
    assert (first.quota_type, first.measure_id, first.currency) == (0, 1, "CNY")
    assert first.limit_infos[0].limit_key == "CLOUD_SERVICE_TYPE"
    assert first.limit_infos[0].limit_values[0].value1 == "hws.service.type.ec2"
    normal = served.client().list_quota_coupons(
        ListQuotaCouponsRequest(body=QueryCouponQuotasReqExt(quota_status_list=[3]))
    )
    assert [q.quota_status for q in normal.quotas] == [3]


def test_grant_quota_to_tier2s_with_a_partial_failure_then_reclaim(served: Served) -> None:
    parent = _own_quota(served)
    before = _quota_balance(served, parent.quota_id)
    body = AdjustCouponQuotasReq(
        quota_id=parent.quota_id,
        indirect_partner_ids=[T2.domain_id, "not-my-reseller", T2B.domain_id],
        quota_amount=Decimal("1000.50"),
    )
    response = served.client().update_coupon_quotas(UpdateCouponQuotasRequest(body=body))  # HTTP 200
    assert [info.id for info in response.simple_quota_infos] == [T2.domain_id, T2B.domain_id]
    (failure,) = response.error_details
    assert (failure.id, failure.error_code) == ("not-my-reseller", "CBC.99006008")
    assert failure.error_msg
    assert _quota_balance(served, parent.quota_id) == before - Decimal("2001.00")

    new_id = response.simple_quota_infos[0].quota_id
    issued = served.client().list_issued_coupon_quotas(ListIssuedCouponQuotasRequest(quota_id=new_id))
    assert issued.total_count == 1
    (quota,) = issued.quotas
    assert (quota.indirect_partner_id, quota.parent_quota_id, quota.quota_value, quota.balance) == (
        T2.domain_id,
        parent.quota_id,
        Decimal("1000.50"),
        Decimal("1000.50"),
    )
    assert (quota.indirect_partner_account_name, quota.indirect_partner_name) == ("yunfan_t2", T2.name)
    # the tier-2 now owns it: it shows in its own list_quota_coupons
    assert _quota_balance(served, new_id, T2) == Decimal("1000.50")
    grants = served.client().list_coupon_quotas_records(ListCouponQuotasRecordsRequest(quota_id=new_id))
    assert [(r.operation_type, r.amount, r.result) for r in grants.records] == [("10", Decimal("1000.50"), "0")]

    reclaim = ReclaimCouponQuotasReq(quota_ids=[new_id, "unknown-quota"], remark="season over")
    reclaimed = served.client().reclaim_coupon_quotas(ReclaimCouponQuotasRequest(body=reclaim))
    assert [(i.quota_id, i.quota_balance) for i in reclaimed.simple_quota_infos] == [(new_id, Decimal("0.00"))]
    assert [d.id for d in reclaimed.error_details] == ["unknown-quota"]
    assert _quota_balance(served, parent.quota_id) == before - Decimal("1000.50")
    after = served.client().list_issued_coupon_quotas(ListIssuedCouponQuotasRequest(quota_id=new_id)).quotas[0]
    assert (after.quota_status, after.balance) == (6, Decimal("0.00"))
    records = served.client().list_coupon_quotas_records(
        ListCouponQuotasRecordsRequest(quota_id=new_id, operation_type="11")
    )
    assert [(r.amount, r.remark) for r in records.records] == [(Decimal("1000.50"), "season over")]
    again = served.client().reclaim_coupon_quotas(
        ReclaimCouponQuotasRequest(body=ReclaimCouponQuotasReq(quota_ids=[new_id]))
    )
    assert again.simple_quota_infos == [] or again.simple_quota_infos is None
    assert again.error_details[0].error_code == "CBC.99006009"


def test_issued_quota_filters_and_empty_parent_quota_id_filters_too(served: Served) -> None:
    everything = served.client().list_issued_coupon_quotas(ListIssuedCouponQuotasRequest(limit=100))
    assert everything.total_count >= 2
    by_t2 = served.client().list_issued_coupon_quotas(
        ListIssuedCouponQuotasRequest(indirect_partner_id=T2B.domain_id, limit=100)
    )
    assert {q.indirect_partner_id for q in by_t2.quotas} == {T2B.domain_id}
    empty = served.client().list_issued_coupon_quotas(ListIssuedCouponQuotasRequest(parent_quota_id=""))
    assert empty.total_count == 0  # "sending it empty does filter" (H.4.15)


def test_quota_operations_refuse_tier2_credentials(served: Served) -> None:
    quota = _own_quota(served, T2)
    body = AdjustCouponQuotasReq(quota_id=quota.quota_id, indirect_partner_ids=[T2B.domain_id], quota_amount=Decimal(1))
    calls = [
        lambda: served.client(T2).update_coupon_quotas(UpdateCouponQuotasRequest(body=body)),
        lambda: served.client(T2).reclaim_coupon_quotas(
            ReclaimCouponQuotasRequest(body=ReclaimCouponQuotasReq(quota_ids=[quota.quota_id]))
        ),
        lambda: served.client(T2).list_issued_coupon_quotas(ListIssuedCouponQuotasRequest()),
        lambda: served.client(T2).list_coupon_quotas_records(ListCouponQuotasRecordsRequest()),
    ]
    for call in calls:
        with pytest.raises(ClientRequestException) as caught:
            call()
        assert (caught.value.status_code, caught.value.error_code) == (403, "CBC.0151")


def test_over_granting_a_quota_fails_per_item(served: Served) -> None:
    parent = _own_quota(served)
    too_much = _quota_balance(served, parent.quota_id) + 1
    body = AdjustCouponQuotasReq(quota_id=parent.quota_id, indirect_partner_ids=[T2.domain_id], quota_amount=too_much)
    response = served.client().update_coupon_quotas(UpdateCouponQuotasRequest(body=body))
    assert not response.simple_quota_infos
    assert [(d.id, d.error_code) for d in response.error_details] == [(T2.domain_id, "CBC.99006005")]
    failed = served.client().list_coupon_quotas_records(
        ListCouponQuotasRecordsRequest(indirect_partner_id=T2.domain_id)
    )
    assert failed.records[0].result == "-1"


def test_issue_vouchers_with_partial_failure_then_reclaim_one(served: Served) -> None:
    quota = _own_quota(served)
    customers = served.partner(T1).customers
    resale = [c.customer_id for c in customers if c.is_resale][-2:]
    advisory = next(c.customer_id for c in customers if not c.is_resale)
    before = _quota_balance(served, quota.quota_id)
    body = CreatePartnerCouponsReq(
        quota_id=quota.quota_id,
        customer_ids=[*resale, advisory, "ghost"],
        face_value=Decimal("88.80"),
        cloud_service_types=["hws.service.type.ec2"],
        memo="welcome",
    )
    response = served.client().create_partner_coupons(CreatePartnerCouponsRequest(body=body))
    assert [i.id for i in response.coupon_infos] == resale
    assert {(d.id, d.error_code) for d in response.error_details} == {
        (advisory, "CBC.99006002"),  # coupons are for resale customers only (H.4.17)
        ("ghost", "CBC.99006008"),
    }
    assert _quota_balance(served, quota.quota_id) == before - Decimal("177.60")

    coupon_id = response.coupon_infos[0].coupon_id
    listed = served.client().list_issued_partner_coupons(ListIssuedPartnerCouponsRequest(coupon_id=coupon_id))
    assert listed.total_count == 1
    (coupon,) = listed.user_coupons
    assert (coupon.customer_id, coupon.face_value, coupon.balance, coupon.status) == (
        resale[0],
        Decimal("88.80"),
        Decimal("88.80"),
        2,
    )
    assert (coupon.coupon_type, coupon.measure_id, coupon.expire_time) == (1, 1, quota.expire_time)
    assert coupon.use_limits[0].value1 == "hws.service.type.ec2"

    served.client().reclaim_partner_coupons(
        ReclaimPartnerCouponsRequest(body=ReclaimPartnerCouponsReq(coupon_id=coupon_id))
    )
    reclaimed = served.client().list_issued_partner_coupons(ListIssuedPartnerCouponsRequest(coupon_id=coupon_id))
    assert (reclaimed.user_coupons[0].status, reclaimed.user_coupons[0].balance) == (5, Decimal("0.00"))
    assert _quota_balance(served, quota.quota_id) == before - Decimal("88.80")
    with pytest.raises(ClientRequestException) as caught:
        served.client().reclaim_partner_coupons(
            ReclaimPartnerCouponsRequest(body=ReclaimPartnerCouponsReq(coupon_id=coupon_id))
        )
    assert caught.value.error_code == "CBC.99006006"


def test_vouchers_filter_by_customer_and_status_and_page(served: Served) -> None:
    coupons = served.partner(T1).coupons
    everything = served.client().list_issued_partner_coupons(ListIssuedPartnerCouponsRequest(limit=100))
    assert everything.total_count == len(coupons)
    assert {c.status for c in everything.user_coupons} >= {2, 3, 4, 5}
    customer_id = coupons[0].customer_id
    mine = served.client().list_issued_partner_coupons(ListIssuedPartnerCouponsRequest(customer_id=customer_id))
    assert {c.customer_id for c in mine.user_coupons} == {customer_id}
    used = served.client().list_issued_partner_coupons(ListIssuedPartnerCouponsRequest(status=3, limit=100))
    assert used.total_count == sum(c.status == 3 for c in coupons)
    page = served.client().list_issued_partner_coupons(ListIssuedPartnerCouponsRequest(offset=1, limit=2))
    assert [c.coupon_id for c in page.user_coupons] == [c.coupon_id for c in coupons[1:3]]
    # the tier-1 reads its tier-2's vouchers through indirect_partner_id
    t2 = served.client().list_issued_partner_coupons(ListIssuedPartnerCouponsRequest(indirect_partner_id=T2.domain_id))
    assert t2.total_count == len(served.partner(T2).coupons) > 0


def test_tier2_issues_vouchers_from_the_quota_its_tier1_granted(served: Served) -> None:
    quota = _own_quota(served, T2)
    assert quota.quota_id in {q.quota_id for q in served.partner(T1).issued_quotas}
    customer_id = next(c.customer_id for c in served.partner(T2).customers if c.is_resale)
    body = CreatePartnerCouponsReq(quota_id=quota.quota_id, customer_ids=[customer_id], face_value=Decimal("10.00"))
    response = served.client(T2).create_partner_coupons(CreatePartnerCouponsRequest(body=body))
    assert [i.id for i in response.coupon_infos] == [customer_id]
    assert not response.error_details
