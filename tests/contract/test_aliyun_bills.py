"""Official SDKs against the simulator: the partner's own bills with their download links, bill
subscriptions, commission products, OSS file pushes whose status moves with the clock, and renewal rates
(A.7.2, A.7.11, A.7.14, A.7.15, A.7.27, A.8.1-A.8.4). The OSS secrets never reach a log."""

from __future__ import annotations

import csv
import io
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest
import uvicorn
from alibabacloud_agency20221216 import models as m
from alibabacloud_agency20250227 import models as m25
from alibabacloud_tea_openapi.exceptions import ClientException

from adapters.aliyun.simulator import OrderStatus, create_app
from adapters.aliyun.simulator._bills import CSV_HEADER
from gateway import logs
from tests.adapters.aliyun.sdk import DISTRIBUTOR, RESELLER, Upstream, running
from tests.support.servers import free_port

CHINA = timezone(timedelta(hours=8))
SECRET = "oss-Secret-Value-4f1c9b"
TOKEN = "CAIS-sts-token-9d2e7a"


@pytest.fixture
def up() -> Iterator[Upstream]:
    with running(seed=57) as upstream:
        yield upstream


def china_now() -> datetime:
    return datetime.now(UTC).astimezone(CHINA)


def month_back(months: int, sep: str = "-") -> str:
    now = china_now()
    index = now.year * 12 + now.month - 1 - months
    return f"{index // 12:04d}{sep}{index % 12 + 1:02d}"


def rows(url: str) -> list[list[str]]:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.text)))


def test_get_daily_bill(up: Upstream) -> None:
    order = next(o for o in up.state().orders if o.status == OrderStatus.PAID and o.paid_at is not None)
    assert order.paid_at is not None
    day = order.paid_at.astimezone(CHINA).date().isoformat()
    request = m.GetDailyBillRequest(bill_owner="1", bill_type="DailyInstanceBillV2", date=day)
    body = up.v2022().get_daily_bill(request).body
    assert (body.code, body.success, body.data.spending_time, body.data.bill_owner) == ("200", True, day, "1")
    table = rows(body.data.bill_link_csv)
    assert tuple(table[0]) == CSV_HEADER  # the simulator's own layout
    paid_that_day = {
        str(o.order_id)
        for o in up.state().orders
        if o.status == OrderStatus.PAID and o.paid_at and o.paid_at.astimezone(CHINA).date().isoformat() == day
    }
    assert {row[0] for row in table[1:]} == paid_that_day
    line = next(row for row in table[1:] if row[0] == str(order.order_id))
    assert (Decimal(line[CSV_HEADER.index("AmountDue")]), line[-1]) == (order.amount_due, "CNY")

    def code(**fields: str) -> str:
        merged = {"bill_owner": "1", "bill_type": "DailyBill", "date": day, **fields}
        return up.v2022().get_daily_bill(m.GetDailyBillRequest(**merged)).body.code

    assert code(bill_owner="3") == "3048"
    assert code(date="2024/01/01") == "3049"
    assert code(date=(china_now() + timedelta(days=2)).date().isoformat()) == "3049"
    assert code(bill_type="MonthlyInvoice") == "3050"
    up.simulator.advance(timedelta(hours=2))  # links last an hour
    expired = httpx.get(body.data.bill_link_csv, timeout=10)
    assert (expired.status_code, "<Code>AccessDenied</Code>" in expired.text) == (403, True)
    assert httpx.get(f"{up.base_url}/_simulator/bill-files/nope/x.csv", timeout=10).status_code == 404


