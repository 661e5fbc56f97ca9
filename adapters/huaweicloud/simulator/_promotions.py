"""Handlers for coupon records, the partner's own coupons, new-customer tags, incentive policies and the
yearly/monthly price inquiry (CONTRACTS.md H.6.4-H.6.8).

list_partner_coupons_record reads the log that create_partner_coupons and reclaim_partner_coupons write
(``coupon_record``); the seed writes the records of the seeded vouchers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ._errors import PRODUCT_NOT_FOUND, ApiError, invalid
from ._params import Query, integer, page, string, target, utc_time
from ._products import PRODUCTS, SERVICE_TYPES
from ._reference import REGIONS
from ._state import Coupon, PartnerState, SimulatorState, SubCustomer, timestamp

__all__ = [
    "coupon_record",
    "list_incentive_discount_policies",
    "list_partner_coupons_record",
    "list_rate_on_period_detail",
    "list_sub_customer_coupons",
    "list_sub_customer_new_tag",
]

ISSUE, MANUAL_RECLAIM, EXPIRY_RECLAIM = "1", "2", "4"  # operation_type (H.6.4)
_OPERATION_TYPES = frozenset("123456789")
_CHINA = timedelta(hours=8)
_TWELVE_MONTHS = timedelta(days=365)  # used / expired / reclaimed coupons are kept this long (H.6.5)


def coupon_record(
    partner: PartnerState,
    *,
    record_id: str,
    kind: str,
    moment: str,
    customer_id: str,
    quota_id: str | None,
    coupon: Coupon | None,
    amount: Decimal,
    ok: bool = True,
    remark: str | None = None,
) -> None:
    """Log one voucher issue or reclaim of ``partner`` (H.6.4); a failed issue has no coupon."""
    partner.coupon_records.append(
        {
            "id": record_id,
            "operation_type": kind,
            "quota_id": quota_id,
            "quota_type": 0,  # voucher quota
            "coupon_id": coupon.coupon_id if coupon is not None else None,
            "customer_id": customer_id,
            "operation_amount": amount,
            "operation_time": moment,
            "result": "0" if ok else "-1",
            "remark": remark,
        }
    )


def _multi(query: dict[str, Any], name: str) -> list[str] | None:
    # Repeated keys (operation_types=1&operation_types=2, H.5 item 10); absent: None (no filter).
    values = query.lists.get(name) if isinstance(query, Query) else query.get(name)
    if values is None:
        return None
    return [value for value in values if value != ""]


def list_partner_coupons_record(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/promotions/benefits/partner-coupons/records/query`` (H.6.4): newest first. ``quota_id=`` and
    ``customer_id=`` (empty) filter too; so does an empty list (no value left of the repeated keys)."""
    partner = target(state, caller, query.get("indirect_partner_id"))
    kinds = _multi(query, "operation_types")
    if kinds is not None and not set(kinds) <= _OPERATION_TYPES:
        raise invalid("operation_types", "must be operation types 1 to 9")
    coupon_ids = _multi(query, "coupon_ids")
    quota_type = integer(query, "quota_type", 0, 0, 1) if query.get("quota_type") not in (None, "") else None
    for name in ("operation_time_begin", "operation_time_end"):
        if query.get(name) == "":
            raise invalid(name, "must not be an empty string")
    begin, end = utc_time(query, "operation_time_begin"), utc_time(query, "operation_time_end")
    result = query.get("result") if query.get("result") in ("0", "-1") else None  # other values: no filter
    found = []
    log = list(enumerate(partner.coupon_records))  # newest first; the later write first within a second
    for _, record in sorted(log, key=lambda entry: (entry[1]["operation_time"], entry[0]), reverse=True):
        moment = utc_time(record, "operation_time")
        if (
            (kinds is not None and record["operation_type"] not in kinds)
            or (coupon_ids is not None and record["coupon_id"] not in coupon_ids)
            or any(name in query and record[name] != query[name] for name in ("quota_id", "customer_id"))
            or (quota_type is not None and record["quota_type"] != quota_type)
            or (begin is not None and (moment is None or moment <= begin))
            or (end is not None and (moment is None or moment >= end))
            or (result is not None and record["result"] != result)
        ):
            continue
        found.append(record)
    return {"total_count": len(found), "records": page(query, found)}


