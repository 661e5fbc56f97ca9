"""Handlers for money: balances, allocations and reclaims, and their records (H.4.6-H.4.12, H.4.25, H.4.27).

Every movement debits one side and credits the other under the state lock, and leaves an adjust record
(H.4.27, amount as a **string**) and account-change records (H.4.25, amounts as strings) behind.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ._errors import INSUFFICIENT_BALANCE, NOT_FOUND, ApiError, invalid
from ._params import amount, page, require_tier1, resale_customer, string, target, utc_time
from ._state import ALLOCATABLE, PartnerState, SimulatorState, timestamp

__all__ = [
    "list_customers_balances_detail",
    "list_indirect_partners",
    "list_partner_account_change_records",
    "list_partner_adjust_records",
    "list_partner_balances",
    "reclaim_indirect_partner_account",
    "reclaim_to_partner_account",
    "record_movement",
    "update_customer_account_amount",
    "update_indirect_partner_account",
]

MAX_BATCH = 100  # chosen: customers per list_customers_balances_detail call (the SDK gives no limit)
BEADJUST, BERETRIEVE = "SOURCE_OPERATION_BEADJUST", "SOURCE_OPERATION_BERETRIEVE"
_TRADE_TYPES = {BEADJUST: "BEADJUST", BERETRIEVE: "BERETRIEVE"}
_CHINA = timedelta(hours=8)  # trade_time_begin/end are UTC+8 dates (H.4.25)


def _money(value: Decimal) -> str:
    return f"{value:.2f}"  # String money in the record endpoints (H.5 item 1)


def record_movement(
    state: SimulatorState,
    partner: PartnerState,
    *,
    operation_type: str,
    amount: Decimal,
    trans_id: str,
    counterparty_id: str | None,
    counterparty_name: str | None,
    income: bool,
    adjust: bool = True,
) -> None:
    """Write ``partner``'s adjust record (if ``adjust``) and cash-account change record of one movement."""
    now = timestamp(state.clock())
    if adjust:
        partner.adjust_records.append(
            {
                "customer_id": counterparty_id,
                "customer_name": counterparty_name,
                "operation_type": operation_type,
                "amount": _money(amount),
                "currency": "CNY",
                "apply_scene": "1",
                "operation_time": now,
                "measure_id": 1,
                "trans_id": trans_id,
                "memo": None,
            }
        )
    partner.change_records.append(
        (
            "BALANCE_TYPE_DEBIT",
            {
                "account_change_id": state.new_serial("AC"),
                "trade_detail_type": operation_type,
                "trade_time": now,
                "trade_id": trans_id,
                "change_amount": _money(amount),  # always positive; ``type`` gives the direction
                "balance_after_change": _money(partner.balances.get(ALLOCATABLE, Decimal(0))),
                "type": "1" if income else "2",  # 1 income, 2 expense
                "customer_id": counterparty_id,
                "account_name": counterparty_name,
            },
        )
    )


def _spendable(partner: PartnerState) -> Decimal:
    # "Must be <= partner amount - designated_amount" (H.4.7).
    return partner.balances.get(ALLOCATABLE, Decimal(0)) - partner.designated.get(ALLOCATABLE, Decimal(0))


def _insufficient(whose: str) -> ApiError:
    return ApiError(400, INSUFFICIENT_BALANCE, f"Insufficient balance: the {whose} balance is less than the amount.")


