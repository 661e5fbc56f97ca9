"""The simulator's state: partner accounts keyed by AccessKeyId, each with its own customers."""

from __future__ import annotations

import enum
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from gateway.models import PartnerRole

__all__ = [
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


class InvitationStatus(enum.Enum):
    PENDING = "pending"
    EXPIRED = "expired"


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

    def status(self, now: datetime) -> InvitationStatus:
        return InvitationStatus.PENDING if now < self.expires_at else InvitationStatus.EXPIRED


@dataclass(slots=True)
class PartnerState:
    """One partner account's data."""

    partner: SimulatedPartner
    accounts: list[EndAccount] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)

    def accounts_of_type(self, user_type: int) -> list[EndAccount]:
        return [account for account in self.accounts if account.user_type == user_type]


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
    nonces: NonceCache

    def partner(self, access_key_id: str) -> PartnerState | None:
        return self.partners.get(access_key_id)
