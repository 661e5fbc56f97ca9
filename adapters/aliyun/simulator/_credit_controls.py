"""Credit controls (2022-12-16, CONTRACTS.md A.7): warning threshold, new-purchase ban, zero-credit shutdown
policy, automatic write-off, account details, and the change logs that read them back.

Every change lands in the partner's ``CreditHistory`` (``_records``); SetCreditLine and
DeductOutstandingBalance (``_credit``) add theirs through ``record_quota_change`` and ``record_deduction``.
Lists are newest first. Paged operations take ``PageSize`` 1-100 (A.7.5's limit, applied to all of them).
Dates are ``yyyy-MM-dd`` China time (A.7.5), both ends inclusive.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from adapters.aliyun.simulator._call import Call, optional_int, own_account, paged, required_int, required_str
from adapters.aliyun.simulator._records import (
    PolicyChange,
    PurchaseControl,
    QuotaChange,
    ReversedDeduction,
    WriteOffChange,
)
from adapters.aliyun.simulator._responses import BusinessError, GatewayRefusal, console_time
from adapters.aliyun.simulator._state import EndAccount, PartnerState

__all__ = [
    "LANGUAGES",
    "MAX_PAGE_SIZE",
    "POLICY_NAMES",
    "QUOTA_KINDS",
    "AutomaticWriteOff",
    "EditNewBuyStatus",
    "EditZeroCreditShutdown",
    "GetPurchaseControlRecord",
    "GetShutdownPolicyRecord",
    "QueryAutomaticWriteOffChangeRecords",
    "QueryReversedDeductionHistory",
    "SetAccountInfo",
    "SetWarningThreshold",
    "date_window",
    "language",
    "quota_changes",
    "record_deduction",
    "record_quota_change",
]

MAX_PAGE_SIZE = 100
#: ``Language`` (A.7.5): English is the default.
LANGUAGES = ("en", "zh", "ja")
#: CustomerQuotaRecordList ``OperationTypeCode`` -> ``OperationTypeDesc`` per language (A.7.5).
QUOTA_KINDS = {
    "quota_create": {"en": "Create quota", "zh": "创建额度", "ja": "与信枠の作成"},
    "quota_amount_adjust": {"en": "Adjust the amount of quota", "zh": "调整额度", "ja": "与信枠の金額調整"},
}
#: ZeroCreditShutdownPolicy codes (A.4.1, A.4.8) and the names the shutdown-policy log reports. A.7.8 leaves
#: the request's value set open (its stray comment says ``NO_STOP``): the simulator accepts the codes, these
#: names and A.4.1's ``delayStop``/``noStop``/``immediatelyStop``.
POLICY_NAMES = {"1": "DELAY_STOP", "2": "NO_STOP", "3": "IMMEDIATELY_STOP"}
_POLICY_ALIASES = {
    **{code: code for code in POLICY_NAMES},
    **{name: code for code, name in POLICY_NAMES.items()},
    **{"delayStop": "1", "noStop": "2", "immediatelyStop": "3"},
}
_FROZEN = "3040"
_CHINA = timezone(timedelta(hours=8))
_API = "API"

_Record = TypeVar("_Record", QuotaChange, PurchaseControl, PolicyChange, WriteOffChange, ReversedDeduction)


# -- parameters ------------------------------------------------------------------------------------------------


def language(call: Call) -> str:
    """``Language``: en (default), zh or ja; anything else is refused (simulator choice)."""
    value = call.text("Language") or "en"
    if value not in LANGUAGES:
        raise BusinessError("InvalidParameter.Language", "Language must be en, zh or ja.")
    return value


def _day(call: Call, name: str, *, required: bool) -> datetime | None:
    raw = required_str(call, name) if required else call.text(name)
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=_CHINA)
    except ValueError:
        raise BusinessError(f"InvalidParameter.{name}", f"{name} must be yyyy-MM-dd.") from None


def date_window(
    call: Call, start: str = "StartDate", end: str = "EndDate", *, required: bool = True
) -> tuple[datetime | None, datetime | None]:
    """``[StartDate, EndDate + 1 day)`` in China time; either end may be open when not ``required``."""
    low, high = _day(call, start, required=required), _day(call, end, required=required)
    if low is not None and high is not None and low > high:
        raise BusinessError("InvalidParameter.TimeRange", f"{start} must not be after {end}.")
    return low, None if high is None else high + timedelta(days=1)


def _paging(call: Call, page_name: str = "PageNo") -> tuple[int, int]:
    return required_int(call, page_name, low=1), required_int(call, "PageSize", low=1, high=MAX_PAGE_SIZE)


def _of(
    records: Iterable[_Record], uid: int, window: tuple[datetime | None, datetime | None] = (None, None)
) -> list[_Record]:
    """``uid``'s records in ``window``, newest first (of two at the same moment, the later one logged)."""
    low, high = window
    chosen = [
        (r.at, index, r)
        for index, r in enumerate(records)
        if r.uid == uid and (low is None or r.at >= low) and (high is None or r.at < high)
    ]
    return [record for _, _, record in sorted(chosen, key=lambda item: item[:2], reverse=True)]


