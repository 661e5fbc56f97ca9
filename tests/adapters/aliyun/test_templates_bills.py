"""AgencyClient against the in-process simulator: coupon templates, T2 coupon applications, bills and
subscriptions, commission products, OSS pushes and renewal rates (A.7, A.8). Reads are retried, writes
are not; the OSS secret and STS token stay out of URLs and logs."""

from __future__ import annotations

import csv
import io
import logging
from datetime import timedelta, timezone
from decimal import Decimal

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun import AliyunProvider
from adapters.aliyun._client import AgencyClient, OssTarget
from adapters.aliyun.simulator import AgencySimulator, OrderStatus, PartnerState
from adapters.aliyun.simulator._bills import CSV_HEADER
from gateway.errors import ProviderError, ProviderUnavailable
from gateway.models import Secret
from gateway.retry import RetryPolicy
from tests.adapters.aliyun.conftest import DISTRIBUTOR, CountingTransport, account_for, credentials_for

pytestmark = pytest.mark.anyio

CHINA = timezone(timedelta(hours=8))
SECRET = "oss-secret-7Hq2kP"
TOKEN = "sts-token-Zx81Lm"


async def no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
def client(http: httpx.AsyncClient) -> AgencyClient:
    provider = AliyunProvider(
        account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR), http, policy=RetryPolicy(attempts=3), sleep=no_sleep
    )
    return provider.client


def partner(simulator: AgencySimulator) -> PartnerState:
    return simulator.state.partners[DISTRIBUTOR.access_key_id]


def last_month(simulator: AgencySimulator) -> str:
    now = simulator.state.now().astimezone(CHINA)
    index = now.year * 12 + now.month - 2
    return f"{index // 12:04d}{index % 12 + 1:02d}"


async def test_template_lifecycle(client: AgencyClient, simulator: AgencySimulator) -> None:
    created = await client.create_coupon_template(
        "渠道专享券", "88.80", limit_per_person=1, cost_bearer="PARTNER", applicable_products="ecs",
        reason="渠道活动", valid_until="RELATIVE", valid_days=15, product_types=["ecs"],
    )  # fmt: skip
    template_id = created["Data"]["CouponTemplateID"]
    assert isinstance(template_id, int)
    assert template_id > 2**53
    listed = await client.coupon_approval_status_list(1, 50, TemplateId=str(template_id))
    assert [(r["TemplateId"], r["TemplateStatus"]) for r in listed["Data"]] == [(str(template_id), 1)]
    detail = await client.get_coupon_template_detail(template_id)
    assert (detail["Data"]["Denomination"], detail["Data"]["ValidUntil"]) == (Decimal("88.80"), "15")
    uid = next(a.uid for a in partner(simulator).accounts if a.user_type == 1)
    with pytest.raises(ProviderError) as pending:
        await client.issue_coupon_for_customer(template_id, [uid])
    assert pending.value.upstream_code == "InvalidCouponTemplateStatus"
    simulator.advance(timedelta(minutes=10))
    assert (await client.get_coupon_template_detail(template_id))["Data"]["Status"] == "2"
    await client.issue_coupon_for_customer(template_id, [uid])
    await client.delete_coupon_template(template_id)
    with pytest.raises(ProviderError) as gone:
        await client.get_coupon_template_detail(template_id)
    assert (gone.value.upstream_code, gone.value.reason is not None) == ("InvalidCouponTemplateId.NotFound", True)
    codes = await client.get_coupondeduct_product_code("en-US")
    assert {row["ProductType"]["ProductCode"] for row in codes["Data"]} >= {"ecs", "rds"}


