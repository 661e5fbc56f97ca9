"""The simulator's state: partner accounts keyed by AccessKeyId, each with its own customers."""

from __future__ import annotations

import enum
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from adapters.aliyun._roles import PartnerRole
from adapters.aliyun.simulator._records import (
    BillFile,
    BillSubscription,
    Coupon,
    CouponTemplate,
    CreditHistory,
    CustomerFiling,
    Note,
    Order,
    OssPush,
    SubPartner,
    Tier2CouponApplication,
)

__all__ = [
    "INVITATION_VALIDITY",
    "Clock",
    "EndAccount",
    "Invitation",
    "InvitationStatus",
    "NonceCache",
    "PartnerState",
    "SimulatedClock",
    "SimulatedPartner",
    "SimulatorState",
]

#: Returns the simulator's "now", timezone-aware.
Clock = Callable[[], datetime]

#: Registration links are valid for 72 hours (DOMAIN.md, seed 000); ``Days`` in the replies is 3.
INVITATION_VALIDITY = timedelta(hours=72)


class SimulatedClock:
    """A clock that stands still until told to move; for expiry and replay-window tests."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta | float) -> datetime:
        self._now += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment


@dataclass(frozen=True, slots=True)
class SimulatedPartner:
    """A partner account the simulator accepts: its AccessKey pair, role and display name."""

    access_key_id: str
    access_key_secret: str
    role: PartnerRole = PartnerRole.DISTRIBUTOR
    name: str = "Simulated Aliyun partner"
    customers: int = 36


@dataclass(slots=True)
class EndAccount:
    """A sub-account linked to the partner, as GetAccountInfo reports it (A.4.3)."""

    uid: int
    cid: int
    user_type: int  # 1 end user, 2 enterprise, 3 T2 partner
    nickname: str
    aliyun_id: str
    email: str
    mobile: str
    sub_account_type: int  # 1 agency's end user, 2 reseller's end user, 5 reseller's T2 (A.4.1)
    customer_account_type: int
    enterprise_certified: int
    customer_bd: str
    new_buy_status: str  # "normal" | "ban"
    delay_status: str
    delay_amount: Decimal
    associated_at: datetime
    register_country_code: str
    remark: str
    # Credit (GetCreditInfo, A.4.8). Available credit = line - consumed-undeducted - outstanding.
    credit_line: Decimal = Decimal("0.00")
    consumed: Decimal = Decimal("0.00")
    outstanding: Decimal = Decimal("0.00")
    alarm_threshold: int = 80
    shutdown_policy: str = "3"  # ZeroCreditShutdownPolicy: 1 delayStop, 2 noStop, 3 immediatelyStop
    frozen: bool = False  # EditEndUserStatus postPayFreeze / postPayThaw (PAYGFreezeStatus)
    auto_write_off: bool = False  # AutomaticWriteOff (A.7.1): enabled, and its AutomaticWriteOffAmount
    auto_write_off_amount: int | None = None
    invite_id: int | None = None

    @property
    def available(self) -> Decimal:
        return self.credit_line - self.consumed - self.outstanding

    @property
    def account_status(self) -> str:
        if self.available < 0 and self.shutdown_policy == "3":
            return "shutdown"
        return "arrearsNotShutdown" if self.outstanding > 0 else "normal"


class InvitationStatus(enum.Enum):
    """The simulator's invitation states, with the integer ``Status`` it reports for each (the SDK
    documents no codes for GetInviteStatus / GetUnassociatedCustomer ``Status``: a documented choice)."""

    PENDING = 0
    ASSOCIATED = 1
    EXPIRED = 2


@dataclass(slots=True)
class Invitation:
    """An InviteSubAccount invitation not (yet) accepted: not listed by GetAccountInfo."""

    invite_id: int
    email: str
    nickname: str
    sub_account_type: int
    customer_bd: str
    sent_at: datetime
    expires_at: datetime
    cid: int | None = None
    credit_line: Decimal = Decimal("0.00")
    new_buy_status: str = "normal"
    shutdown_policy: str = "3"
    remark: str = ""
    register_nation: str = "CN"
    reseller: bool = False  # InviteSubReseller: the invitee becomes a T2 partner (UserType 3)
    uid: int | None = None  # the registered account, once associated
    associated_at: datetime | None = None
    created_at: datetime | None = None

    def status(self, now: datetime) -> InvitationStatus:
        if self.associated_at is not None:
            return InvitationStatus.ASSOCIATED
        return InvitationStatus.PENDING if now < self.expires_at else InvitationStatus.EXPIRED

    @property
    def reg_url(self) -> str:
        return f"https://agency.aliyun.com/invite/register?inviteId={self.invite_id}"


@dataclass(slots=True)
class PartnerState:
    """One partner account's data."""

    partner: SimulatedPartner
    accounts: list[EndAccount] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    uid: int = 0  # the partner's own main-account UID (note ``Creator``)
    login: str = ""
    filings: list[CustomerFiling] = field(default_factory=list)
    templates: list[CouponTemplate] = field(default_factory=list)
    coupons: list[Coupon] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    sub_partner_orders: list[Order] = field(default_factory=list)
    sub_partners: list[SubPartner] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    credit_history: CreditHistory = field(default_factory=CreditHistory)
    """Credit-control logs and export tasks (A.7: quota, purchase control, shutdown policy, write-offs)."""
    emails_sent: list[datetime] = field(default_factory=list)
    tier2_applications: list[Tier2CouponApplication] = field(default_factory=list)
    bill_subscriptions: list[BillSubscription] = field(default_factory=list)
    oss_pushes: list[OssPush] = field(default_factory=list)
    journal: list[tuple[str, str]] = field(default_factory=list)
    """(Action, RequestId) of every write applied: what fault-injection tests count."""

    @property
    def is_distributor(self) -> bool:
        return self.partner.role is PartnerRole.DISTRIBUTOR

    def accounts_of_type(self, user_type: int) -> list[EndAccount]:
        return [account for account in self.accounts if account.user_type == user_type]

    def account(self, uid: int) -> EndAccount | None:
        return next((account for account in self.accounts if account.uid == uid), None)

    def invitation(self, invite_id: int) -> Invitation | None:
        return next((item for item in self.invitations if item.invite_id == invite_id), None)

    def filing(self, cid: int) -> CustomerFiling | None:
        return next((item for item in self.filings if item.cid == cid), None)