def test_get_monthly_bill(up: Upstream) -> None:
    paid = [o for o in up.state().orders if o.status == OrderStatus.PAID and o.paid_at is not None]
    months = {o.paid_at.astimezone(CHINA).strftime("%Y-%m") for o in paid if o.paid_at}
    month = next(iter(sorted(months)))
    request = m.GetMonthlyBillRequest(bill_owner="1", bill_type="MonthlyInstanceConsumeV2", month=month)
    body = up.v2022().get_monthly_bill(request).body
    assert (body.code, body.success, body.data.bill_type, body.data.spending_time) == (
        "200",
        True,
        "MonthlyInstanceConsumeV2",
        month,
    )
    in_month = [o for o in paid if o.paid_at and o.paid_at.astimezone(CHINA).strftime("%Y-%m") == month]
    assert len(rows(body.data.bill_link_csv)) == 1 + len(in_month)
    refunds = [o for o in in_month if o.order_type == "REFUND"]
    assert body.data.refund_invoice_flag is bool(refunds)
    if refunds:
        assert len(rows(body.data.refund_invoice_link)) == 1 + len(refunds)
    t2 = m.GetMonthlyBillRequest(bill_owner="2", bill_type="MonthlySummary", month=month_back(0))
    t2_rows = rows(up.v2022().get_monthly_bill(t2).body.data.bill_link_csv)[1:]
    masters = {p.master_uid for p in up.state().sub_partners}
    assert all(int(row[CSV_HEADER.index("SubPartnerUid")]) in masters for row in t2_rows)
    future = m.GetMonthlyBillRequest(bill_owner="1", bill_type="MonthlyInvoice", month=month_back(-1))
    assert up.v2022().get_monthly_bill(future).body.code == "3049"
    wrong = m.GetMonthlyBillRequest(bill_owner="1", bill_type="DailyBill", month=month)
    assert up.v2022().get_monthly_bill(wrong).body.code == "3050"


def subscribe(up: Upstream, **fields: object) -> m.SubscriptionBillResponseBody:
    merged: dict[str, object] = {
        "subscribe_type": "PartnerBillingItemDetailMonthly",
        "begin_billing_cycle": month_back(5),
        "bill_format": "csv",
        "bucket_owner_id": up.state().uid,
        "subscribe_bucket": "partner-bills-01",
        **fields,
    }
    return up.v2022().subscription_bill(m.SubscriptionBillRequest(**merged)).body


def cancel(up: Upstream, kind: str = "PartnerBillingItemDetailMonthly") -> m.CancelSubscriptionBillResponseBody:
    return up.v2022().cancel_subscription_bill(m.CancelSubscriptionBillRequest(subscribe_type=kind)).body


def test_subscription_bill(up: Upstream) -> None:
    body = subscribe(up, subscribe_segment_size=50_000)
    assert (body.code, body.success, body.data) == ("200", True, True)
    assert [s.subscribe_type for s in up.state().bill_subscriptions] == ["PartnerBillingItemDetailMonthly"]
    assert subscribe(up).code == "SubscriptionExists"
    assert subscribe(up, begin_billing_cycle=month_back(6)).code == "InvalidParameter.BeginBillingCycle"  # 7 months
    assert subscribe(up, begin_billing_cycle=month_back(-1)).code == "InvalidParameter.BeginBillingCycle"
    assert subscribe(up, subscribe_type="Everything").code == "InvalidParameter.SubscribeType"
    other = {"subscribe_type": "PartnerInstanceDetailMonthly"}
    assert subscribe(up, bill_format="xlsx", **other).code == "InvalidParameter.BillFormat"
    assert subscribe(up, bucket_owner_id=1, **other).code == "InvalidParameter.BucketOwnerId"
    assert subscribe(up, subscribe_bucket="Bad_Bucket", **other).code == "InvalidParameter.SubscribeBucket"
    t2 = up.state().sub_partners[0].master_uid  # a subordinate partner's bucket
    assert subscribe(up, bucket_owner_id=t2, bill_format="parquet", begin_billing_cycle=month_back(0), **other).success


def test_cancel_subscription_bill(up: Upstream) -> None:
    assert cancel(up).code == "InvalidSubscribeType.NotFound"
    assert subscribe(up).code == "200"
    body = cancel(up)
    assert (body.code, body.success, body.data) == ("200", True, True)
    assert up.state().bill_subscriptions == []
    assert cancel(up).code == "InvalidSubscribeType.NotFound"
    assert cancel(up, "Nope").code == "InvalidParameter.SubscribeType"
    assert subscribe(up).code == "200"  # subscribable again


