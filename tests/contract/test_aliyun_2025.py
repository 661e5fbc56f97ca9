"""Official SDK (2025-02-27) against the simulator: T2 partners, order lists with their time windows,
and customer notes in the form body (A.5.1-A.5.6). Notes are read back after each change."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from alibabacloud_agency20250227 import models as m

from adapters.aliyun.simulator import OrderStatus
from tests.adapters.aliyun.sdk import REQUEST_ID, RESELLER, Upstream, running

DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def up() -> Iterator[Upstream]:
    with running(seed=99) as upstream:
        yield upstream


def now_ms() -> int:
    return int(time.time() * 1000)


def test_get_sub_partner_list(up: Upstream) -> None:
    body = up.v2025().get_sub_partner_list(m.GetSubPartnerListRequest(page_no=1, page_size=2)).body
    partners = up.state().sub_partners
    assert (body.success, body.page_no, body.page_size, body.total) == (True, "1", "2", len(partners))
    first = body.sub_partner_list[0]
    assert (first.pid, first.company_name, first.master_uid) == (
        partners[0].pid,
        partners[0].company_name,
        str(partners[0].master_uid),
    )
    assert first.agreement_status_desc == "已签约"
    refused = up.v2025(RESELLER).get_sub_partner_list(m.GetSubPartnerListRequest(page_no=1, page_size=2)).body
    assert (refused.success, refused.to_map().get("Code")) == (False, None)  # this envelope has no Code (A.3.2)


def test_get_customer_order_list_in_a_window(up: Upstream) -> None:
    request = m.GetCustomerOrderListRequest(
        page_no=1, page_size=100, order_create_after=now_ms() - 180 * DAY_MS, order_create_before=now_ms()
    )
    body = up.v2025().get_customer_order_list(request).body
    assert (body.code, body.success, body.http_status_code) == ("200", True, 200)
    assert 0 < body.total < len(up.state().orders)
    by_id = {o.order_id: o for o in up.state().orders}
    row = body.data[0]
    order = by_id[row.order_id]
    assert (row.customer_uid, row.order_status, row.project_id) == (order.customer_uid, order.status, order.project_id)
    assert Decimal(str(row.amount_due)) == order.amount_due
    assert row.ram_account_for_customer_managers == [order.customer_manager]
    assert any(r.project_id for r in body.data)

    paid = m.GetCustomerOrderListRequest(
        page_no=1, page_size=100, order_create_after=now_ms() - 180 * DAY_MS, order_create_before=now_ms(),
        order_status=OrderStatus.PAID, order_type_list=["BUY", "RENEW"],
    )  # fmt: skip
    rows = up.v2025().get_customer_order_list(paid).body.data
    assert rows
    assert all(r.order_status == 2 and r.order_type in ("BUY", "RENEW") for r in rows)


@pytest.mark.parametrize(
    "window",
    [{}, {"order_create_after": 0, "order_create_before": 200 * DAY_MS}, {"order_pay_after": 5}],
)
def test_order_windows_are_enforced(up: Upstream, window: dict[str, int]) -> None:
    body = up.v2025().get_customer_order_list(m.GetCustomerOrderListRequest(page_no=1, page_size=10, **window)).body
    assert (body.code, body.success, body.http_status_code) == ("InvalidParameter.TimeRange", False, 400)


def test_get_sub_partner_order_list(up: Upstream) -> None:
    request = m.GetSubPartnerOrderListRequest(
        page_no=1, page_size=100, order_create_after=now_ms() - 180 * DAY_MS, order_create_before=now_ms()
    )
    body = up.v2025().get_sub_partner_order_list(request).body
    assert (body.code, body.success) == ("200", True)
    t2 = {p.master_uid: p.company_name for p in up.state().sub_partners}
    assert body.data
    assert all(t2[r.sub_partner_uid] == r.sub_partner_name for r in body.data)
    refused = up.v2025(RESELLER).get_sub_partner_order_list(request).body
    assert (refused.code, refused.success) == ("Forbidden.NotDistributor", False)


def test_notes_create_list_edit_detail(up: Upstream) -> None:
    target = next(a for a in up.state().accounts if a.user_type == 2)
    created = up.v2025().customer_note_create(
        m.CustomerNoteCreateRequest(
            customer_uid=str(target.uid), note_content="首次拜访 & 需求沟通", contact_name="李强",
            contact_information="13800000000", touch_date=1_700_000_000_000,
        )
    ).body  # fmt: skip
    assert (created.code, created.http_status_code, created.msg) == ("200", 200, "Success")
    assert REQUEST_ID.match(created.request_id)
    note_id = created.data
    assert isinstance(note_id, int)

    listed = up.v2025().customer_note_list(m.CustomerNoteListRequest(customer_uid=str(target.uid), page_num=1)).body
    assert (listed.code, listed.data.code, listed.data.total) == ("200", "200", listed.data.page_info.total)
    first = listed.data.data[0]
    assert (first.note_id, first.note_content, first.touch_date) == (note_id, "首次拜访 & 需求沟通", "1700000000000")

    edited = (
        up.v2025()
        .customer_note_edit(
            m.CustomerNoteEditRequest(note_id=note_id, note_content="已报价", touch_date=1_700_000_100_000)
        )
        .body
    )
    assert (edited.code, edited.http_status_code) == ("200", 200)
    detail = up.v2025().customer_note_list_detail(m.CustomerNoteListDetailRequest(note_id=note_id)).body.data
    assert (detail.note_content, detail.customer_uid, detail.contact_name) == ("已报价", target.uid, "李强")
    assert (detail.contact_information, detail.touch_date) == ("13800000000", "1700000100000")


def test_note_errors(up: Upstream) -> None:
    missing = up.v2025().customer_note_list_detail(m.CustomerNoteListDetailRequest(note_id=1)).body
    assert (missing.code, missing.http_status_code) == ("InvalidNoteId.NotFound", 404)
    stranger = up.v2025().customer_note_create(m.CustomerNoteCreateRequest(customer_uid="1", note_content="x")).body
    assert stranger.code == "3029"
