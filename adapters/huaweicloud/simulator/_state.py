"""The simulator's state: partner accounts keyed by AK, each with its own domain id, role and data.

All mutations happen under ``SimulatorState.lock`` (the app takes it around every handler), so two
concurrent calls under uvicorn can never both spend the same balance.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from adapters.huaweicloud._roles import PartnerRole

__all__ = [
    "ALLOCATABLE",
    "Coupon",
    "PartnerState",
    "Quota",
    "SimAccount",
    "SimulatorState",
    "SubCustomer",
    "timestamp",
]

#: account_type of the partner account money is allocated from (可拨款, H.4.9).
ALLOCATABLE = 8
ZERO = Decimal("0.00")


def timestamp(moment: datetime) -> str:
    """UTC ``yyyy-MM-dd'T'HH:mm:ss'Z'`` (H.4 shared notes)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class SimAccount:
    """A partner account the simulator knows: its AK/SK, domain id and place in the partner program.

    ``parent_domain_id`` is set on a tier-2 reseller: its tier-1 may act on its customers through
    ``indirect_partner_id`` (CONTRACTS.md H.4 shared notes). The profile fields are what the tier-1
    sees in list_indirect_partners (H.4.10).
    """

    access_key: str
    secret_key: str
    domain_id: str
    role: PartnerRole = PartnerRole.TIER1_DISTRIBUTOR
    name: str = ""
    parent_domain_id: str | None = None
    account_name: str = ""
    mobile_phone: str | None = None
    email: str | None = None
    associated_on: str = "2023-03-01T02:00:00Z"
    account_manager: str | None = None


@dataclass(slots=True)
class SubCustomer:
    """A customer associated with a partner: the list_sub_customers fields (H.4.2) and its funds (H.4.6).

    ``associates_at`` is set on a customer created through create_sub_customer: it is invisible until
    the simulator clock reaches it (association is asynchronous, H.4.1).
    """

    customer_id: str
    account_name: str
    customer: str | None
    associated_on: str
    association_type: str
    customer_type: int
    verified_status: str
    is_frozen: int
    customer_level: str
    telephone: str | None
    country_code: str | None
    email: str | None
    label: str | None
    xaccount_id: str | None
    xaccount_type: str | None
    account_managers: list[str] = field(default_factory=list)
    amount: Decimal = ZERO
    debt_amount: Decimal = ZERO
    associates_at: datetime | None = None

    @property
    def is_resale(self) -> bool:
        return self.association_type == "2"  # only resale customers have funds and coupons (H.5 item 6)

    def visible(self, now: datetime) -> bool:
        return self.associates_at is None or self.associates_at <= now

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "customer_id": self.customer_id,  # always present (Go: no omitempty)
            "account_name": self.account_name,  # always present
        }
        for name in (
            "customer",
            "associated_on",
            "association_type",
            "label",
            "telephone",
            "country_code",
            "email",
            "verified_status",
            "customer_type",
            "is_frozen",
            "customer_level",
            "xaccount_id",
            "xaccount_type",
        ):
            value = getattr(self, name)
            if value is not None:
                wire[name] = value
        wire["account_managers"] = [{"account_name": manager} for manager in self.account_managers]
        return wire


@dataclass(slots=True)
class Quota:
    """A voucher quota: a partner's own (H.4.26), or one a tier-1 granted to a tier-2 (H.4.15)."""

    quota_id: str
    owner_domain_id: str
    quota_value: Decimal
    balance: Decimal
    quota_status: int  # 0 normal, 3 invalid, 4 adjusting, 5 frozen, 6 reclaimed
    create_time: str
    last_update_time: str
    effective_time: str
    expire_time: str
    quota_type: int = 0  # 0 voucher quota
    limit_infos: list[dict[str, Any]] = field(default_factory=list)
    parent_quota_id: str | None = None
    indirect_partner_account_name: str | None = None
    indirect_partner_name: str | None = None

    def to_wire(self, *, issued: bool = False) -> dict[str, Any]:
        wire: dict[str, Any] = {
            "quota_id": self.quota_id,
            "quota_type": self.quota_type,
            "create_time": self.create_time,
            "last_update_time": self.last_update_time,
            "quota_value": self.quota_value,
            "quota_status": self.quota_status,
            "balance": self.balance,
            "measure_id": 1,
            "currency": "CNY",
            "effective_time": self.effective_time,
            "expire_time": self.expire_time,
            "limit_infos": self.limit_infos,
        }
        if issued:
            wire["indirect_partner_id"] = self.owner_domain_id
            wire["indirect_partner_account_name"] = self.indirect_partner_account_name
            wire["indirect_partner_name"] = self.indirect_partner_name
            wire["parent_quota_id"] = self.parent_quota_id
        return wire


@dataclass(slots=True)
class Coupon:
    """A voucher issued to a resale customer from a quota (H.4.17, H.4.19)."""

    coupon_id: str
    customer_id: str
    quota_id: str
    face_value: Decimal
    balance: Decimal
    status: int  # 1 not activated, 2 usable, 3 used, 4 expired, 5 reclaimed
    create_time: str
    effective_time: str
    expire_time: str
    coupon_type: int = 1  # 1 voucher (代金券)
    memo: str | None = None
    cloud_service_types: list[str] = field(default_factory=list)
    order_id: str | None = None
    last_used_time: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "coupon_id": self.coupon_id,
            "customer_id": self.customer_id,
            "coupon_type": self.coupon_type,
            "status": self.status,
            "face_value": self.face_value,
            "balance": self.balance,
            "measure_id": 1,
            "effective_time": self.effective_time,
            "expire_time": self.expire_time,
            "create_time": self.create_time,
            "active_time": self.create_time,
            "last_used_time": self.last_used_time,
            "order_id": self.order_id,
            "promotion_plan_id": self.quota_id,
            "promotion_plan_name": "伙伴代金券",
            "promotion_plan_desc": self.memo,
            "media_type": 1,  # electronic
            "fetch_method": 3,  # online issue
            "is_frozen": "0",
            "use_limits": [
                {"limit_key": "CLOUD_SERVICE_TYPE", "value1": service, "limit_type": "0"}
                for service in self.cloud_service_types
            ],
        }


