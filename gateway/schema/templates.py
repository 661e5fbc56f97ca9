"""Voucher templates and tier-2 voucher applications (Aliyun A.7.3, A.7.4, A.7.6, A.7.12, A.7.13, A.7.18, A.7.20,
A.7.21): what a distributor's finance staff approve before vouchers reach customers."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway import models
from gateway.schema.money import Money, money

__all__ = ["ApprovalStatusEnum", "VoucherApplication", "VoucherGrant", "VoucherTemplate"]

ApprovalStatusEnum = strawberry.enum(
    models.ApprovalStatus,
    name="ApprovalStatus",
    description="Where a request that needs approval stands; UNKNOWN: a status the cloud reported that is not known.",
)


@strawberry.type(
    description="A voucher template (Aliyun coupon template): `issueVoucher` issues from it once approved."
)
class VoucherTemplate:
    native_id: str = strawberry.field(description="The cloud's template id (for `issueVoucher` and deletion).")
    name: str = strawberry.field(description="The template's name.")
    status: ApprovalStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="Whether the cloud has approved the template."
    )
    face_value: Money | None = strawberry.field(description="What each voucher issued from it is worth.")
    valid_until: str | None = strawberry.field(
        description="How long its vouchers stay valid, as the cloud gives it (a date or a number of days)."
    )
    applicable_products: str | None = strawberry.field(description="Which products its vouchers pay for.")
    cost_bearer: str | None = strawberry.field(description="Who bears the vouchers' cost, as the cloud names it.")
    limit_per_customer: int | None = strawberry.field(description="How many vouchers one customer may get from it.")
    description: str | None = strawberry.field(description="What the template is for, as applied for.")
    reason: str | None = strawberry.field(description="Why it was applied for.")
    created_at: datetime | None = strawberry.field(description="When it was applied for.")

    @classmethod
    def from_domain(cls, template: models.VoucherTemplate) -> VoucherTemplate:
        return cls(
            native_id=template.native_id,
            name=template.name,
            status=template.status,
            face_value=money(template.face_value),
            valid_until=template.valid_until,
            applicable_products=template.applicable_products,
            cost_bearer=template.cost_bearer,
            limit_per_customer=template.limit_per_customer,
            description=template.description,
            reason=template.reason,
            created_at=template.created_at,
        )


@strawberry.type(description="One customer's part of a tier-2's voucher application.")
class VoucherGrant:
    customer_id: str = strawberry.field(description="The receiving customer's upstream id.")
    face_value: Money = strawberry.field(description="What the customer would receive.")

    @classmethod
    def from_domain(cls, grant: models.VoucherGrant) -> VoucherGrant:
        return cls(customer_id=grant.customer_id, face_value=Money.of(grant.face_value))


@strawberry.type(
    description="A tier-2 reseller's application to issue vouchers, which this tier-1 approves or rejects (Aliyun)."
)
class VoucherApplication:
    native_id: str = strawberry.field(description="The application sheet id (for `decideVoucherApplication`).")
    status: ApprovalStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="Whether this tier-1 has decided the application."
    )
    reseller_id: str | None = strawberry.field(description="The applying tier-2's upstream id.")
    reseller_name: str | None = strawberry.field(description="The applying tier-2's name.")
    total: Money | None = strawberry.field(description="The vouchers' total face value.")
    submitted_at: datetime | None = strawberry.field(description="When the tier-2 applied.")
    reason: str | None = strawberry.field(description="The tier-2's reason for applying.")
    grants: list[VoucherGrant] = strawberry.field(
        description="Who would receive how much (read in detail: empty in a listing)."
    )
    remaining_quota: Money | None = strawberry.field(description="The quota left after it, as the cloud reports.")

    @classmethod
    def from_domain(cls, application: models.VoucherApplication) -> VoucherApplication:
        return cls(
            native_id=application.native_id,
            status=application.status,
            reseller_id=application.reseller_id,
            reseller_name=application.reseller_name,
            total=money(application.total),
            submitted_at=application.submitted_at,
            reason=application.reason,
            grants=[VoucherGrant.from_domain(g) for g in application.grants],
            remaining_quota=money(application.remaining_quota),
        )