def list_customers_balances_detail(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST .../customer-accounts/balances/batch-query`` (H.4.6): advisory customers silently left out."""
    partner = target(state, caller, body.get("indirect_partner_id"))
    infos = body.get("customer_infos")
    if not isinstance(infos, list) or not infos or not all(isinstance(i, dict) for i in infos):
        raise invalid("customer_infos", "must be a non-empty list of objects")
    if len(infos) > MAX_BATCH:
        raise invalid("customer_infos", f"must have at most {MAX_BATCH} items")
    balances = []
    now = state.clock()
    for info in infos:
        customer_id = string(info, "customer_id", required=True) or ""
        customer = partner.customer(customer_id, now)
        if customer is None or not customer.is_resale:
            continue
        balances.append(
            {
                "customer_id": customer.customer_id,
                "amount": customer.amount,
                "debt_amount": customer.debt_amount,
                "currency": "CNY",
                "measure_id": 1,
            }
        )
    return {"customer_balances": balances}


def update_customer_account_amount(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST .../partner-accounts/adjust-amount`` (H.4.7): partner (or its tier-2) -> resale customer."""
    payer = target(state, caller, body.get("indirect_partner_id"))
    customer = resale_customer(state, payer, string(body, "customer_id", required=True) or "")
    value = amount(body, "amount")
    if value > _spendable(payer):
        raise _insufficient("partner's allocatable")
    payer.balances[ALLOCATABLE] -= value
    customer.amount += value
    transfer_id = state.new_serial("TR")
    name = customer.customer or customer.account_name
    record_movement(
        state,
        payer,
        operation_type=BEADJUST,
        amount=value,
        trans_id=transfer_id,
        counterparty_id=customer.customer_id,
        counterparty_name=name,
        income=False,
    )
    return {"transfer_id": transfer_id}


def reclaim_to_partner_account(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST .../partner-accounts/reclaim`` (H.4.8): resale customer -> partner; answers ``trans_id``."""
    payee = target(state, caller, body.get("indirect_partner_id"))
    customer = resale_customer(state, payee, string(body, "customer_id", required=True) or "")
    value = amount(body, "amount")
    if value > customer.amount:
        raise _insufficient("customer's")
    customer.amount -= value
    payee.balances[ALLOCATABLE] = payee.balances.get(ALLOCATABLE, Decimal(0)) + value
    trans_id = state.new_serial("RC")
    name = customer.customer or customer.account_name
    record_movement(
        state,
        payee,
        operation_type=BERETRIEVE,
        amount=value,
        trans_id=trans_id,
        counterparty_id=customer.customer_id,
        counterparty_name=name,
        income=True,
    )
    return {"trans_id": trans_id}


def list_partner_balances(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET .../partner-accounts/balances`` (H.4.9): amounts are plain JSON numbers (float64 in the SDK)."""
    partner = target(state, caller, query.get("indirect_partner_id"))
    balances = []
    for account_type, value in sorted(partner.balances.items()):
        entry: dict[str, Any] = {
            "account_id": f"{partner.account.domain_id[:16]}{account_type:02d}",
            "account_type": account_type,
            "amount": value,
            "designated_amount": partner.designated.get(account_type, Decimal("0.00")),
            "currency": "CNY",
            "measure_id": 1,
            "memo": None,
        }
        if account_type == 2:  # credit_amount is only meaningful for the credit account
            entry["credit_amount"] = partner.credit_limit
        balances.append(entry)
    return {"account_balances": balances}


def _reseller(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> PartnerState:
    require_tier1(caller)
    reseller_id = string(body, "indirect_partner_id", required=True) or ""
    reseller = state.by_domain_id(reseller_id)
    if reseller is None or reseller.account.parent_domain_id != caller.account.domain_id:
        raise ApiError(400, NOT_FOUND, f"The indirect partner {reseller_id} does not exist.")
    return reseller


def list_indirect_partners(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/partners/indirect-partners/query`` (H.4.10): tier-1 only; ``count``."""
    require_tier1(caller)
    begin, end = utc_time(body, "associated_on_begin"), utc_time(body, "associated_on_end")
    name, wanted = string(body, "account_name"), string(body, "indirect_partner_id")
    found = []
    for reseller in state.children(caller):
        account = reseller.account
        associated = utc_time({"t": account.associated_on}, "t")
        if (name and name not in account.account_name) or (wanted and account.domain_id != wanted):
            continue
        if associated is not None and ((begin and associated < begin) or (end and associated > end)):
            continue
        found.append(
            {
                "indirect_partner_id": account.domain_id,
                "name": account.name,
                "account_name": account.account_name,
                "mobile_phone": account.mobile_phone,
                "email": account.email,
                "associated_on": account.associated_on,
                "account_manager_id": account.account_manager,
                "account_manager_name": account.account_manager,
            }
        )
    return {"count": len(found), "indirect_partners": page(body, found)}


def update_indirect_partner_account(
    state: SimulatorState, caller: PartnerState, body: dict[str, Any]
) -> dict[str, Any]:
    """``POST .../indirect-partner-adjust`` (H.4.11): tier-1 -> tier-2; tier-1 only."""
    reseller = _reseller(state, caller, body)
    transfer_id = _between_partners(state, caller, reseller, amount(body, "amount"), to_reseller=True)
    return {"transfer_id": transfer_id}


def reclaim_indirect_partner_account(
    state: SimulatorState, caller: PartnerState, body: dict[str, Any]
) -> dict[str, Any]:
    """``POST .../indirect-partner-reclaim`` (H.4.12): tier-2 -> tier-1; at most the tier-2's balance."""
    reseller = _reseller(state, caller, body)
    trans_id = _between_partners(state, caller, reseller, amount(body, "amount"), to_reseller=False)
    return {"trans_id": trans_id}  # trans_id here, transfer_id for the allocation (H.5 item 2)


def _between_partners(
    state: SimulatorState, tier1: PartnerState, tier2: PartnerState, value: Decimal, *, to_reseller: bool
) -> str:
    """Move allocatable funds between a tier-1 and one of its tier-2s, with both sides' records.

    The adjust record (what list_partner_adjust_records shows) is the tier-1's; both get change records."""
    payer, payee = (tier1, tier2) if to_reseller else (tier2, tier1)
    if value > _spendable(payer):
        raise _insufficient("partner's allocatable" if to_reseller else "indirect partner's")
    payer.balances[ALLOCATABLE] -= value
    payee.balances[ALLOCATABLE] = payee.balances.get(ALLOCATABLE, Decimal(0)) + value
    operation_type = BEADJUST if to_reseller else BERETRIEVE
    trans_id = state.new_serial("TR" if to_reseller else "RC")
    account = tier2.account
    record_movement(
        state,
        tier1,
        operation_type=operation_type,
        amount=value,
        trans_id=trans_id,
        counterparty_id=account.domain_id,
        counterparty_name=account.name,
        income=not to_reseller,
    )
    record_movement(
        state,
        tier2,
        operation_type=operation_type,
        amount=value,
        trans_id=trans_id,
        counterparty_id=None,
        counterparty_name=None,
        income=to_reseller,
        adjust=False,
    )
    return trans_id


def _china_date(query: dict[str, Any], name: str, default: date) -> date:
    value = query.get(name)
    if value is None or value == "":
        return default
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC).date()
    except (TypeError, ValueError):
        raise invalid(name, "must be a date YYYY-MM-DD (UTC+8)") from None


def list_partner_account_change_records(
    state: SimulatorState, caller: PartnerState, query: dict[str, Any]
) -> dict[str, Any]:
    """``GET .../account-change-records`` (H.4.25): newest first; default window one year ago -> today."""
    partner = target(state, caller, query.get("indirect_partner_id"))
    balance_type = string(query, "balance_type", required=True)
    if balance_type not in ("BALANCE_TYPE_DEBIT", "BALANCE_TYPE_CREDIT"):
        raise invalid("balance_type", "must be BALANCE_TYPE_DEBIT or BALANCE_TYPE_CREDIT")
    today = (state.clock() + _CHINA).date()
    begin = _china_date(query, "trade_time_begin", today.replace(year=today.year - 1))
    end = _china_date(query, "trade_time_end", today)
    trade_type = string(query, "trade_type")
    found = []
    for kind, record in reversed(partner.change_records):
        traded = datetime.strptime(record["trade_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + _CHINA
        detail = record["trade_detail_type"]
        if kind != balance_type or not begin <= traded.date() <= end:
            continue
        if trade_type and _TRADE_TYPES.get(detail, detail.rpartition("_")[2]) != trade_type:
            continue
        found.append(record)
    return {"total_count": len(found), "currency": "CNY", "records": page(query, found)}


def list_partner_adjust_records(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v3/accounts/partner-accounts/adjust-records`` (H.4.27): newest first."""
    partner = target(state, caller, query.get("indirect_partner_id"))
    begin, end = utc_time(query, "operation_time_begin"), utc_time(query, "operation_time_end")
    operation_type = string(query, "operation_type")
    if operation_type not in (None, BEADJUST, BERETRIEVE, "SOURCE_OPERATION_BEUNBIND"):
        raise invalid("operation_type", "is not an adjust operation type")
    found = []
    for record in reversed(partner.adjust_records):
        moment = utc_time(record, "operation_time")
        if any(query.get(n) and record[n] != query[n] for n in ("customer_id", "trans_id", "operation_type")):
            continue
        if moment is not None and ((begin and moment < begin) or (end and moment > end)):
            continue
        found.append(record)
    return {"total_count": len(found), "records": page(query, found)}
