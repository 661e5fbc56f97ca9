"""Handlers for voucher quotas and vouchers (H.4.13-H.4.19, H.4.26).

Issuing and reclaiming vouchers writes the partner's coupon records (read by H.6.4), failures included.

Batch calls (update_coupon_quotas, reclaim_coupon_quotas, create_partner_coupons) answer HTTP 200 with
the items that worked and an ``error_details[]`` entry for each that did not (H.3, H.5 item 5).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ._errors import (
    COUPON_NOT_RECLAIMABLE,
    INSUFFICIENT_QUOTA,
    NOT_FOUND,
    QUOTA_UNAVAILABLE,
    ApiError,
    invalid,
)
from ._params import amount, integer, page, require_tier1, resale_customer, string, string_list, target, utc_time
from ._promotions import ISSUE, MANUAL_RECLAIM, coupon_record
from ._state import Coupon, PartnerState, Quota, SimulatorState, timestamp

__all__ = [
    "create_partner_coupons",
    "list_coupon_quotas_records",
    "list_issued_coupon_quotas",
    "list_issued_partner_coupons",
    "list_quota_coupons",
    "reclaim_coupon_quotas",
    "reclaim_partner_coupons",
    "update_coupon_quotas",
]

GRANT, RECLAIM = "10", "11"  # operation_type of quota records (H.4.16)
NORMAL, RECLAIMED = 0, 6  # quota_status (H.4.15)


def _in_range(value: str | None, params: dict[str, Any], name: str) -> bool:
    """Whether the record time ``value`` is inside ``<name>_begin`` .. ``<name>_end``."""
    begin, end = utc_time(params, f"{name}_begin"), utc_time(params, f"{name}_end")
    moment = utc_time({"t": value}, "t") if value else None
    if moment is None:
        return begin is None and end is None
    return (begin is None or moment >= begin) and (end is None or moment <= end)


def _no_quota(quota_id: str) -> ApiError:
    return ApiError(400, NOT_FOUND, f"The quota {quota_id} does not exist.")


def _quota_record(
    state: SimulatorState,
    caller: PartnerState,
    quota: Quota | None,
    *,
    kind: str,
    amount: Decimal,
    ok: bool,
    **extra: Any,
) -> None:
    reseller = state.by_domain_id(quota.owner_domain_id) if quota is not None else None
    caller.quota_records.append(
        {
            "id": state.new_serial("QR"),
            "operator": caller.account.account_name or caller.account.name,
            "operation_type": kind,
            "quota_id": quota.quota_id if quota is not None else None,
            "parent_quota_id": quota.parent_quota_id if quota is not None else extra.get("parent_quota_id"),
            "amount": amount,
            "operation_time": timestamp(state.clock()),
            "result": "0" if ok else "-1",
            "indirect_partner_id": reseller.account.domain_id if reseller else extra.get("indirect_partner_id"),
            "indirect_partner_account_name": reseller.account.account_name if reseller else None,
            "indirect_partner_name": reseller.account.name if reseller else None,
            "remark": extra.get("remark"),
        }
    )


def list_quota_coupons(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/partners/coupon-quotas/query`` (H.4.26): the partner's own quotas."""
    partner = target(state, caller, body.get("indirect_partner_id"))
    ids = set(string_list(body, "quota_ids", max_items=100, required=False))
    statuses = body.get("quota_status_list")
    if statuses is not None and (not isinstance(statuses, list) or not all(isinstance(s, int) for s in statuses)):
        raise invalid("quota_status_list", "must be a list of integers")
    quota_type = integer(body, "quota_type", 0, 0, 1)
    found = [
        q.to_wire()
        for q in partner.quotas
        if (not ids or q.quota_id in ids)
        and (not statuses or q.quota_status in statuses)
        and q.quota_type == quota_type
        and _in_range(q.create_time, body, "create_time")
        and _in_range(q.effective_time, body, "effective_time")
        and _in_range(q.expire_time, body, "expire_time")
    ]
    return {"total_count": len(found), "quotas": page(body, found)}


