"""Handlers for orders, price inquiries and reference data (H.4.20-H.4.24) and the product catalogue (H.6.9)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from ._errors import PRODUCT_NOT_FOUND, ApiError, invalid
from ._params import integer, page, string, target, utc_time
from ._products import CONVERSIONS, MEASURE_UNITS, RESOURCE_TYPES, SERVICE_TYPES, USAGE_TYPES
from ._reference import CITIES, COUNTIES, PRICES, PROVINCES, REGIONS
from ._state import PartnerState, SimulatorState

__all__ = [
    "list_cities",
    "list_conversions",
    "list_counties",
    "list_customer_orders",
    "list_measure_units",
    "list_on_demand_resource_ratings",
    "list_provinces",
    "list_resource_types",
    "list_service_resources",
    "list_service_types",
    "list_usage_types",
]

MAX_WINDOW = timedelta(days=366)  # "range <= 1 year" (H.4.20), a leap year included
PARTNER_DISCOUNT = Decimal("0.05")  # the distributor's granted discount (discount_type 606) in the price list
_ORDER_TYPES = ("1", "2", "3", "4", "10", "11", "13", "14", "15")


def _window(query: dict[str, Any], name: str) -> tuple[Any, Any]:
    begin, end = utc_time(query, f"{name}_begin"), utc_time(query, f"{name}_end")
    if begin is not None and end is not None and (end < begin or end - begin > MAX_WINDOW):
        raise invalid(f"{name}_end", "the time range must be at most one year")
    return begin, end


def list_customer_orders(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/orders/customer-orders`` (H.4.20): amounts are plain JSON numbers (float in the SDK)."""
    partner = target(state, caller, query.get("indirect_partner_id"))
    created, paid = _window(query, "create_time"), _window(query, "payment_time")
    status = integer(query, "status", 0) if query.get("status") is not None else None
    order_type = string(query, "order_type")  # a String in the query, an Integer in the answer (H.5 item 4)
    if order_type is not None and order_type not in _ORDER_TYPES:
        raise invalid("order_type", "is not an order type")
    if query.get("method") not in (None, "oneself", "sub_customer"):
        raise invalid("method", "must be oneself or sub_customer")
    if query.get("order_by") not in (None, "createTime", "-createTime"):
        raise invalid("order_by", "must be createTime or -createTime")
    found = []
    for order in partner.orders:
        if query.get("order_id") and order["order_id"].lower() != query["order_id"].lower():
            continue
        if any(query.get(n) and order[n] != query[n] for n in ("customer_id", "service_type_code")):
            continue
        if (status is not None and order["status"] != status) or (
            order_type and order["order_type"] != int(order_type)
        ):
            continue
        for (begin, end), moment in ((created, order["create_time"]), (paid, order.get("payment_time"))):
            at = utc_time({"t": moment}, "t") if moment else None
            if (begin or end) and (at is None or (begin and at < begin) or (end and at > end)):
                break
        else:
            found.append(order)
    found.sort(key=lambda o: o["create_time"], reverse=query.get("order_by") != "createTime")
    return {"total_count": len(found), "order_infos": page(query, found)}


def _rate(product: dict[str, Any], precision: Decimal) -> dict[str, Any]:
    for name in ("id", "cloud_service_type", "resource_type", "resource_spec", "region", "usage_factor"):
        if not isinstance(product.get(name), str) or not product[name]:
            raise invalid(f"product_infos.{name}", "must not be null")
    usage = product.get("usage_value")
    if isinstance(usage, bool) or not isinstance(usage, (int, Decimal)) or usage <= 0:
        raise invalid("product_infos.usage_value", "must be a number greater than 0")
    count = integer(product, "subscription_num", None, 1)
    integer(product, "usage_measure_id", None, 1)
    key = (product["cloud_service_type"], product["resource_type"], product["resource_spec"])
    price = PRICES.get(key)
    if price is None or product["region"] not in REGIONS:
        raise ApiError(400, PRODUCT_NOT_FOUND, f"The product {product['id']} does not exist.")
    size = 1
    if price.linear:
        size = integer(product, "resource_size", None, 1)
        if integer(product, "size_measure_id", None) != price.size_measure_id:
            raise invalid("product_infos.size_measure_id", f"must be {price.size_measure_id} for this product")
    official = (price.hourly * Decimal(usage) * count * size).quantize(precision)
    discount = (official * PARTNER_DISCOUNT).quantize(precision)
    return {
        "id": product["id"],
        "product_id": price.product_id,
        "amount": official - discount,
        "discount_amount": discount,
        "official_website_amount": official,
        "measure_id": 1,
        "discount_rating_results": [
            {
                "discount_id": "DP606000001",
                "discount_type": 606,
                "discount_name": "伙伴授予折扣",
                "amount": discount,
                "measure_id": 1,
            }
        ],
    }


