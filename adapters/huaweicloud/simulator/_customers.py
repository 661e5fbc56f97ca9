"""Handlers for the customer operations, each named after the SDK method it serves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ._errors import invalid
from ._state import PartnerState, SimulatorState, SubCustomer

__all__ = ["list_sub_customers"]

DEFAULT_LIMIT = 10  # H.4.2
MAX_LIMIT = 100

_STRING_FIELDS = (
    "account_name",
    "customer",
    "label",
    "association_type",
    "associated_on_begin",
    "associated_on_end",
    "customer_id",
    "indirect_partner_id",
)


def _integer(body: dict[str, Any], name: str, default: int, low: int, high: int | None = None) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(name, "must be an integer")
    if value < low:
        raise invalid(name, f"must be greater than or equal to {low}")
    if high is not None and value > high:
        raise invalid(name, f"must be less than or equal to {high}")
    return value


def _time(body: dict[str, Any], name: str) -> datetime | None:
    value = body.get(name)
    if value is None:
        return None
    try:
        # "" is not allowed for the association time range (H.4.2).
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise invalid(name, "must be a UTC time yyyy-MM-ddTHH:mm:ssZ") from None


def _target(state: SimulatorState, caller: PartnerState, indirect_partner_id: str | None) -> PartnerState:
    # A tier-1 lists a tier-2's customers by indirect_partner_id; anyone else's id is refused.
    if not indirect_partner_id:
        return caller
    target = state.by_domain_id(indirect_partner_id)
    if target is None or target.account.parent_domain_id != caller.account.domain_id:
        raise invalid("indirect_partner_id", "is not an indirect partner of this partner")
    return target


def _matches(customer: SubCustomer, body: dict[str, Any], begin: datetime | None, end: datetime | None) -> bool:
    # Fuzzy = substring (prefix, suffix or infix), case-sensitive; empty or absent = no filter (H.4).
    for name in ("account_name", "customer", "label"):
        wanted = body.get(name)
        if wanted and wanted not in (getattr(customer, name) or ""):
            return False
    for name in ("association_type", "customer_id"):
        wanted = body.get(name)
        if wanted and getattr(customer, name) != wanted:
            return False
    associated = datetime.strptime(customer.associated_on, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (begin is None or associated >= begin) and (end is None or associated <= end)


def list_sub_customers(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/partners/sub-customers/query`` (H.4.2): every field optional, all in the body."""
    for name in _STRING_FIELDS:
        if body.get(name) is not None and not isinstance(body[name], str):
            raise invalid(name, "must be a string")
    if body.get("association_type") not in (None, "", "1", "2"):
        raise invalid("association_type", "must be 1 or 2")
    offset = _integer(body, "offset", 0, 0)
    limit = _integer(body, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    begin, end = _time(body, "associated_on_begin"), _time(body, "associated_on_end")
    target = _target(state, caller, body.get("indirect_partner_id"))
    found = [customer for customer in target.customers if _matches(customer, body, begin, end)]
    return {
        "count": len(found),  # ``count``, not ``total_count`` (H.5 item 3)
        "customer_infos": [customer.to_wire() for customer in found[offset : offset + limit]],
    }
