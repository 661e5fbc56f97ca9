"""Coupon templates and tier-2 coupon applications (CONTRACTS.md A.7.3, A.7.4, A.7.6, A.7.12, A.7.13, A.7.18,
A.7.20, A.7.21) as ``gateway.models.VoucherTemplate`` and ``VoucherApplication``.

Value sets the SDK leaves open, as the simulator documents them (docs/simulator-aliyun.md): ``TemplateStatus``
1 in review, 2 approved, 3 rejected; ``ApprovalStatus`` ``PENDING`` / ``APPROVED`` / ``REJECTED``;
``ApprovalAction`` ``APPROVE`` / ``REJECT``; ``ValidUntil`` ``RELATIVE`` (``Vaildperioddays`` after issue) or
``ABSOLUTE``. A listing of templates carries no face value (A.7.3), so each listed template's detail is read
too, all at once (the account's limits bound what goes out together).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.aliyun import _errors
from adapters.aliyun._client import AgencyClient
from adapters.aliyun._mapping import parse_timestamp
from adapters.aliyun._mapping_business import money
from adapters.aliyun._mapping_business import text as _text
from adapters.aliyun._paging import each, read_range, rows_at, total_at
from gateway.errors import ProviderError, Reason
from gateway.models import ApprovalStatus, Money, Page, VoucherApplication, VoucherGrant, VoucherTemplate

__all__ = ["TEMPLATE_STATUSES", "Templates"]

TEMPLATE_STATUSES: Mapping[str, ApprovalStatus] = {
    "1": ApprovalStatus.PENDING,
    "2": ApprovalStatus.APPROVED,
    "3": ApprovalStatus.REJECTED,
}
_APPLICATION_STATUSES = {s.value: s for s in (ApprovalStatus.PENDING, ApprovalStatus.APPROVED, ApprovalStatus.REJECTED)}


def application_status(value: object) -> ApprovalStatus:
    return _APPLICATION_STATUSES.get((_text(value) or "").upper(), ApprovalStatus.UNKNOWN)


class Templates:
    """One partner account's coupon templates and the tier-2 applications it decides."""

    def __init__(self, client: AgencyClient, *, partner_id: str, currency: str, page_size: int) -> None:
        self._client = client
        self._id = partner_id
        self._currency = currency
        self._size = page_size

    def _money(self, value: object) -> Money | None:
        return money(value, self._currency)

    async def list_templates(self, offset: int, limit: int) -> Page[VoucherTemplate]:
        async def page(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.coupon_approval_status_list(number, size)
            action = "CouponApprovalStatusList"
            return total_at(body, ("Total",), action=action, partner_id=self._id), rows_at(
                body, ("Data",), action=action, partner_id=self._id
            )

        total, rows = await read_range(page, offset, offset + limit, self._size)
        ids = [str(row.get("TemplateId")) for row in rows]
        details = await each(ids, self._detail)
        return Page(tuple(self._template(row, details.get(str(row.get("TemplateId")))) for row in rows), total)

    async def _detail(self, template_id: str) -> dict[str, Any] | None:
        try:
            body = await self._client.get_coupon_template_detail(template_id)
        except ProviderError as error:
            if error.reason is Reason.NOT_FOUND:  # deleted between the listing and the detail
                return None
            raise
        data = body.get("Data")
        return data if isinstance(data, dict) else None

    async def template(self, template_id: str) -> VoucherTemplate | None:
        """One template (None once deleted)."""
        data = await self._detail(template_id)
        return self._template({"TemplateId": template_id}, data) if data is not None else None

    def _template(self, row: Mapping[str, Any], detail: Mapping[str, Any] | None) -> VoucherTemplate:
        detail = detail or {}
        status = _text(row.get("TemplateStatus")) or _text(detail.get("Status")) or ""
        limit = detail.get("LimitPerPerson")
        return VoucherTemplate(
            provider=_errors.PROVIDER,
            partner_id=self._id,
            native_id=str(row.get("TemplateId") or detail.get("TemplateId")),
            name=_text(row.get("TemplateName")) or _text(detail.get("TemplateName")) or "",
            status=TEMPLATE_STATUSES.get(status, ApprovalStatus.UNKNOWN),
            face_value=self._money(detail.get("Denomination")) if "Denomination" in detail else None,
            valid_until=_validity(detail),
            applicable_products=_text(detail.get("ApplicableProducts")),
            cost_bearer=_text(detail.get("CostBearer")),
            limit_per_customer=_count(limit),
            description=_text(detail.get("CouponDescription")),
            reason=_text(detail.get("ReasonForApplication")),
            created_at=parse_timestamp(row.get("TimeOfRequest") or detail.get("CreatedTime")),
            extra={"note": row.get("Note")} if row.get("Note") else {},
        )

    async def product_codes(self) -> tuple[str, ...]:
        body = await self._client.get_coupondeduct_product_code()
        codes: list[str] = []
        for row in rows_at(body, ("Data",), action="GetCoupondeductProductCode", partner_id=self._id):
            value = row.get("ProductType")  # untyped in the SDK (A.7.13): a code, or an object holding one
            code = value.get("ProductCode") if isinstance(value, dict) else value
            if _text(code):
                codes.append(str(code).strip())
        return tuple(codes)

    async def list_applications(self, offset: int, limit: int) -> Page[VoucherApplication]:
        async def page(number: int, size: int) -> tuple[int, list[dict[str, Any]]]:
            body = await self._client.list_tier2_coupon_approval(number, size)
            action = "ListTier2CouponApproval"
            return total_at(body, ("Total",), action=action, partner_id=self._id), rows_at(
                body, ("Data",), action=action, partner_id=self._id
            )

        total, rows = await read_range(page, offset, offset + limit, self._size)
        return Page(tuple(self._application(row) for row in rows), total)

    async def application(self, sheet_id: str) -> VoucherApplication | None:
        try:
            body = await self._client.get_tier2_coupon_approval_detail(sheet_id)
        except ProviderError as error:
            if error.reason is Reason.NOT_FOUND:
                return None
            raise
        data = body.get("Data")
        if not isinstance(data, dict):
            return None
        info = data.get("ApplicantInfo")
        applicant: dict[str, Any] = info if isinstance(info, dict) else {}
        grants = tuple(
            VoucherGrant(str(r.get("Uid")), value)
            for r in data.get("CouponReceiptUidList") or ()
            if isinstance(r, dict) and (value := self._money(r.get("NominalValue"))) is not None
        )
        return VoucherApplication(
            provider=_errors.PROVIDER,
            partner_id=self._id,
            native_id=str(data.get("ApplicationSheetId") or sheet_id),
            status=application_status(data.get("ApprovalStatus")),
            reseller_id=_text(applicant.get("T2PartnerUid")),
            reseller_name=_text(applicant.get("T2PartnerName")),
            total=self._money(data.get("TotalAmount")),
            submitted_at=parse_timestamp(applicant.get("ApplicationTime")),
            reason=_text(data.get("ApplicationReason")),
            grants=grants,
            remaining_quota=self._money(data.get("RemainingQuota")),
            extra={k: applicant[k] for k in ("OrderType", "ApplicableProducts", "ValidUntil") if applicant.get(k)},
        )

    def _application(self, row: Mapping[str, Any]) -> VoucherApplication:
        return VoucherApplication(
            provider=_errors.PROVIDER,
            partner_id=self._id,
            native_id=str(row.get("ApplicationSheetId")),
            status=application_status(row.get("ApprovalStatus")),
            reseller_id=_text(row.get("T2PartnerUid")),
            reseller_name=_text(row.get("T2PartnerName")),
            total=self._money(row.get("TotalAmount")),
            submitted_at=parse_timestamp(row.get("ApplicationTime")),
        )


def _count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else None


def _validity(detail: Mapping[str, Any]) -> str | None:
    kind, value = _text(detail.get("ValidUntilType")), _text(detail.get("ValidUntil"))
    if value is None:
        return None
    return f"{value} days after issue" if kind == "RELATIVE" else value