def seed_own_coupons(partner: PartnerState, anchor: datetime) -> None:
    """The coupons Huawei gave the partner itself (H.6.5): every type and status, one used too long ago."""
    plans = (
        # (coupon_type, status, face, days ago created, source)
        (1, 2, "2000.00", 40, "HWC-PARTNER-GROWTH"),
        (1, 3, "500.00", 200, "HWC-PARTNER-GROWTH"),
        (2, 2, "0", 20, "HWC-DISCOUNT-Q"),
        (3, 1, "300.00", 5, "HWC-PRODUCT-ECS"),
        (4, 4, "1000.00", 300, "HWC-CASH"),
        (1, 5, "800.00", 100, "HWC-PARTNER-GROWTH"),
        (4, 3, "600.00", 450, "HWC-CASH"),  # used over 12 months ago: no longer listed
    )
    for index, (kind, status, face, days, source) in enumerate(plans):
        created = anchor - timedelta(days=days)
        active = created + timedelta(hours=2) if status != 1 else None
        used = created + timedelta(days=10) if status == 3 else None
        expires = created + timedelta(days=90 if status == 4 else 540)
        value = Decimal(face)
        partner.own_coupons.append(
            {
                "coupon_id": f"PC{partner.account.domain_id[:12]}{index:04d}",
                "coupon_code": f"HW{partner.account.domain_id[-6:].upper()}{index:04d}",
                "status": status,
                "customer_id": partner.account.domain_id,
                "coupon_type": kind,
                "measure_id": 1,
                "face_value": value,
                "valid_time": timestamp(created),
                "expire_time": timestamp(expires),
                "order_id": f"CS{created:%y%m%d%H%M}{index:05d}" if status == 3 else None,
                "promotion_plan_id": f"PLAN{source[4:].replace('-', '')}",
                "plan_name": f"{source} 伙伴激励券",
                "plan_desc": "华为云伙伴激励",
                "media_type": 1,
                "fetch_method": 5 if kind == 4 else 3,
                "use_limits": [],
                "active_time": timestamp(active) if active else None,
                "reserve_time": timestamp(used) if used else None,
                "promotion_id": f"PROMO{index:06d}",
                "create_time": timestamp(created),
                "coupon_version": 2,
                "balance": {3: Decimal("0.00"), 5: Decimal("0.00")}.get(status, value),
                "lock_order_id": None,
                "coupon_usage": None,
                "is_frozen": "0",
                "currency": "CNY",
                "extend_param1": None,
                "source_id": source,
            }
        )


def _done_at(coupon: dict[str, Any]) -> datetime | None:
    """When a used, expired or reclaimed coupon stopped being usable (None while it still is)."""
    if coupon["status"] == 3:
        return utc_time(coupon, "reserve_time")
    if coupon["status"] in (4, 5):
        return utc_time(coupon, "expire_time") if coupon["status"] == 4 else utc_time(coupon, "create_time")
    return None


