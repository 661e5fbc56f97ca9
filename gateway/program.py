"""Program standing: where a partner account (or one of its tier-2 resellers) stands in its cloud's partner
program, owned by the gateway because no API gives it (CONTRACTS.md X.3: no API defines or reports rebate
tiers, and none a tier-2's annual performance).

Which roles earn tiered rebates, which earn no incentives and which are measured against the upgrade line are
the programs' facts (``ProgramFacts``, from each plug-in). The figures are policy (``[program]``,
``gateway.config_tables.ProgramConfig``): the rebate tiers' thresholds (the default rates are the documented
15 % to 35 %; the default thresholds are placeholders, not the cloud's), the fiscal year's first month and the
upgrade line (800,000 by default). Performance is the fiscal year's consumption to date, in the program's
currency, from the figures ``gateway.consumption`` reads: paid orders where the cloud gives no bills, which
the standing says (``source``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from gateway.config_tables import ProgramConfig, RebateTier
from gateway.consumption import Figure, MonthRange, current_month, figures, shift_month
from gateway.models import ConsumptionLine, ConsumptionSource, Money, ProgramFacts

__all__ = ["FiscalYear", "RebateStanding", "Standing", "UpgradeStanding", "fiscal_year", "standing"]


@dataclass(frozen=True, slots=True)
class FiscalYear:
    """A fiscal year (``start`` to ``end``, months) and the part of it up to this month."""

    start: str
    end: str
    to_date: MonthRange


def fiscal_year(config: ProgramConfig, now: datetime | None = None) -> FiscalYear:
    """The fiscal year this month is in (billing months, UTC+8)."""
    month = current_month(now)
    year = int(month[:4]) if int(month[5:7]) >= config.fiscal_year_start_month else int(month[:4]) - 1
    start = f"{year:04d}-{config.fiscal_year_start_month:02d}"
    return FiscalYear(start, shift_month(start, 11), MonthRange(start, month))


@dataclass(frozen=True, slots=True)
class RebateStanding:
    """The rebate tier the performance reaches, and the next one."""

    tiers: tuple[RebateTier, ...]
    tier: int | None
    """1 for the lowest tier; None below it."""
    rate: Decimal | None
    """Percent."""
    next_rate: Decimal | None
    next_threshold: Money | None
    to_go: Money | None
    """What is left to consume to reach the next tier (None at the top)."""


@dataclass(frozen=True, slots=True)
class UpgradeStanding:
    """A tier-2's performance against the upgrade line toward tier-1."""

    line: Money
    reached: bool
    to_go: Money
    """Zero once reached."""


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an account (or a tier-2 reseller of it) stands in its program this fiscal year."""

    role: str
    fiscal_year: FiscalYear
    performance: Money
    """The fiscal year's consumption to date, in the program's currency."""
    sources: tuple[ConsumptionSource, ...]
    """Where the performance figures come from (bills, or paid orders as an estimate)."""
    not_counted: tuple[Figure, ...]
    """Consumption in other currencies than the program's: not counted."""
    incentives: bool
    rebate: RebateStanding | None
    """None: the role earns no tiered rebate."""
    upgrade: UpgradeStanding | None
    """None: the role is not measured against the upgrade line."""


def standing(
    facts: ProgramFacts, role: str, lines: Iterable[ConsumptionLine], config: ProgramConfig, year: FiscalYear
) -> Standing:
    """The standing of ``role`` in the program ``facts`` describe, from the fiscal year's ``lines``."""
    currency = config.currency
    counted, other = Decimal(0), []
    sources: set[ConsumptionSource] = set()
    months = set(year.to_date.months)
    for line in lines:
        if line.month not in months:
            continue
        if line.amount.currency == currency:
            counted += line.amount.amount
            sources.add(line.source)
        else:
            other.append(line)
    performance = Money(counted, currency)
    return Standing(
        role=role,
        fiscal_year=year,
        performance=performance,
        sources=tuple(sorted(sources, key=lambda s: s.value)),
        not_counted=figures(other),
        incentives=role not in facts.no_incentive_roles,
        rebate=_rebate(performance, config.rebate_tiers) if role in facts.rebate_roles else None,
        upgrade=_upgrade(performance, config.upgrade_line) if role in facts.upgrade_roles else None,
    )


def _rebate(performance: Money, tiers: tuple[RebateTier, ...]) -> RebateStanding:
    reached = [n for n, tier in enumerate(tiers) if performance.amount >= tier.threshold]
    tier = reached[-1] if reached else None
    following = tiers[tier + 1] if tier is not None and tier + 1 < len(tiers) else tiers[0] if tier is None else None
    return RebateStanding(
        tiers=tiers,
        tier=None if tier is None else tier + 1,
        rate=None if tier is None else Decimal(tiers[tier].rate),
        next_rate=Decimal(following.rate) if following else None,
        next_threshold=Money(following.threshold, performance.currency) if following else None,
        to_go=Money(following.threshold - performance.amount, performance.currency) if following else None,
    )


def _upgrade(performance: Money, line: Decimal) -> UpgradeStanding:
    return UpgradeStanding(
        line=Money(line, performance.currency),
        reached=performance.amount >= line,
        to_go=Money(max(line - performance.amount, Decimal(0)), performance.currency),
    )
