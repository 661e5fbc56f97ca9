"""Records the simulator keeps besides accounts and invitations: filings, coupons, orders, T2s, notes,
the credit-control histories and export tasks (A.7), T2 coupon applications, bill subscriptions and OSS
file pushes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

__all__ = [
    "ENTERPRISE_FILING_LIMIT",
    "INDIVIDUAL_FILING_LIMIT",
    "INDIVIDUAL_TRADES",
    "BillFile",
    "BillSubscription",
    "Coupon",
    "CouponTemplate",
    "CreditHistory",
    "CustomerFiling",
    "ExportTask",
    "Note",
    "Order",
    "OrderStatus",
    "OssPush",
    "PolicyChange",
    "PurchaseControl",
    "QuotaChange",
    "ReversedDeduction",
    "SubPartner",
    "TemplateStatus",
    "Tier2CouponApplication",
    "WriteOffChange",
]

#: DOMAIN.md (seed 000): an enterprise customer may have at most 5 filed accounts, an individual 1.
ENTERPRISE_FILING_LIMIT = 5
INDIVIDUAL_FILING_LIMIT = 1
#: CreateCustomer has no "individual or enterprise" field (A.4.2) and the SDK gives no CustomerTrade
#: values; the simulator treats these CustomerTrade values as an individual customer (documented choice).
INDIVIDUAL_TRADES = frozenset({"Individual", "Personal", "个人"})


@dataclass(slots=True)
class CustomerFiling:
    """A CreateCustomer record (报备): the ``CustomerId`` (CID) InviteSubAccount needs."""

    cid: int
    name: str
    source: str
    trade: str
    sub_trade: str
    nation: str
    created_at: datetime

    @property
    def individual(self) -> bool:
        return self.trade in INDIVIDUAL_TRADES

    @property
    def limit(self) -> int:
        return INDIVIDUAL_FILING_LIMIT if self.individual else ENTERPRISE_FILING_LIMIT


class TemplateStatus:
    """CouponApprovalStatusList ``TemplateStatus`` (GetCouponTemplateDetail ``Status`` as a string). The SDK
    gives no codes (A.7.3): the simulator's own. Aliyun reviews a new template; only an approved one issues."""

    PENDING = 1
    APPROVED = 2
    REJECTED = 3


@dataclass(slots=True)
class CouponTemplate:
    """A coupon template the partner may issue from (IssueCouponForCustomer ``CouponTemplateId``).

    Seeded templates are approved, valid ``valid_days`` after issue; CreateCouponTemplate (A.7.4) fills
    the rest. ``valid_from``/``valid_to`` set: a fixed window (``ABSOLUTE``) instead of ``valid_days``.
    """

    template_id: int
    name: str
    amount: Decimal
    valid_days: int
    status: int = TemplateStatus.APPROVED
    limit_per_person: int = 100
    cost_bearer: str = "PARTNER"
    applicable_products: str = "ALL"
    product_types: tuple[str, ...] = ()
    purchase_type: str = "BUY"
    description: str = ""
    reason: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    created_at: datetime | None = None
    review_note: str = ""

    @property
    def validity(self) -> str:
        """``ABSOLUTE`` (a fixed window) or ``RELATIVE`` (days after issue): CreateCouponTemplate ``ValidUntil``."""
        return "ABSOLUTE" if self.valid_to is not None else "RELATIVE"


@dataclass(slots=True)
class Coupon:
    """An issued coupon as ListCouponUsage reports it (A.4.11)."""

    coupon_id: int
    template_id: int
    uid: int
    account: str
    t2_partner_uid: int | None
    amount: Decimal
    balance: Decimal
    status: str  # AVAILABLE | EXHAUSTED | EXPIRED | ABANDONED
    published_at: datetime
    expires_at: datetime


class OrderStatus:
    """The simulator's order status codes, for all three order operations.

    CONTRACTS.md A.6.1: the SDK docstrings disagree. The simulator uses 1 unpaid, 2 paid, 3 cancelled
    (the GetCustomerOrderList *response* doc, which the GetSubPartnerOrderList *request* doc agrees with)
    for requests and responses alike; the adapter maps the same table.
    """

    UNPAID = 1
    PAID = 2
    CANCELLED = 3


@dataclass(slots=True)
class Order:
    """A customer's (or a T2 partner's) order: the fields of A.4.12, A.5.2 and A.5.3."""

    order_id: int
    customer_uid: int
    customer_account: str
    customer_manager: str
    status: int  # OrderStatus
    order_type: str  # BUY | UPGRADE | DOWNGRADE | RENEW | REFUND | OTHERS
    pay_type: int  # 1 non-delegated, 2 delegated
    product_code: str
    product_name: str
    price: Decimal
    discount: Decimal
    coupon_deduction: Decimal
    created_at: datetime
    paid_at: datetime | None
    project_id: int | None
    classification: str
    order_source: str
    sub_partner_uid: int | None = None
    sub_partner_name: str | None = None

    @property
    def discounted_price(self) -> Decimal:
        return self.price - self.discount

    @property
    def amount_due(self) -> Decimal:
        return max(self.price - self.discount - self.coupon_deduction, Decimal("0.00"))


