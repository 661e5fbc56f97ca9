"""Provider-neutral domain models.

Every adapter maps its upstream's wire format onto these frozen dataclasses, and the GraphQL layer maps
them onto its types. Nothing here knows about strawberry, httpx or any one cloud. Provider-only data
that has no neutral field goes into ``extra``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Generic, TypeVar

__all__ = [
    "AccountType",
    "Customer",
    "CustomerKind",
    "CustomerStatus",
    "Money",
    "Page",
    "PartnerAccount",
    "PartnerRole",
    "Secret",
]

T = TypeVar("T")


def _frozen_mapping(value: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(value))


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money: a ``Decimal`` and an ISO 4217 currency code. Never a float."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money.amount must be a Decimal, not {type(self.amount).__name__}")
        if not self.amount.is_finite():
            raise ValueError("Money.amount must be finite")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"Money.currency must be an ISO 4217 code such as 'CNY', not {self.currency!r}")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


class Secret:
    """A credential value that never shows itself in ``repr``, ``str``, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself; call only where it is used (a signer), never to log or return it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class PartnerRole(enum.Enum):
    """The partner account's place in its cloud's partner program (DOMAIN.md)."""

    DISTRIBUTOR = "distributor"  # Aliyun distributor
    RESELLER = "reseller"  # Aliyun reseller (a distributor's tier-2)
    TIER1_DISTRIBUTOR = "tier1-distributor"  # Huawei 总经销商 / 一级经销商
    TIER2_RESELLER = "tier2-reseller"  # Huawei 云经销商 / 二级经销商
    SOLUTION_PROVIDER = "solution-provider"  # Huawei 解决方案提供商


@dataclass(frozen=True, slots=True)
class PartnerAccount:
    """One partner account of the distributor at one upstream, as configured.

    ``settings`` holds the provider's non-secret options (Huawei ``domain_id``, a page size, ...);
    the credentials are kept apart and never stored on this object.
    """

    id: str
    provider: str
    name: str
    role: PartnerRole
    endpoint: str
    settings: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", _frozen_mapping(self.settings))


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
    ``account_managers``), used for owner scoping.
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
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", _frozen_mapping(self.extra))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """A window of an upstream list and the list's total length at the time it was read."""

    items: tuple[T, ...]
    total: int
