"""Coupon templates and tier-2 coupon applications (2022-12-16): CreateCouponTemplate,
GetCouponTemplateDetail, DeleteCouponTemplate, CouponApprovalStatusList, GetCoupondeductProductCode
(A.7.3, A.7.4, A.7.6, A.7.12, A.7.13) and ListTier2CouponApproval, GetTier2CouponApprovalDetail,
ProcessApproval (A.7.18, A.7.20, A.7.21).

The SDK documents none of the value sets, so these are the simulator's own (docs/simulator-aliyun.md):

* A new template is ``TemplateStatus`` 1 (in review) for ``REVIEW`` of business time, then 2 (approved),
  or 3 (rejected) when its face value is above ``REVIEW_LIMIT``. Only an approved template issues coupons.
* ``ValidUntil`` is ``ABSOLUTE`` (coupons valid from ``Vailddate`` to ``Expireddate``, ``yyyy-MM-dd``) or
  ``RELATIVE`` (valid ``Vaildperioddays`` days after issue).
* ``ProductType`` entries must be product codes GetCoupondeductProductCode lists.
* T2 applications are ``PENDING``, ``APPROVED`` or ``REJECTED``; ``ApprovalAction`` is ``APPROVE`` or
  ``REJECT``, once. Approving uses up the T2's coupon quota (``RemainingQuota``).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.aliyun.simulator._call import (
    Call,
    decimal_param,
    optional_int,
    paged,
    require_distributor,
    required_int,
    required_str,
)
from adapters.aliyun.simulator._records import CouponTemplate, TemplateStatus, Tier2CouponApplication
from adapters.aliyun.simulator._responses import BusinessError, Num, console_time, envelope

__all__ = [
    "PRODUCT_CODES",
    "REVIEW",
    "REVIEW_LIMIT",
    "CouponApprovalStatusList",
    "CreateCouponTemplate",
    "DeleteCouponTemplate",
    "GetCouponTemplateDetail",
    "GetCoupondeductProductCode",
    "GetTier2CouponApprovalDetail",
    "ListTier2CouponApproval",
    "ProcessApproval",
    "effective_status",
]

#: How long Aliyun takes to review a new template (business time).
REVIEW = timedelta(minutes=10)
#: Templates worth more than this per coupon are rejected at review.
REVIEW_LIMIT = Decimal("10000.00")
#: A.7 lists take ``PageSize`` up to 100 (X.1).
MAX_PAGE_SIZE = 100
#: GetCoupondeductProductCode: the products a coupon can be restricted to, (code, Chinese, English name).
PRODUCT_CODES = (
    ("ecs", "云服务器 ECS", "Elastic Compute Service"),
    ("rds", "云数据库 RDS", "ApsaraDB RDS"),
    ("oss", "对象存储 OSS", "Object Storage Service"),
    ("slb", "负载均衡 SLB", "Server Load Balancer"),
    ("cdn", "CDN", "Content Delivery Network"),
    ("polardb", "云原生数据库 PolarDB", "PolarDB"),
    ("kvstore", "云数据库 Redis", "ApsaraDB for Redis"),
    ("nas", "文件存储 NAS", "File Storage NAS"),
    ("waf", "Web 应用防火墙", "Web Application Firewall"),
    ("sls", "日志服务 SLS", "Simple Log Service"),
)
_LANGUAGES = {"zh-CN": 1, "en-US": 2}
APPROVAL_STATUSES = ("PENDING", "APPROVED", "REJECTED")
_ACTIONS = {"APPROVE": "APPROVED", "REJECT": "REJECTED"}


def effective_status(template: CouponTemplate, now: datetime) -> int:
    """The template's status at ``now``: a template in review is decided once ``REVIEW`` has passed."""
    if template.status != TemplateStatus.PENDING or template.created_at is None or now < template.created_at + REVIEW:
        return template.status
    return TemplateStatus.REJECTED if template.amount > REVIEW_LIMIT else TemplateStatus.APPROVED