def list_on_demand_resource_ratings(
    state: SimulatorState, caller: PartnerState, body: dict[str, Any]
) -> dict[str, Any]:
    """``POST /v2/bills/ratings/on-demand-resources`` (H.4.21): all four lookup keys must match a product."""
    string(body, "project_id", required=True)
    precision = Decimal("1e-10") if integer(body, "inquiry_precision", 0, 0, 1) == 1 else Decimal("1e-6")
    products = body.get("product_infos")
    if not isinstance(products, list) or not products or not all(isinstance(p, dict) for p in products):
        raise invalid("product_infos", "must be a non-empty list of objects")
    if len({p.get("id") for p in products}) != len(products):
        raise invalid("product_infos.id", "must be unique within the call")
    results = [_rate(product, precision) for product in products]
    return {
        "amount": sum((r["amount"] for r in results), Decimal(0)),
        "discount_amount": sum((r["discount_amount"] for r in results), Decimal(0)),
        "official_website_amount": sum((r["official_website_amount"] for r in results), Decimal(0)),
        "measure_id": 1,
        "currency": "CNY",
        "product_rating_results": results,
    }


def _regions(query: dict[str, Any], key: str, entries: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    # limit: max 1000 (H.4.22-24)
    items = [{"code": code, "name": name} for code, name in entries]
    return {"count": len(items), key: page(query, items, max_limit=1000)}


def list_provinces(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/systems/configs/provinces`` (H.4.22)."""
    return _regions(query, "provinces", PROVINCES)


def list_cities(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/systems/configs/cities`` (H.4.23): ``province_code`` required."""
    province = string(query, "province_code", required=True) or ""
    return _regions(query, "cities", CITIES.get(province, ()))


def list_counties(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/systems/configs/counties`` (H.4.24): ``city_code`` required."""
    city = string(query, "city_code", required=True) or ""
    return _regions(query, "counties", COUNTIES.get(city, ()))


# --- the product catalogue (H.6.9) ------------------------------------------------------------------


def list_service_types(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/products/service-types`` (H.6.9): ``service_type_name`` matches any part of the name."""
    name = string(query, "service_type_name", max_length=128)
    found = [
        {"service_type_code": code, "service_type_name": title, "abbreviation": abbreviation}
        for code, (title, abbreviation) in SERVICE_TYPES.items()
        if name is None or name in title
    ]
    return {"total_count": len(found), "service_types": page(query, found)}


def list_resource_types(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/products/resource-types`` (H.6.9)."""
    found = [
        {"resource_type_code": code, "resource_type_name": name, "resource_type_desc": desc, "service_type_code": svc}
        for code, (name, desc, svc) in RESOURCE_TYPES.items()
    ]
    return {"total_count": len(found), "resource_types": page(query, found)}


def list_service_resources(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/products/service-resources`` (H.6.9): ``service_type_code`` required, ``limit`` not empty."""
    service = string(query, "service_type_code", required=True)
    if query.get("limit") == "":
        raise invalid("limit", "must not be empty")
    found = [
        {
            "basic_info": {
                "resource_type_code": code,
                "product_owner_service": svc,
                "name": name,
                "description": desc,
            }
        }
        for code, (name, desc, svc) in RESOURCE_TYPES.items()
        if svc == service
    ]
    return {"total_count": len(found), "infos": page(query, found)}


def list_usage_types(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/products/usage-types`` (H.6.9): ``resource_type_code=`` (empty) filters too."""
    found = []
    for code, name, resource in USAGE_TYPES:
        if "resource_type_code" in query and resource != query["resource_type_code"]:
            continue
        resource_name, _, service = RESOURCE_TYPES[resource]
        found.append(
            {
                "code": code,
                "name": name,
                "resource_type_code": resource,
                "service_type_code": service,
                "resource_type_name": resource_name,
                "service_type_name": SERVICE_TYPES[service][0],
            }
        )
    return {"total_count": len(found), "usage_types": page(query, found)}


def list_measure_units(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/bases/measurements`` (H.6.9): no paging, no total."""
    return {
        "measure_units": [
            {"measure_id": i, "measure_name": name, "abbreviation": short, "measure_type": kind}
            for i, name, short, kind in MEASURE_UNITS
        ]
    }


def list_conversions(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/bases/conversions`` (H.6.9): optionally one ``measure_type``; no paging, no total."""
    if query.get("measure_type") == "":
        raise invalid("measure_type", "must not be an empty string")
    kind = integer(query, "measure_type", 0, 1) if query.get("measure_type") is not None else None
    return {
        "conversions": [
            {"measure_id": unit, "ref_measure_id": ref, "conversion_ratio": ratio, "measure_type": measure_type}
            for unit, ref, ratio, measure_type in CONVERSIONS
            if kind is None or measure_type == kind
        ]
    }
