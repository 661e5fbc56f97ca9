"""The voucher log, the partner's own vouchers and products' incentive policies (Huawei H.6.4, H.6.5, H.6.7)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway import models
from gateway.schema.catalog import VoucherStatusEnum
from gateway.schema.money import Money, money

__all__ = ["IncentivePolicy", "OwnVoucher", "VoucherRecord"]

VoucherRecordKindEnum = strawberry.enum(
    models.VoucherRecordKind, name="VoucherRecordKind", description="Whether a voucher was issued or reclaimed."
)
IncentivePolicyKindEnum = strawberry.enum(
    models.IncentivePolicyKind,
    name="IncentivePolicyKind",
    description=(
        "A product's partner incentive policy (Huawei): a non-specific or specific product, no performance credit "
        "and no rebate, or performance credit without rebate; UNKNOWN: a code the gateway does not know."
    ),
)


@strawberry.type(description="One issue or reclaim of a voucher, in the cloud's log (Huawei).")
class VoucherRecord:
    native_id: str = strawberry.field(description="The log record's id.")
    kind: VoucherRecordKindEnum = strawberry.field(description="An issue or a reclaim.")  # type: ignore[valid-type]
    amount: Money = strawberry.field(description="Issued: the face value; reclaimed: what was taken back that time.")
    succeeded: bool = strawberry.field(description="Whether the cloud carried it out (a failed try is logged too).")
    voucher_id: str | None = strawberry.field(description="The voucher's upstream id.")
    customer_id: str | None = strawberry.field(description="The customer's upstream id.")
    quota_id: str | None = strawberry.field(description="The voucher quota it was issued from.")
    occurred_at: datetime | None = strawberry.field(description="When it happened.")
    reason: str | None = strawberry.field(
        description="The cloud's operation code (for a reclaim: manual, on expiry, on unbinding, ...)."
    )
    remark: str | None = strawberry.field(description="The cloud's remark on the record.")

    @classmethod
    def from_domain(cls, record: models.VoucherRecord) -> VoucherRecord:
        return cls(
            native_id=record.native_id,
            kind=record.kind,
            amount=Money.of(record.amount),
            succeeded=record.succeeded,
            voucher_id=record.voucher_id,
            customer_id=record.customer_id,
            quota_id=record.quota_id,
            occurred_at=record.occurred_at,
            reason=record.reason,
            remark=record.remark,
        )


@strawberry.type(description="A voucher the partner account itself holds (Huawei).")
class OwnVoucher:
    native_id: str = strawberry.field(description="The voucher's upstream id.")
    face_value: Money = strawberry.field(description="What the voucher was worth when issued.")
    remaining: Money | None = strawberry.field(description="What is left (null for single-use vouchers).")
    status: VoucherStatusEnum = strawberry.field(description="Usable, used, expired, ...")  # type: ignore[valid-type]
    valid_from: datetime | None = strawberry.field(description="From when it can be used.")
    valid_until: datetime | None = strawberry.field(description="Until when it can be used.")

    @classmethod
    def from_domain(cls, voucher: models.Voucher) -> OwnVoucher:
        return cls(
            native_id=voucher.native_id,
            face_value=Money.of(voucher.face_value),
            remaining=money(voucher.remaining),
            status=voucher.status,
            valid_from=voucher.valid_from,
            valid_until=voucher.valid_until,
        )


@strawberry.type(description="Whether a product earns partner incentives and allows partner discounts (Huawei).")
class IncentivePolicy:
    service_type: str = strawberry.field(description="The cloud service type, e.g. hws.service.type.ec2.")
    service_name: str | None = strawberry.field(description="The cloud service type's name.")
    policy: IncentivePolicyKindEnum = strawberry.field(  # type: ignore[valid-type]
        description="Whether and how the product earns the partner incentives."
    )
    allows_discount: bool | None = strawberry.field(description="Whether partner-granted discounts may apply.")

    @classmethod
    def from_domain(cls, policy: models.IncentivePolicy) -> IncentivePolicy:
        return cls(
            service_type=policy.service_type,
            service_name=policy.service_name,
            policy=policy.policy,
            allows_discount=policy.allows_discount,
        )
