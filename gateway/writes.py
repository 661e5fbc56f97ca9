"""Writes: what the gateway asks a provider to change, as plain, serialisable intents.

Every money-moving or creating mutation becomes one ``Intent``. The gateway logs the intent (with the
caller's idempotency key) before it calls ``Provider.execute``; when the outcome is unknown (a timeout
or a connection lost after sending) it asks ``Provider.find_applied`` to look for the intent's effect
in the upstream's own records (Huawei adjust, change and quota records, issued coupon lists; Aliyun
credit info, coupon usage, invitation lists, notes) instead of guessing or resending. To keep that
search unambiguous, the gateway runs at most one write per target (customer, reseller, voucher...) at
a time, and passes the upstream ids it has already attributed to other operations in ``exclude``.

Intents hold money as ``Money`` and ids as strings; ``to_json``/``from_json`` turn them into the JSON the
operation log keeps, so a pending write survives a crash and is reconciled at the next start.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from gateway.models import AccountType, CustomerKind, ItemFailure, Money, ShutdownPolicy

__all__ = [
    "INTENTS",
    "AddNote",
    "AllocateResellerFunds",
    "CreateCustomer",
    "CreateVoucherTemplate",
    "DecideVoucherApplication",
    "DeleteVoucherTemplate",
    "GrantVoucherQuota",
    "Intent",
    "InviteReseller",
    "IssueVoucher",
    "Receipt",
    "ReclaimFunds",
    "ReclaimResellerFunds",
    "ReclaimVoucher",
    "ReclaimVoucherQuota",
    "ResendInvitation",
    "SendVerificationCode",
    "SetAutomaticWriteOff",
    "SetCreditLine",
    "SetCustomerFrozen",
    "SetNewPurchaseBan",
    "SetShutdownPolicy",
    "SetWarningThreshold",
    "TransferFunds",
    "canonical",
    "canonical_json",
    "intent_from_json",
    "intent_to_json",
]


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the upstream answered to an applied write.

    ``upstream_ids`` are the ids the write created or moved (a transfer id, coupon ids, a customer or
    invitation id, a note id): they are what later reconciliations exclude. ``details`` carries
    user-facing extras (a registration URL, a link's validity in days). ``failures`` lists the items a
    batch call refused while the rest went through (HTTP 200 with per-item errors).
    """

    upstream_ids: tuple[str, ...]
    request_id: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)
    failures: tuple[ItemFailure, ...] = ()

    @property
    def listed_id(self) -> str | None:
        """For a created customer: the id it lists under (``details["customerNativeId"]``, which an adapter
        sets where that differs from the id the upstream returned, e.g. an invitation's row)."""
        listed = self.details.get("customerNativeId")
        return str(listed) if listed else (self.upstream_ids[0] if self.upstream_ids else None)