def _money(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


# -- what other operations record ----------------------------------------------------------------------------


def quota_changes(partner: PartnerState, account: EndAccount) -> list[QuotaChange]:
    """The account's credit-line log, oldest first. An account that came in through an invitation starts it
    with the credit line it registered with (a ``quota_create`` at association)."""
    log = partner.credit_history.quota
    if account.credit_line and not any(change.uid == account.uid for change in log):
        log.append(
            QuotaChange(
                account.uid, "quota_create", Decimal(0), account.credit_line, _API, partner.uid, account.associated_at
            )
        )
    return [change for change in log if change.uid == account.uid]


def record_quota_change(call: Call, account: EndAccount, line: Decimal) -> None:
    """SetCreditLine is about to set ``account``'s credit line to ``line``: one CustomerQuotaRecordList row
    (``quota_create`` if the account never had a credit line, else ``quota_amount_adjust``)."""
    kind = "quota_amount_adjust" if quota_changes(call.partner, account) else "quota_create"
    change = QuotaChange(account.uid, kind, account.credit_line, line, _API, call.partner.uid, call.state.now())
    call.partner.credit_history.quota.append(change)


def record_deduction(call: Call, account: EndAccount, amount: Decimal) -> None:
    """DeductOutstandingBalance wrote ``amount`` off: one QueryReversedDeductionHistory row."""
    deduction = ReversedDeduction(account.uid, amount, _API, call.partner.uid, call.state.now())
    call.partner.credit_history.deductions.append(deduction)


# -- writes ------------------------------------------------------------------------------------------------------


def SetWarningThreshold(call: Call) -> dict[str, Any]:
    """A.7.26: the percentage GetCreditInfo reports as ``AlarmThreshold``. 3044 not a (whole) number,
    3045 outside 1-100, 3040 frozen."""
    account = own_account(call, required_int(call, "Uid"))
    raw = required_str(call, "WarningValue")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value != value.to_integral_value():
        raise BusinessError("3044", "Alert proportion value is not a number.")
    if not 1 <= value <= 100:
        raise BusinessError("3045", "Alert proportion value should between 1 to 100.")
    if account.frozen:
        raise BusinessError(_FROZEN, "The Sub Account is frozen, the operation cannot be completed.")
    account.alarm_threshold = int(value)
    call.applied()
    return {"Code": "200", "Success": True, "Message": "200"}


def EditNewBuyStatus(call: Call) -> dict[str, Any]:
    """A.7.7: ``ban`` blocks new purchases, ``cancelBan`` lifts the block; GetCreditInfo ``newBuyStatus`` then
    reads ``ban`` / ``normal`` (A.6.7). Each call is a GetPurchaseControlRecord row."""
    account = own_account(call, optional_int(call, "Uid"))
    status = call.text("NewBuyStatus")
    if status not in ("ban", "cancelBan"):
        raise BusinessError("InvalidParameter.NewBuyStatus", "NewBuyStatus must be ban or cancelBan.")
    account.new_buy_status = "ban" if status == "ban" else "normal"
    record = PurchaseControl(account.uid, status, _API, call.partner.uid, call.state.now())
    call.partner.credit_history.purchase.append(record)
    call.applied()
    return {"Code": "200", "Message": "Success", "Msg": "Success", "Data": "true"}


def EditZeroCreditShutdown(call: Call) -> dict[str, Any]:
    """A.7.8: the new ``ZeroCreditShutdownPolicy`` (GetCreditInfo, A.4.8); a GetShutdownPolicyRecord row."""
    account = own_account(call, optional_int(call, "Uid"))
    policy = _POLICY_ALIASES.get(call.text("ShutdownPolicy"))
    if policy is None:
        raise BusinessError(
            "InvalidParameter.ShutdownPolicy", "ShutdownPolicy must be 1/2/3 or DELAY_STOP/NO_STOP/IMMEDIATELY_STOP."
        )
    record = PolicyChange(account.uid, account.shutdown_policy, policy, _API, call.partner.uid, call.state.now())
    account.shutdown_policy = policy
    call.partner.credit_history.policy.append(record)
    call.applied()
    return {"Code": "200", "Message": "Success", "Msg": "Success", "Data": "true"}


def _flag(call: Call, name: str) -> bool:
    raw = call.text(name)
    if not raw:
        raise GatewayRefusal(400, f"Missing{name}", f"{name} is mandatory for this action.")
    if raw.lower() not in ("true", "false"):  # the Python SDK sends True/False (A.2.2)
        raise GatewayRefusal(400, "InvalidParameter", f"Specified parameter {name} is not valid.")
    return raw.lower() == "true"


def AutomaticWriteOff(call: Call) -> dict[str, Any]:
    """A.7.1: switch automatic write-off on (with an optional whole ``AutomaticWriteOffAmount``, at least 1)
    or off; 3040 on a frozen account, as its manual counterpart DeductOutstandingBalance. The simulator has
    no billing run, so the setting is recorded (QueryAutomaticWriteOffChangeRecords) but moves no money."""
    account = own_account(call, required_int(call, "CustomerUid"))
    enabled = _flag(call, "AutomaticWriteOffEnabled")
    amount = optional_int(call, "AutomaticWriteOffAmount", low=1)
    language(call)
    if account.frozen:
        raise BusinessError(_FROZEN, "Sub Account is in a frozen state and cannot be operated.")
    account.auto_write_off = enabled
    account.auto_write_off_amount = amount if enabled else None
    change = WriteOffChange(
        account.uid, enabled, account.auto_write_off_amount, _API, call.partner.uid, call.state.now()
    )
    call.partner.credit_history.write_off.append(change)
    call.applied()
    return {"Code": "200", "Message": "Success", "Data": True}


def SetAccountInfo(call: Call) -> dict[str, Any]:
    """A.7.25: nickname (3030 past 150 bytes; not empty), customer manager (50 characters) and remark (3031
    past 3000 bytes), as GetAccountInfo reports them. A field sent empty clears it (not the nickname)."""
    account = own_account(call, required_int(call, "Uid"))
    params = call.params
    nickname = call.text("AccountNickname") if "AccountNickname" in params else None
    manager = call.text("CustomerBd") if "CustomerBd" in params else None
    remark = call.text("Remark") if "Remark" in params else None
    if nickname is not None:
        if not nickname:
            raise BusinessError("InvalidParameter.AccountNickname", "AccountNickname cannot be empty.")
        if len(nickname.encode("utf-8")) > 150:
            raise BusinessError("3030", "Sub Account Nickname exceeds maximum length, maximum length 150 bytes.")
    if remark is not None and len(remark.encode("utf-8")) > 3000:
        raise BusinessError("3031", "Remark exceeds maximum length, maximum length 3000 bytes.")
    if manager is not None and len(manager) > 50:
        raise BusinessError("InvalidParameter.CustomerBd", "CustomerBd exceeds maximum length, 50 characters.")
    account.nickname = account.nickname if nickname is None else nickname
    account.customer_bd = account.customer_bd if manager is None else manager
    account.remark = account.remark if remark is None else remark
    call.applied()
    return {"Code": "200", "Success": True, "Message": "Success"}


# -- logs --------------------------------------------------------------------------------------------------------


def _operation_day(call: Call) -> tuple[datetime | None, datetime | None]:
    # A.7.16/A.7.17 give ``OperationTime`` no format: the simulator takes a day, yyyy-MM-dd.
    day = _day(call, "OperationTime", required=False)
    return (day, day + timedelta(days=1)) if day is not None else (None, None)


def GetPurchaseControlRecord(call: Call) -> dict[str, Any]:
    """A.7.16: the EditNewBuyStatus log of ``CustomerUID`` (``ChangedType`` ban / cancelBan)."""
    account = own_account(call, required_int(call, "CustomerUID"))
    page, size = _paging(call)
    records = _of(call.partner.credit_history.purchase, account.uid, _operation_day(call))
    rows = [
        {
            "ChangedType": r.changed_type,
            "OperationPath": r.source,
            "OperationTime": console_time(r.at),
            "Operator": str(r.operator),
        }
        for r in paged(records, page, size)
    ]
    return {"Code": "200", "Success": True, "PageNo": page, "PageSize": size, "Total": len(records), "Data": rows}


def GetShutdownPolicyRecord(call: Call) -> dict[str, Any]:
    """A.7.17: the EditZeroCreditShutdown log of ``CustomerUID``; policies by name (``POLICY_NAMES``)."""
    account = own_account(call, required_int(call, "CustomerUID"))
    page, size = _paging(call)
    records = _of(call.partner.credit_history.policy, account.uid, _operation_day(call))
    rows = [
        {
            "CurrentPolicy": POLICY_NAMES[r.current],
            "OperationPath": r.source,
            "OperationTime": console_time(r.at),
            "Operator": str(r.operator),
            "PreviousPolicy": POLICY_NAMES[r.previous],
        }
        for r in paged(records, page, size)
    ]
    return {"Code": "200", "Success": True, "PageNo": page, "PageSize": size, "Total": len(records), "Data": rows}


def QueryAutomaticWriteOffChangeRecords(call: Call) -> dict[str, Any]:
    """A.7.22: the AutomaticWriteOff log. It pages, but answers no PageNo/PageSize/Total (the SDK's model):
    a short page is the last one. ``ChangeContent`` is the new setting as JSON (undocumented; simulator choice)."""
    account = own_account(call, required_int(call, "CustomerUid"))
    page, size = _paging(call)
    window = date_window(call, required=False)
    language(call)
    rows = [
        {
            "ChangeContent": json.dumps(
                {"AutomaticWriteOffEnabled": r.enabled, "AutomaticWriteOffAmount": r.amount}, separators=(",", ":")
            ),
            "OperateId": str(r.operator),
            "OperateSource": r.source,
            "OperationTime": console_time(r.at),
        }
        for r in paged(_of(call.partner.credit_history.write_off, account.uid, window), page, size)
    ]
    return {"Code": "200", "Message": "Success", "Data": rows}


def QueryReversedDeductionHistory(call: Call) -> dict[str, Any]:
    """A.7.23: the write-offs of ``Uid``'s outstanding balance (DeductOutstandingBalance and seeded ones)."""
    account = own_account(call, required_int(call, "Uid"))
    window = date_window(call)
    page, size = _paging(call)
    language(call)
    records = _of(call.partner.credit_history.deductions, account.uid, window)
    rows = [
        {
            "OffsetAmount": _money(r.amount),
            "OperationSubmitType": r.source,
            "OperationTime": console_time(r.at),
            "OperationUid": str(r.operator),
        }
        for r in paged(records, page, size)
    ]
    return {"Code": "200", "Message": "Success", "PageNo": page, "PageSize": size, "Total": len(records), "Data": rows}


def quota_kinds(call: Call) -> frozenset[str]:
    """``OperationType`` (required): all, quota_create or quota_amount_adjust (A.7.5)."""
    wanted = required_str(call, "OperationType")
    if wanted == "all":
        return frozenset(QUOTA_KINDS)
    if wanted not in QUOTA_KINDS:
        raise BusinessError(
            "InvalidParameter.OperationType", "OperationType must be all, quota_create or quota_amount_adjust."
        )
    return frozenset({wanted})


def quota_rows(call: Call, account: EndAccount) -> tuple[list[QuotaChange], str]:
    """The credit-line changes CustomerQuotaRecordList and ExportCustomerQuotaRecord select, and the language."""
    window = date_window(call)
    kinds = quota_kinds(call)
    lang = language(call)
    changes = [c for c in _of(quota_changes(call.partner, account), account.uid, window) if c.kind in kinds]
    return changes, lang


def CustomerQuotaRecordList(call: Call) -> dict[str, Any]:
    """A.7.5 (GET): the credit-line log of ``EndUserPk``; ``UpdateAmount`` is after minus before."""
    account = own_account(call, required_int(call, "EndUserPk"))
    page, size = _paging(call)
    changes, lang = quota_rows(call, account)
    rows = [
        {
            "OperationSubmitType": c.source,
            "OperationTime": console_time(c.at),
            "OperationTypeCode": c.kind,
            "OperationTypeDesc": QUOTA_KINDS[c.kind][lang],
            "OperationUid": str(c.operator),
            "UpdateAfterAmount": _money(c.after),
            "UpdateAmount": _money(c.after - c.before),
            "UpdateBeforeAmount": _money(c.before),
        }
        for c in paged(changes, page, size)
    ]
    return {"Code": "200", "Msg": "Success", "PageNo": page, "PageSize": size, "Total": len(changes), "Data": rows}


def deduction_rows(call: Call, account: EndAccount) -> list[ReversedDeduction]:
    """The write-offs ExportReversedDeductionHistory selects (``StartDate``/``EndDate`` required)."""
    return _of(call.partner.credit_history.deductions, account.uid, date_window(call))
