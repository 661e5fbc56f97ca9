"""Pure functions from BSS bill wire dicts (CONTRACTS.md H.6.1, H.6.2) to ``gateway.models.ConsumptionLine``.

The product of a line is the cloud service type (``hws.service.type.ec2``) with the name the answer gives.
Amounts are what the customer was charged after discounts: H.6.1 ``amount``, H.6.2 ``payment_amount``;
refund rows are negative (H.5 item 7). Billing months are UTC+8; ``trade_time`` is UTC, so a record's day
is the UTC+8 date of its ``trade_time``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from gateway.models import ChargeMode, ConsumptionLine, ConsumptionSource, Money, month_of

from ._mapping import CURRENCY, _key, _text, decimal_of, parse_timestamp

__all__ = ["CHARGE_MODES", "fee_record_line", "monthly_sum_line", "summarise"]

# charge_mode (H.6.1, a String) / charging_mode (H.6.2, an Integer): 1 yearly/monthly, 3 on-demand;
# 10 reserved instance and 11 savings plan fall back to OTHER, as does anything Huawei adds.
CHARGE_MODES: Mapping[str, ChargeMode] = {"1": ChargeMode.SUBSCRIPTION, "3": ChargeMode.PAY_PER_USE}
_CHINA = timedelta(hours=8)


def _currency(value: object) -> str:
    # "CNY; empty = CNY" (H.6.8); the bill answers carry the same field.
    return value.upper() if isinstance(value, str) and len(value) == 3 and value.isalpha() else CURRENCY


def _amount(value: object) -> Decimal:
    return decimal_of(value) or Decimal("0")


def monthly_sum_line(
    row: Mapping[str, Any], *, month: str, currency: object, reseller_id: str | None
) -> ConsumptionLine:
    """One ``bill_sums[]`` row of list_subcustomer_monthly_bills (H.6.1) as a summary line."""
    code = _text(row.get("cloud_service_type")) or ""
    return ConsumptionLine(
        customer_id=_text(row.get("customer_id")) or "",
        month=month,
        product_code=code,
        product_name=_text(row.get("cloud_service_type_name")) or code,
        charge_mode=CHARGE_MODES.get(_key(row.get("charge_mode")), ChargeMode.OTHER),
        amount=Money(_amount(row.get("amount")), _currency(currency)),
        source=ConsumptionSource.BILL,
        reseller_id=reseller_id,
    )


def _day(trade_time: object, month: str) -> date | None:
    moment = parse_timestamp(trade_time)
    if moment is None:
        return None
    day = (moment + _CHINA).date()
    return day if month_of(day) == month else None  # a record outside its cycle keeps no day, not an error


def fee_record_line(
    record: Mapping[str, Any], *, month: str, currency: object, partner_domain_id: str, reseller_id: str | None
) -> ConsumptionLine:
    """One ``fee_records[]`` entry of list_sub_customer_bill_detail (H.6.2) as an itemised line.

    ``partner_id`` (the reseller the customer is associated with) names the tier-2 when it is not the
    calling partner itself; otherwise the ``reseller_id`` asked for stands.
    """
    code = _text(record.get("service_type_code")) or ""
    associated = _text(record.get("partner_id"))
    return ConsumptionLine(
        customer_id=_text(record.get("customer_id")) or "",
        month=month,
        product_code=code,
        product_name=_text(record.get("service_type_name")) or code,
        charge_mode=CHARGE_MODES.get(_key(record.get("charging_mode")), ChargeMode.OTHER),
        amount=Money(_amount(record.get("payment_amount")), _currency(currency)),
        source=ConsumptionSource.BILL,
        day=_day(record.get("trade_time"), month),
        region=_text(record.get("region_code")),
        record_id=_text(record.get("id")),
        reseller_id=associated if associated and associated != partner_domain_id else reseller_id,
    )


def summarise(lines: Iterable[ConsumptionLine]) -> tuple[ConsumptionLine, ...]:
    """One line per customer, product, charge mode, reseller and currency: the sum of ``lines`` (refunds
    net out), in the order each first appears. Region, day and record id do not survive a sum."""
    sums: dict[tuple[str, str, ChargeMode, str | None, str], ConsumptionLine] = {}
    for line in lines:
        key = (line.customer_id, line.product_code, line.charge_mode, line.reseller_id, line.amount.currency)
        found = sums.get(key)
        total = line.amount.amount + (found.amount.amount if found is not None else Decimal(0))
        sums[key] = ConsumptionLine(
            customer_id=line.customer_id,
            month=line.month,
            product_code=line.product_code,
            product_name=found.product_name if found is not None else line.product_name,
            charge_mode=line.charge_mode,
            amount=Money(total, line.amount.currency),
            source=line.source,
            reseller_id=line.reseller_id,
        )
    return tuple(sums.values())