@dataclass(slots=True)
class SubPartner:
    """A T2 partner as GetSubPartnerList reports it (A.5.1); ``master_uid`` is its UserType 3 account."""

    pid: str
    company_name: str
    master_uid: int
    master_account: str
    contact: str
    agreement_status: str
    agreement_status_desc: str
    joined_at: datetime
    province: str
    city: str
    district: str
    address: str
    coupon_quota: Decimal = Decimal("0.00")
    """What its distributor lets it hand out in coupons; approved applications use it up (A.7.18)."""


@dataclass(slots=True)
class Note:
    """A customer follow-up note (A.5.4-A.5.6)."""

    note_id: int
    customer_uid: int
    customer_name: str
    contact_name: str
    contact_information: str
    content: str
    touch_date: int  # Unix ms
    creator: int
    creator_name: str
    created_at: datetime


# -- credit controls (A.7) ------------------------------------------------------------------------------------
# ``source`` is how a change was submitted: "API" (this API) or "ACPN" (the partner console; seeded history).
# ``operator`` is the partner's own UID (CustomerQuotaRecordList ``OperationUid``, A.7.5).


@dataclass(slots=True)
class QuotaChange:
    """A credit-line change (CustomerQuotaRecordList, A.7.5): ``kind`` quota_create | quota_amount_adjust."""

    uid: int
    kind: str
    before: Decimal
    after: Decimal
    source: str
    operator: int
    at: datetime


@dataclass(slots=True)
class PurchaseControl:
    """A new-purchase control change (GetPurchaseControlRecord, A.7.16): ``changed_type`` ban | cancelBan."""

    uid: int
    changed_type: str
    source: str
    operator: int
    at: datetime


@dataclass(slots=True)
class PolicyChange:
    """A zero-credit shutdown policy change (GetShutdownPolicyRecord, A.7.17); policies as codes 1/2/3."""

    uid: int
    previous: str
    current: str
    source: str
    operator: int
    at: datetime


@dataclass(slots=True)
class WriteOffChange:
    """An automatic write-off setting change (QueryAutomaticWriteOffChangeRecords, A.7.22)."""

    uid: int
    enabled: bool
    amount: int | None
    source: str
    operator: int
    at: datetime


@dataclass(slots=True)
class ReversedDeduction:
    """A write-off of outstanding balance (QueryReversedDeductionHistory, A.7.23; DeductOutstandingBalance)."""

    uid: int
    amount: Decimal
    source: str
    operator: int
    at: datetime


@dataclass(slots=True)
class ExportTask:
    """An asynchronous export (A.7.9, A.7.10): exporting until ``ready_at``, then done (or ``failed``)."""

    task_id: int
    scene: str
    uid: int
    file_name: str
    rows: int
    created_at: datetime
    cost_minutes: int
    failed: bool = False

    @property
    def ready_at(self) -> datetime:
        return self.created_at + timedelta(minutes=self.cost_minutes)


@dataclass(slots=True)
class CreditHistory:
    """A partner's credit-control logs and export tasks, oldest first."""

    quota: list[QuotaChange] = field(default_factory=list)
    purchase: list[PurchaseControl] = field(default_factory=list)
    policy: list[PolicyChange] = field(default_factory=list)
    write_off: list[WriteOffChange] = field(default_factory=list)
    deductions: list[ReversedDeduction] = field(default_factory=list)
    exports: list[ExportTask] = field(default_factory=list)


@dataclass(slots=True)
class Tier2CouponApplication:
    """A T2 partner's coupon application its distributor approves or rejects (A.7.18, A.7.20, A.7.21).
    ``status``: ``PENDING``, ``APPROVED``, ``REJECTED`` (the SDK gives no values: the simulator's own)."""

    sheet_id: str
    t2_uid: int
    t2_name: str
    applied_at: datetime
    reason: str
    order_type: str
    applicable_products: str
    valid_until: str
    receipts: list[tuple[int, Decimal]]
    status: str = "PENDING"
    comments: str = ""
    processed_at: datetime | None = None

    @property
    def total(self) -> Decimal:
        return sum((value for _, value in self.receipts), Decimal("0.00"))


@dataclass(slots=True)
class BillSubscription:
    """A SubscriptionBill subscription (A.7.27), one per ``SubscribeType`` until CancelSubscriptionBill."""

    subscribe_type: str
    begin_cycle: str
    bill_format: str
    bucket_owner: int
    bucket: str
    segment_size: int | None
    created_at: datetime


@dataclass(slots=True)
class OssPush:
    """Files pushed to the partner's OSS bucket (A.8.1-A.8.3): ``kind`` is the Action. The OSS AccessKey
    secret and STS token are never kept: only where the files go."""

    kind: str
    month: str
    bucket: str
    endpoint: str
    region: str
    started_at: datetime
    files: list[tuple[str, str]] = field(default_factory=list)
    """(file name, what it holds: the file type or the commission policy)."""


@dataclass(frozen=True, slots=True)
class BillFile:
    """A GetDailyBill / GetMonthlyBill download link: whose bill, which period, until when it works."""

    access_key_id: str
    owner: str  # BillOwner: "1" the partner's customers, "2" its T2 partners
    bill_type: str
    period: str  # yyyy-MM-dd or yyyy-MM
    refunds_only: bool
    expires_at: datetime
