"""Pure functions: Agency wire dicts -> ``gateway.models``. Unknown values map to ``UNKNOWN``, never raise."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from gateway.models import AccountType, Customer, CustomerKind, CustomerStatus

__all__ = [
    "ACCOUNT_TYPES",
    "CUSTOMER_KINDS",
    "CUSTOMER_USER_TYPES",
    "account_type",
    "customer_from_account_info",
    "customer_kind",
    "decimal_string",
    "parse_timestamp",
]

#: GetAccountInfo ``UserType`` (A.4.3): 1 end user, 2 enterprise, 3 T2 partner (not a customer).
CUSTOMER_KINDS: Mapping[str, CustomerKind] = {
    "1": CustomerKind.INDIVIDUAL,
    "2": CustomerKind.ENTERPRISE,
}
#: The user types that are customers, in the order ``list_customers`` concatenates them.
CUSTOMER_USER_TYPES: tuple[int, ...] = (1, 2)

#: ``SubAccountType`` (A.4.1): 1 agency's end user (代理), 2 reseller's end user (代销).
ACCOUNT_TYPES: Mapping[str, AccountType] = {
    "1": AccountType.AGENCY,
    "2": AccountType.CONSIGNMENT,
}

#: Aliyun console and API timestamps without a zone are China Standard Time.
_CHINA = timezone(timedelta(hours=8), "CST")
_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")

#: Provider-only fields kept in ``Customer.extra`` under their wire names.
_EXTRA_FIELDS = (
    "Cid",
    "AliyunId",
    "NewBuyStatus",
    "DelayStatus",
    "CustomerAccountType",
    "CustomerEnterpriseCertified",
    "RegisterCountryCode",
    "Remark",
    "SubAccountType",
)


def _key(value: object) -> str:
    return "" if value is None else str(value).strip()


def customer_kind(user_type: object) -> CustomerKind:
    return CUSTOMER_KINDS.get(_key(user_type), CustomerKind.UNKNOWN)


def account_type(sub_account_type: object) -> AccountType:
    return ACCOUNT_TYPES.get(_key(sub_account_type), AccountType.UNKNOWN)


def decimal_string(value: object) -> str | None:
    """A money-like value as a canonical decimal string; never through float. Bad input stays as is."""
    if value is None or value == "":
        return None
    if isinstance(value, float):  # only if someone parsed JSON without parse_float=Decimal
        value = repr(value)
    try:
        return str(Decimal(str(value).strip()))
    except InvalidOperation:
        return str(value)


def parse_timestamp(value: object) -> datetime | None:
    """``AssociationSuccessTime`` is an undocumented "timestamp string" (A.4.3): accept ISO 8601,
    ``yyyy-MM-dd HH:mm:ss`` (China time) and epoch milliseconds; anything else gives ``None``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            millis = int(value)
            return datetime.fromtimestamp(millis / 1000 if millis > 10**11 else millis, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
        for fmt in _NAIVE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 -- zone attached below
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_CHINA)


def _optional_text(value: object) -> str | None:
    text = _key(value)
    return text or None


def customer_from_account_info(
    row: Mapping[str, object], *, user_type: object, provider: str, partner_id: str
) -> Customer:
    """One ``AccountInfoList.AccountInfo[]`` entry of GetAccountInfo (A.4.3).

    The row itself does not say its ``UserType``: it is the one the list was queried with. Accounts
    listed by GetAccountInfo are associated with the partner (invitations are listed elsewhere).
    """
    associated_raw = row.get("AssociationSuccessTime")
    associated_at = parse_timestamp(associated_raw)
    extra: dict[str, object] = {
        name: row[name] for name in _EXTRA_FIELDS if row.get(name) is not None and row.get(name) != ""
    }
    if "Cid" in extra:
        extra["Cid"] = str(extra["Cid"])  # 64-bit (A.6.4)
    delay_amount = decimal_string(row.get("DelayAmount"))
    if delay_amount is not None:
        extra["DelayAmount"] = delay_amount
    if associated_at is None and associated_raw not in (None, ""):
        extra["AssociationSuccessTime"] = str(associated_raw)
    extra["UserType"] = _key(user_type)
    return Customer(
        provider=provider,
        partner_id=partner_id,
        native_id=_key(row.get("Uid")),
        name=_key(row.get("AccountNickname")),
        account_type=account_type(row.get("SubAccountType")),
        kind=customer_kind(user_type),
        status=CustomerStatus.ASSOCIATED,
        email=_optional_text(row.get("Email")),
        phone=_optional_text(row.get("Mobile")),
        owner=_optional_text(row.get("CustomerBd")),
        associated_at=associated_at,
        # An account is associated only once the customer has passed real-name verification (DOMAIN.md).
        real_name_verified=True,
        extra=extra,
    )