def test_get_commissionable_products(up: Upstream) -> None:
    request = m.GetCommissionableProductsRequest(page_no=1, page_size=100)
    body = up.v2022().get_commissionable_products(request).body
    assert (body.code, body.success, body.total) == ("200", True, len(body.data))
    again = up.v2022().get_commissionable_products(request).body
    assert [r.to_map() for r in again.data] == [r.to_map() for r in body.data]  # deterministic
    offline = [r.commodity_code for r in body.data if r.status == "OFFLINE"]
    only = m.GetCommissionableProductsRequest(page_no=1, page_size=100, list_show_status_list=["OFFLINE"])
    assert [r.commodity_code for r in up.v2022().get_commissionable_products(only).body.data] == offline
    ecs = m.GetCommissionableProductsRequest(pip_code_list="ecs,oss", page_size=100)
    assert {r.product_code for r in up.v2022().get_commissionable_products(ecs).body.data} == {"ecs", "oss"}
    page = up.v2022().get_commissionable_products(m.GetCommissionableProductsRequest(page_no=2, page_size=3)).body
    assert (page.page_no, page.page_size, [r.commodity_code for r in page.data]) == (
        2,
        3,
        [r.commodity_code for r in body.data[3:6]],
    )
    bad = m.GetCommissionableProductsRequest(real_start_month="2025/01")
    assert up.v2022().get_commissionable_products(bad).body.code == "InvalidParameter.RealStartMonth"


def oss(**extra: str) -> dict[str, str]:
    return {
        "oss_access_key_id": "LTAI5tOssWriter",
        "oss_access_key_secret": SECRET,
        "oss_security_token": TOKEN,
        "oss_bucket_name": "partner-files",
        "oss_endpoint": "oss-cn-hangzhou.aliyuncs.com",
        "oss_region": "cn-hangzhou",
        **extra,
    }


def test_get_bill_detail_file_list(up: Upstream) -> None:
    month = month_back(1, sep="")
    request = m25.GetBillDetailFileListRequest(bill_month=month, **oss())
    body = up.v2025().get_bill_detail_file_list(request).body
    assert (body.code, body.success, body.msg) == ("200", True, "Success")
    assert {(f.type, f.status, f.file_url) for f in body.data} == {
        ("CustomerAcquisition", "1", ""),
        ("ChannelExpansion", "1", ""),
    }
    up.simulator.advance(timedelta(minutes=2))
    listed = up.v2025().get_bill_detail_file_list(m25.GetBillDetailFileListRequest(bill_month=month)).body
    assert {f.status for f in listed.data} == {"2"}
    up.simulator.advance(timedelta(minutes=4))
    done = up.v2025().get_bill_detail_file_list(request).body.data  # the same call finds the same push
    assert {f.status for f in done} == {"3"}
    assert all(f.file_url == f"https://partner-files.oss-cn-hangzhou.aliyuncs.com/{f.file_name}" for f in done)
    assert len(up.state().oss_pushes) == 1
    assert SECRET not in repr(up.state().oss_pushes)
    current = m25.GetBillDetailFileListRequest(bill_month=month_back(0, sep=""))
    assert up.v2025().get_bill_detail_file_list(current).body.code == "InvalidParameter.BillMonth"
    partial = m25.GetBillDetailFileListRequest(bill_month=month, oss_bucket_name="partner-files")
    refused = up.v2025().get_bill_detail_file_list(partial).body
    assert (refused.code, refused.success) == ("InvalidParameter.Oss", False)
    assert SECRET not in (refused.message or "")


def test_get_commission_detail_file_list(up: Upstream) -> None:
    body = up.v2025().get_commission_detail_file_list(m25.GetCommissionDetailFileListRequest(**oss())).body
    assert (body.code, body.success, body.data.bill_month) == ("200", True, month_back(1, sep=""))
    assert body.data.partner_uid == str(up.state().uid)
    assert len(body.data.file_list) == 3  # a distributor's policies
    assert {(f.bucket_sync_status, f.file_type, f.file_url) for f in body.data.file_list} == {("Processing", "csv", "")}
    up.simulator.advance(timedelta(minutes=6))
    done = up.v2025().get_commission_detail_file_list(m25.GetCommissionDetailFileListRequest()).body.data
    assert [f.file_name for f in done.file_list] == [f.file_name for f in body.data.file_list]
    assert {f.bucket_sync_status for f in done.file_list} == {"Succeeded"}
    reseller = up.v2025(RESELLER).get_commission_detail_file_list(m25.GetCommissionDetailFileListRequest()).body
    assert (reseller.code, reseller.data.file_list) == ("200", [])  # no push of its own yet


