"""Official SDK (2022-12-16) against the simulator: the credit controls and exports of CONTRACTS.md A.7, each
write read back through a second operation, and each read checked against the simulator's state."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from alibabacloud_agency20221216 import models as m
from alibabacloud_tea_openapi.exceptions import ClientException, ServerException, ThrottlingException

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun.simulator import EndAccount
from tests.adapters.aliyun.sdk import REQUEST_ID, RESELLER, Upstream, running

FAR = "2020-01-01"


@pytest.fixture
def up() -> Iterator[Upstream]:
    with running() as upstream:
        yield upstream


def today() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")  # China time is ahead of UTC


def customer(up: Upstream, index: int = 0, **where: object) -> EndAccount:
    chosen = [
        a for a in up.state().accounts if a.user_type in (1, 2) and all(getattr(a, k) == v for k, v in where.items())
    ]
    return chosen[index]


def credit(up: Upstream, uid: int) -> m.GetCreditInfoResponseBodyData:
    return up.v2022().get_credit_info(m.GetCreditInfoRequest(uid=uid)).body.data


def theirs(up: Upstream) -> int:
    return up.state(RESELLER).accounts[0].uid


def test_set_warning_threshold(up: Upstream) -> None:
    target = customer(up, frozen=False)
    body = up.v2022().set_warning_threshold(m.SetWarningThresholdRequest(uid=target.uid, warning_value="35")).body
    assert (body.code, body.success, body.message) == ("200", True, "200")
    assert REQUEST_ID.match(body.request_id)
    assert credit(up, target.uid).alarm_threshold == "35"
    for value, code in (("abc", "3044"), ("12.5", "3044"), ("0", "3045"), ("101", "3045"), ("-3", "3045")):
        bad = up.v2022().set_warning_threshold(m.SetWarningThresholdRequest(uid=target.uid, warning_value=value))
        assert (bad.body.code, bad.body.success) == (code, False), value
    assert credit(up, target.uid).alarm_threshold == "35"
    up.v2022().edit_end_user_status(m.EditEndUserStatusRequest(uid=target.uid, credit_status="postPayFreeze"))
    frozen = up.v2022().set_warning_threshold(m.SetWarningThresholdRequest(uid=target.uid, warning_value="50"))
    assert frozen.body.code == "3040"
    other = up.v2022().set_warning_threshold(m.SetWarningThresholdRequest(uid=theirs(up), warning_value="50"))
    assert other.body.code == "3029"


def test_edit_new_buy_status(up: Upstream) -> None:
    target = customer(up, new_buy_status="normal")
    body = up.v2022().edit_new_buy_status(m.EditNewBuyStatusRequest(uid=target.uid, new_buy_status="ban")).body
    assert (body.code, body.data, body.msg, body.message) == ("200", "true", "Success", "Success")
    assert credit(up, target.uid).new_buy_status == "ban"  # written as ban/cancelBan, read as ban/normal (A.7.7)
    log = up.v2022().get_purchase_control_record(
        m.GetPurchaseControlRecordRequest(customer_uid=target.uid, page_no=1, page_size=10)
    )
    newest = log.body.data[0]
    assert (newest.changed_type, newest.operation_path, newest.operator) == ("ban", "API", str(up.state().uid))
    up.v2022().edit_new_buy_status(m.EditNewBuyStatusRequest(uid=target.uid, new_buy_status="cancelBan"))
    assert credit(up, target.uid).new_buy_status == "normal"
    bad = up.v2022().edit_new_buy_status(m.EditNewBuyStatusRequest(uid=target.uid, new_buy_status="normal")).body
    assert (bad.code, bad.msg) == ("InvalidParameter.NewBuyStatus", bad.message)
    assert up.v2022().edit_new_buy_status(m.EditNewBuyStatusRequest(new_buy_status="ban")).body.code == "3029"


def test_get_purchase_control_record(up: Upstream) -> None:
    target = customer(up)
    request = m.GetPurchaseControlRecordRequest(customer_uid=target.uid, page_no=1, page_size=100)
    body = up.v2022().get_purchase_control_record(request).body
    seeded = [r for r in up.state().credit_history.purchase if r.uid == target.uid]
    assert (body.code, body.success, body.page_no, body.page_size, body.total) == ("200", True, 1, 100, len(seeded))
    assert body.total >= 2  # seeded per customer
    assert [r.changed_type for r in body.data] == [r.changed_type for r in reversed(seeded)]  # newest first
    assert body.data[0].changed_type == ("ban" if target.new_buy_status == "ban" else "cancelBan")
    times = [r.operation_time for r in body.data]
    assert times == sorted(times, reverse=True)
    second = up.v2022().get_purchase_control_record(
        m.GetPurchaseControlRecordRequest(customer_uid=target.uid, page_no=2, page_size=1)
    )
    assert second.body.data[0].operation_time == body.data[1].operation_time
    day = body.data[0].operation_time[:10]
    on_day = up.v2022().get_purchase_control_record(
        m.GetPurchaseControlRecordRequest(customer_uid=target.uid, operation_time=day, page_no=1, page_size=10)
    )
    assert on_day.body.total >= 1
    assert all(r.operation_time.startswith(day) for r in on_day.body.data)
    with pytest.raises(ClientException, match="InvalidParameter"):
        up.v2022().get_purchase_control_record(
            m.GetPurchaseControlRecordRequest(customer_uid=target.uid, page_no=1, page_size=101)
        )
    other = m.GetPurchaseControlRecordRequest(customer_uid=theirs(up), page_no=1, page_size=10)
    assert up.v2022().get_purchase_control_record(other).body.code == "3029"


def test_edit_zero_credit_shutdown(up: Upstream) -> None:
    target = customer(up)
    previous = target.shutdown_policy
    new = "1" if previous != "1" else "2"
    name = {"1": "DELAY_STOP", "2": "NO_STOP", "3": "IMMEDIATELY_STOP"}
    body = up.v2022().edit_zero_credit_shutdown(
        m.EditZeroCreditShutdownRequest(uid=target.uid, shutdown_policy=name[new])
    )
    assert (body.body.code, body.body.data, body.body.msg) == ("200", "true", "Success")
    assert credit(up, target.uid).zero_credit_shutdown_policy == new
    log = up.v2022().get_shutdown_policy_record(
        m.GetShutdownPolicyRecordRequest(customer_uid=target.uid, page_no=1, page_size=5)
    )
    newest = log.body.data[0]
    assert (newest.previous_policy, newest.current_policy, newest.operation_path) == (name[previous], name[new], "API")
    again = m.EditZeroCreditShutdownRequest(uid=target.uid, shutdown_policy="3")  # the A.4.1 codes work too
    assert up.v2022().edit_zero_credit_shutdown(again).body.code == "200"
    assert credit(up, target.uid).zero_credit_shutdown_policy == "3"
    bad = up.v2022().edit_zero_credit_shutdown(m.EditZeroCreditShutdownRequest(uid=target.uid, shutdown_policy="9"))
    assert bad.body.code == "InvalidParameter.ShutdownPolicy"


def test_get_shutdown_policy_record(up: Upstream) -> None:
    for index in range(3):
        target = customer(up, index)
        body = up.v2022().get_shutdown_policy_record(
            m.GetShutdownPolicyRecordRequest(customer_uid=target.uid, page_no=1, page_size=100)
        )
        assert (body.body.code, body.body.success) == ("200", True)
        rows = body.body.data
        assert body.body.total == len(rows) >= 1
        current = {"1": "DELAY_STOP", "2": "NO_STOP", "3": "IMMEDIATELY_STOP"}[
            credit(up, target.uid).zero_credit_shutdown_policy
        ]
        assert rows[0].current_policy == current  # the log ends where GetCreditInfo stands
        for newer, older in itertools.pairwise(rows):
            assert newer.previous_policy == older.current_policy
    other = m.GetShutdownPolicyRecordRequest(customer_uid=theirs(up), page_no=1, page_size=10)
    assert up.v2022().get_shutdown_policy_record(other).body.code == "3029"


def test_automatic_write_off(up: Upstream) -> None:
    target = customer(up, frozen=False)
    request = m.AutomaticWriteOffRequest(
        customer_uid=target.uid, automatic_write_off_enabled=True, automatic_write_off_amount=300, language="zh"
    )
    body = up.v2022().automatic_write_off(request).body
    assert (body.code, body.data, body.message) == ("200", True, "Success")
    records = up.v2022().query_automatic_write_off_change_records(
        m.QueryAutomaticWriteOffChangeRecordsRequest(customer_uid=target.uid, page_no=1, page_size=10)
    )
    newest = records.body.data[0]
    assert json.loads(newest.change_content) == {"AutomaticWriteOffEnabled": True, "AutomaticWriteOffAmount": 300}
    assert (newest.operate_source, newest.operate_id) == ("API", str(up.state().uid))
    off = m.AutomaticWriteOffRequest(customer_uid=target.uid, automatic_write_off_enabled=False)
    assert up.v2022().automatic_write_off(off).body.data is True
    assert target.auto_write_off is False
    with pytest.raises(ClientException, match="MissingAutomaticWriteOffEnabled"):
        up.v2022().automatic_write_off(m.AutomaticWriteOffRequest(customer_uid=target.uid))
    up.v2022().edit_end_user_status(m.EditEndUserStatusRequest(uid=target.uid, credit_status="postPayFreeze"))
    assert up.v2022().automatic_write_off(request).body.code == "3040"


def test_query_automatic_write_off_change_records(up: Upstream) -> None:
    target = customer(up)
    seeded = [r for r in up.state().credit_history.write_off if r.uid == target.uid]
    request = m.QueryAutomaticWriteOffChangeRecordsRequest(customer_uid=target.uid, page_no=1, page_size=100)
    body = up.v2022().query_automatic_write_off_change_records(request).body
    assert (body.code, body.message, len(body.data)) == ("200", "Success", len(seeded))
    # A.7.22: no PageNo/PageSize/Total in the answer (checked on the raw body in tests/adapters/aliyun)
    latest = json.loads(body.data[0].change_content)
    assert latest["AutomaticWriteOffEnabled"] is target.auto_write_off
    short = m.QueryAutomaticWriteOffChangeRecordsRequest(customer_uid=target.uid, page_no=1, page_size=1)
    assert len(up.v2022().query_automatic_write_off_change_records(short).body.data) == 1
    past = m.QueryAutomaticWriteOffChangeRecordsRequest(
        customer_uid=target.uid, page_no=1, page_size=10, start_date="2000-01-01", end_date="2000-12-31"
    )
    assert up.v2022().query_automatic_write_off_change_records(past).body.data == []


def test_customer_quota_record_list(up: Upstream) -> None:
    target = customer(up, frozen=False)
    before = credit(up, target.uid).credit_line

    def listing(**extra: object) -> m.CustomerQuotaRecordListResponseBody:
        params: dict[str, object] = {"operation_type": "all", "page_no": 1, "page_size": 100}
        params.update(extra)
        request = m.CustomerQuotaRecordListRequest(end_user_pk=target.uid, start_date=FAR, end_date=today(), **params)
        return up.v2022().customer_quota_record_list(request).body

    seeded = listing()
    assert (seeded.code, seeded.msg, seeded.page_no, seeded.page_size) == ("200", "Success", 1, 100)
    assert Decimal(seeded.data[0].update_after_amount) == Decimal(before)  # the log ends at today's line
    assert seeded.data[-1].operation_type_code == "quota_create"
    up.v2022().set_credit_line(m.SetCreditLineRequest(credit_line="7777.70", uid=target.uid))
    after = listing()
    assert after.total == seeded.total + 1
    row = after.data[0]
    assert (row.operation_type_code, row.operation_type_desc, row.operation_submit_type) == (
        "quota_amount_adjust",
        "Adjust the amount of quota",
        "API",
    )
    assert (Decimal(row.update_before_amount), row.update_after_amount) == (Decimal(before), "7777.70")
    assert Decimal(row.update_amount) == Decimal("7777.70") - Decimal(before)
    assert row.operation_uid == str(up.state().uid)
    created = listing(operation_type="quota_create", language="zh")
    assert [r.operation_type_desc for r in created.data] == ["创建额度"]
    assert len(listing(page_no=2, page_size=1).data) == 1
    assert listing(operation_type="delete").code == "InvalidParameter.OperationType"
    assert listing(language="fr").code == "InvalidParameter.Language"
    with pytest.raises(ClientException, match="InvalidParameter"):
        listing(page_size=101)
    bad_date = m.CustomerQuotaRecordListRequest(
        end_user_pk=target.uid, start_date="2024/01/01", end_date=today(), operation_type="all", page_no=1, page_size=5
    )
    assert up.v2022().customer_quota_record_list(bad_date).body.code == "InvalidParameter.StartDate"


def test_export_customer_quota_record(up: Upstream) -> None:
    target = customer(up)
    request = m.ExportCustomerQuotaRecordRequest(
        end_user_pk=target.uid, start_date=FAR, end_date=today(), operation_type="all"
    )
    body = up.v2022().export_customer_quota_record(request).body
    assert (body.code, body.msg, body.data.cost) == ("200", "Success", 1)
    assert isinstance(body.data.id, int)
    task = next(t for t in up.state().credit_history.exports if t.task_id == body.data.id)
    assert (task.uid, task.scene) == (target.uid, "customer_quota_record")
    other = m.ExportCustomerQuotaRecordRequest(
        end_user_pk=theirs(up), start_date=FAR, end_date=today(), operation_type="all"
    )
    assert up.v2022().export_customer_quota_record(other).body.code == "3029"


def test_quota_list_export_paged(up: Upstream) -> None:
    target = customer(up)
    request = m.ExportCustomerQuotaRecordRequest(
        end_user_pk=target.uid, start_date=FAR, end_date=today(), operation_type="all"
    )
    exported = up.v2022().export_customer_quota_record(request).body.data
    listing = up.v2022().quota_list_export_paged(m.QuotaListExportPagedRequest(current_page=1, page_size=100)).body
    assert (listing.code, listing.msg, listing.page_no, listing.page_size) == ("200", "Success", 1, 100)
    newest = listing.data[0]
    assert str(exported.id) in newest.file_name  # rows carry no Id: the file name does
    assert (newest.status_code, newest.status, newest.url) == ("2", "Exporting", "")
    assert "-1" in {row.status_code for row in listing.data}  # the seeded failed one
    up.simulator.advance(timedelta(minutes=exported.cost))
    done = up.v2022().quota_list_export_paged(m.QuotaListExportPagedRequest(current_page=1, page_size=1)).body
    assert (done.total, len(done.data)) == (listing.total, 1)
    assert (done.data[0].status_code, done.data[0].status) == ("3", "Export Success")
    assert done.data[0].url.endswith(newest.file_name)
    zh = up.v2022().quota_list_export_paged(m.QuotaListExportPagedRequest(current_page=1, page_size=1, language="zh"))
    assert zh.body.data[0].status == "导出成功"
    with pytest.raises(ClientException, match="MissingCurrentPage"):
        up.v2022().quota_list_export_paged(m.QuotaListExportPagedRequest(page_size=10))


def test_export_reversed_deduction_history(up: Upstream) -> None:
    target = customer(up)
    request = m.ExportReversedDeductionHistoryRequest(export_uid=target.uid, start_date=FAR, end_date=today())
    body = up.v2022().export_reversed_deduction_history(request).body
    assert (body.code, body.message) == ("200", "Success")
    tasks = up.v2022().list_export_tasks(
        m.ListExportTasksRequest(scene_code="reversed_deduction_history", id=body.data.id, page_no=1, page_size=10)
    )
    assert [(t.id, t.status_code) for t in tasks.body.data] == [(body.data.id, "2")]
    late = m.ExportReversedDeductionHistoryRequest(export_uid=target.uid, start_date=today(), end_date=FAR)
    assert up.v2022().export_reversed_deduction_history(late).body.code == "InvalidParameter.TimeRange"


def test_list_export_tasks(up: Upstream) -> None:
    target = customer(up)
    ids = []
    for _ in range(2):
        request = m.ExportReversedDeductionHistoryRequest(export_uid=target.uid, start_date=FAR, end_date=today())
        ids.append(up.v2022().export_reversed_deduction_history(request).body.data.id)
    scene = m.ListExportTasksRequest(scene_code="reversed_deduction_history", page_no=1, page_size=100)
    body = up.v2022().list_export_tasks(scene).body
    assert (body.code, body.message, body.page_no, body.total) == ("200", "Success", 1, len(body.data))
    assert [t.id for t in body.data[:2]] == ids[::-1]
    assert all(t.file_name.startswith("ReversedDeductionHistory_") for t in body.data)
    up.simulator.advance(timedelta(minutes=1))
    ready = up.v2022().list_export_tasks(scene).body.data[0]
    assert (ready.status_code, ready.status) == ("3", "Export Success")
    assert ready.url.endswith(ready.file_name)
    quota = m.ListExportTasksRequest(scene_code="customer_quota_record", page_no=1, page_size=100)
    assert all(t.file_name.startswith("CustomerQuotaRecord_") for t in up.v2022().list_export_tasks(quota).body.data)
    unknown = m.ListExportTasksRequest(scene_code="bills", page_no=1, page_size=10)
    assert up.v2022().list_export_tasks(unknown).body.code == "InvalidParameter.SceneCode"


def test_query_reversed_deduction_history(up: Upstream) -> None:
    target = next(a for a in up.state().accounts if a.outstanding > 1 and not a.frozen)

    def history() -> m.QueryReversedDeductionHistoryResponseBody:
        request = m.QueryReversedDeductionHistoryRequest(
            uid=target.uid, start_date=FAR, end_date=today(), page_no=1, page_size=100
        )
        return up.v2022().query_reversed_deduction_history(request).body

    before = history()
    assert (before.code, before.message, before.total) == ("200", "Success", len(before.data))
    assert sum(Decimal(r.offset_amount) for r in before.data) <= target.consumed  # written off -> consumed
    deduct = m.DeductOutstandingBalanceRequest(deduct_amount="1.25", uid=target.uid)
    assert up.v2022().deduct_outstanding_balance(deduct).body.code == "200"
    after = history()
    assert after.total == before.total + 1
    assert (after.data[0].offset_amount, after.data[0].operation_submit_type) == ("1.25", "API")
    assert after.data[0].operation_uid == str(up.state().uid)
    with pytest.raises(ClientException, match="MissingStartDate"):
        up.v2022().query_reversed_deduction_history(
            m.QueryReversedDeductionHistoryRequest(uid=target.uid, end_date=today(), page_no=1, page_size=10)
        )


def test_set_account_info(up: Upstream) -> None:
    target = customer(up)

    def row() -> m.GetAccountInfoResponseBodyAccountInfoListAccountInfo:
        body = up.v2022().get_account_info(m.GetAccountInfoRequest(current_page=1, page_size=1, uid=target.uid)).body
        return body.account_info_list.account_info[0]

    request = m.SetAccountInfoRequest(
        uid=target.uid, account_nickname="杭州新名字科技", customer_bd="李强", remark="年度大客户"
    )
    body = up.v2022().set_account_info(request).body
    assert (body.code, body.success) == ("200", True)
    now = row()
    assert (now.account_nickname, now.customer_bd, now.remark) == ("杭州新名字科技", "李强", "年度大客户")
    up.v2022().set_account_info(m.SetAccountInfoRequest(uid=target.uid, remark=""))
    assert (row().remark, row().account_nickname) == ("", "杭州新名字科技")  # only the fields sent change
    too_long = m.SetAccountInfoRequest(uid=target.uid, account_nickname="名" * 51)  # 153 bytes
    assert up.v2022().set_account_info(too_long).body.code == "3030"
    remark = m.SetAccountInfoRequest(uid=target.uid, remark="x" * 3001)
    assert up.v2022().set_account_info(remark).body.code == "3031"
    manager = m.SetAccountInfoRequest(uid=target.uid, customer_bd="王" * 51)
    assert up.v2022().set_account_info(manager).body.code == "InvalidParameter.CustomerBd"
    assert row().account_nickname == "杭州新名字科技"
    other = m.SetAccountInfoRequest(uid=theirs(up), remark="mine")
    assert up.v2022().set_account_info(other).body.code == "3029"


def test_faults_on_the_new_actions(up: Upstream) -> None:
    target = customer(up)
    up.simulator.faults.add(Fault(FaultKind.THROTTLE, "GetShutdownPolicyRecord", value=1, remaining=1))
    with pytest.raises(ThrottlingException):
        up.v2022().get_shutdown_policy_record(
            m.GetShutdownPolicyRecordRequest(customer_uid=target.uid, page_no=1, page_size=5)
        )
    up.control("POST", "faults", {"kind": "5xx", "operation": "ExportCustomerQuotaRecord", "remaining": 1})
    tasks = len(up.state().credit_history.exports)
    request = m.ExportCustomerQuotaRecordRequest(
        end_user_pk=target.uid, start_date=FAR, end_date=today(), operation_type="all"
    )
    with pytest.raises(ServerException):
        up.v2022().export_customer_quota_record(request)
    assert len(up.state().credit_history.exports) == tasks  # a 5xx is not applied
    assert up.v2022().export_customer_quota_record(request).body.code == "200"
    assert up.simulator.faults.injected[("ExportCustomerQuotaRecord", FaultKind.SERVER_ERROR)] == 1
