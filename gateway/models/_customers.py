"""Customers, resellers, invitations and notes."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from gateway.models._core import _frozen_mapping


class AccountType(enum.Enum):
    """How a customer is tied to its partner: Aliyun agency/consignment, Huawei advisory/resale."""

    AGENCY = "AGENCY"  # Aliyun 代理: own account, pays itself (or the partner pays for it)
    CONSIGNMENT = "CONSIGNMENT"  # Aliyun 代销: exists under the partner, who moves its funds
    ADVISORY = "ADVISORY"  # Huawei 顾问销售
    RESALE = "RESALE"  # Huawei 代售: the only kind whose funds and coupons the partner handles
    UNKNOWN = "UNKNOWN"


class CustomerKind(enum.Enum):
    ENTERPRISE = "ENTERPRISE"
    INDIVIDUAL = "INDIVIDUAL"
    UNKNOWN = "UNKNOWN"


class CustomerStatus(enum.Enum):
    INVITED = "INVITED"
    ASSOCIATED = "ASSOCIATED"
    INVITATION_EXPIRED = "INVITATION_EXPIRED"
    FROZEN = "FROZEN"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class Customer:
    """An end customer of one partner account.

    ``native_id`` is the upstream's own id, kept as a string because upstream ids are 64-bit.
    ``owner`` is the salesperson responsible for the customer (Aliyun ``CustomerBd``, Huawei
    ``account_managers``), used for owner scoping. ``invitation_id`` is set on a row that is an open
    invitation (not registered yet): the id ``resendInvitation`` takes.
    """

    provider: str
    partner_id: str
    native_id: str
    name: str
    account_type: AccountType = AccountType.UNKNOWN
    kind: CustomerKind = CustomerKind.UNKNOWN
    status: CustomerStatus = CustomerStatus.UNKNOWN
    email: str | None = None
    phone: str | None = None
    owner: str | None = None
    associated_at: datetime | None = None
    invitation_expires_at: datetime | None = None
    real_name_verified: bool | None = None
    invitation_id: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


# --- Resellers, invitations, notes ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reseller:
    """A tier-2 reseller under the partner account (Aliyun T2 partner, Huawei 云经销商)."""

    provider: str
    partner_id: str
    native_id: str
    name: str
    account_name: str | None = None
    email: str | None = None
    phone: str | None = None
    owner: str | None = None
    associated_at: datetime | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


class InvitationStatus(enum.Enum):
    PENDING = "PENDING"
    ASSOCIATED = "ASSOCIATED"
    EXPIRED = "EXPIRED"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class Invitation:
    """A registration invitation sent to a prospective customer or reseller (Aliyun; 72 hours)."""

    provider: str
    partner_id: str
    native_id: str
    status: InvitationStatus
    email: str | None = None
    nickname: str | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None
    registration_url: str | None = None
    customer_id: str | None = None  # the UID once registered
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


@dataclass(frozen=True, slots=True)
class Note:
    """A follow-up note on a customer (Aliyun CustomerNote*)."""

    native_id: str
    customer_id: str
    content: str
    contact_name: str | None = None
    contact_information: str | None = None
    creator: str | None = None
    created_at: datetime | None = None
    touched_at: datetime | None = None