def _note(template: CouponTemplate, status: int) -> str:
    if status == TemplateStatus.APPROVED:
        return "审批通过"
    if status == TemplateStatus.REJECTED:
        return f"面额超过审批上限 {REVIEW_LIMIT}"
    return "审批中"


def _template(call: Call, name: str = "TemplateId") -> CouponTemplate:
    template_id = required_int(call, name)
    template = next((t for t in call.partner.templates if t.template_id == template_id), None)
    if template is None:  # another partner's template is as unknown as a made-up one
        raise BusinessError("InvalidCouponTemplateId.NotFound", "The coupon template does not exist.")
    return template


def _day(call: Call, name: str) -> date:
    raw = required_str(call, name)
    try:
        if len(raw) != len("yyyy-MM-dd"):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise BusinessError(f"InvalidParameter.{name}", f"{name} must be a date, yyyy-MM-dd.") from None


def _positive(call: Call, name: str, high: int) -> int:
    raw = required_str(call, name)
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise BusinessError(f"InvalidParameter.{name}", f"{name} must be a whole number from 1 to {high}.")
    return int(raw)


def _product_types(call: Call) -> tuple[str, ...]:
    raw = call.text("ProductType")  # one JSON string (A.7.4, json style)
    if not raw:
        return ()
    try:
        codes = json.loads(raw)
    except ValueError:
        codes = None
    known = {code for code, _, _ in PRODUCT_CODES}
    if not isinstance(codes, list) or not all(isinstance(c, str) and c in known for c in codes):
        raise BusinessError(
            "InvalidParameter.ProductType", "ProductType must be a JSON list of GetCoupondeductProductCode codes."
        )
    return tuple(codes)


def CreateCouponTemplate(call: Call) -> dict[str, Any]:
    """A.7.4: a new template in review (``Status`` "1"); the id is ``Data.CouponTemplateID``."""
    name = required_str(call, "TemplateName")
    for required in ("AcceptLanguage", "ApplicableProducts", "CostBearer", "ReasonForApplication"):
        required_str(call, required)
    value = decimal_param(call, "Value", "InvalidParameter.Value", "Value must be an amount with at most 2 decimals.")
    if value <= 0:
        raise BusinessError("InvalidParameter.Value", "Value must be more than 0.")
    limit = _positive(call, "LimitPerPerson", 100)
    product_types = _product_types(call)
    validity = required_str(call, "ValidUntil")
    now = call.state.now()
    valid_from = valid_to = None
    days = 0
    if validity == "ABSOLUTE":
        valid_from, valid_to = _day(call, "Vailddate"), _day(call, "Expireddate")
        if valid_to < valid_from or valid_to < now.date():
            raise BusinessError("InvalidParameter.Expireddate", "Expireddate must be after Vailddate and not past.")
    elif validity == "RELATIVE":
        days = _positive(call, "Vaildperioddays", 365)
    else:
        raise BusinessError("InvalidParameter.ValidUntil", "ValidUntil must be ABSOLUTE or RELATIVE.")
    template = CouponTemplate(
        template_id=call.state.next_id(),
        name=name,
        amount=value,
        valid_days=days,
        status=TemplateStatus.PENDING,
        limit_per_person=limit,
        cost_bearer=call.text("CostBearer"),
        applicable_products=call.text("ApplicableProducts"),
        product_types=product_types,
        purchase_type=call.text("PurchaseType"),
        description=call.text("CouponDescription"),
        reason=call.text("ReasonForApplication"),
        valid_from=valid_from,
        valid_to=valid_to,
        created_at=now,
    )
    call.partner.templates.append(template)
    call.applied()
    data = {
        "CouponTemplateID": template.template_id,  # "ID" in capitals here only (A.6.7)
        "TemplateName": template.name,
        "Value": str(template.amount),
        "CostBearer": template.cost_bearer,
        "ApplicableProducts": template.applicable_products,
        "ProductType": list(template.product_types),
        "ValidUntil": validity,
        "Vailddate": call.text("Vailddate"),
        "Expireddate": call.text("Expireddate"),
        "Vaildperioddays": call.text("Vaildperioddays"),
        "Status": str(template.status),
        "CreateTime": console_time(now),
    }
    return envelope("CreateCouponTemplate", Data=data)


