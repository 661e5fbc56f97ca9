"""Pure functions from BSS money wire dicts to ``gateway.models``: balances, funds and the ledger.

Amounts are ``Decimal`` whatever the endpoint's wire type (number, float number or string, H.5 item 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from gateway.models import Balance, BalanceKind, Funds, LedgerEntry, LedgerKind, Money, QuotaMovement, QuotaMovementKind

from ._mapping import CURRENCY, _key, _text, money_of, parse_timestamp

__all__ = [
    "BALANCE_KINDS",
    "LEDGER_KINDS",
    "balance_from_wire",
    "funds_from_wire",
    "ledger_entry_from_adjust_record",
    "ledger_entry_from_change_record",
    "quota_movement_from_record",
    "reseller_funds_from_balances",
]

_ZERO = Money(Decimal("0"), CURRENCY)

# account_type (H.4.9): 1 balance, 2 credit, 5 bonus, 7 deposit, 8 allocatable (可拨款).
BALANCE_KINDS: Mapping[str, BalanceKind] = {
    "1": BalanceKind.CASH,
    "2": BalanceKind.CREDIT,
    "5": BalanceKind.BONUS,
    "7": BalanceKind.DEPOSIT,
    "8": BalanceKind.ALLOCATABLE,
}
# operation_type of adjust records (H.4.27) and trade_detail_type of change records (H.4.25, spelling kept).
LEDGER_KINDS: Mapping[str, LedgerKind] = {
    "SOURCE_OPERATION_BEADJUST": LedgerKind.ALLOCATION,
    "SOURCE_OPERATION_BERETRIEVE": LedgerKind.RECLAIM,
    "SOURCE_OPERATION_BEUNBIND": LedgerKind.RECLAIM,
    "SOURCE_OPERAIION_RECHARGE": LedgerKind.TOP_UP,
    "SOURCE_OPERAIION_RECHARGE_REBATE": LedgerKind.TOP_UP,
    "SOURCE_OPERAIION_DEDEUCT": LedgerKind.CONSUMPTION,
    "SOURCE_OPERAIION_USAGE": LedgerKind.CONSUMPTION,
    "SOURCE_OPERAIION_ONETIME": LedgerKind.CONSUMPTION,
    "SOURCE_OPERAIION_REFUND": LedgerKind.REFUND,
    "SOURCE_OPERAIION_UNSUBSCRIBE": LedgerKind.REFUND,
    "SOURCE_OPERAIION_ADJUST": LedgerKind.ADJUSTMENT,
    "SOURCE_OPERAIION_ADJUST_CREDIT": LedgerKind.ADJUSTMENT,
}


def funds_from_wire(entry: Mapping[str, Any]) -> Funds:
    """One ``customer_balances[]`` entry of list_customers_balances_detail (H.4.6)."""
    currency = entry.get("currency")
    return Funds(
        owner_id=_text(entry.get("customer_id")) or "",
        available=money_of(entry.get("amount"), currency) or _ZERO,
        debt=money_of(entry.get("debt_amount"), currency),
        extra={"measure_id": entry["measure_id"]} if entry.get("measure_id") is not None else {},
    )


def balance_from_wire(entry: Mapping[str, Any]) -> Balance:
    """One ``account_balances[]`` entry of list_partner_balances (H.4.9; float numbers on the wire)."""
    currency = entry.get("currency")
    kind = BALANCE_KINDS.get(_key(entry.get("account_type")), BalanceKind.UNKNOWN)
    extra: dict[str, object] = {"account_type": entry.get("account_type")}
    if entry.get("memo"):
        extra["memo"] = entry["memo"]
    return Balance(
        kind=kind,
        amount=money_of(entry.get("amount"), currency) or _ZERO,
        designated=money_of(entry.get("designated_amount"), currency),
        # credit_amount is "only meaningful for account_type=2" (H.4.9)
        credit_limit=money_of(entry.get("credit_amount"), currency) if kind is BalanceKind.CREDIT else None,
        native_id=_text(entry.get("account_id")),
        extra=extra,
    )


def ledger_entry_from_adjust_record(record: Mapping[str, Any]) -> LedgerEntry:
    """One ``records[]`` entry of list_partner_adjust_records (H.4.27; amount is a string)."""
    trans_id = _text(record.get("trans_id"))
    occurred = record.get("operation_time")
    extra = {
        name: record[name]
        for name in ("customer_name", "operation_type", "apply_scene", "memo", "measure_id")
        if record.get(name) is not None
    }
    return LedgerEntry(
        # Adjust records carry no id of their own: the transaction id is the natural key.
        native_id=trans_id or f"{occurred}/{record.get('customer_id')}",
        kind=LEDGER_KINDS.get(_key(record.get("operation_type")), LedgerKind.OTHER),
        amount=money_of(record.get("amount"), record.get("currency")) or _ZERO,
        occurred_at=parse_timestamp(occurred),
        counterparty_id=_text(record.get("customer_id")),
        transaction_id=trans_id,
        extra=extra,
    )


def ledger_entry_from_change_record(record: Mapping[str, Any], currency: object = None) -> LedgerEntry:
    """One ``records[]`` entry of list_partner_account_change_records (H.4.25; amounts are strings).

    ``type`` 2 (expense) makes the amount negative, so the entries of a statement add up.
    """
    amount = money_of(record.get("change_amount"), currency) or _ZERO
    if _key(record.get("type")) == "2" and amount.amount > 0:
        amount = Money(-amount.amount, amount.currency)
    extra = {
        name: record[name] for name in ("trade_detail_type", "type", "account_name") if record.get(name) is not None
    }
    return LedgerEntry(
        native_id=_text(record.get("account_change_id")) or "",
        kind=LEDGER_KINDS.get(_key(record.get("trade_detail_type")), LedgerKind.OTHER),
        amount=amount,
        occurred_at=parse_timestamp(record.get("trade_time")),
        counterparty_id=_text(record.get("customer_id")),
        transaction_id=_text(record.get("trade_id")),
        balance_after=money_of(record.get("balance_after_change"), currency),
        extra=extra,
    )


# operation_type of voucher-quota records (H.4.16): 10 grant, 11 reclaim.
QUOTA_MOVEMENT_KINDS: Mapping[str, QuotaMovementKind] = {"10": QuotaMovementKind.GRANT, "11": QuotaMovementKind.RECLAIM}


def quota_movement_from_record(record: Mapping[str, Any]) -> QuotaMovement:
    """One ``records[]`` entry of list_coupon_quotas_records (H.4.16; amount decimal, ``result`` 0 or -1)."""
    extra = {
        name: record[name]
        for name in ("operation_type", "indirect_partner_name", "indirect_partner_account_name")
        if record.get(name) is not None
    }
    return QuotaMovement(
        native_id=_text(record.get("id")) or "",
        kind=QUOTA_MOVEMENT_KINDS.get(_key(record.get("operation_type")), QuotaMovementKind.UNKNOWN),
        amount=money_of(record.get("amount")) or _ZERO,  # H.4.16 gives no currency: yuan (measure 1)
        succeeded=_key(record.get("result")) == "0",
        occurred_at=parse_timestamp(record.get("operation_time")),
        reseller_id=_text(record.get("indirect_partner_id")),
        quota_id=_text(record.get("quota_id")),
        parent_quota_id=_text(record.get("parent_quota_id")),
        operator=_text(record.get("operator")),
        remark=_text(record.get("remark")),
        extra=extra,
    )


def reseller_funds_from_balances(reseller_id: str, balances: list[Balance]) -> Funds:
    """A tier-2's ``Funds``: its allocatable account (what its tier-1 allocates, H.4.11), else its cash."""
    by_kind = {balance.kind: balance for balance in balances}
    main = by_kind.get(BalanceKind.ALLOCATABLE) or by_kind.get(BalanceKind.CASH)
    return Funds(
        owner_id=reseller_id,
        available=main.amount if main is not None else _ZERO,
        extra={"balances": {balance.kind.value: str(balance.amount.amount) for balance in balances}},
    )