def test_get_intl_commission_detail_file_list(up: Upstream) -> None:
    month = month_back(2, sep="")
    request = m25.GetIntlCommissionDetailFileListRequest(bill_month=month, **oss())
    body = up.v2025().get_intl_commission_detail_file_list(request).body
    assert (body.code, body.data.bill_month, body.data.partner_uid) == ("200", month, str(up.state().uid))
    assert {f.bucket_sync_status for f in body.data.file_list} == {"init"}
    up.simulator.advance(timedelta(minutes=2))
    assert {
        f.bucket_sync_status for f in up.v2025().get_intl_commission_detail_file_list(request).body.data.file_list
    } == {"processing"}
    up.simulator.advance(timedelta(minutes=4))
    assert {
        f.bucket_sync_status for f in up.v2025().get_intl_commission_detail_file_list(request).body.data.file_list
    } == {"succeeded"}
    without_token = m25.GetIntlCommissionDetailFileListRequest(bill_month=month, **oss(oss_security_token=""))
    with pytest.raises(ClientException, match="MissingOssSecurityToken") as missing:
        up.v2025().get_intl_commission_detail_file_list(without_token)
    assert SECRET not in str(missing.value)


def test_get_renewal_rate_list(up: Upstream) -> None:
    now = china_now()
    fiscal = now.year + 1 if now.month >= 4 else now.year
    request = m25.GetRenewalRateListRequest(fiscal_year_and_quarter=f"{fiscal - 1}Q2")
    body = up.v2025().get_renewal_rate_list(request).body
    assert (body.code, body.success, len(body.data)) == ("200", True, 1)
    row = body.data[0]
    assert row.final_renewal_rate == pytest.approx(row.final_renewed_amount / row.final_renewal_amount_due, abs=1e-4)
    assert row.final_renewal_amount_due == pytest.approx(
        row.final_customer_renewal_amount_due + row.final_sub_partner_renewal_amount_due
    )
    assert 0 < row.final_customer_renewal_rate < 1
    assert up.v2025().get_renewal_rate_list(request).body.data[0].to_map() == row.to_map()  # deterministic
    reseller = up.v2025(RESELLER).get_renewal_rate_list(request).body.data[0]
    assert (reseller.final_sub_partner_renewal_amount_due, reseller.final_sub_partner_renewal_rate) == (0, 0)
    assert reseller.master_pid != row.master_pid
    for bad in ("2025-Q1", f"{fiscal + 1}Q1"):
        refused = up.v2025().get_renewal_rate_list(m25.GetRenewalRateListRequest(fiscal_year_and_quarter=bad)).body
        assert (refused.code, refused.success) == ("InvalidParameter.FiscalYearAndQuarter", False)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # The official SDK's own HTTP library (urllib3) logs its URLs at DEBUG, secrets and all: that is
        # the SDK's side of the wire, not the simulator's, so its records are left out here.
        if not record.name.startswith("urllib3"):
            self.lines.append(record.getMessage())


def test_oss_secrets_never_reach_the_simulators_logs() -> None:
    """The SDK puts the OSS secret and STS token in the query string (A.8): the simulator, served as the
    CLI serves it (uvicorn's access log on, ``gateway.logs.install``), must not write them anywhere."""
    records = _Records()
    # uvicorn's own loggers may not propagate (another server's logging set-up): listen on them directly.
    loggers = [logging.getLogger(name) for name in ("", "uvicorn.access", "uvicorn.error")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(records)
        logger.setLevel(logging.DEBUG)
    logs.install()
    simulator = create_app([DISTRIBUTOR], seed=3)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(simulator, host="127.0.0.1", port=port, log_config=None, log_level="debug"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        upstream = Upstream(simulator, f"http://127.0.0.1:{port}")
        request = m25.GetBillDetailFileListRequest(bill_month=month_back(1, sep=""), **oss())
        assert upstream.v2025().get_bill_detail_file_list(request).body.code == "200"
        intl = m25.GetIntlCommissionDetailFileListRequest(bill_month="20xx01", **oss())
        assert upstream.v2025().get_intl_commission_detail_file_list(intl).body.code == "InvalidParameter.BillMonth"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(records)
            logger.setLevel(level)
    access = [line for line in records.lines if "OssAccessKeySecret=" in line]
    assert access  # the access log did record these requests...
    assert all("OssAccessKeySecret=***" in line and "OssSecurityToken=***" in line for line in access)
    assert not [line for line in records.lines if SECRET in line or TOKEN in line]  # ...never the secrets
