"""Official SDK (2022-12-16) against the simulator: coupon templates through review, issue and deletion,
the product codes they take, and T2 coupon applications decided once (A.7.3, A.7.4, A.7.6, A.7.12, A.7.13,
A.7.18, A.7.20, A.7.21). Each change is read back through another operation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from alibabacloud_agency20221216 import models as m
from alibabacloud_tea_openapi.exceptions import ServerException

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun.simulator import EndAccount
from tests.adapters.aliyun.sdk import REQUEST_ID, RESELLER, Upstream, running

REVIEWED = timedelta(minutes=11)


@pytest.fixture
def up() -> Iterator[Upstream]:
    with running(seed=31) as upstream:
        yield upstream


def customer(up: Upstream) -> EndAccount:
    return next(a for a in up.state().accounts if a.user_type in (1, 2))


def create(up: Upstream, **overrides: object) -> m.CreateCouponTemplateResponseBody:
    fields: dict[str, object] = {
        "template_name": "春季新客券",
        "value": "300.00",
        "limit_per_person": "2",
        "cost_bearer": "PARTNER",
        "applicable_products": "ecs,rds",
        "product_type": ["ecs", "rds"],
        "reason_for_application": "春季活动",
        "valid_until": "RELATIVE",
        "vaildperioddays": "30",
        "accept_language": "zh-CN",
        **overrides,
    }
    return up.v2022().create_coupon_template(m.CreateCouponTemplateRequest(**fields)).body


def statuses(up: Upstream, **filters: object) -> m.CouponApprovalStatusListResponseBody:
    request = m.CouponApprovalStatusListRequest(page_no=1, page_size=100, **filters)
    return up.v2022().coupon_approval_status_list(request).body


def issue(up: Upstream, template_id: int, uid: int) -> m.IssueCouponForCustomerResponseBody:
    request = m.IssueCouponForCustomerRequest(coupon_template_id=template_id, uidlist=str(uid))
    return up.v2022().issue_coupon_for_customer(request).body


def test_create_coupon_template(up: Upstream) -> None:
    created = create(up)
    assert (created.code, created.success) == ("200", True)
    assert REQUEST_ID.match(created.request_id)
    template_id = created.data.coupon_template_id  # "ID" in capitals (A.6.7)
    assert template_id > 2**53
    assert (created.data.value, created.data.status, created.data.product_type) == ("300.00", "1", ["ecs", "rds"])
    assert (created.data.valid_until, created.data.vaildperioddays) == ("RELATIVE", "30")

    listed = {row.template_id: row for row in statuses(up).data}
    row = listed[str(template_id)]  # a String here (A.6.7)
    assert (row.template_status, row.template_name, row.issuer_uid) == (1, "春季新客券", str(up.state().uid))
    target = customer(up)
    refused = issue(up, template_id, target.uid)
    assert (refused.code, refused.success) == ("InvalidCouponTemplateStatus", False)

    up.simulator.advance(REVIEWED)  # Aliyun's review is over
    assert {r.template_id: r.template_status for r in statuses(up).data}[str(template_id)] == 2
    assert issue(up, template_id, target.uid).code == "200"
    assert issue(up, template_id, target.uid).code == "200"
    third = issue(up, template_id, target.uid)
    assert third.code == "CouponLimitPerPersonExceeded"  # LimitPerPerson 2
    usage = up.v2022().list_coupon_usage(m.ListCouponUsageRequest(coupon_template_id=template_id)).body
    assert usage.page_info.total == 2
    assert all((c.uid, c.amount, c.status) == (target.uid, 300.0, "AVAILABLE") for c in usage.data)


def test_create_coupon_template_validates(up: Upstream) -> None:
    assert create(up, value="-1").code == "InvalidParameter.Value"
    assert create(up, limit_per_person="0").code == "InvalidParameter.LimitPerPerson"
    assert create(up, valid_until="FOREVER").code == "InvalidParameter.ValidUntil"
    assert create(up, product_type=["mainframe"]).code == "InvalidParameter.ProductType"
    assert create(up, valid_until="ABSOLUTE", vailddate="2020-01-01", expireddate="2020-02-01").code == (
        "InvalidParameter.Expireddate"
    )
    with pytest.raises(Exception, match="MissingReasonForApplication"):
        create(up, reason_for_application=None)
    assert statuses(up).total == len(up.state().templates) == 3  # nothing was created


def test_get_coupon_template_detail(up: Upstream) -> None:
    expires = (up.simulator.state.now() + timedelta(days=40)).date().isoformat()
    created = create(up, value="12000.50", valid_until="ABSOLUTE", vailddate="2020-01-01", expireddate=expires)
    detail = up.v2022().get_coupon_template_detail(m.GetCouponTemplateDetailRequest(created.data.coupon_template_id))
    data = detail.body.data
    assert (detail.body.code, data.template_id, data.denomination) == ("200", created.data.coupon_template_id, 12000.5)
    assert (data.limit_per_person, data.valid_until_type, data.valid_until, data.status) == (
        2,
        "ABSOLUTE",
        expires,
        "1",
    )
    assert (data.cost_bearer, data.reason_for_application) == ("PARTNER", "春季活动")
    up.simulator.advance(REVIEWED)  # above the review limit: rejected
    again = up.v2022().get_coupon_template_detail(m.GetCouponTemplateDetailRequest(created.data.coupon_template_id))
    assert again.body.data.status == "3"
    assert statuses(up, template_status="3").data[0].note.startswith("面额超过审批上限")
    assert issue(up, created.data.coupon_template_id, customer(up).uid).code == "InvalidCouponTemplateStatus"
    theirs = up.state(RESELLER).templates[0].template_id
    stranger = up.v2022().get_coupon_template_detail(m.GetCouponTemplateDetailRequest(template_id=theirs)).body
    assert (stranger.code, stranger.success) == ("InvalidCouponTemplateId.NotFound", False)


def test_delete_coupon_template(up: Upstream) -> None:
    template_id = create(up).data.coupon_template_id
    up.simulator.advance(REVIEWED)
    target = customer(up)
    assert issue(up, template_id, target.uid).code == "200"
    deleted = up.v2022().delete_coupon_template(m.DeleteCouponTemplateRequest(template_id=template_id)).body
    assert (deleted.code, deleted.data) == ("200", True)
    assert str(template_id) not in {r.template_id for r in statuses(up).data}
    detail = up.v2022().get_coupon_template_detail(m.GetCouponTemplateDetailRequest(template_id=template_id)).body
    assert detail.code == "InvalidCouponTemplateId.NotFound"
    assert issue(up, template_id, target.uid).code == "InvalidCouponTemplateId.NotFound"
    usage = up.v2022().list_coupon_usage(m.ListCouponUsageRequest(coupon_template_id=template_id)).body
    assert usage.page_info.total == 1  # what was issued stays
    twice = up.v2022().delete_coupon_template(m.DeleteCouponTemplateRequest(template_id=template_id)).body
    assert twice.code == "InvalidCouponTemplateId.NotFound"


def test_coupon_approval_status_list(up: Upstream) -> None:
    create(up, template_name="夏季券 A")
    create(up, template_name="夏季券 B")
    body = statuses(up)
    assert (body.code, body.page_no, body.page_size, body.total) == ("200", 1, 100, 5)
    assert body.to_map().get("Success") is None  # no Success in this envelope (A.7.3)
    assert [r.template_name for r in body.data[:2]] == ["夏季券 B", "夏季券 A"]  # newest first
    page = up.v2022().coupon_approval_status_list(m.CouponApprovalStatusListRequest(page_no=2, page_size=2)).body
    assert (page.total, len(page.data)) == (5, 2)
    assert statuses(up, template_name="夏季").total == 2
    assert statuses(up, template_status="2").total == 3  # the seeded, approved templates
    assert statuses(up, template_status="9").code == "InvalidParameter.TemplateStatus"


def test_get_coupondeduct_product_code(up: Upstream) -> None:
    zh = up.v2022().get_coupondeduct_product_code(m.GetCoupondeductProductCodeRequest(accept_language="zh-CN")).body
    assert (zh.code, zh.success) == ("200", True)
    codes = {row.product_type["ProductCode"]: row.product_type["ProductName"] for row in zh.data}
    assert codes["ecs"] == "云服务器 ECS"
    en = up.v2022().get_coupondeduct_product_code(m.GetCoupondeductProductCodeRequest(accept_language="en-US")).body
    assert {row.product_type["ProductCode"] for row in en.data} == set(codes)
    assert create(up, product_type=sorted(codes)).code == "200"  # every listed code is accepted
    bad = up.v2022().get_coupondeduct_product_code(m.GetCoupondeductProductCodeRequest(accept_language="fr")).body
    assert bad.code == "InvalidParameter.AcceptLanguage"


def applications(up: Upstream, **filters: object) -> m.ListTier2CouponApprovalResponseBody:
    request = m.ListTier2CouponApprovalRequest(current_page=1, page_size=100, **filters)
    return up.v2022().list_tier_2coupon_approval(request).body


def test_list_tier2_coupon_approval(up: Upstream) -> None:
    seeded = up.state().tier2_applications
    body = applications(up)
    assert (body.code, body.page_no, body.total) == ("200", 1, len(seeded))  # CurrentPage in, PageNo out
    t2 = {p.master_uid: p.company_name for p in up.state().sub_partners}
    assert all(t2[row.t_2partner_uid] == row.t_2partner_name for row in body.data)
    one = seeded[0]
    mine = applications(up, t_2partner_uid=one.t2_uid)
    assert {row.application_sheet_id for row in mine.data} == {a.sheet_id for a in seeded if a.t2_uid == one.t2_uid}
    pending = applications(up, approval_status="PENDING")
    assert pending.total == sum(1 for a in seeded if a.status == "PENDING")
    page = up.v2022().list_tier_2coupon_approval(m.ListTier2CouponApprovalRequest(current_page=2, page_size=4)).body
    assert (page.page_no, page.page_size, len(page.data)) == (2, 4, min(4, len(seeded) - 4))
    refused = up.v2022(RESELLER).list_tier_2coupon_approval(
        m.ListTier2CouponApprovalRequest(current_page=1, page_size=10)
    )
    assert refused.body.code == "Forbidden.NotDistributor"


def detail(up: Upstream, sheet_id: str) -> m.GetTier2CouponApprovalDetailResponseBody:
    request = m.GetTier2CouponApprovalDetailRequest(application_sheet_id=sheet_id)
    return up.v2022().get_tier_2coupon_approval_detail(request).body


def test_get_tier2_coupon_approval_detail(up: Upstream) -> None:
    app = up.state().tier2_applications[0]
    body = detail(up, app.sheet_id)
    assert (body.code, body.data.application_sheet_id, body.data.approval_status) == ("200", app.sheet_id, app.status)
    assert (body.data.applicant_info.t_2partner_uid, body.data.applicant_info.t_2partner_name) == (
        app.t2_uid,
        app.t2_name,
    )
    receipts = [(r.uid, Decimal(r.nominal_value)) for r in body.data.coupon_receipt_uid_list]
    assert receipts == app.receipts
    assert Decimal(body.data.total_amount) == sum(value for _, value in receipts)
    assert detail(up, "AS404").code == "InvalidApplicationSheetId.NotFound"


def test_process_approval(up: Upstream) -> None:
    app = next(a for a in up.state().tier2_applications if a.status == "PENDING")
    before = Decimal(detail(up, app.sheet_id).data.remaining_quota)
    request = m.ProcessApprovalRequest(
        application_sheet_id=app.sheet_id, approval_action="APPROVE", approval_comments="同意"
    )
    body = up.v2022().process_approval(request).body
    assert (body.code, body.data) == ("200", True)
    after = detail(up, app.sheet_id).data
    assert after.approval_status == "APPROVED"
    assert before - Decimal(after.remaining_quota) == app.total
    listed = applications(up, application_sheet_id=app.sheet_id).data
    assert [row.approval_status for row in listed] == ["APPROVED"]
    again = up.v2022().process_approval(request).body
    assert (again.code, again.data) == ("InvalidApprovalStatus", None)  # decided once
    other = next(a for a in up.state().tier2_applications if a.status == "PENDING")
    wrong = m.ProcessApprovalRequest(
        application_sheet_id=other.sheet_id, approval_action="MAYBE", approval_comments="?"
    )
    assert up.v2022().process_approval(wrong).body.code == "InvalidParameter.ApprovalAction"
    reject = m.ProcessApprovalRequest(
        application_sheet_id=other.sheet_id, approval_action="REJECT", approval_comments="否"
    )
    assert up.v2022().process_approval(reject).body.code == "200"
    assert detail(up, other.sheet_id).data.approval_status == "REJECTED"


def test_faults_reach_the_new_actions(up: Upstream) -> None:
    up.simulator.faults.add(Fault(FaultKind.SERVER_ERROR, "CreateCouponTemplate", value=503, remaining=1))
    with pytest.raises(ServerException) as failed:
        create(up)
    assert failed.value.code == "ServiceUnavailable"
    assert up.simulator.faults.injected[("CreateCouponTemplate", FaultKind.SERVER_ERROR)] == 1
    assert statuses(up).total == 3  # not applied
    assert create(up).code == "200"