def update_coupon_quotas(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST .../coupon-quotas/indirect-partner-adjust`` (H.4.13): carve a new quota for each tier-2."""
    require_tier1(caller)
    quota_id = string(body, "quota_id", required=True) or ""
    reseller_ids = string_list(body, "indirect_partner_ids", max_items=100)
    value = amount(body, "quota_amount")
    parent = next((q for q in caller.quotas if q.quota_id == quota_id), None)
    if parent is None:
        raise _no_quota(quota_id)
    if parent.quota_status != NORMAL:
        raise ApiError(400, QUOTA_UNAVAILABLE, f"The quota {quota_id} is not in the normal state.")
    granted, errors = [], []
    now = timestamp(state.clock())
    for reseller_id in reseller_ids:
        reseller = state.by_domain_id(reseller_id)
        if reseller is None or reseller.account.parent_domain_id != caller.account.domain_id:
            errors.append(ApiError(400, NOT_FOUND, "The indirect partner does not exist.").detail(reseller_id))
            continue
        if parent.balance < value:
            errors.append(ApiError(400, INSUFFICIENT_QUOTA, "The quota balance is insufficient.").detail(reseller_id))
            _quota_record(
                state,
                caller,
                None,
                kind=GRANT,
                amount=value,
                ok=False,
                parent_quota_id=parent.quota_id,
                indirect_partner_id=reseller_id,
            )
            continue
        parent.balance -= value
        parent.last_update_time = now
        quota = Quota(
            quota_id=state.new_id("Q", 64),
            owner_domain_id=reseller_id,
            quota_value=value,
            balance=value,
            quota_status=NORMAL,
            create_time=now,
            last_update_time=now,
            effective_time=parent.effective_time,
            expire_time=parent.expire_time,
            limit_infos=list(parent.limit_infos),
            parent_quota_id=parent.quota_id,
            indirect_partner_account_name=reseller.account.account_name,
            indirect_partner_name=reseller.account.name,
        )
        reseller.quotas.append(quota)
        caller.issued_quotas.append(quota)
        _quota_record(state, caller, quota, kind=GRANT, amount=value, ok=True)
        granted.append({"id": reseller_id, "quota_id": quota.quota_id})
    return {"simple_quota_infos": granted, "error_details": errors}


def reclaim_coupon_quotas(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST .../coupon-quotas/indirect-partner-reclaim`` (H.4.14): the unused balance goes back."""
    require_tier1(caller)
    quota_ids = string_list(body, "quota_ids", max_items=100)
    remark = string(body, "remark", max_length=256)
    reclaimed, errors = [], []
    now = timestamp(state.clock())
    for quota_id in quota_ids:
        quota = next((q for q in caller.issued_quotas if q.quota_id == quota_id), None)
        if quota is None:
            errors.append(_no_quota(quota_id).detail(quota_id))
            continue
        if quota.quota_status == RECLAIMED:
            errors.append(ApiError(400, QUOTA_UNAVAILABLE, "The quota has been reclaimed.").detail(quota_id))
            continue
        parent = next(q for q in caller.quotas if q.quota_id == quota.parent_quota_id)
        returned = quota.balance
        parent.balance += returned
        parent.last_update_time = quota.last_update_time = now
        quota.balance = Decimal("0.00")
        quota.quota_status = RECLAIMED
        _quota_record(state, caller, quota, kind=RECLAIM, amount=returned, ok=True, remark=remark)
        reclaimed.append({"quota_id": quota_id, "quota_balance": quota.balance})
    return {"simple_quota_infos": reclaimed, "error_details": errors}


def list_issued_coupon_quotas(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/partners/issued-coupon-quotas`` (H.4.15): tier-1 only; ``parent_quota_id=`` filters too."""
    require_tier1(caller)
    found = [
        q.to_wire(issued=True)
        for q in caller.issued_quotas
        if (not query.get("quota_id") or q.quota_id == query["quota_id"])
        and (not query.get("indirect_partner_id") or q.owner_domain_id == query["indirect_partner_id"])
        and ("parent_quota_id" not in query or (q.parent_quota_id or "") == query["parent_quota_id"])
    ]
    return {"total_count": len(found), "quotas": page(query, found)}


def list_coupon_quotas_records(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/partners/coupon-quotas/records`` (H.4.16): tier-1 only; newest first."""
    require_tier1(caller)
    if query.get("operation_type") not in (None, "", GRANT, RECLAIM):
        raise invalid("operation_type", "must be 10 or 11")
    found = [
        r
        for r in reversed(caller.quota_records)
        if all(not query.get(n) or r[n] == query[n] for n in ("indirect_partner_id", "quota_id", "operation_type"))
        and ("parent_quota_id" not in query or (r["parent_quota_id"] or "") == query["parent_quota_id"])
        and _in_range(r["operation_time"], query, "operation_time")
    ]
    return {"total_count": len(found), "records": page(query, found)}


def create_partner_coupons(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v2/promotions/benefits/partner-coupons`` (H.4.17): one voucher per resale customer."""
    partner = target(state, caller, body.get("indirect_partner_id"))
    quota_id = string(body, "quota_id", required=True) or ""
    customer_ids = string_list(body, "customer_ids", max_items=100)
    face_value = amount(body, "face_value")
    services = string_list(body, "cloud_service_types", max_items=10, required=False)
    string_list(body, "product_ids", max_items=10, required=False)
    quota = next((q for q in partner.quotas if q.quota_id == quota_id), None)
    if quota is None:
        raise _no_quota(quota_id)
    if quota.quota_status != NORMAL:
        raise ApiError(400, QUOTA_UNAVAILABLE, f"The quota {quota_id} is not in the normal state.")
    valid = utc_time(body, "valid_time")
    expire = utc_time(body, "expire_time")
    issued, errors = [], []
    now = timestamp(state.clock())

    def failed(customer_id: str, refused: ApiError) -> None:
        errors.append(refused.detail(customer_id))
        coupon_record(
            partner,
            record_id=state.new_serial("CR"),
            kind=ISSUE,
            moment=now,
            customer_id=customer_id,
            quota_id=quota_id,
            coupon=None,
            amount=face_value,
            ok=False,
            remark=refused.message,
        )

    for customer_id in customer_ids:
        try:
            customer = resale_customer(state, partner, customer_id)
        except ApiError as refused:
            failed(customer_id, refused)
            continue
        if quota.balance < face_value:
            failed(customer_id, ApiError(400, INSUFFICIENT_QUOTA, "The quota balance is insufficient."))
            continue
        quota.balance -= face_value
        quota.last_update_time = now
        coupon = Coupon(
            coupon_id=state.new_id("CP", 64),
            customer_id=customer.customer_id,
            quota_id=quota.quota_id,
            face_value=face_value,
            balance=face_value,
            status=2,  # usable
            create_time=now,
            effective_time=timestamp(valid) if valid else quota.effective_time,
            expire_time=timestamp(expire) if expire else quota.expire_time,
            memo=string(body, "memo"),
            cloud_service_types=services,
        )
        partner.coupons.append(coupon)
        coupon_record(
            partner,
            record_id=state.new_serial("CR"),
            kind=ISSUE,
            moment=now,
            customer_id=customer.customer_id,
            quota_id=quota.quota_id,
            coupon=coupon,
            amount=face_value,
            remark=coupon.memo,
        )
        issued.append({"id": customer.customer_id, "coupon_id": coupon.coupon_id})
    return {"coupon_infos": issued, "error_details": errors}


def reclaim_partner_coupons(state: SimulatorState, caller: PartnerState, body: dict[str, Any]) -> None:
    """``POST .../partner-coupons/reclaim`` (H.4.18): the unused balance goes back to the quota."""
    partner = target(state, caller, body.get("indirect_partner_id"))
    coupon_id = string(body, "coupon_id", required=True) or ""
    coupon = next((c for c in partner.coupons if c.coupon_id == coupon_id), None)
    if coupon is None:
        raise ApiError(400, NOT_FOUND, f"The coupon {coupon_id} does not exist.")
    if coupon.status not in (1, 2):
        raise ApiError(400, COUPON_NOT_RECLAIMABLE, "Only a coupon not activated or usable can be reclaimed.")
    quota = next((q for q in partner.quotas if q.quota_id == coupon.quota_id), None)
    now = timestamp(state.clock())
    if quota is not None:
        quota.balance += coupon.balance
        quota.last_update_time = now
    coupon_record(
        partner,
        record_id=state.new_serial("CR"),
        kind=MANUAL_RECLAIM,
        moment=now,
        customer_id=coupon.customer_id,
        quota_id=coupon.quota_id,
        coupon=coupon,
        amount=coupon.balance,
    )
    coupon.balance = Decimal("0.00")
    coupon.status = 5  # reclaimed


def list_issued_partner_coupons(state: SimulatorState, caller: PartnerState, query: dict[str, Any]) -> dict[str, Any]:
    """``GET /v2/promotions/benefits/partner-coupons`` (H.4.19): ``customer_id=`` (empty) filters too."""
    partner = target(state, caller, query.get("indirect_partner_id"))
    coupon_type = integer(query, "coupon_type", 0) if query.get("coupon_type") is not None else None
    status = integer(query, "status", 0, 1, 5) if query.get("status") is not None else None
    found = [
        c.to_wire()
        for c in partner.coupons
        if (not query.get("coupon_id") or c.coupon_id == query["coupon_id"])
        and ("customer_id" not in query or c.customer_id == query["customer_id"])
        and (not query.get("order_id") or c.order_id == query["order_id"])
        and (coupon_type is None or c.coupon_type == coupon_type)
        and (status is None or c.status == status)
        and _in_range(c.create_time, query, "create_time")
        and _in_range(c.effective_time, query, "effective_time")
        and _in_range(c.expire_time, query, "expire_time")
    ]
    return {"total_count": len(found), "user_coupons": page(query, found)}