@dataclass(slots=True)
class PartnerState:
    """One partner account and everything it owns upstream."""

    account: SimAccount
    customers: list[SubCustomer] = field(default_factory=list)  # in association order
    balances: dict[int, Decimal] = field(default_factory=dict)  # account_type -> amount (H.4.9)
    designated: dict[int, Decimal] = field(default_factory=dict)  # earmarked part of each account
    credit_limit: Decimal = ZERO
    quotas: list[Quota] = field(default_factory=list)  # its own, including those granted to it
    issued_quotas: list[Quota] = field(default_factory=list)  # granted by it to its tier-2s
    quota_records: list[dict[str, Any]] = field(default_factory=list)  # H.4.16 wire records
    coupons: list[Coupon] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)  # H.4.20 wire records
    resources: list[dict[str, Any]] = field(default_factory=list)  # H.4.5 wire records
    adjust_records: list[dict[str, Any]] = field(default_factory=list)  # H.4.27 wire records
    change_records: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (balance_type, H.4.25)
    coupon_records: list[dict[str, Any]] = field(default_factory=list)  # H.6.4 wire records, oldest first
    own_coupons: list[dict[str, Any]] = field(default_factory=list)  # H.6.5 wire records: the partner's own
    added_fees: list[Any] = field(default_factory=list)  # fee records added now (``_history.add_consumption``)

    def customer(self, customer_id: str, now: datetime) -> SubCustomer | None:
        for customer in self.customers:
            if customer.customer_id == customer_id and customer.visible(now):
                return customer
        return None


@dataclass(slots=True)
class VerificationCode:
    code: str
    expires_at: datetime


class SimulatorState:
    """All partner accounts of one simulator instance, its clock, and what is shared between them."""

    def __init__(
        self,
        partners: Iterable[PartnerState],
        clock: Callable[[], datetime],
        *,
        seed: int = 0,
        association_delay: timedelta = timedelta(seconds=2),
    ) -> None:
        self.clock = clock
        self.seed = seed
        self.association_delay = association_delay
        self.lock = threading.RLock()
        self._rng = random.Random(f"ids/{seed}")  # noqa: S311 (simulated ids, not crypto)
        self._serial = 0
        self._codes: dict[str, VerificationCode] = {}
        self._by_access_key: dict[str, PartnerState] = {}
        self._by_domain_id: dict[str, PartnerState] = {}
        for partner in partners:
            if partner.account.access_key in self._by_access_key:
                raise ValueError(f"duplicate access key for {partner.account.name or partner.account.domain_id}")
            self._by_access_key[partner.account.access_key] = partner
            self._by_domain_id[partner.account.domain_id] = partner

    def by_access_key(self, access_key: str) -> PartnerState | None:
        return self._by_access_key.get(access_key)

    def by_domain_id(self, domain_id: str) -> PartnerState | None:
        return self._by_domain_id.get(domain_id)

    @property
    def partners(self) -> tuple[PartnerState, ...]:
        return tuple(self._by_access_key.values())

    def children(self, parent: PartnerState) -> list[PartnerState]:
        """The tier-2 resellers under ``parent``."""
        return [p for p in self.partners if p.account.parent_domain_id == parent.account.domain_id]

    def new_id(self, prefix: str = "", bits: int = 128) -> str:
        with self.lock:
            return prefix + f"{self._rng.getrandbits(bits):0{bits // 4}x}"

    def new_serial(self, prefix: str) -> str:
        """A transaction-style id: prefix, the clock's date and time, and a running number."""
        with self.lock:
            self._serial += 1
            return f"{prefix}{self.clock():%y%m%d%H%M%S}{self._serial:06d}"

    def issue_code(self, mobile_phone: str, minutes: int) -> str:
        """Record a new SMS code for ``mobile_phone`` (the previous one is replaced)."""
        with self.lock:
            code = f"{self._rng.randrange(10**6):06d}"
            self._codes[mobile_phone] = VerificationCode(code, self.clock() + timedelta(minutes=minutes))
            return code

    def verification_code(self, mobile_phone: str) -> str | None:
        """The code last sent to ``mobile_phone`` if still valid: how a test reads the 'SMS'."""
        with self.lock:
            sent = self._codes.get(mobile_phone)
            return sent.code if sent is not None and sent.expires_at >= self.clock() else None

    def code_expiry(self, mobile_phone: str) -> datetime | None:
        with self.lock:
            sent = self._codes.get(mobile_phone)
            return sent.expires_at if sent is not None else None

    def consume_code(self, mobile_phone: str, code: str) -> bool:
        """True (and the code is used up) if ``code`` is the valid, unexpired code for the phone."""
        with self.lock:
            sent = self._codes.get(mobile_phone)
            if sent is None or sent.code != code or sent.expires_at < self.clock():
                return False
            del self._codes[mobile_phone]
            return True
