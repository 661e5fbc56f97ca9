"""Pure functions from BSS wire dicts to ``gateway.models``. Unknown values map to ``UNKNOWN``, never raise."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from gateway.models import AccountType, Customer, CustomerKind, CustomerStatus, Money

__all__ = ["CURRENCY", "customer_from_wire", "decimal_of", "money_of", "parse_timestamp"]

PROVIDER = "huaweicloud"
CURRENCY = "CNY"  # every BSS amount is in yuan (measure_id 1), currency CNY (H.4 shared notes)

# association_type (H.4.2): 1 consultative sale (顾问销售), 2 resale (代售).
ACCOUNT_TYPES: Mapping[str, AccountType] = {"1": AccountType.ADVISORY, "2": AccountType.RESALE}

# customer_type (H.4.2): -1 not set yet, 0 individual, 1 enterprise. An Integer on the wire.
CUSTOMER_KINDS: Mapping[str, CustomerKind] = {
    "-1": CustomerKind.UNKNOWN,
    "0": CustomerKind.INDIVIDUAL,
    "1": CustomerKind.ENTERPRISE,
}

# is_frozen (H.4.2, "reserved"): 0 no, 1 account frozen, 2 account and resources frozen. Anything
# list_sub_customers returns is associated with the partner, so the fallback for any other value
# (absent, 0, or one Huawei adds later) is ASSOCIATED rather than UNKNOWN.
CUSTOMER_STATUSES: Mapping[str, CustomerStatus] = {
    "1": CustomerStatus.FROZEN,
    "2": CustomerStatus.FROZEN,
}

#: Wire fields with no neutral home: kept in ``Customer.extra`` under their wire names.
EXTRA_FIELDS = (
    "account_name",
    "verified_status",
    "customer_level",
    "label",
    "country_code",
    "xaccount_id",
    "xaccount_type",
    "is_frozen",
)

_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # UTC yyyy-MM-dd'T'HH:mm:ss'Z' (H.4 shared notes)
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def _key(value: object) -> str:
    # Integers may arrive as JSON numbers or strings; normalise both to the table's string keys.
    return str(value).strip() if value is not None else ""


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def decimal_of(value: object) -> Decimal | None:
    """A wire amount as ``Decimal``: JSON numbers (already ``Decimal``/``int`` from ``_json``) or the
    strings of the record endpoints (H.5 item 1). A ``float`` never gets here; it is refused, not cast."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and value.strip():
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def money_of(value: object, currency: object = None) -> Money | None:
    """``Money`` in the given currency (default CNY), or ``None`` if the amount is absent or unreadable."""
    amount = decimal_of(value)
    if amount is None:
        return None
    code = currency if isinstance(currency, str) and len(currency) == 3 and currency.isalpha() else CURRENCY
    return Money(amount, code.upper())


def parse_timestamp(value: object) -> datetime | None:
    """A BSS UTC timestamp, or ``None`` if absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        # The format exactly as the upstream writes it, read by fromisoformat (in C: strptime took a tenth of a
        # customer page's CPU); strptime reads anything else it also accepts (single digits, a lowercase z).
        if _TIMESTAMP.fullmatch(value) is not None:
            return datetime.fromisoformat(value)  # "Z": UTC
        return datetime.strptime(value, _TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _owner(managers: object) -> str | None:
    # account_managers[].account_name, "currently max 1" (H.4.2): the first is the owner.
    if not isinstance(managers, list):
        return None
    for manager in managers:
        if isinstance(manager, Mapping) and (name := _text(manager.get("account_name"))):
            return name
    return None


#: verified_status (H.4.2): -1 not verified, 0 under review, 1 rejected, 2 verified; unknown: None.
REAL_NAME = {"-1": False, "0": False, "1": False, "2": True}


def customer_from_wire(info: Mapping[str, Any], *, partner_id: str) -> Customer:
    """One ``customer_infos[]`` entry of list_sub_customers (H.4.2) as a ``Customer``."""
    native_id = _text(info.get("customer_id")) or ""
    associated_on = info.get("associated_on")
    associated_at = parse_timestamp(associated_on)
    extra: dict[str, object] = {name: info[name] for name in EXTRA_FIELDS if info.get(name) is not None}
    if associated_at is None and associated_on:
        extra["associated_on"] = associated_on  # unreadable: keep the raw value rather than lose it
    return Customer(
        provider=PROVIDER,
        partner_id=partner_id,
        native_id=native_id,
        name=_text(info.get("customer")) or _text(info.get("account_name")) or native_id,
        account_type=ACCOUNT_TYPES.get(_key(info.get("association_type")), AccountType.UNKNOWN),
        kind=CUSTOMER_KINDS.get(_key(info.get("customer_type")), CustomerKind.UNKNOWN),
        status=CUSTOMER_STATUSES.get(_key(info.get("is_frozen")), CustomerStatus.ASSOCIATED),
        email=_text(info.get("email")),
        phone=_text(info.get("telephone")),
        owner=_owner(info.get("account_managers")),
        associated_at=associated_at,
        real_name_verified=REAL_NAME.get(_key(info.get("verified_status"))),
        extra=extra,
    )
