"""Credit operations (2022-12-16): SetCreditLine, GetCreditInfo, EditEndUserStatus,
DeductOutstandingBalance (A.4.7, A.4.8, A.4.14, A.4.15)."""

from __future__ import annotations

from typing import Any

from adapters.aliyun.simulator._call import Call, decimal_param, optional_int, own_account, required_int
from adapters.aliyun.simulator._credit_controls import record_deduction, record_quota_change
from adapters.aliyun.simulator._responses import BusinessError

__all__ = ["DeductOutstandingBalance", "EditEndUserStatus", "GetCreditInfo", "SetCreditLine"]

_FROZEN = "3040"


def SetCreditLine(call: Call) -> dict[str, Any]:
    """A.4.7: a new credit line; the available credit moves by the difference (3040 frozen, 3041 NaN)."""
    account = own_account(call, required_int(call, "Uid"))
    credit = decimal_param(call, "CreditLine", "3041", "Credit is not a proper number")
    if account.frozen:
        raise BusinessError(_FROZEN, "Sub Account is in a frozen state and cannot be operated.")
    record_quota_change(call, account, credit)  # CustomerQuotaRecordList (A.7.5)
    account.credit_line = credit
    call.applied()
    return {"Code": "200", "Success": True, "Message": "200"}


def GetCreditInfo(call: Call) -> dict[str, Any]:
    """A.4.8: amounts as decimal strings; note the lower-case ``newBuyStatus`` key (A.6.3)."""
    account = own_account(call, required_int(call, "Uid"))
    data = {
        "CreditLine": str(account.credit_line),
        "AvailableCredit": str(account.available),
        "ConsumedUndeductedValue": str(account.consumed),
        "OutstandingBalance": str(account.outstanding),
        "AlarmThreshold": str(account.alarm_threshold),
        "AccountStatus": account.account_status,
        "ZeroCreditShutdownPolicy": account.shutdown_policy,
        "newBuyStatus": account.new_buy_status,
        "PAYGFreezeStatus": "freeze" if account.frozen else "normal",
    }
    return {"Code": "200", "Success": True, "Message": "Success", "Data": data}


def EditEndUserStatus(call: Call) -> dict[str, Any]:
    """A.4.14 (a mutating GET): ``postPayFreeze`` blocks the account, ``postPayThaw`` unblocks it."""
    account = own_account(call, optional_int(call, "Uid"))
    status = call.text("CreditStatus")
    if status not in ("postPayFreeze", "postPayThaw"):
        raise BusinessError("InvalidParameter.CreditStatus", "CreditStatus must be postPayFreeze or postPayThaw.")
    account.frozen = status == "postPayFreeze"
    call.applied()
    return {"Code": "200", "Message": "Success", "Msg": "Success", "Data": "true"}


def DeductOutstandingBalance(call: Call) -> dict[str, Any]:
    """A.4.15: offset ``DeductAmount`` of credit against the outstanding (consumed, unpaid) balance: the
    outstanding balance falls, the amount now counts as consumed credit (available credit is unchanged)."""
    account = own_account(call, required_int(call, "Uid"))
    amount = decimal_param(call, "DeductAmount", "3041", "DeductAmount is not a proper number")
    if account.frozen:
        raise BusinessError(_FROZEN, "Sub Account is in a frozen state and cannot be operated.")
    if amount == 0 or amount > account.outstanding:
        raise BusinessError(
            "InvalidParameter.DeductAmount", f"DeductAmount must be more than 0 and at most {account.outstanding}."
        )
    account.outstanding -= amount
    account.consumed += amount
    record_deduction(call, account, amount)  # QueryReversedDeductionHistory (A.7.23)
    call.applied()
    return {"Code": "200", "Success": True, "Message": "200"}