class NonceCache:
    """Signature nonces seen per AccessKeyId, remembered for ``ttl`` after they arrive."""

    def __init__(self, ttl: timedelta) -> None:
        self._ttl = ttl
        self._seen: OrderedDict[tuple[str, str], datetime] = OrderedDict()

    def seen(self, access_key_id: str, nonce: str, now: datetime) -> bool:
        self._expire(now)
        return (access_key_id, nonce) in self._seen

    def remember(self, access_key_id: str, nonce: str, now: datetime) -> None:
        self._seen[(access_key_id, nonce)] = now

    def _expire(self, now: datetime) -> None:
        while self._seen:
            key, arrived = next(iter(self._seen.items()))
            if now - arrived < self._ttl:
                break
            del self._seen[key]


@dataclass(slots=True)
class SimulatorState:
    """Everything the simulator knows. Handlers read and change it; nothing else does."""

    partners: dict[str, PartnerState]
    clock: Clock
    """The wall clock signatures are checked against (x-acs-date within 15 minutes)."""
    nonces: NonceCache
    foreign: dict[str, int] = field(default_factory=dict)
    """Aliyun accounts (login email -> UID) that belong to partners outside the simulator."""
    offset: timedelta = timedelta(0)
    """How far business time (invitation expiry, e-mail limits) runs ahead of ``clock``."""
    lock: threading.RLock = field(default_factory=threading.RLock)
    """Held for every request and control action: state changes are atomic under uvicorn's threads."""
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(9_300_000_000_000_001))
    bill_files: dict[str, BillFile] = field(default_factory=dict)
    """GetDailyBill / GetMonthlyBill download links by token (served by ``_bills.download``)."""

    def partner(self, access_key_id: str) -> PartnerState | None:
        return self.partners.get(access_key_id)

    def now(self) -> datetime:
        """Business time: the clock plus what ``advance`` added."""
        return self.clock() + self.offset

    def advance(self, delta: timedelta) -> datetime:
        """Move business time (not the signature clock), e.g. past an invitation's 72 hours."""
        with self.lock:
            self.offset += delta
            return self.now()

    def next_id(self) -> int:
        """A fresh 64-bit id (above 2**53, so clients must keep ids exact)."""
        return next(self.ids)

    def owner_of(self, *, email: str | None = None, uid: int | None = None) -> str | None:
        """The AccessKeyId of the partner an Aliyun account belongs to, ``"foreign"`` for one outside
        the simulator, ``None`` if it belongs to nobody."""
        for key, partner in self.partners.items():
            for account in partner.accounts:
                if (email is not None and account.email == email) or (uid is not None and account.uid == uid):
                    return key
        if (email is not None and email in self.foreign) or (uid is not None and uid in self.foreign.values()):
            return "foreign"
        return None
