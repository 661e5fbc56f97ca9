"""Reading and checking request parameters the way BSS does, shared by every handler.

A POST handler gets its JSON body, a GET handler its query string (values are strings there, so the
integer readers accept decimal digits too). Every refusal is ``CBC.0100`` with ``field: problem``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from adapters.huaweicloud._roles import PartnerRole

from ._errors import ACCESS_DENIED, NOT_FOUND, NOT_RESALE, ApiError, invalid
from ._state import PartnerState, SimulatorState, SubCustomer

__all__ = [
    "Query",
    "amount",
    "integer",
    "page",
    "require_tier1",
    "resale_customer",
    "string",
    "string_list",
    "target",
    "utc_time",
]

T = TypeVar("T")
Params = dict[str, Any]


class Query(dict[str, Any]):
    """The parameters of a GET, from its query string: integers arrive as digit strings.

    A repeated key (``operation_types=1&operation_types=2``, H.5 item 10) keeps its last value here and
    all of them in ``lists``."""

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        items = list(pairs)
        super().__init__(items)
        self.lists: dict[str, list[str]] = {}
        for key, value in items:
            self.lists.setdefault(key, []).append(value)


DEFAULT_LIMIT = 10  # H.4 shared notes
MAX_LIMIT = 100


def string(params: Params, name: str, *, required: bool = False, max_length: int | None = None) -> str | None:
    value = params.get(name)
    if value is None or (value == "" and not required):
        if required:
            raise invalid(name, "must not be null")
        return None
    if not isinstance(value, str):
        raise invalid(name, "must be a string")
    if required and not value:
        raise invalid(name, "must not be empty")
    if max_length is not None and len(value) > max_length:
        raise invalid(name, f"length must be at most {max_length}")
    return value


def integer(params: Params, name: str, default: int | None, low: int | None = None, high: int | None = None) -> int:
    value = params.get(name)
    if value is None:
        if default is None:
            raise invalid(name, "must not be null")
        return default
    if isinstance(params, Query) and isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)  # a query-string integer
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(name, "must be an integer")
    if low is not None and value < low:
        raise invalid(name, f"must be greater than or equal to {low}")
    if high is not None and value > high:
        raise invalid(name, f"must be less than or equal to {high}")
    return value


def amount(params: Params, name: str) -> Decimal:
    """A money amount in yuan: a JSON number, > 0, at most 2 decimals (H.4.7, H.4.11, H.4.13, H.4.17)."""
    value = params.get(name)
    if value is None:
        raise invalid(name, "must not be null")
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise invalid(name, "must be a number")
    number = Decimal(value)
    if not number.is_finite() or number <= 0:
        raise invalid(name, "must be greater than 0")
    if number != number.quantize(Decimal("0.01")):
        raise invalid(name, "must have at most 2 decimal places")
    return number.quantize(Decimal("0.01"))


def utc_time(params: Params, name: str) -> datetime | None:
    value = params.get(name)
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        raise invalid(name, "must be a UTC time yyyy-MM-ddTHH:mm:ssZ") from None


def string_list(params: Params, name: str, *, max_items: int, required: bool = True) -> list[str]:
    value = params.get(name)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise invalid(name, "must be a list of strings")
    if required and not value:
        raise invalid(name, "must not be empty")
    if len(value) > max_items:
        raise invalid(name, f"must have at most {max_items} items")
    return value


def page(params: Params, items: Sequence[T], *, max_limit: int = MAX_LIMIT, default: int = DEFAULT_LIMIT) -> list[T]:
    """``offset`` (0-based record offset) and ``limit`` applied to ``items`` (X.1)."""
    offset = integer(params, "offset", 0, 0)
    limit = integer(params, "limit", default, 1, max_limit)
    return list(items[offset : offset + limit])


def target(state: SimulatorState, caller: PartnerState, indirect_partner_id: object) -> PartnerState:
    """The partner acted on: the caller, or (tier-1 only) one of its tier-2s by ``indirect_partner_id``."""
    if indirect_partner_id is None or indirect_partner_id == "":
        return caller
    if not isinstance(indirect_partner_id, str):
        raise invalid("indirect_partner_id", "must be a string")
    found = state.by_domain_id(indirect_partner_id)
    if found is None or found.account.parent_domain_id != caller.account.domain_id:
        raise invalid("indirect_partner_id", "is not an indirect partner of this partner")
    return found


def require_tier1(caller: PartnerState) -> None:
    """Tier-1-only APIs (DOMAIN.md: tier-2 lists, their funds, voucher quotas) refuse a tier-2's AK/SK."""
    if caller.account.role is PartnerRole.TIER2_RESELLER:
        raise ApiError(
            403,
            ACCESS_DENIED,
            "Access denied. Only a tier-1 distributor or a solution provider may call this API.",
        )


def customer_of(state: SimulatorState, partner: PartnerState, customer_id: str) -> SubCustomer:
    customer = partner.customer(customer_id, state.clock())
    if customer is None:
        raise ApiError(400, NOT_FOUND, f"The customer {customer_id} does not exist or is not associated.")
    return customer


def resale_customer(state: SimulatorState, partner: PartnerState, customer_id: str) -> SubCustomer:
    """A visible customer of ``partner`` in resale mode; money and coupons are only for these (H.5 item 6)."""
    customer = customer_of(state, partner, customer_id)
    if not customer.is_resale:
        raise ApiError(400, NOT_RESALE, "The operation is allowed only for resale (代售) customers.")
    return customer
