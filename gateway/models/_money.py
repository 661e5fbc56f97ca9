"""Money held upstream and its movements."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from gateway.models._core import Money, _frozen_mapping

# --- Money held upstream ---------------------------------------------------------------------------


class BalanceKind(enum.Enum):
    """Which of a partner's own upstream accounts a balance is (Huawei ``account_type``)."""

    CASH = "CASH"
    CREDIT = "CREDIT"
    BONUS = "BONUS"
    DEPOSIT = "DEPOSIT"
    ALLOCATABLE = "ALLOCATABLE"  # 可拨款: what a tier-1 may allocate to customers and resellers
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class Balance:
    """One of the partner account's own upstream money accounts."""

    kind: BalanceKind
    amount: Money
    designated: Money | None = None  # earmarked (专款专用): cannot be allocated
    credit_limit: Money | None = None
    native_id: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


class ShutdownPolicy(enum.Enum):
    """What happens to a credit customer's resources when its available credit runs out (Aliyun
    ``ZeroCreditShutdownPolicy``, A.4.1)."""

    DELAY_STOP = "DELAY_STOP"
    """``1`` delayStop: a grace credit, then the cloud takes over; instances kept 15 days, then released."""
    NO_STOP = "NO_STOP"
    """``2`` noStop: the partner stops resources itself."""
    IMMEDIATE_STOP = "IMMEDIATE_STOP"
    """``3`` immediatelyStop: resources stop once the available credit is below zero."""


@dataclass(frozen=True, slots=True)
class CreditControls:
    """How a credit customer is held in check (Aliyun GetCreditInfo, A.4.8; set by A.7.7, A.7.8, A.7.26).
    A field the upstream did not report is None."""

    warning_threshold: int | None = None
    """Percent of the credit line (1-100): below it, the partner is warned."""
    new_purchases_banned: bool | None = None
    shutdown_policy: ShutdownPolicy | None = None
    pay_as_you_go_frozen: bool | None = None


class CreditRecordKind(enum.Enum):
    """Which history of a credit customer a record belongs to."""

    CREDIT_LINE = "CREDIT_LINE"  # CustomerQuotaRecordList (A.7.5)
    PURCHASE_CONTROL = "PURCHASE_CONTROL"  # GetPurchaseControlRecord (A.7.16)
    SHUTDOWN_POLICY = "SHUTDOWN_POLICY"  # GetShutdownPolicyRecord (A.7.17)
    AUTOMATIC_WRITE_OFF = "AUTOMATIC_WRITE_OFF"  # QueryAutomaticWriteOffChangeRecords (A.7.22)
    REVERSED_DEDUCTION = "REVERSED_DEDUCTION"  # QueryReversedDeductionHistory (A.7.23)


@dataclass(frozen=True, slots=True)
class CreditRecord:
    """One entry of a credit customer's histories, newest first in a listing."""

    kind: CreditRecordKind
    occurred_at: datetime | None
    description: str | None = None
    before: str | None = None
    """The value before the change (a credit line, a status, a policy), as the upstream gives it."""
    after: str | None = None
    amount: Money | None = None
    """The money the record moved (a credit-line change, a reversed deduction)."""
    operator: str | None = None
    native_id: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


@dataclass(frozen=True, slots=True)
class Funds:
    """The money side of one customer or tier-2 reseller, as its provider models it.

    Huawei (cash allocation): ``available`` is the allocated balance and ``debt`` the arrears.
    Aliyun (credit lines): ``credit_line`` is the line, ``available`` what is left of it and
    ``debt`` the outstanding (consumed, unpaid) amount. Fields a provider lacks are ``None``.
    """

    owner_id: str
    available: Money
    debt: Money | None = None
    credit_line: Money | None = None
    controls: CreditControls | None = None
    """Credit controls of a credit customer (Aliyun); None where the upstream has none."""
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


class LedgerKind(enum.Enum):
    ALLOCATION = "ALLOCATION"  # partner -> customer or reseller
    RECLAIM = "RECLAIM"  # back to the partner
    TOP_UP = "TOP_UP"
    CONSUMPTION = "CONSUMPTION"
    REFUND = "REFUND"
    ADJUSTMENT = "ADJUSTMENT"
    QUOTA_GRANT = "QUOTA_GRANT"  # voucher quota given to a reseller
    QUOTA_RECLAIM = "QUOTA_RECLAIM"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One movement of money or quota in an upstream's own records (statements, adjust records)."""

    native_id: str
    kind: LedgerKind
    amount: Money
    occurred_at: datetime | None = None
    counterparty_id: str | None = None  # the customer or reseller on the other side
    transaction_id: str | None = None  # what the allocating call returned (transfer_id / trans_id)
    balance_after: Money | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


class QuotaMovementKind(enum.Enum):
    """Which way voucher quota moved between a tier-1 and one of its tier-2 resellers."""

    GRANT = "GRANT"  # carved from the tier-1's quota and given to the tier-2
    RECLAIM = "RECLAIM"  # what the tier-2 had not used, back to the tier-1's quota
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class QuotaMovement:
    """One grant or reclaim of voucher quota in the upstream's records (Huawei H.4.16), failed ones included.

    ``quota_id`` is the tier-2's quota, ``parent_quota_id`` the tier-1's it was carved from; ``succeeded`` is
    False for an attempt the upstream refused (it records those too: a grant beyond the quota's balance).
    """

    native_id: str
    kind: QuotaMovementKind
    amount: Money
    succeeded: bool
    occurred_at: datetime | None = None
    reseller_id: str | None = None
    quota_id: str | None = None
    parent_quota_id: str | None = None
    operator: str | None = None
    remark: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """One item of a batch call that the upstream refused (HTTP 200 with per-item errors)."""

    item_id: str
    upstream_code: str
    message: str
