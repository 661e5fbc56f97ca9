"""The bill operations (CONTRACTS.md H.6.1-H.6.3) over the consumption history (``_history``).

The itemised fee records (H.6.2) are the truth; the monthly sums (H.6.1) and the list of customers who
consumed (H.6.3) are computed from them on every call, so all three agree to the cent. H.6.1's daily
refresh ("data up to 24:00 of the previous day") is not simulated: a record shows in every operation at
once, which is what lets tests compare them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from ._errors import NOT_FOUND, ApiError, invalid
from ._history import DETAIL_TYPES, WINDOW_MONTHS, ZERO, FeeRecord, fee_records, month_of, months_between
from ._params import integer, page, string, target
from ._state import PartnerState, SimulatorState, SubCustomer

__all__ = ["list_consume_sub_customers", "list_sub_customer_bill_detail", "list_subcustomer_monthly_bills"]


def _month(params: dict[str, Any], name: str) -> str:
    value = string(params, name, required=True) or ""
    if len(value) != 7 or value[4] != "-" or not (value[:4] + value[5:]).isdigit() or not 1 <= int(value[5:]) <= 12:
        raise invalid(name, "must be a month YYYY-MM")
    return value


def _consumers(
    state: SimulatorState, partner: PartnerState, customers: Iterable[SubCustomer], month: str
) -> Iterator[tuple[SubCustomer, list[FeeRecord]]]:
    now = state.clock()
    for customer in customers:
        if customer.visible(now):
            records = fee_records(state, partner, customer, month)
            if records:
                yield customer, records


def list_subcustomer_monthly_bills(
    state: SimulatorState, caller: PartnerState, query: dict[str, Any]
) -> dict[str, Any]:
    """``GET /v2/bills/partner-bills/subcustomer-bills/monthly-sum`` (H.6.1): resale customers' sums per
    customer, service type, resource type, charge mode and bill type; ``charge_mode`` is required."""
    partner = target(state, caller, query.get("indirect_partner_id"))
    month = _month(query, "cycle")
    mode = string(query, "charge_mode", required=True)
    if mode not in ("1", "3", "11"):
        raise invalid("charge_mode", "must be 1, 3 or 11")
    bill_type = query.get("bill_type") or None  # absent or empty: no filter
    if bill_type not in (None, "0", "1", "2"):
        raise invalid("bill_type", "must be 0, 1 or 2")
    service = query.get("cloud_service_type") or None
    wanted = query.get("customer_id") or None
    resale = [c for c in partner.customers if c.is_resale and (wanted is None or c.customer_id == wanted)]
    sums: dict[tuple[str, str, str, str], list[FeeRecord]] = {}
    for customer, records in _consumers(state, partner, resale, month):
        for r in records:
            if (
                str(r.charging_mode) == mode
                and (service is None or r.product.service_type == service)
                and (bill_type is None or r.bill_type == bill_type)
            ):
                key = (customer.customer_id, r.product.service_type, r.product.resource_type, r.bill_type)
                sums.setdefault(key, []).append(r)
    rows = [_bill_sum(key, records, mode) for key, records in sums.items()]
    return {"bill_sums": page(query, rows), "count": len(rows), "currency": "CNY"}  # ``count`` (H.5 item 8)


def _bill_sum(key: tuple[str, str, str, str], records: list[FeeRecord], mode: str) -> dict[str, Any]:
    customer_id, _, _, bill_type = key
    product = records[0].product
    cash = sum((r.cash_amount for r in records), ZERO)
    coupon = sum((r.coupon_amount for r in records), ZERO)
    debt = sum((r.debt_amount for r in records), ZERO)
    details = [
        {"balance_type": kind, "amount": value, "bill_type": bill_type}
        for kind, value in (("BALANCE_TYPE_DEBIT", cash), ("BALANCE_TYPE_COUPON", coupon))
        if value
    ]
    row: dict[str, Any] = {
        "customer_id": customer_id,
        "cloud_service_type": product.service_type,
        "cloud_service_type_name": product.service_name,
        "bill_type": bill_type,
        "charge_mode": mode,
        "amount": sum((r.payment_amount for r in records), ZERO),  # = account_details + debt_amount
        "measure_id": 1,
        "account_details": details,
        "resource_type_code": product.resource_type,
        "resource_type_name": product.resource_name,
    }
    if bill_type == "0":  # absent on unsubscribe and write-off rows (H.6.1)
        row["debt_amount"] = debt
        row["adjustment_amount"] = ZERO
        row["discount_amount"] = sum((r.discount_amount for r in records), ZERO)
    return row


def _date(query: dict[str, Any], name: str) -> date | None:
    value = query.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 10:
        raise invalid(name, "must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise invalid(name, "must be a date YYYY-MM-DD") from None


def _no_empty(query: dict[str, Any], name: str) -> str | None:
    # resource_id, resource_name, trade_id, account_manager_id: "" is rejected (H.6.2)
    if query.get(name) == "":
        raise invalid(name, "must not be an empty string")
    return string(query, name)


def list_sub_customer_bill_detail(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/bills/subcustomer-bills/res-fee-records`` (H.6.2): one customer's fee records of a month,
    resale or advisory, within the last 18 months."""
    month = _month(query, "bill_cycle")
    customer_id = string(query, "customer_id", required=True) or ""
    now = state.clock()
    if months_between(month, month_of(now)) >= WINDOW_MONTHS:
        raise invalid("bill_cycle", f"must be within the last {WINDOW_MONTHS} months")
    mode = integer(query, "charging_mode", 0) if query.get("charging_mode") not in (None, "") else None
    if mode not in (None, 1, 3, 10, 11):
        raise invalid("charging_mode", "must be 1, 3, 10 or 11")
    kind = integer(query, "bill_detail_type", 0) if query.get("bill_detail_type") not in (None, "") else None
    if kind is not None and kind not in DETAIL_TYPES:
        raise invalid("bill_detail_type", "is not a bill detail type")
    exact = {
        name: _no_empty(query, name) for name in ("resource_id", "resource_name", "trade_id", "account_manager_id")
    }
    association = query.get("association_type")
    if association is not None and association not in ("1", "2"):
        raise invalid("association_type", "must be 1 or 2")
    begin, end = _date(query, "bill_date_begin"), _date(query, "bill_date_end")
    if begin is not None and end is not None:
        if f"{begin:%Y-%m}" != month or f"{end:%Y-%m}" != month:
            raise invalid("bill_date_begin", "bill_date_begin and bill_date_end must be in the bill_cycle month")
        if begin > end:
            raise invalid("bill_date_end", "must not be before bill_date_begin")
    else:
        begin = end = None  # only one of them: bill_cycle alone filters (H.6.2)
    partner = target(state, caller, query.get("indirect_partner_id"))
    customer = partner.customer(customer_id, now)
    if customer is None:
        if any(child.customer(customer_id, now) for child in state.children(partner)):
            # A tier-2's customer: its consumption then needs indirect_partner_id (H.6.2); none of it is ours.
            return {"total_count": 0, "currency": "CNY", "fee_records": []}
        raise ApiError(400, NOT_FOUND, f"The customer {customer_id} does not exist or is not associated.")
    found = []
    for record in fee_records(state, partner, customer, month):
        wire = record.to_wire()
        if (
            any(name in query and wire[name] != query[name] for name in ("service_type_code", "region_code"))
            or (mode is not None and record.charging_mode != mode)
            or (kind is not None and record.bill_detail_type != kind)
            or any(value is not None and wire[name] != value for name, value in exact.items())
            or (association is not None and record.association_type != association)
            or (begin is not None and end is not None and not begin <= record.day <= end)
        ):
            continue
        found.append(wire)
    return {"total_count": len(found), "currency": "CNY", "fee_records": page(query, found)}


def list_consume_sub_customers(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST .../res-fee-records/sub-customers/query`` (H.6.3): the caller's customers with records in the
    month, in association order."""
    month = _month(body, "bill_cycle")
    found = [{"customer_id": c.customer_id} for c, _ in _consumers(state, caller, caller.customers, month)]
    return {"sub_customers": page(body, found), "total_count": len(found)}
