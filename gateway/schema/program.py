"""Program standing: where a partner account, or a tier-2 reseller of it, stands in its cloud's program."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from gateway import models
from gateway import program as domain
from gateway.schema.consumption import ConsumptionFigure, ConsumptionSourceEnum
from gateway.schema.money import Money, money

__all__ = ["ProgramStanding"]

POLICY = (
    "The gateway's [program] policy, not figures the cloud publishes: the rates default to the documented 15 % "
    "to 35 % in five tiers, the thresholds to placeholders a distributor sets to its contract's."
)


@strawberry.type(description="A fiscal year (its months) and how far into it the figures go.")
class FiscalYear:
    start: str = strawberry.field(description="The first month (YYYY-MM; [program] fiscal_year_start_month).")
    end: str = strawberry.field(description="The last month (YYYY-MM).")
    through: str = strawberry.field(description="The last month counted: this month.")


@strawberry.type(description="One rebate tier: from this annual consumption on, this rebate.")
class RebateTier:
    threshold: Money = strawberry.field(description="The annual consumption the tier starts at.")
    rate: Decimal = strawberry.field(description="The rebate, in percent.")


@strawberry.type(description=f"The rebate tier the fiscal year's consumption reaches, and the next one. {POLICY}")
class RebateStanding:
    tier: int | None = strawberry.field(description="1 for the lowest tier; null below it.")
    rate: Decimal | None = strawberry.field(description="The tier's rebate, in percent (null below the lowest).")
    next_rate: Decimal | None = strawberry.field(description="The next tier's rebate (null at the top).")
    next_threshold: Money | None = strawberry.field(description="Where the next tier starts (null at the top).")
    to_go: Money | None = strawberry.field(description="Consumption still needed for the next tier (null at the top).")
    tiers: list[RebateTier] = strawberry.field(description="Every tier, lowest first.")
    policy: str = strawberry.field(description="Where the tiers come from.")


@strawberry.type(
    description="A tier-2's annual performance against the upgrade line toward tier-1 (800,000 by default)."
)
class UpgradeStanding:
    line: Money = strawberry.field(description="The annual performance that allows applying for the upgrade.")
    reached: bool = strawberry.field(description="Whether the fiscal year's performance has reached the line.")
    to_go: Money = strawberry.field(description="How far the performance has to go (zero once reached).")


@strawberry.type(
    description=(
        "Where an account (or a tier-2 reseller) stands in its program this fiscal year, from its customers' "
        "consumption (owned by the gateway: no API reports it). Not for sales keys."
    )
)
class ProgramStanding:
    role: str = strawberry.field(description="The role measured, as the provider plug-in names it.")
    fiscal_year: FiscalYear = strawberry.field(description="The fiscal year the figures are for.")
    performance: Money = strawberry.field(
        description="The fiscal year's consumption to date, in the [program] currency."
    )
    sources: list[ConsumptionSourceEnum] = strawberry.field(  # type: ignore[valid-type]
        description="Where the performance comes from: bills, or paid orders (an estimate)."
    )
    not_counted: list[ConsumptionFigure] = strawberry.field(
        description="Consumption in other currencies than the [program] currency: not in the performance."
    )
    incentive_eligible: bool = strawberry.field(
        description="Whether the cloud pays the role incentives (a Huawei tier-2 earns none: its tier-1 does)."
    )
    rebate: RebateStanding | None = strawberry.field(
        description="The rebate tier (roles with tiered rebates: Aliyun partners); null otherwise."
    )
    upgrade: UpgradeStanding | None = strawberry.field(
        description="Against the upgrade line (a Huawei tier-2); null for other roles."
    )

    @classmethod
    def of(cls, standing: domain.Standing) -> ProgramStanding:
        year = standing.fiscal_year
        rebate = standing.rebate
        upgrade = standing.upgrade
        currency = standing.performance.currency
        return cls(
            role=standing.role,
            fiscal_year=FiscalYear(start=year.start, end=year.end, through=year.to_date.end),
            performance=Money.of(standing.performance),
            sources=list(standing.sources),
            not_counted=[ConsumptionFigure.of(f) for f in standing.not_counted],
            incentive_eligible=standing.incentives,
            rebate=None
            if rebate is None
            else RebateStanding(
                tier=rebate.tier,
                rate=rebate.rate,
                next_rate=rebate.next_rate,
                next_threshold=money(rebate.next_threshold),
                to_go=money(rebate.to_go),
                tiers=[
                    RebateTier(threshold=Money.of(models.Money(t.threshold, currency)), rate=Decimal(t.rate))
                    for t in rebate.tiers
                ],
                policy=POLICY,
            ),
            upgrade=None
            if upgrade is None
            else UpgradeStanding(line=Money.of(upgrade.line), reached=upgrade.reached, to_go=Money.of(upgrade.to_go)),
        )
