"""The simulator's state: partner accounts keyed by AK, each with its own domain id, role and data."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.models import PartnerRole

__all__ = ["PartnerState", "SimAccount", "SimulatorState", "SubCustomer"]


@dataclass(frozen=True, slots=True)
class SimAccount:
    """A partner account the simulator knows: its AK/SK, domain id and place in the partner program.

    ``parent_domain_id`` is set on a tier-2 reseller: its tier-1 may act on its customers through
    ``indirect_partner_id`` (CONTRACTS.md H.4 shared notes).
    """

    access_key: str
    secret_key: str
    domain_id: str
    role: PartnerRole = PartnerRole.TIER1_DISTRIBUTOR
    name: str = ""
    parent_domain_id: str | None = None


@dataclass(slots=True)
class SubCustomer:
    """A customer associated with a partner, holding exactly the list_sub_customers fields (H.4.2)."""

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
class PartnerState:
    """One partner account and everything it owns upstream."""

    account: SimAccount
    customers: list[SubCustomer] = field(default_factory=list)  # in association order


class SimulatorState:
    """All partner accounts of one simulator instance, and its clock."""

    def __init__(self, partners: Iterable[PartnerState], clock: Callable[[], datetime]) -> None:
        self.clock = clock
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