class Intent:
    """Base of every write intent. ``target`` names what the write changes, for per-target ordering."""

    kind: ClassVar[str]
    moves_money: ClassVar[bool] = False

    @property
    def target(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class CreateCustomer(Intent):
    """Aliyun: CreateCustomer then InviteSubAccount (a 72-hour registration link by email).
    Huawei: create_sub_customer (with ``verification_code`` when a phone is given)."""

    kind: ClassVar[str] = "createCustomer"
    name: str
    account_type: AccountType
    customer_kind: CustomerKind = CustomerKind.ENTERPRISE
    email: str | None = None
    phone: str | None = None
    verification_code: str | None = None
    account_name: str | None = None  # Huawei domain_name
    partner_reference: str | None = None  # Huawei xaccount_id: the distributor's own customer id
    owner: str | None = None  # Aliyun CustomerBd
    nation: str | None = None  # Aliyun, a ListCountries code
    trade: str | None = None  # Aliyun CustomerTrade
    credit_line: Money | None = None  # Aliyun InviteSubAccount CreditLine
    reseller_id: str | None = None  # Huawei: a tier-1 registering a tier-2's customer

    @property
    def target(self) -> str:
        return f"customer:{(self.email or self.account_name or self.phone or self.name).lower()}"


@dataclass(frozen=True, slots=True)
class SendVerificationCode(Intent):
    kind: ClassVar[str] = "sendVerificationCode"
    phone: str

    @property
    def target(self) -> str:
        return f"phone:{self.phone}"


@dataclass(frozen=True, slots=True)
class ResendInvitation(Intent):
    kind: ClassVar[str] = "resendInvitation"
    invitation_id: str

    @property
    def target(self) -> str:
        return f"invitation:{self.invitation_id}"


@dataclass(frozen=True, slots=True)
class SetCustomerFrozen(Intent):
    """Aliyun EditEndUserStatus postPayFreeze / postPayThaw."""

    kind: ClassVar[str] = "setCustomerFrozen"
    customer_id: str
    frozen: bool

    @property
    def target(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class SetCreditLine(Intent):
    kind: ClassVar[str] = "setCreditLine"
    moves_money: ClassVar[bool] = True
    customer_id: str
    amount: Money

    @property
    def target(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class SetWarningThreshold(Intent):
    """Aliyun SetWarningThreshold (A.7.26): warn when the available credit falls below ``percent`` (1-100) of
    the line. Settled from GetCreditInfo ``AlarmThreshold``."""

    kind: ClassVar[str] = "setWarningThreshold"
    customer_id: str
    percent: int

    @property
    def target(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class SetNewPurchaseBan(Intent):
    """Aliyun EditNewBuyStatus (A.7.7): ``ban`` or ``cancelBan`` new purchases. Settled from GetCreditInfo
    ``newBuyStatus``."""

    kind: ClassVar[str] = "setNewPurchaseBan"
    customer_id: str
    banned: bool

    @property
    def target(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class SetShutdownPolicy(Intent):
    """Aliyun EditZeroCreditShutdown (A.7.8). Settled from GetCreditInfo ``ZeroCreditShutdownPolicy``."""

    kind: ClassVar[str] = "setShutdownPolicy"
    customer_id: str
    policy: ShutdownPolicy

    @property
    def target(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class SetAutomaticWriteOff(Intent):
    """Aliyun AutomaticWriteOff (A.7.1): write the outstanding balance off against the credit automatically.
    Settled from QueryAutomaticWriteOffChangeRecords (A.7.22)."""

    kind: ClassVar[str] = "setAutomaticWriteOff"
    customer_id: str
    enabled: bool

    @property
    def target(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class _CustomerFunds(Intent):
    customer_id: str
    amount: Money
    reseller_id: str | None = None  # a tier-1 acting on a tier-2's customer

    @property
    def target(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class TransferFunds(_CustomerFunds):
    """Huawei update_customer_account_amount: the partner's allocatable balance to a resale customer."""

    kind: ClassVar[str] = "transferFunds"
    moves_money: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class ReclaimFunds(_CustomerFunds):
    """Huawei reclaim_to_partner_account."""

    kind: ClassVar[str] = "reclaimFunds"
    moves_money: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class AddNote(Intent):
    """Aliyun CustomerNoteCreate."""

    kind: ClassVar[str] = "addNote"
    customer_id: str
    content: str
    contact_name: str | None = None
    contact_information: str | None = None
    touched_at: datetime | None = None

    @property
    def target(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class InviteReseller(Intent):
    """Aliyun InviteSubReseller."""

    kind: ClassVar[str] = "inviteReseller"
    name: str
    email: str
    credit_line: Money | None = None
    owner: str | None = None
    nation: str | None = None

    @property
    def target(self) -> str:
        return f"reseller:{self.email.lower()}"


@dataclass(frozen=True, slots=True)
class _ResellerFunds(Intent):
    reseller_id: str
    amount: Money

    @property
    def target(self) -> str:
        return f"reseller:{self.reseller_id}"


@dataclass(frozen=True, slots=True)
class AllocateResellerFunds(_ResellerFunds):
    """Huawei update_indirect_partner_account."""

    kind: ClassVar[str] = "allocateResellerFunds"
    moves_money: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class ReclaimResellerFunds(_ResellerFunds):
    """Huawei reclaim_indirect_partner_account."""

    kind: ClassVar[str] = "reclaimResellerFunds"
    moves_money: ClassVar[bool] = True


@dataclass(frozen=True, slots=True)
class GrantVoucherQuota(Intent):
    """Huawei update_coupon_quotas: part of the partner's quota ``parent_quota_id`` to a tier-2."""

    kind: ClassVar[str] = "grantVoucherQuota"
    moves_money: ClassVar[bool] = True
    reseller_id: str
    parent_quota_id: str
    amount: Money

    @property
    def target(self) -> str:
        return f"reseller:{self.reseller_id}"


@dataclass(frozen=True, slots=True)
class ReclaimVoucherQuota(Intent):
    """Huawei reclaim_coupon_quotas."""

    kind: ClassVar[str] = "reclaimVoucherQuota"
    moves_money: ClassVar[bool] = True
    quota_id: str

    @property
    def target(self) -> str:
        return f"quota:{self.quota_id}"


@dataclass(frozen=True, slots=True)
class IssueVoucher(Intent):
    """Aliyun IssueCouponForCustomer (by ``template_id``); Huawei create_partner_coupons (from
    ``quota_id`` with ``face_value``)."""

    kind: ClassVar[str] = "issueVoucher"
    moves_money: ClassVar[bool] = True
    customer_id: str
    template_id: str | None = None
    quota_id: str | None = None
    face_value: Money | None = None
    valid_until: datetime | None = None
    reseller_id: str | None = None

    @property
    def target(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True, slots=True)
class ReclaimVoucher(Intent):
    """Aliyun CancelCoupon; Huawei reclaim_partner_coupons."""

    kind: ClassVar[str] = "reclaimVoucher"
    moves_money: ClassVar[bool] = True
    voucher_id: str
    customer_id: str | None = None

    @property
    def target(self) -> str:
        return f"voucher:{self.voucher_id}"


@dataclass(frozen=True, slots=True)
class CreateVoucherTemplate(Intent):
    """Aliyun CreateCouponTemplate (A.7.4): a template the cloud approves before vouchers are issued from it.
    Settled from CouponApprovalStatusList: a template of this name made since the write, not already known."""

    kind: ClassVar[str] = "createVoucherTemplate"
    name: str
    face_value: Money
    valid_days: int
    """How many days a voucher issued from the template stays valid."""
    reason: str
    applicable_products: str = "all"
    cost_bearer: str = "partner"
    limit_per_customer: int = 1
    description: str | None = None
    product_types: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        return f"template:{self.name.strip().lower()}"


@dataclass(frozen=True, slots=True)
class DeleteVoucherTemplate(Intent):
    """Aliyun DeleteCouponTemplate (A.7.6). Settled from GetCouponTemplateDetail: the template is gone."""

    kind: ClassVar[str] = "deleteVoucherTemplate"
    template_id: str

    @property
    def target(self) -> str:
        return f"template:{self.template_id}"


@dataclass(frozen=True, slots=True)
class DecideVoucherApplication(Intent):
    """Aliyun ProcessApproval (A.7.21): a tier-1 approves or rejects a tier-2's voucher application.
    Settled from GetTier2CouponApprovalDetail: the application's status."""

    kind: ClassVar[str] = "decideVoucherApplication"
    moves_money: ClassVar[bool] = True
    application_id: str
    approve: bool
    comment: str

    @property
    def target(self) -> str:
        return f"application:{self.application_id}"


INTENTS: dict[str, type[Intent]] = {
    cls.kind: cls
    for cls in (
        CreateCustomer,
        SendVerificationCode,
        ResendInvitation,
        SetCustomerFrozen,
        SetCreditLine,
        SetWarningThreshold,
        SetNewPurchaseBan,
        SetShutdownPolicy,
        SetAutomaticWriteOff,
        TransferFunds,
        ReclaimFunds,
        AddNote,
        InviteReseller,
        AllocateResellerFunds,
        ReclaimResellerFunds,
        GrantVoucherQuota,
        ReclaimVoucherQuota,
        IssueVoucher,
        ReclaimVoucher,
        CreateVoucherTemplate,
        DeleteVoucherTemplate,
        DecideVoucherApplication,
    )
}


def _plain(value: object) -> object:
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, AccountType | CustomerKind | ShutdownPolicy):
        return value.value
    return value


def intent_to_json(intent: Intent) -> dict[str, Any]:
    """The intent as JSON-able data: ``{"kind": ..., field: value, ...}`` (money as decimal strings)."""
    fields = dataclasses.fields(intent)  # type: ignore[arg-type]
    return {"kind": intent.kind, **{f.name: _plain(getattr(intent, f.name)) for f in fields}}


def intent_from_json(data: Mapping[str, Any]) -> Intent:
    cls = INTENTS[data["kind"]]
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        raw = data.get(f.name)
        values[f.name] = None if raw is None else _typed(hints[f.name], raw)
    return cls(**values)


def _typed(hint: object, raw: Any) -> Any:
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
    for option in options:
        if typing.get_origin(option) is tuple:
            return tuple(raw)
        if option is Money:
            return Money(Decimal(raw["amount"]), raw["currency"])
        if option is datetime:
            return datetime.fromisoformat(raw)
        if option in (AccountType, CustomerKind, ShutdownPolicy):
            return option(raw)
    return raw


def canonical(intent: Intent) -> str:
    """A stable text of the intent: same input, same text (the idempotency check compares these).

    Amounts compare by value: ``"10"`` and ``"10.00"`` are the same input."""
    fields = dataclasses.fields(intent)  # type: ignore[arg-type]
    return canonical_json({"kind": intent.kind, **{f.name: _by_value(getattr(intent, f.name)) for f in fields}})


def _by_value(value: object) -> object:
    if isinstance(value, Money):
        amount = value.amount.normalize()
        return {"amount": format(amount if amount != 0 else Decimal(0), "f"), "currency": value.currency}
    return _plain(value)


def canonical_json(data: Mapping[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