def GetCouponTemplateDetail(call: Call) -> dict[str, Any]:
    """A.7.12: one template, with its review status; ``Denomination`` is a JSON number here."""
    template = _template(call)
    status = effective_status(template, call.state.now())
    data = {
        "TemplateId": template.template_id,
        "TemplateName": template.name,
        "Denomination": Num(template.amount),
        "LimitPerPerson": template.limit_per_person,
        "CostBearer": template.cost_bearer,
        "ApplicableProducts": template.applicable_products,
        "PurchaseType": template.purchase_type,
        "CouponDescription": template.description,
        "ReasonForApplication": template.reason,
        "Status": str(status),
        "ValidUntilType": template.validity,
        # ABSOLUTE: the last valid day; RELATIVE: the number of days after issue.
        "ValidUntil": template.valid_to.isoformat() if template.valid_to is not None else str(template.valid_days),
        "CreatedTime": console_time(template.created_at),
    }
    return envelope("GetCouponTemplateDetail", Data=data)


def DeleteCouponTemplate(call: Call) -> dict[str, Any]:
    """A.7.6: the template is gone (listing, detail, issuing); coupons already issued stay."""
    template = _template(call)
    call.partner.templates.remove(template)
    call.applied()
    return envelope("DeleteCouponTemplate", Data=True)


def CouponApprovalStatusList(call: Call) -> dict[str, Any]:
    """A.7.3: the partner's templates with their review status, newest first (no ``Success``)."""
    page = required_int(call, "PageNo", low=1)
    size = required_int(call, "PageSize", low=1, high=MAX_PAGE_SIZE)
    template_id, name, wanted = call.text("TemplateId"), call.text("TemplateName"), call.text("TemplateStatus")
    if wanted and wanted not in {str(s) for s in (1, 2, 3)}:
        raise BusinessError("InvalidParameter.TemplateStatus", "TemplateStatus must be 1, 2 or 3.")
    now = call.state.now()
    epoch = datetime.min.replace(tzinfo=now.tzinfo)
    rows = []
    for template in sorted(call.partner.templates, key=lambda t: t.created_at or epoch, reverse=True):
        status = effective_status(template, now)
        if (template_id and str(template.template_id) != template_id) or (name and name not in template.name):
            continue
        if wanted and str(status) != wanted:
            continue
        rows.append(
            {
                "TemplateId": str(template.template_id),  # a String here (A.6.7)
                "TemplateName": template.name,
                "TemplateStatus": status,
                "Note": _note(template, status),
                "IssuerUid": str(call.partner.uid),
                "IssuerAccount": call.partner.login,
                "TimeOfRequest": console_time(template.created_at),
            }
        )
    return {
        "Code": "200",
        "Message": "Success",
        "PageNo": page,
        "PageSize": size,
        "Total": len(rows),
        "Data": paged(rows, page, size),
    }


def GetCoupondeductProductCode(call: Call) -> dict[str, Any]:
    """A.7.13 (GET): the product codes ``ProductType`` accepts, named in ``AcceptLanguage`` (zh-CN, en-US).
    ``Data[].ProductType`` is untyped in the SDK: here ``{"ProductCode", "ProductName"}``."""
    language = required_str(call, "AcceptLanguage")
    if language not in _LANGUAGES:
        raise BusinessError("InvalidParameter.AcceptLanguage", "AcceptLanguage must be zh-CN or en-US.")
    column = _LANGUAGES[language]
    data = [{"ProductType": {"ProductCode": row[0], "ProductName": row[column]}} for row in PRODUCT_CODES]
    return envelope("GetCoupondeductProductCode", Data=data)


# -- tier-2 coupon applications ----------------------------------------------------------------------


def _application(call: Call) -> Tier2CouponApplication:
    sheet_id = call.text("ApplicationSheetId")
    found = next((a for a in call.partner.tier2_applications if a.sheet_id == sheet_id), None)
    if not sheet_id or found is None:
        raise BusinessError("InvalidApplicationSheetId.NotFound", "The application does not exist.")
    return found


