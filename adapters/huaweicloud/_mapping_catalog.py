"""Pure functions from BSS wire dicts to ``gateway.models``: resellers, vouchers, quotas, orders, regions,
resources and price quotes. Unknown enumeration values map to ``UNKNOWN`` (or ``OTHER``), never raise."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from gateway.models import (
    Money,
    Order,
    OrderStatus,
    OrderType,
    PriceItem,
    PriceQuote,
    PriceRequest,
    Region,
    RegionLevel,
    Reseller,
    Resource,
    Voucher,
    VoucherQuota,
    VoucherQuotaStatus,
    VoucherStatus,
)

from ._mapping import CURRENCY, PROVIDER, _key, _text, money_of, parse_timestamp

__all__ = [
    "ORDER_STATUSES",
    "ORDER_TYPES",
    "QUOTA_STATUSES",
    "VOUCHER_STATUSES",
    "order_from_wire",
    "price_quote_from_wire",
    "price_request_to_wire",
    "quota_from_wire",
    "region_from_wire",
    "reseller_from_wire",
    "resource_from_wire",
    "voucher_from_wire",
]

_ZERO = Money(Decimal("0"), CURRENCY)

# user_coupons[].status (H.4.19): 1 not activated, 2 usable, 3 used, 4 expired, 5 reclaimed.
VOUCHER_STATUSES: Mapping[str, VoucherStatus] = {
    "1": VoucherStatus.NOT_ACTIVATED,
    "2": VoucherStatus.AVAILABLE,
    "3": VoucherStatus.USED_UP,
    "4": VoucherStatus.EXPIRED,
    "5": VoucherStatus.RECLAIMED,
}
# quota_status (H.4.15, H.4.26): 0 normal, 3 invalid, 4 adjusting, 5 frozen, 6 reclaimed.
QUOTA_STATUSES: Mapping[str, VoucherQuotaStatus] = {
    "0": VoucherQuotaStatus.ACTIVE,
    "3": VoucherQuotaStatus.INVALID,
    "4": VoucherQuotaStatus.ADJUSTING,
    "5": VoucherQuotaStatus.FROZEN,
    "6": VoucherQuotaStatus.RECLAIMED,
}
# order_infos[].status (H.4.20). 2 pending refund and 9-13 (confirmation, shipping) are in progress.
ORDER_STATUSES: Mapping[str, OrderStatus] = {
    "1": OrderStatus.PENDING_REVIEW,
    "2": OrderStatus.PROCESSING,
    "3": OrderStatus.PROCESSING,
    "4": OrderStatus.CANCELLED,
    "5": OrderStatus.COMPLETED,
    "6": OrderStatus.PENDING_PAYMENT,
    "9": OrderStatus.PENDING_REVIEW,
    "10": OrderStatus.PROCESSING,
    "11": OrderStatus.PROCESSING,
    "12": OrderStatus.PROCESSING,
    "13": OrderStatus.PROCESSING,
}
# order_infos[].order_type (H.4.20): 1 new, 2 renew, 3 change, 4 unsubscribe; the mode switches,
# trials and fee adjustments (10, 11, 13, 14, 15) have no neutral counterpart.
ORDER_TYPES: Mapping[str, OrderType] = {
    "1": OrderType.NEW,
    "2": OrderType.RENEW,
    "3": OrderType.CHANGE,
    "4": OrderType.REFUND,
    "10": OrderType.OTHER,
    "11": OrderType.OTHER,
    "13": OrderType.OTHER,
    "14": OrderType.OTHER,
    "15": OrderType.OTHER,
}


def _extra(entry: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, object]:
    return {name: entry[name] for name in names if entry.get(name) is not None}


def reseller_from_wire(entry: Mapping[str, Any], *, partner_id: str) -> Reseller:
    """One ``indirect_partners[]`` entry of list_indirect_partners (H.4.10)."""
    native_id = _text(entry.get("indirect_partner_id")) or ""
    return Reseller(
        provider=PROVIDER,
        partner_id=partner_id,
        native_id=native_id,
        name=_text(entry.get("name")) or _text(entry.get("account_name")) or native_id,
        account_name=_text(entry.get("account_name")),
        email=_text(entry.get("email")),
        phone=_text(entry.get("mobile_phone")),
        owner=_text(entry.get("account_manager_id")),
        associated_at=parse_timestamp(entry.get("associated_on")),
        extra=_extra(entry, ("account_manager_name",)),
    )


def voucher_from_wire(entry: Mapping[str, Any], *, partner_id: str, reseller_id: str | None = None) -> Voucher:
    """One ``user_coupons[]`` entry of list_issued_partner_coupons (H.4.19)."""
    return Voucher(
        provider=PROVIDER,
        partner_id=partner_id,
        native_id=_text(entry.get("coupon_id")) or "",
        customer_id=_text(entry.get("customer_id")),
        face_value=money_of(entry.get("face_value")) or _ZERO,
        remaining=money_of(entry.get("balance")) or _ZERO,
        status=VOUCHER_STATUSES.get(_key(entry.get("status")), VoucherStatus.UNKNOWN),
        issued_at=parse_timestamp(entry.get("create_time")),
        valid_from=parse_timestamp(entry.get("effective_time")),
        valid_until=parse_timestamp(entry.get("expire_time")),
        reseller_id=reseller_id,
        extra=_extra(
            entry,
            ("coupon_type", "order_id", "promotion_plan_id", "promotion_plan_name", "fetch_method", "is_frozen"),
        ),
    )


def quota_from_wire(entry: Mapping[str, Any], *, partner_id: str) -> VoucherQuota:
    """One ``quotas[]`` entry of list_quota_coupons (H.4.26) or list_issued_coupon_quotas (H.4.15)."""
    currency = entry.get("currency")
    return VoucherQuota(
        provider=PROVIDER,
        partner_id=partner_id,
        native_id=_text(entry.get("quota_id")) or "",
        total=money_of(entry.get("quota_value"), currency) or _ZERO,
        remaining=money_of(entry.get("balance"), currency) or _ZERO,
        status=QUOTA_STATUSES.get(_key(entry.get("quota_status")), VoucherQuotaStatus.UNKNOWN),
        parent_id=_text(entry.get("parent_quota_id")),
        reseller_id=_text(entry.get("indirect_partner_id")),
        valid_from=parse_timestamp(entry.get("effective_time")),
        valid_until=parse_timestamp(entry.get("expire_time")),
        created_at=parse_timestamp(entry.get("create_time")),
        extra=_extra(entry, ("quota_type", "indirect_partner_name", "indirect_partner_account_name", "limit_infos")),
    )


def order_from_wire(entry: Mapping[str, Any], *, partner_id: str, reseller_id: str | None = None) -> Order:
    """One ``order_infos[]`` entry of list_customer_orders (H.4.20; amounts are float numbers on the wire)."""
    currency = entry.get("currency")
    list_price = money_of(entry.get("official_amount"), currency)
    due = money_of(entry.get("amount_after_discount"), currency)
    discount = Money(list_price.amount - due.amount, due.currency) if list_price and due else None
    raw_info = entry.get("amount_info")
    info: Mapping[str, Any] = raw_info if isinstance(raw_info, Mapping) else {}
    return Order(
        provider=PROVIDER,
        partner_id=partner_id,
        native_id=_text(entry.get("order_id")) or "",
        customer_id=_text(entry.get("customer_id")),
        status=ORDER_STATUSES.get(_key(entry.get("status")), OrderStatus.UNKNOWN),
        order_type=ORDER_TYPES.get(_key(entry.get("order_type")), OrderType.UNKNOWN),
        product_code=_text(entry.get("service_type_code")),
        product_name=_text(entry.get("service_type_name")),
        list_price=list_price,
        amount_due=due,
        discount=discount,
        voucher_amount=money_of(info.get("coupon_amount"), currency),
        created_at=parse_timestamp(entry.get("create_time")),
        paid_at=parse_timestamp(entry.get("payment_time")),
        reseller_id=reseller_id,
        extra=_extra(entry, ("status", "order_type", "source_type", "contract_id")),
    )


def region_from_wire(entry: Mapping[str, Any], level: RegionLevel, parent_code: str | None = None) -> Region:
    """One ``provinces[]`` / ``cities[]`` / ``counties[]`` entry (H.4.22-24)."""
    return Region(
        code=_text(entry.get("code")) or "",
        name=_text(entry.get("name")) or "",
        level=level,
        parent_code=parent_code,
    )


def resource_from_wire(entry: Mapping[str, Any]) -> Resource:
    """One ``resources[]`` entry of list_customer_on_demand_resources (H.4.5); the status stays its code."""
    return Resource(
        native_id=_text(entry.get("resource_id")) or "",
        customer_id=_text(entry.get("customer_id")) or "",
        name=_text(entry.get("resource_name")),
        service_type=_text(entry.get("service_type_code")),
        resource_type=_text(entry.get("resource_type_code")),
        region=_text(entry.get("region_code")),
        status=_key(entry.get("status")),
        effective_at=parse_timestamp(entry.get("effective_time")),
        expires_at=parse_timestamp(entry.get("expire_time")),
        extra=_extra(entry, ("resource_spec_code", "availability_zone_code", "resource_info", "product_spec_desc")),
    )


def price_quote_from_wire(data: Mapping[str, Any]) -> PriceQuote:
    """The answer of list_on_demand_resource_ratings (H.4.21); an empty currency means CNY."""
    currency = data.get("currency") or CURRENCY
    return PriceQuote(
        list_price=money_of(data.get("official_website_amount"), currency) or _ZERO,
        discount=money_of(data.get("discount_amount"), currency) or _ZERO,
        amount=money_of(data.get("amount"), currency) or _ZERO,
        extra={"product_rating_results": data.get("product_rating_results") or []},
    )


def price_request_to_wire(request: PriceRequest) -> dict[str, Any]:
    """The body of list_on_demand_resource_ratings (H.4.21); item ids are their 1-based positions."""
    products = [
        {
            **price_product(item, index),
            "usage_factor": item.usage_factor,
            "usage_value": item.usage_value,
            "usage_measure_id": item.usage_measure_id,
        }
        for index, item in enumerate(request.items, start=1)
    ]
    return {"project_id": request.customer_project_id, "product_infos": products}


def price_product(item: PriceItem, index: int) -> dict[str, Any]:
    """What a price inquiry's item says in both H.4.21 and H.6.8: the product, how many, and its size."""
    product: dict[str, Any] = {
        "id": str(index),
        "cloud_service_type": item.service_type,
        "resource_type": item.resource_type,
        "resource_spec": item.resource_spec,
        "region": item.region,
        "subscription_num": item.quantity,
    }
    if item.resource_size is not None:
        product["resource_size"] = item.resource_size
    if item.size_measure_id is not None:
        product["size_measure_id"] = item.size_measure_id
    return product
