"""Vouchers, voucher quotas, orders, resources and reference data."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from gateway.models._core import Money, _frozen_mapping

# --- Vouchers ----------------------------------------------------------------------------------------


class VoucherStatus(enum.Enum):
    NOT_ACTIVATED = "NOT_ACTIVATED"
    AVAILABLE = "AVAILABLE"
    USED_UP = "USED_UP"
    EXPIRED = "EXPIRED"
    RECLAIMED = "RECLAIMED"  # reclaimed (Huawei) or cancelled / abandoned (Aliyun)
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class Voucher:
    """A voucher (代金券) issued to a customer: from a template (Aliyun) or a quota (Huawei)."""

    provider: str
    partner_id: str
    native_id: str
    customer_id: str | None
    face_value: Money
    remaining: Money
    status: VoucherStatus
    issued_at: datetime | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    source_id: str | None = None  # Aliyun CouponTemplateId, Huawei quota id
    reseller_id: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


class VoucherQuotaStatus(enum.Enum):
    ACTIVE = "ACTIVE"
    INVALID = "INVALID"
    ADJUSTING = "ADJUSTING"
    FROZEN = "FROZEN"
    RECLAIMED = "RECLAIMED"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class VoucherQuota:
    """A voucher quota (Huawei): the partner's own, or one granted to a tier-2 reseller from it."""

    provider: str
    partner_id: str
    native_id: str
    total: Money
    remaining: Money
    status: VoucherQuotaStatus
    parent_id: str | None = None
    reseller_id: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    created_at: datetime | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


# --- Orders, resources, reference data -------------------------------------------------------------


class OrderStatus(enum.Enum):
    PENDING_PAYMENT = "PENDING_PAYMENT"
    PENDING_REVIEW = "PENDING_REVIEW"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"  # paid (Aliyun) or completed (Huawei)
    CANCELLED = "CANCELLED"
    UNKNOWN = "UNKNOWN"


class OrderType(enum.Enum):
    NEW = "NEW"
    RENEW = "RENEW"
    UPGRADE = "UPGRADE"
    DOWNGRADE = "DOWNGRADE"
    CHANGE = "CHANGE"
    REFUND = "REFUND"  # refund or unsubscribe
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class Order:
    provider: str
    partner_id: str
    native_id: str
    customer_id: str | None
    status: OrderStatus
    order_type: OrderType
    product_code: str | None = None
    product_name: str | None = None
    list_price: Money | None = None
    amount_due: Money | None = None  # after discounts
    discount: Money | None = None
    voucher_amount: Money | None = None
    created_at: datetime | None = None
    paid_at: datetime | None = None
    project_id: str | None = None  # Aliyun opportunity id (ProjectId)
    reseller_id: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


@dataclass(frozen=True, slots=True)
class Resource:
    """A customer's pay-per-use cloud resource (Huawei on-demand resources)."""

    native_id: str
    customer_id: str
    name: str | None
    service_type: str | None
    resource_type: str | None
    region: str | None
    status: str
    effective_at: datetime | None = None
    expires_at: datetime | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


class RegionLevel(enum.Enum):
    COUNTRY = "COUNTRY"
    PROVINCE = "PROVINCE"
    CITY = "CITY"
    COUNTY = "COUNTY"


@dataclass(frozen=True, slots=True)
class Region:
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None = None


_ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class PriceItem:
    """One product of a price inquiry, in the upstream's product coordinates (Huawei H.4.21)."""

    region: str
    service_type: str  # e.g. hws.service.type.ec2
    resource_type: str  # e.g. hws.resource.type.vm
    resource_spec: str  # e.g. s6.small.1.linux
    usage_factor: str = "Duration"
    usage_value: Decimal = _ONE
    usage_measure_id: int = 4  # hours
    quantity: int = 1
    resource_size: int | None = None
    size_measure_id: int | None = None


@dataclass(frozen=True, slots=True)
class PriceRequest:
    """A price inquiry for one customer's pay-per-use resources."""

    customer_project_id: str
    items: tuple[PriceItem, ...]


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """A price inquiry's answer: list price, discount, and what is due."""

    list_price: Money
    discount: Money
    amount: Money
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


class ApprovalStatus(enum.Enum):
    """Where a request that needs someone's approval stands (a voucher template, a tier-2's application)."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"
    """A status the upstream reported that the adapter does not know."""


@dataclass(frozen=True, slots=True)
class VoucherTemplate:
    """A voucher template (Aliyun coupon template, A.7.3, A.7.4, A.7.12): what ``issueVoucher`` issues from,
    once the cloud has approved it."""

    provider: str
    partner_id: str
    native_id: str
    name: str
    status: ApprovalStatus
    face_value: Money | None = None
    valid_until: str | None = None
    """As the upstream gives it (a date, or a number of days after issue: the SDK leaves the format open)."""
    applicable_products: str | None = None
    cost_bearer: str | None = None
    limit_per_customer: int | None = None
    description: str | None = None
    reason: str | None = None
    created_at: datetime | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


@dataclass(frozen=True, slots=True)
class VoucherGrant:
    """One customer's part of a tier-2's voucher application: who receives how much."""

    customer_id: str
    face_value: Money


@dataclass(frozen=True, slots=True)
class VoucherApplication:
    """A tier-2 reseller's application to issue vouchers, which its tier-1 approves or rejects (Aliyun A.7.18,
    A.7.20, A.7.21)."""

    provider: str
    partner_id: str
    native_id: str
    status: ApprovalStatus
    reseller_id: str | None = None
    reseller_name: str | None = None
    total: Money | None = None
    submitted_at: datetime | None = None
    reason: str | None = None
    grants: tuple[VoucherGrant, ...] = ()
    """Filled by the detail read; a listing leaves it empty."""
    remaining_quota: Money | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))