def remaining_quota(call: Call, t2_uid: int) -> Decimal:
    """The T2's coupon quota less what its approved applications used."""
    quota = next((p.coupon_quota for p in call.partner.sub_partners if p.master_uid == t2_uid), Decimal("0.00"))
    used = sum(
        (a.total for a in call.partner.tier2_applications if a.t2_uid == t2_uid and a.status == "APPROVED"),
        Decimal("0.00"),
    )
    return quota - used


def ListTier2CouponApproval(call: Call) -> dict[str, Any]:
    """A.7.20: T2 coupon applications, newest first; ``CurrentPage`` in, ``PageNo`` out (A.6.8)."""
    require_distributor(call)
    page = required_int(call, "CurrentPage", low=1)
    size = required_int(call, "PageSize", low=1, high=MAX_PAGE_SIZE)
    status, name, sheet = call.text("ApprovalStatus"), call.text("T2PartnerName"), call.text("ApplicationSheetId")
    if status and status not in APPROVAL_STATUSES:
        raise BusinessError("InvalidParameter.ApprovalStatus", "ApprovalStatus must be PENDING, APPROVED or REJECTED.")
    t2 = optional_int(call, "T2PartnerUid")
    rows = [
        {
            "ApplicationSheetId": a.sheet_id,
            "ApplicationTime": console_time(a.applied_at),
            "ApprovalStatus": a.status,
            "T2PartnerName": a.t2_name,
            "T2PartnerUid": a.t2_uid,
            "TotalAmount": str(a.total),
        }
        for a in sorted(call.partner.tier2_applications, key=lambda a: a.applied_at, reverse=True)
        if (not status or a.status == status)
        and (not name or name in a.t2_name)
        and (not sheet or a.sheet_id == sheet)
        and (t2 is None or a.t2_uid == t2)
    ]
    return {
        "Code": "200",
        "Message": "Success",
        "PageNo": page,
        "PageSize": size,
        "Total": len(rows),
        "Data": paged(rows, page, size),
    }


def GetTier2CouponApprovalDetail(call: Call) -> dict[str, Any]:
    """A.7.18: one application with its receiving customers and the T2's remaining quota."""
    require_distributor(call)
    app = _application(call)
    data = {
        "ApplicationSheetId": app.sheet_id,
        "ApplicationReason": app.reason,
        "ApprovalStatus": app.status,
        "TotalAmount": str(app.total),
        "RemainingQuota": str(remaining_quota(call, app.t2_uid)),
        "ApplicantInfo": {
            "T2PartnerUid": app.t2_uid,
            "T2PartnerName": app.t2_name,
            "ApplicationTime": console_time(app.applied_at),
            "OrderType": app.order_type,
            "ApplicableProducts": app.applicable_products,
            "ValidUntil": app.valid_until,
        },
        "CouponReceiptUidList": [{"Uid": uid, "NominalValue": str(value)} for uid, value in app.receipts],
    }
    return {"Code": "200", "Message": "Success", "Data": data}


def ProcessApproval(call: Call) -> dict[str, Any]:
    """A.7.21: approve or reject a pending application, once; approving needs enough T2 quota."""
    require_distributor(call)
    required_str(call, "ApplicationSheetId")
    action = required_str(call, "ApprovalAction")
    comments = required_str(call, "ApprovalComments")
    app = _application(call)
    if action not in _ACTIONS:
        raise BusinessError("InvalidParameter.ApprovalAction", "ApprovalAction must be APPROVE or REJECT.")
    if app.status != "PENDING":
        raise BusinessError("InvalidApprovalStatus", f"The application is already {app.status}.")
    if action == "APPROVE" and app.total > remaining_quota(call, app.t2_uid):
        raise BusinessError("QuotaInsufficient", "The T2 partner's remaining coupon quota is too small.")
    app.status, app.comments, app.processed_at = _ACTIONS[action], comments, call.state.now()
    call.applied()
    return {"Code": "200", "Message": "Success", "Data": True}
