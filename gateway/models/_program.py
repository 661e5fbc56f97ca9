"""Partner accounts and the partner programs they belong to.

What a cloud's partner program is (its roles, currencies, filing limits, ...) is declared by that cloud's
provider plug-in as a ``ProgramFacts``; every partner account carries its program, so the gateway's rules
(``gateway.rules``) read the facts from the account and never name a cloud.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.models._core import _frozen_mapping
from gateway.models._customers import AccountType, CustomerKind


@dataclass(frozen=True, slots=True)
class ProgramFacts:
    """One cloud's partner program, as its plug-in declares it (DOMAIN.md) and the rules apply it.

    A third cloud brings its own facts with its plug-in; nothing in ``gateway/`` changes.
    """

    roles: Mapping[str, str]
    """Role name (an account's ``role`` in the config file) -> a short description of the role."""
    currencies: frozenset[str]
    """ISO 4217 codes the program's amounts may be given in."""
    money_account_types: frozenset[AccountType] = frozenset()
    """The customers whose money and vouchers the partner moves (credit lines, transfers, vouchers)."""
    filing_limits: Mapping[CustomerKind, int] = field(default_factory=dict)
    """How many filed accounts a customer of each kind may have; empty: the program files no customers."""
    projects_need_approval: bool = False
    """Whether a project filing waits for the cloud's approval and then the customer's confirmation."""
    intent_roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Intent kind (``gateway.writes``) -> the roles of this program that may perform it; an intent not
    named here is open to every role (whether the provider supports it at all is its capabilities' answer)."""
    precision: Decimal = Decimal("0.01")
    """The smallest step of an amount the upstream takes: a power of ten (``0.01``: to the cent)."""
    rebate_roles: frozenset[str] = frozenset()
    """The roles whose annual consumption earns a tiered rebate (the tiers are the gateway's ``[program]``
    policy, ``gateway.program``)."""
    no_incentive_roles: frozenset[str] = frozenset()
    """The roles the cloud pays no incentives (their tier-1 earns them)."""
    upgrade_roles: frozenset[str] = frozenset()
    """The roles whose annual performance is measured against the upgrade line toward tier-1."""
    reseller_role: str | None = None
    """The role a tier-2 reseller of an account of this program has (its standing is that role's)."""

    def __post_init__(self) -> None:
        # A plug-in may name its roles with its own str enum: the facts keep the names.
        object.__setattr__(self, "roles", _frozen_mapping({str(role): text for role, text in self.roles.items()}))
        object.__setattr__(self, "filing_limits", _frozen_mapping(self.filing_limits))
        object.__setattr__(
            self,
            "intent_roles",
            _frozen_mapping({str(kind): frozenset(map(str, roles)) for kind, roles in self.intent_roles.items()}),
        )
        object.__setattr__(self, "currencies", frozenset(self.currencies))
        object.__setattr__(self, "money_account_types", frozenset(self.money_account_types))
        for name in ("rebate_roles", "no_incentive_roles", "upgrade_roles"):
            roles = frozenset(map(str, getattr(self, name)))
            object.__setattr__(self, name, roles)
            if not roles <= frozenset(self.roles):
                raise ValueError(f"{name} must be some of {sorted(self.roles)}, not {sorted(roles)}")
        if self.reseller_role is not None:
            object.__setattr__(self, "reseller_role", str(self.reseller_role))
            if self.reseller_role not in self.roles:
                raise ValueError(f"reseller_role must be one of {sorted(self.roles)}, not {self.reseller_role!r}")
        if not self.roles or not all(self.roles):
            raise ValueError("a partner program declares at least one role, each a non-empty name")
        if not self.currencies or not all(_iso_code(code) for code in self.currencies):
            raise ValueError(f"currencies must be ISO 4217 codes such as 'CNY', not {sorted(self.currencies)}")
        if any(not isinstance(limit, int) or limit < 1 for limit in self.filing_limits.values()):
            raise ValueError("a filing limit is a whole number of accounts, at least 1")
        for kind, allowed in self.intent_roles.items():
            if not allowed or not allowed <= frozenset(self.roles):
                raise ValueError(f"the roles allowed to {kind} must be some of {sorted(self.roles)}, not {allowed}")
        if (
            not self.precision.is_finite()
            or self.precision <= 0
            or self.precision.normalize().as_tuple().digits != (1,)
        ):
            raise ValueError(
                f"the precision of amounts is a power of ten such as Decimal('0.01'), not {self.precision}"
            )


def _iso_code(code: object) -> bool:
    return isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper()


@dataclass(frozen=True, slots=True)
class PartnerAccount:
    """One partner account of the distributor at one upstream, as configured.

    ``role`` is one of ``program.roles``: the account's place in its cloud's partner program, named by the
    plug-in. ``settings`` holds the provider's non-secret options (a domain id, a page size, ...); the
    credentials are kept apart and never stored on this object.
    """

    id: str
    provider: str
    name: str
    role: str
    endpoint: str
    program: ProgramFacts
    settings: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings", _frozen_mapping(self.settings))
        object.__setattr__(self, "role", str(self.role))  # a plug-in's own role enum becomes its name
        if self.role not in self.program.roles:
            raise ValueError(f"{self.role!r} is not a role of the account's program ({', '.join(self.program.roles)})")