async def test_tier2_application_is_decided_once(
    client: AgencyClient, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    pending = await client.list_tier2_coupon_approval(1, 100, ApprovalStatus="PENDING")
    sheet = pending["Data"][0]["ApplicationSheetId"]
    assert pending["PageNo"] == 1
    detail = await client.get_tier2_coupon_approval_detail(sheet)
    assert detail["Data"]["ApprovalStatus"] == "PENDING"
    simulator.faults.add(Fault(FaultKind.AMBIGUOUS, "ProcessApproval", remaining=1))
    with pytest.raises(ProviderUnavailable) as lost:
        await client.process_approval(sheet, "REJECT", "预算不足")
    assert lost.value.outcome_unknown is True
    assert transport.actions().count("ProcessApproval") == 1  # a write whose outcome is unknown: not repeated
    assert (await client.get_tier2_coupon_approval_detail(sheet))["Data"]["ApprovalStatus"] == "REJECTED"
    with pytest.raises(ProviderError) as twice:
        await client.process_approval(sheet, "APPROVE", "again")
    assert twice.value.upstream_code == "InvalidApprovalStatus"


async def test_bills_and_subscriptions(
    client: AgencyClient, simulator: AgencySimulator, http: httpx.AsyncClient
) -> None:
    order = next(o for o in partner(simulator).orders if o.status == OrderStatus.PAID and o.paid_at)
    assert order.paid_at is not None
    day = order.paid_at.astimezone(CHINA).date().isoformat()
    daily = await client.get_daily_bill("1", "DailyOrder", day)
    response = await http.get(daily["Data"]["BillLinkCSV"])
    table = list(csv.reader(io.StringIO(response.text)))
    assert tuple(table[0]) == CSV_HEADER
    assert str(order.order_id) in {row[0] for row in table[1:]}
    monthly = await client.get_monthly_bill("1", "MonthlyInvoice", day[:7])
    assert monthly["Data"]["SpendingTime"] == day[:7]
    with pytest.raises(ProviderError) as bad:
        await client.get_daily_bill("9", "DailyOrder", day)
    assert bad.value.upstream_code == "3048"
    now = simulator.state.now().astimezone(CHINA)
    state = partner(simulator)
    await client.subscription_bill("PartnerInstanceDetailMonthly", now.strftime("%Y-%m"), "csv", state.uid, "bills-x")
    assert [s.bucket for s in state.bill_subscriptions] == ["bills-x"]
    await client.cancel_subscription_bill("PartnerInstanceDetailMonthly")
    assert state.bill_subscriptions == []


async def test_commission_products_and_renewal_rates(
    client: AgencyClient, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    products = await client.get_commissionable_products(1, 100, show_statuses=["ONLINE", "OFFLINE"])
    assert "ListShowStatusList=ONLINE%2COFFLINE" in str(transport.requests[-1].url)  # simple style
    assert products["Total"] == len(products["Data"]) > 0
    simulator.faults.add(Fault(FaultKind.SERVER_ERROR, "GetRenewalRateList", value=503, remaining=1))
    now = simulator.state.now().astimezone(CHINA)
    fiscal = now.year + 1 if now.month >= 4 else now.year
    rates = await client.get_renewal_rate_list(f"{fiscal}Q1")  # a read: retried after the 503
    assert transport.actions().count("GetRenewalRateList") == 2
    row = rates["Data"][0]
    assert isinstance(row["FinalRenewalRate"], Decimal)  # numbers stay exact
    assert row["FinalRenewalRate"] == (row["FinalRenewedAmount"] / row["FinalRenewalAmountDue"]).quantize(
        Decimal("0.0001")
    )


async def test_oss_pushes_keep_secrets_out_of_urls_and_logs(
    client: AgencyClient, simulator: AgencySimulator, transport: CountingTransport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")  # httpx logs every request URL at INFO
    target = OssTarget("LTAI5tOss", Secret(SECRET), "partner-files", "oss-cn-beijing.aliyuncs.com", "cn-beijing",
                       Secret(TOKEN))  # fmt: skip
    assert SECRET not in repr(target)
    assert TOKEN not in repr(target)
    month = last_month(simulator)
    first = await client.get_bill_detail_file_list(month, target)
    assert {f["Status"] for f in first["Data"]} == {"1"}
    request = transport.requests[-1]
    assert SECRET not in str(request.url)
    assert TOKEN not in str(request.url)
    assert SECRET in request.content.decode()  # in the signed form body
    simulator.advance(timedelta(minutes=2))
    assert {f["Status"] for f in (await client.get_bill_detail_file_list(month))["Data"]} == {"2"}
    simulator.advance(timedelta(minutes=5))
    assert {f["Status"] for f in (await client.get_bill_detail_file_list(month, target))["Data"]} == {"3"}
    commission = await client.get_commission_detail_file_list(month, target)
    assert {f["BucketSyncStatus"] for f in commission["Data"]["FileList"]} == {"Processing"}
    intl = await client.get_intl_commission_detail_file_list(month, target)
    assert {f["BucketSyncStatus"] for f in intl["Data"]["FileList"]} == {"init"}
    simulator.faults.add(Fault(FaultKind.SERVER_ERROR, "GetIntlCommissionDetailFileList", value=500, remaining=1))
    with pytest.raises(ProviderError):
        await client.get_intl_commission_detail_file_list("2020-01", target)  # refused (and logged) too
    assert any("GetBillDetailFileList" in r.getMessage() or "HTTP Request" in r.getMessage() for r in caplog.records)
    assert SECRET not in caplog.text
    assert TOKEN not in caplog.text
