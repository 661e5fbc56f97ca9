"""AgencyClient's A.7 credit-control and export methods against the simulator in-process: what goes on the
wire, business errors as gateway errors, paging (and A.7.22's pageless answer), export status over business
time, and injected faults (writes applied at most once, reads retried)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters._simkit.faults import Fault, FaultKind
from adapters.aliyun import AliyunProvider
from adapters.aliyun._client import AgencyClient
from adapters.aliyun.simulator import HANDLERS, AgencySimulator, EndAccount, PartnerState
from gateway.errors import ProviderError, ProviderUnavailable, Reason
from gateway.retry import RetryPolicy
from tests.adapters.aliyun.conftest import DISTRIBUTOR, RESELLER, CountingTransport, account_for, credentials_for

pytestmark = pytest.mark.anyio

FAR = "2020-01-01"
A7 = (
    "AutomaticWriteOff", "CustomerQuotaRecordList", "EditNewBuyStatus", "EditZeroCreditShutdown",
    "ExportCustomerQuotaRecord", "ExportReversedDeductionHistory", "GetPurchaseControlRecord",
    "GetShutdownPolicyRecord", "ListExportTasks", "QueryAutomaticWriteOffChangeRecords",
    "QueryReversedDeductionHistory", "QuotaListExportPaged", "SetAccountInfo", "SetWarningThreshold",
)  # fmt: skip


async def no_sleep(seconds: float) -> None:
    return None


@pytest.fixture
def client(http: httpx.AsyncClient) -> AgencyClient:
    provider = AliyunProvider(
        account_for(DISTRIBUTOR), credentials_for(DISTRIBUTOR), http, policy=RetryPolicy(attempts=3), sleep=no_sleep
    )
    return provider.client


def state(simulator: AgencySimulator, partner: object = DISTRIBUTOR) -> PartnerState:
    return simulator.state.partners[partner.access_key_id]  # type: ignore[attr-defined]


def customer(simulator: AgencySimulator) -> EndAccount:
    return next(a for a in state(simulator).accounts if a.user_type == 2 and not a.frozen)


def today() -> str:
    return (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")


def journal(simulator: AgencySimulator, action: str) -> int:
    return sum(1 for name, _ in state(simulator).journal if name == action)


async def refused(call: Awaitable[dict[str, Any]]) -> ProviderError:
    with pytest.raises(ProviderError) as caught:
        await call
    return caught.value


def test_every_a7_action_is_served() -> None:
    assert {action for version, action in HANDLERS if version == "2022-12-16"} >= set(A7)
    assert all(hasattr(AgencyClient, _snake(action)) for action in A7)


def _snake(action: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in action).lstrip("_")


async def test_wire_methods_and_names(
    client: AgencyClient, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    uid = customer(simulator).uid
    await client.automatic_write_off(uid, True, 200)
    await client.get_purchase_control_record(uid, 1, 5)
    await client.customer_quota_record_list(uid, FAR, today(), 1, 5)
    await client.quota_list_export_paged(1, 5)
    await client.set_warning_threshold(uid, 60)
    sent = {r.headers["x-acs-action"]: r for r in transport.requests}
    assert [sent[a].method for a in ("CustomerQuotaRecordList", "QuotaListExportPaged")] == ["GET", "GET"]  # A.7.5
    assert sent["AutomaticWriteOff"].method == "POST"
    assert sent["AutomaticWriteOff"].content == b""  # params in the query (A.2.2)
    query = dict(sent["AutomaticWriteOff"].url.params)
    assert query == {"AutomaticWriteOffAmount": "200", "AutomaticWriteOffEnabled": "True", "CustomerUid": str(uid)}
    assert "CustomerUID" in sent["GetPurchaseControlRecord"].url.params  # upper-case UID (A.7.16)
    assert sent["SetWarningThreshold"].url.params["WarningValue"] == "60"
    assert sent["CustomerQuotaRecordList"].url.params["OperationType"] == "all"


async def test_writes_read_back(client: AgencyClient, simulator: AgencySimulator) -> None:
    target = customer(simulator)
    await client.set_warning_threshold(target.uid, "15")
    await client.edit_new_buy_status(target.uid, "ban")
    await client.edit_zero_credit_shutdown(target.uid, "NO_STOP")
    data = (await client.get_credit_info(target.uid))["Data"]
    assert (data["AlarmThreshold"], data["newBuyStatus"], data["ZeroCreditShutdownPolicy"]) == ("15", "ban", "2")
    await client.set_account_info(target.uid, nickname="新昵称", customer_bd="陈静")
    row = (await client.get_account_info(1, 1, uid=target.uid))["AccountInfoList"]["AccountInfo"][0]
    assert (row["AccountNickname"], row["CustomerBd"]) == ("新昵称", "陈静")
    await client.set_credit_line(target.uid, "1234.50")
    quota = await client.customer_quota_record_list(target.uid, FAR, today(), 1, 1)
    assert quota["Data"][0]["UpdateAfterAmount"] == "1234.50"
    assert Decimal(quota["Data"][0]["UpdateAmount"]) == Decimal("1234.50") - Decimal(
        quota["Data"][0]["UpdateBeforeAmount"]
    )


async def test_business_errors_are_gateway_errors(
    client: AgencyClient, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    target = customer(simulator)
    out_of_range = await refused(client.set_warning_threshold(target.uid, 150))
    assert (out_of_range.upstream_code, out_of_range.http_status) == ("3045", 200)
    assert out_of_range.request_id == transport.request_ids[-1]
    nan = await refused(client.set_warning_threshold(target.uid, "lots"))
    assert nan.upstream_code == "3044"
    other = state(simulator, RESELLER).accounts[0].uid
    not_ours = await refused(client.get_shutdown_policy_record(other, 1, 10))
    assert (not_ours.upstream_code, not_ours.reason) == ("3029", Reason.NOT_FOUND)
    await client.edit_end_user_status(target.uid, "postPayFreeze")
    frozen = await refused(client.automatic_write_off(target.uid, True))
    assert (frozen.upstream_code, frozen.reason) == ("3040", Reason.FROZEN)
    policy = await refused(client.edit_zero_credit_shutdown(target.uid, "SOMETIMES"))
    assert (policy.upstream_code, policy.reason) == ("InvalidParameter.ShutdownPolicy", Reason.INVALID_INPUT)
    long_remark = await refused(client.set_account_info(target.uid, remark="备" * 1001))  # 3003 bytes
    assert long_remark.upstream_code == "3031"
    scene = await refused(client.list_export_tasks("everything", 1, 10))
    assert scene.upstream_code == "InvalidParameter.SceneCode"
    assert target.alarm_threshold == 80  # nothing refused was applied
    assert journal(simulator, "SetWarningThreshold") == 0


async def test_paging_limits_and_walks(client: AgencyClient, simulator: AgencySimulator) -> None:
    uid = customer(simulator).uid
    too_big = await refused(client.get_purchase_control_record(uid, 1, 101))
    assert (too_big.upstream_code, too_big.http_status) == ("InvalidParameter", 400)
    zero = await refused(client.query_reversed_deduction_history(uid, FAR, today(), 0, 10))
    assert zero.upstream_code == "InvalidParameter"
    first = await client.get_purchase_control_record(uid, 1, 1)
    walked = [first["Data"][0]]
    for page in range(2, first["Total"] + 1):
        walked += (await client.get_purchase_control_record(uid, page, 1))["Data"]
    everything = await client.get_purchase_control_record(uid, 1, 100)
    assert walked == everything["Data"]
    assert (await client.get_purchase_control_record(uid, first["Total"] + 1, 1))["Data"] == []


async def test_write_off_log_pages_without_a_total(client: AgencyClient, simulator: AgencySimulator) -> None:
    uid = customer(simulator).uid
    for amount in (100, 200, 300):
        await client.automatic_write_off(uid, True, amount)
    page = await client.query_automatic_write_off_change_records(uid, 1, 2)
    assert set(page) == {"RequestId", "Code", "Message", "Data"}  # A.7.22: no PageNo, PageSize or Total
    assert len(page["Data"]) == 2
    rows = []
    number = 1
    while True:  # a short page is the last one
        data = (await client.query_automatic_write_off_change_records(uid, number, 2))["Data"]
        rows += data
        if len(data) < 2:
            break
        number += 1
    expected = sum(1 for change in state(simulator).credit_history.write_off if change.uid == uid)
    assert len(rows) == expected >= 3
    assert '"AutomaticWriteOffAmount":300' in rows[0]["ChangeContent"]
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d")
    window = await client.query_automatic_write_off_change_records(uid, 1, 10, start_date=later, end_date=later)
    assert window["Data"] == []  # the changes of a moment ago are outside a window three days ahead


async def test_exports_finish_with_business_time(client: AgencyClient, simulator: AgencySimulator) -> None:
    uid = customer(simulator).uid
    quota = (await client.export_customer_quota_record(uid, FAR, today()))["Data"]
    deductions = (await client.export_reversed_deduction_history(uid, FAR, today(), language="ja"))["Data"]
    assert quota["Id"] != deductions["Id"]
    listed = await client.list_export_tasks("reversed_deduction_history", 1, 10, task_id=deductions["Id"])
    assert [(t["Id"], t["StatusCode"], t["Url"]) for t in listed["Data"]] == [(deductions["Id"], "2", "")]
    paged = (await client.quota_list_export_paged(1, 100))["Data"]
    assert paged[0]["StatusCode"] == "2"
    assert str(quota["Id"]) in paged[0]["FileName"]
    simulator.advance(timedelta(minutes=quota["Cost"]) - timedelta(seconds=1))
    assert (await client.quota_list_export_paged(1, 1))["Data"][0]["StatusCode"] == "2"
    simulator.advance(timedelta(seconds=1))
    done = (await client.quota_list_export_paged(1, 1))["Data"][0]
    assert (done["StatusCode"], done["Status"]) == ("3", "Export Success")
    assert done["Url"].startswith("https://")
    assert done["Url"].endswith(done["FileName"])
    ja = await client.list_export_tasks("reversed_deduction_history", 1, 1, language="ja")
    assert ja["Data"][0]["Status"] == "エクスポート成功"


async def test_ambiguous_and_dropped_writes(client: AgencyClient, simulator: AgencySimulator) -> None:
    target = customer(simulator)
    simulator.faults.add(Fault(FaultKind.AMBIGUOUS, "SetWarningThreshold", remaining=1))
    with pytest.raises(ProviderUnavailable) as caught:
        await client.set_warning_threshold(target.uid, 42)
    assert caught.value.outcome_unknown is True
    assert (journal(simulator, "SetWarningThreshold"), target.alarm_threshold) == (1, 42)  # applied once
    exports = len(state(simulator).credit_history.exports)
    simulator.faults.add(Fault(FaultKind.AMBIGUOUS, "ExportCustomerQuotaRecord", remaining=1))
    with pytest.raises(ProviderUnavailable):
        await client.export_customer_quota_record(target.uid, FAR, today())
    assert len(state(simulator).credit_history.exports) == exports + 1  # one task, not retried into two
    before = target.new_buy_status
    simulator.faults.add(Fault(FaultKind.DROP, "EditNewBuyStatus", remaining=1))
    with pytest.raises(ProviderUnavailable):
        await client.edit_new_buy_status(target.uid, "ban" if before == "normal" else "cancelBan")
    assert (journal(simulator, "EditNewBuyStatus"), target.new_buy_status) == (0, before)
    simulator.faults.add(Fault(FaultKind.THROTTLE, "SetAccountInfo", value=0.01, remaining=1))
    await client.set_account_info(target.uid, remark="重试后生效")  # refused before applied: retried
    assert (journal(simulator, "SetAccountInfo"), target.remark) == (1, "重试后生效")


ReadCall = Callable[[AgencyClient, int], Awaitable[dict[str, Any]]]


@pytest.mark.parametrize(
    ("action", "read"),
    [
        ("CustomerQuotaRecordList", lambda c, uid: c.customer_quota_record_list(uid, FAR, today(), 1, 5)),
        ("GetShutdownPolicyRecord", lambda c, uid: c.get_shutdown_policy_record(uid, 1, 5)),
        ("QueryReversedDeductionHistory", lambda c, uid: c.query_reversed_deduction_history(uid, FAR, today(), 1, 5)),
        ("ListExportTasks", lambda c, uid: c.list_export_tasks("customer_quota_record", 1, 5)),
    ],
)
async def test_reads_ride_out_faults(
    client: AgencyClient, simulator: AgencySimulator, transport: CountingTransport, action: str, read: ReadCall
) -> None:
    uid = customer(simulator).uid
    simulator.faults.add(Fault(FaultKind.SERVER_ERROR, action, value=503, remaining=1))
    assert (await read(client, uid))["Code"] == "200"
    simulator.faults.add(Fault(FaultKind.DROP, action, remaining=1))
    assert (await read(client, uid))["Code"] == "200"
    assert transport.actions() == [action] * 4  # each failure retried once
    assert simulator.faults.injected[(action, FaultKind.SERVER_ERROR)] == 1
    assert simulator.faults.injected[(action, FaultKind.DROP)] == 1


async def test_a_registered_customer_starts_its_credit_log(client: AgencyClient, simulator: AgencySimulator) -> None:
    invitation = next(i for i in state(simulator).invitations if i.associated_at is None and i.credit_line > 0)
    account = simulator.register(invitation.invite_id)
    log = await client.customer_quota_record_list(account.uid, FAR, today(), 1, 10)
    assert [(r["OperationTypeCode"], r["UpdateBeforeAmount"]) for r in log["Data"]] == [("quota_create", "0.00")]
    assert Decimal(log["Data"][0]["UpdateAfterAmount"]) == invitation.credit_line
    await client.set_credit_line(account.uid, "99.00")
    await client.set_credit_line(account.uid, "99.00")
    log = await client.customer_quota_record_list(
        account.uid, FAR, today(), 1, 10, operation_type="quota_amount_adjust"
    )
    assert [(r["UpdateAfterAmount"], r["UpdateAmount"]) for r in log["Data"]] == [
        ("99.00", "0.00"),
        ("99.00", str(Decimal("99.00") - invitation.credit_line)),
    ]