def list_sub_customer_coupons(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/promotions/benefits/coupons`` (H.6.5): the partner's *own* coupons (``count``)."""
    partner = target(state, caller, query.get("indirect_partner_id"))
    if "offset" in query and "limit" not in query:
        raise invalid("offset", "must be used together with limit")
    coupon_type = integer(query, "coupon_type", 0, 1, 4) if query.get("coupon_type") not in (None, "") else None
    status = integer(query, "status", 0, 1, 5) if query.get("status") not in (None, "") else None
    for name in ("active_start_time", "active_end_time"):
        if query.get(name) == "":
            raise invalid(name, "must not be an empty string")
    begin, end = utc_time(query, "active_start_time"), utc_time(query, "active_end_time")
    now = state.clock()
    found = []
    for coupon in partner.own_coupons:
        done, active = _done_at(coupon), utc_time(coupon, "active_time")
        if (
            (done is not None and now - done > _TWELVE_MONTHS)
            or any(
                name in query and coupon[name] != query[name]  # "" filters too (H.6.5)
                for name in ("coupon_id", "order_id", "promotion_plan_id", "source_id")
            )
            or (coupon_type is not None and coupon["coupon_type"] != coupon_type)
            or (status is not None and coupon["status"] != status)
            or ((begin is not None or end is not None) and active is None)
            or (begin is not None and active is not None and active < begin)
            or (end is not None and active is not None and active > end)
        ):
            continue
        found.append(coupon)
    return {"count": len(found), "user_coupons": page(query, found)}


def _tag(customer: SubCustomer, now: datetime) -> dict[str, Any]:
    associated = utc_time({"t": customer.associated_on}, "t") or now
    local = associated + _CHINA
    effective = f"{local:%Y-%m}"
    expire = f"{local.year + (local.month + 11) // 12:04d}-{(local.month + 11) % 12 + 1:02d}"
    tag: dict[str, Any] = {"customer_id": customer.customer_id, "customer_tag_type": "SMB"}
    if customer.verified_status == "-1":  # no real-name verification: an empty tag (H.6.6)
        return {**tag, "new_customer_tag": "", "effective_time": None, "expire_time": None}
    if customer.verified_status != "2":
        return {**tag, "new_customer_tag": "UNDETERMINED", "effective_time": effective, "expire_time": expire}
    current = f"{now + _CHINA:%Y-%m}"
    return {
        **tag,
        "new_customer_tag": "Y" if current < expire else "N",
        "effective_time": effective,
        "expire_time": expire,
    }


def list_sub_customer_new_tag(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/partners/sub-customers/new-customers-tags/batch-query`` (H.6.6): ids that are not the
    partner's customers are dropped; a tag is ``Y`` for 12 months from association, then ``N``. No total."""
    partner = target(state, caller, body.get("indirect_partner_id"))
    ids = body.get("customer_ids")
    if ids is not None and (not isinstance(ids, list) or not all(isinstance(i, str) and len(i) <= 64 for i in ids)):
        raise invalid("customer_ids", "must be a list of ids of at most 64 characters")
    now = state.clock()
    wanted = set(ids or ())
    customers = [c for c in partner.customers if c.visible(now) and (not wanted or c.customer_id in wanted)]
    return {"new_customer_tags": [_tag(c, now) for c in page(body, customers)]}


#: service type -> [(from month, incentive_policy, allow_discount)], in time order (H.6.7).
_POLICIES: dict[str, list[tuple[str, str, str]]] = {
    "hws.service.type.ec2": [("2020-01", "1", "YES")],
    "hws.service.type.ebs": [("2020-01", "1", "YES")],
    "hws.service.type.vpc": [("2020-01", "0", "YES")],
    "hws.service.type.obs": [("2020-01", "0", "YES")],
    "hws.service.type.rds": [("2020-01", "1", "YES")],
    "hws.service.type.cdn": [("2020-01", "13", "YES"), ("2025-01", "2", "NO")],
    "hws.service.type.dcs": [("2020-01", "0", "NO"), ("2024-07", "0", "YES")],
    "hws.service.type.elb": [("2020-01", "2", "NO")],
}


def list_incentive_discount_policies(
    state: SimulatorState, caller: PartnerState, query: dict[str, Any]
) -> dict[str, Any]:
    """``GET /v2/products/incentive-discount-policies`` (H.6.7): the policies as of the end of ``time``, a
    UTC+8 month; ``service_type_code=`` (empty) filters too."""
    month = string(query, "time", required=True) or ""
    if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit() or not 1 <= int(month[5:]) <= 12:
        raise invalid("time", "must be a month YYYY-MM")
    found = []
    for code, history in _POLICIES.items():
        if "service_type_code" in query and code != query["service_type_code"]:
            continue
        current = [entry for entry in history if entry[0] <= month]
        if current:
            _, incentive, discount = current[-1]
            found.append(
                {
                    "service_type_code": code,
                    "service_type_name": SERVICE_TYPES[code][0],
                    "incentive_policy": incentive,
                    "allow_discount": discount,
                }
            )
    return {"policies": page(query, found), "total_count": len(found)}


PARTNER_DISCOUNT = Decimal("0.05")  # discount_type 606, as in the on-demand price list (H.4.21)
PARTNER_RATE = Decimal("0.08")  # discount_type 607: the partner's own discount rate
_PERIOD_MONTHS = {2: 1, 3: 10}  # period_type -> months' price: a month, a year (ten months' price)


def _period_price(product: dict[str, Any]) -> tuple[str, Decimal]:
    for name in ("id", "cloud_service_type", "resource_type", "resource_spec", "region"):
        if not isinstance(product.get(name), str) or not product[name]:
            raise invalid(f"product_infos.{name}", "must not be null")
    period_type = integer(product, "period_type", None)
    if period_type not in (0, 1, 2, 3, 4):
        raise invalid("product_infos.period_type", "must be 0, 2, 3 or 4")
    period_num = integer(product, "period_num", None, 1)
    count = integer(product, "subscription_num", None, 1)
    key = (product["cloud_service_type"], product["resource_type"], product["resource_spec"])
    found = PRODUCTS.get(key)
    if found is None or not found.subscribable or product["region"] not in REGIONS:
        raise ApiError(400, PRODUCT_NOT_FOUND, f"The product {product['id']} does not exist.")
    if period_type not in _PERIOD_MONTHS:
        raise ApiError(400, PRODUCT_NOT_FOUND, f"The product {product['id']} is not sold by the day or hour.")
    per_unit = found.monthly / found.size
    size = 1
    if found.size_measure_id is not None:  # linear products need their size (H.6.8)
        size = integer(product, "resource_size", None, 1)
        if integer(product, "size_measure_id", None) != found.size_measure_id:
            raise invalid("product_infos.size_measure_id", f"must be {found.size_measure_id} for this product")
    else:
        per_unit = found.monthly
    amount = (per_unit * size * _PERIOD_MONTHS[period_type] * period_num * count).quantize(Decimal("0.01"))
    return found.product_id, amount


def list_rate_on_period_detail(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/bills/ratings/period-resources/subscribe-rate`` (H.6.8): the list price and, per discount
    that applies (606 partner-granted, 607 partner rate), ``amount = official - discount``."""
    string(body, "project_id", required=True)
    products = body.get("product_infos")
    if not isinstance(products, list) or not products or not all(isinstance(p, dict) for p in products):
        raise invalid("product_infos", "must be a non-empty list of objects")
    if len({p.get("id") for p in products}) != len(products):
        raise invalid("product_infos.id", "must be unique within the call")
    priced = [(p["id"], *_period_price(p)) for p in products]
    official = sum((amount for _, _, amount in priced), Decimal(0))
    discounts = []
    for discount_type, discount_id, name, rate in (
        (606, "DP606000001", "伙伴授予折扣", PARTNER_DISCOUNT),
        (607, "DP607000001", "伙伴设置折扣率", PARTNER_RATE),
    ):
        per_product = [
            {
                "id": item_id,
                "product_id": product_id,
                "amount": amount - (amount * rate).quantize(Decimal("0.01")),
                "official_website_amount": amount,
                "discount_amount": (amount * rate).quantize(Decimal("0.01")),
                "measure_id": 1,
            }
            for item_id, product_id, amount in priced
        ]
        off = sum((p["discount_amount"] for p in per_product), Decimal(0))
        discounts.append(
            {
                "discount_id": discount_id,
                "amount": official - off,
                "official_website_amount": official,
                "discount_amount": off,
                "measure_id": 1,
                "discount_type": discount_type,
                "discount_name": name,
                "best_offer": 0,
                "product_rating_results": per_product,
            }
        )
    max(discounts, key=lambda d: d["discount_amount"])["best_offer"] = 1
    return {
        "official_website_rating_result": {
            "official_website_amount": official,
            "measure_id": 1,
            "product_rating_results": [
                {"id": item_id, "product_id": product_id, "official_website_amount": amount, "measure_id": 1}
                for item_id, product_id, amount in priced
            ],
        },
        "optional_discount_rating_results": discounts,
        "currency": "CNY",
    }
