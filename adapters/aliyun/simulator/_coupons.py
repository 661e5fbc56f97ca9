"""Coupon operations (2022-12-16): IssueCouponForCustomer, CancelCoupon, ListCouponUsage
(A.4.9-A.4.11). Templates are in ``_templates``."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

from adapters.aliyun.simulator._call import Call, optional_int, own_account, paged, required_int, required_str
from adapters.aliyun.simulator._records import Coupon, CouponTemplate, TemplateStatus
from adapters.aliyun.simulator._responses import BusinessError, Num, console_time
from adapters.aliyun.simulator._templates import effective_status

__all__ = ["CancelCoupon", "IssueCouponForCustomer", "ListCouponUsage"]

_CHINA = timezone(timedelta(hours=8))
COUPON_STATUSES = ("AVAILABLE", "EXHAUSTED", "EXPIRED", "ABANDONED")
#: ListCouponUsage ``PageSize``: default 20, at most 50 (A.4.11).
MAX_PAGE_SIZE = 50


def _uids(raw: str) -> list[int]:
    # ``Uidlist`` is one string whose format the SDK does not document (A.4.9): the simulator takes
    # UIDs separated by commas (spaces allowed), and a JSON-style "[1,2]" too.
    parts = [part.strip() for part in raw.strip().strip("[]").split(",")]
    if not parts or not all(part.isdigit() for part in parts):
        raise BusinessError("InvalidParameter.Uidlist", "Uidlist must be UIDs separated by commas.")
    return [int(part) for part in parts]


def _expiry(template: CouponTemplate, now: datetime) -> datetime:
    if template.valid_to is None:
        return now + timedelta(days=template.valid_days)
    # A fixed window (ValidUntil ABSOLUTE, A.7.4) ends with its last day, China time.
    return datetime.combine(template.valid_to + timedelta(days=1), time(), _CHINA)


def IssueCouponForCustomer(call: Call) -> dict[str, Any]:
    """A.4.9: one coupon of the template per UID in ``Uidlist``; the reply's payload key is ``data``.
    The template must be approved (A.7.3) and each customer holds at most its ``LimitPerPerson``."""
    template_id = required_int(call, "CouponTemplateId")
    raw = required_str(call, "Uidlist")
    template = next((t for t in call.partner.templates if t.template_id == template_id), None)
    if template is None:
        raise BusinessError("InvalidCouponTemplateId.NotFound", "The coupon template does not exist.")
    now = call.state.now()
    if effective_status(template, now) != TemplateStatus.APPROVED:
        raise BusinessError("InvalidCouponTemplateStatus", "The coupon template is not approved.")
    if _expiry(template, now) <= now:
        raise BusinessError("InvalidCouponTemplateStatus", "The coupon template's validity has ended.")
    accounts = [own_account(call, uid) for uid in _uids(raw)]  # all or nothing: any stranger -> 3029
    for account in accounts:
        held = sum(1 for c in call.partner.coupons if c.template_id == template_id and c.uid == account.uid)
        if held + sum(1 for a in accounts if a.uid == account.uid) > template.limit_per_person:
            raise BusinessError("CouponLimitPerPersonExceeded", f"UID {account.uid} would exceed LimitPerPerson.")
    for account in accounts:
        call.partner.coupons.append(
            Coupon(
                coupon_id=call.state.next_id(),
                template_id=template.template_id,
                uid=account.uid,
                account=account.aliyun_id,
                t2_partner_uid=None,
                amount=template.amount,
                balance=template.amount,
                status="AVAILABLE",
                published_at=now,
                expires_at=_expiry(template, now),
            )
        )
    call.applied()
    data = {"CouponTemplateId": template.template_id, "Uidlist": raw, "CreateTime": console_time(now)}
    return {"Code": "200", "Success": True, "Message": "Success", "data": data}  # lower-case key (A.6.3)


def CancelCoupon(call: Call) -> dict[str, Any]:
    """A.4.10: void an available coupon; ListCouponUsage then reports it ``ABANDONED``."""
    coupon_id = required_int(call, "CouponId")
    coupon = next((c for c in call.partner.coupons if c.coupon_id == coupon_id), None)
    if coupon is None:
        raise BusinessError("InvalidCouponId.NotFound", "The coupon does not exist.")
    if _status(call, coupon) != "AVAILABLE":
        raise BusinessError("InvalidCouponStatus", f"A coupon in status {_status(call, coupon)} cannot be cancelled.")
    coupon.status = "ABANDONED"
    call.applied()
    return {"Code": "200", "Success": True, "Message": "Success", "Data": True}


def _status(call: Call, coupon: Coupon) -> str:
    if coupon.status == "AVAILABLE" and coupon.expires_at <= call.state.now():
        return "EXPIRED"
    return coupon.status


def _row(call: Call, coupon: Coupon) -> dict[str, Any]:
    return {
        "CouponId": str(coupon.coupon_id),  # a String here, an Integer in CancelCoupon (A.6.2)
        "CouponTemplateId": coupon.template_id,
        "Uid": coupon.uid,
        "Account": coupon.account,
        "T2PartnerUid": "" if coupon.t2_partner_uid is None else str(coupon.t2_partner_uid),
        "Amount": Num(coupon.amount),
        "Balance": Num(coupon.balance),
        "Status": _status(call, coupon),
        "PublishDate": console_time(coupon.published_at),
        "EffDate": console_time(coupon.expires_at),  # "validity": the simulator reports its end
    }


def ListCouponUsage(call: Call) -> dict[str, Any]:
    """A.4.11: issued coupons, newest first, filtered by any of the optional parameters."""
    page = optional_int(call, "Page", low=1) or 1
    size = optional_int(call, "PageSize", low=1, high=MAX_PAGE_SIZE) or 20
    status = call.text("Status")
    if status and status not in COUPON_STATUSES:
        raise BusinessError("InvalidParameter.Status", "Status must be AVAILABLE, EXHAUSTED, EXPIRED or ABANDONED.")
    uid = optional_int(call, "Uid")
    template_id = optional_int(call, "CouponTemplateId")
    t2 = optional_int(call, "T2PartnerUid")
    account = call.text("Account")
    coupons = [
        c
        for c in sorted(call.partner.coupons, key=lambda c: c.published_at, reverse=True)
        if (uid is None or c.uid == uid)
        and (template_id is None or c.template_id == template_id)
        and (t2 is None or c.t2_partner_uid == t2)
        and (not account or c.account == account)
        and (not status or _status(call, c) == status)
    ]
    return {
        "Code": "200",
        "Message": "Success",
        "PageInfo": {"Page": page, "PageSize": size, "Total": len(coupons)},
        "Data": [_row(call, c) for c in paged(coupons, page, size)],
    }
