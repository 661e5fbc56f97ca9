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
class PricePeriod:
    """A subscription's length: ``count`` ``unit``s (a price inquiry with one is a yearly/monthly one)."""

    unit: PeriodUnit
    count: int


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
    period: PricePeriod | None = None
    """Set: a subscription (yearly/monthly) price for ``quantity`` subscriptions of this length (Huawei H.6.8);
    None: a pay-per-use price for the usage (H.4.21)."""


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
    offers: tuple[PriceOffer, ...] = ()
    """A subscription inquiry: every discount the customer has, each with its price (``amount`` is the best)."""
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


class PeriodUnit(enum.Enum):
    """The unit of a subscription period (Huawei ``period_type``: 0 day, 2 month, 3 year, 4 hour)."""

    HOUR = "HOUR"
    DAY = "DAY"
    MONTH = "MONTH"
    YEAR = "YEAR"


@dataclass(frozen=True, slots=True)
class PriceOffer:
    """One discount a subscription price inquiry found for the customer (Huawei H.6.8), and its price."""

    discount_id: str | None
    name: str | None
    kind: str | None
    """The upstream's discount type (Huawei 605 commercial, 606 partner-granted, 607 partner-set rate)."""
    list_price: Money
    discount: Money
    amount: Money
    best: bool = False


class CatalogueKind(enum.Enum):
    """A code table the bills and price inquiries refer to (Huawei H.6.9)."""

    SERVICE_TYPES = "SERVICE_TYPES"
    RESOURCE_TYPES = "RESOURCE_TYPES"
    USAGE_TYPES = "USAGE_TYPES"
    MEASURE_UNITS = "MEASURE_UNITS"


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One code of a catalogue table and its name; ``parent_code`` is the service type of a resource type, the
    resource type of a usage type."""

    kind: CatalogueKind
    code: str
    name: str
    parent_code: str | None = None
    description: str | None = None


class IncentivePolicyKind(enum.Enum):
    """A product's partner incentive policy (Huawei H.6.7 ``incentive_policy``)."""

    NON_SPECIFIC_PRODUCT = "NON_SPECIFIC_PRODUCT"  # 0
    SPECIFIC_PRODUCT = "SPECIFIC_PRODUCT"  # 1
    NO_PERFORMANCE_NO_REBATE = "NO_PERFORMANCE_NO_REBATE"  # 2
    PERFORMANCE_NO_REBATE = "PERFORMANCE_NO_REBATE"  # 13 (or 3: the SDK's text is ambiguous)
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class IncentivePolicy:
    """Whether a product earns the partner incentives, and whether partner discounts may apply (Huawei H.6.7)."""

    service_type: str
    service_name: str | None
    policy: IncentivePolicyKind
    allows_discount: bool | None


class NewCustomerTag(enum.Enum):
    """A customer's SMB new-customer tag (Huawei H.6.6)."""

    NEW = "NEW"  # Y: a qualified new customer
    NOT_NEW = "NOT_NEW"  # N (also an expired tag)
    UNDETERMINED = "UNDETERMINED"  # eligible, not yet qualified
    NONE = "NONE"  # no tag (e.g. not real-name verified)


class VoucherRecordKind(enum.Enum):
    """What a voucher record logs (Huawei H.6.4 ``operation_type``: 1 issue; every other code a reclaim)."""

    ISSUE = "ISSUE"
    RECLAIM = "RECLAIM"


@dataclass(frozen=True, slots=True)
class VoucherRecord:
    """One issue or reclaim of a voucher to or from a customer, in the upstream's log (Huawei H.6.4)."""

    native_id: str
    kind: VoucherRecordKind
    amount: Money
    succeeded: bool
    voucher_id: str | None = None
    customer_id: str | None = None
    quota_id: str | None = None
    occurred_at: datetime | None = None
    reason: str | None = None
    """The upstream's operation code (why a reclaim happened: manual, on expiry, on unbind, ...)."""
    remark: str | None = None
