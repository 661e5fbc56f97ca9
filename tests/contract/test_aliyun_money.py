"""Official SDK (2022-12-16) against the simulator: credit lines, freeze and thaw, outstanding balances,
coupons, 2022 orders, and injected faults as the SDK sees them (A.4.7-A.4.12, A.4.14, A.4.15, A.3.1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from alibabacloud_agency20221216 import models as m
from alibabacloud_tea_openapi.exceptions import ServerException, ThrottlingException

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun.simulator import EndAccount
from tests.adapters.aliyun.sdk import DISTRIBUTOR, REQUEST_ID, RESELLER, Upstream, running


@pytest.fixture
def up() -> Iterator[Upstream]:
    with running() as upstream:
        yield upstream


def customer(up: Upstream, **where: object) -> EndAccount:
    return next(
        a for a in up.state().accounts if a.user_type in (1, 2) and all(getattr(a, k) == v for k, v in where.items())
    )


def credit(up: Upstream, uid: int) -> m.GetCreditInfoResponseBodyData:
    body = up.v2022().get_credit_info(m.GetCreditInfoRequest(uid=uid)).body
    assert (body.code, body.success) == ("200", True)
    return body.data


def test_set_credit_line_moves_available_credit(up: Upstream) -> None:
    target = customer(up, frozen=False)
    before = credit(up, target.uid)
    assert before.credit_line == str(target.credit_line)
    assert before.new_buy_status == target.new_buy_status  # lower-case newBuyStatus on the wire (A.6.3)
    assert before.paygfreeze_status == "normal"
    new_line = Decimal(before.credit_line) + Decimal("2500.50")
    body = up.v2022().set_credit_line(m.SetCreditLineRequest(credit_line=str(new_line), uid=target.uid)).body
    assert (body.code, body.success) == ("200", True)
    after = credit(up, target.uid)
    assert Decimal(after.credit_line) == new_line
    assert Decimal(after.available_credit) - Decimal(before.available_credit) == Decimal("2500.50")


@pytest.mark.parametrize(("line", "code"), [("abc", "3041"), ("-5", "3041"), ("1.234", "3041")])
def test_set_credit_line_validates(up: Upstream, line: str, code: str) -> None:
    uid = customer(up).uid
    body = up.v2022().set_credit_line(m.SetCreditLineRequest(credit_line=line, uid=uid)).body
    assert (body.code, body.success) == (code, False)


def test_other_partners_uid_is_invalid(up: Upstream) -> None:
    theirs = up.state(RESELLER).accounts[0].uid
    assert up.v2022().get_credit_info(m.GetCreditInfoRequest(uid=theirs)).body.code == "3029"
    body = up.v2022().set_credit_line(m.SetCreditLineRequest(credit_line="1", uid=theirs)).body
    assert (body.code, body.success) == ("3029", False)


def test_freeze_refuses_credit_changes_until_thawed(up: Upstream) -> None:
    uid = customer(up).uid
    freeze = up.v2022().edit_end_user_status(m.EditEndUserStatusRequest(uid=uid, credit_status="postPayFreeze"))
    assert (freeze.body.code, freeze.body.data, freeze.body.msg) == ("200", "true", "Success")
    assert credit(up, uid).paygfreeze_status == "freeze"
    refused = up.v2022().set_credit_line(m.SetCreditLineRequest(credit_line="100", uid=uid)).body
    assert (refused.code, refused.success) == ("3040", False)
    up.v2022().edit_end_user_status(m.EditEndUserStatusRequest(uid=uid, credit_status="postPayThaw"))
    assert credit(up, uid).paygfreeze_status == "normal"
    assert up.v2022().set_credit_line(m.SetCreditLineRequest(credit_line="100", uid=uid)).body.code == "200"
    bad = up.v2022().edit_end_user_status(m.EditEndUserStatusRequest(uid=uid, credit_status="melt")).body
    assert bad.code == "InvalidParameter.CreditStatus"


def test_deduct_outstanding_balance(up: Upstream) -> None:
    target = next(a for a in up.state().accounts if a.outstanding > 1)
    before = credit(up, target.uid)
    body = up.v2022().deduct_outstanding_balance(
        m.DeductOutstandingBalanceRequest(deduct_amount="1.00", uid=target.uid)
    )
    assert (body.body.code, body.body.success) == ("200", True)
    after = credit(up, target.uid)
    assert Decimal(before.outstanding_balance) - Decimal(after.outstanding_balance) == Decimal("1.00")
    assert after.available_credit == before.available_credit
    too_much = m.DeductOutstandingBalanceRequest(deduct_amount="99999999", uid=target.uid)
    assert up.v2022().deduct_outstanding_balance(too_much).body.code == "InvalidParameter.DeductAmount"


def test_issue_list_and_cancel_a_coupon(up: Upstream) -> None:
    target = customer(up)
    template = up.state().templates[1]
    issued = (
        up.v2022()
        .issue_coupon_for_customer(
            m.IssueCouponForCustomerRequest(
                coupon_template_id=template.template_id, uidlist=str(target.uid), is_use_benefit=False
            )
        )
        .body
    )
    assert (issued.code, issued.success) == ("200", True)
    assert (issued.data.coupon_template_id, issued.data.uidlist) == (template.template_id, str(target.uid))

    listing = up.v2022().list_coupon_usage(m.ListCouponUsageRequest(uid=target.uid, status="AVAILABLE", page_size=50))
    body = listing.body
    assert REQUEST_ID.match(body.request_id)
    newest = body.data[0]
    assert (newest.coupon_template_id, newest.uid, newest.account) == (
        template.template_id,
        target.uid,
        target.aliyun_id,
    )
    assert isinstance(newest.coupon_id, str)  # a String here (A.6.2)
    assert (newest.amount, newest.balance, newest.status) == (
        float(template.amount),
        float(template.amount),
        "AVAILABLE",
    )

    cancelled = up.v2022().cancel_coupon(m.CancelCouponRequest(coupon_id=int(newest.coupon_id))).body
    assert (cancelled.code, cancelled.data) == ("200", True)
    again = up.v2022().list_coupon_usage(m.ListCouponUsageRequest(uid=target.uid, page_size=50)).body
    assert {c.coupon_id: c.status for c in again.data}[newest.coupon_id] == "ABANDONED"
    twice = up.v2022().cancel_coupon(m.CancelCouponRequest(coupon_id=int(newest.coupon_id))).body
    assert (twice.code, twice.success) == ("InvalidCouponStatus", False)


def test_coupon_errors_and_paging(up: Upstream) -> None:
    bad = m.IssueCouponForCustomerRequest(coupon_template_id=1, uidlist=str(customer(up).uid))
    assert up.v2022().issue_coupon_for_customer(bad).body.code == "InvalidCouponTemplateId.NotFound"
    page = up.v2022().list_coupon_usage(m.ListCouponUsageRequest(page=2, page_size=5)).body
    assert (page.page_info.page, page.page_info.page_size, page.page_info.total) == (2, 5, len(up.state().coupons))
    assert len(page.data) == 5


def test_get_customer_orders_2022(up: Upstream) -> None:
    today = datetime.now(UTC)
    request = m.GetCustomerOrdersRequest(
        start_date=(today - timedelta(days=400)).strftime("%Y-%m-%d"),
        end_date=today.strftime("%Y-%m-%d"),
        time_type=1,
        page_no=1,
        page_size=100,
    )
    body = up.v2022().get_customer_orders(request).body
    assert (body.code, body.success, body.total) == ("200", True, len(up.state().orders))
    by_id = {o.order_id: o for o in up.state().orders}
    for row in body.data:
        order = by_id[row.order_id]
        assert (row.customer_no, row.order_status, row.order_type) == (
            order.customer_uid,
            order.status,
            order.order_type,
        )
        assert Decimal(str(row.original_cost)) == order.price
    missing = m.GetCustomerOrdersRequest(start_date="2024-01-01", end_date="2024-02-01", page_no=1, page_size=10)
    with pytest.raises(Exception, match="MissingTimeType"):
        up.v2022().get_customer_orders(missing)


def test_injected_faults_look_like_aliyun_to_the_sdk(up: Upstream) -> None:
    up.simulator.faults.add(Fault(FaultKind.THROTTLE, "GetCreditInfo", value=2, remaining=1))
    with pytest.raises(ThrottlingException) as throttled:
        up.v2022().get_credit_info(m.GetCreditInfoRequest(uid=customer(up).uid))
    assert (throttled.value.code, throttled.value.retry_after) == ("Throttling.User", 2000)
    up.control("POST", "faults", {"kind": "5xx", "operation": "ListCountries", "value": 503, "remaining": 1})
    with pytest.raises(ServerException) as failed:
        up.v2022().list_countries()
    assert (failed.value.code, failed.value.status_code) == ("ServiceUnavailable", 503)
    assert up.v2022().list_countries().body.code == "200"
    assert DISTRIBUTOR.access_key_id in up.simulator.state.partners


def test_concurrent_writes_each_apply_once(up: Upstream) -> None:
    from concurrent.futures import ThreadPoolExecutor

    target = customer(up)
    template = up.state().templates[0].template_id
    before = up.v2022().list_coupon_usage(m.ListCouponUsageRequest(uid=target.uid)).body.page_info.total

    def issue(_: int) -> str:
        request = m.IssueCouponForCustomerRequest(coupon_template_id=template, uidlist=str(target.uid))
        return up.v2022().issue_coupon_for_customer(request).body.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(issue, range(16))) == ["200"] * 16
    after = up.v2022().list_coupon_usage(m.ListCouponUsageRequest(uid=target.uid)).body.page_info.total
    assert after == before + 16
