"""Consumption: what customers consumed, per customer, per partner account and across all of them."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway import consumption as domain
from gateway import models
from gateway.errors import InvalidInput
from gateway.schema.context import Context
from gateway.schema.money import Money
from gateway.schema.partners import Partner
from gateway.schema.partners import partner_ids as decode_partner_ids

if TYPE_CHECKING:
    from gateway.schema.customers import Customer

__all__ = [
    "Consumption",
    "ConsumptionFigure",
    "ConsumptionQuery",
    "ConsumptionSourceEnum",
    "GranularityEnum",
    "month_range",
]

Info = strawberry.Info[Context, None]

ConsumptionSourceEnum = strawberry.enum(
    models.ConsumptionSource,
    name="ConsumptionSource",
    description=(
        "Where a figure comes from: BILL, the cloud's bill records (Huawei), what customers were charged; ORDERS, "
        "paid orders by the day they were paid (Aliyun, whose amounts per customer are only in bill files), an "
        "estimate that leaves out pay-per-use usage billed without an order. The two are never summed together."
    ),
)
GranularityEnum = strawberry.enum(
    domain.Granularity, name="Granularity", description="The step of a consumption trend: a day or a month."
)
TOP = 10
FirstArgument = Annotated[int, strawberry.argument(description="How many, 1 to 100 (default 10).")]


def month_range(start: str | None, end: str | None) -> domain.MonthRange:
    """``from``/``to`` as given: at most 24 months, not reversed (``BAD_USER_INPUT`` with a ``reason``)."""
    return domain.MonthRange.of(start, end)


def _first(first: int) -> int:
    if not 1 <= first <= 100:
        raise InvalidInput("first must be 1 to 100", field="first")
    return first


@strawberry.type(description="An amount in one currency from one source: amounts are never summed across either.")
class ConsumptionFigure:
    amount: Money = strawberry.field(description="The amount, after discounts; negative for refunds.")
    source: ConsumptionSourceEnum = strawberry.field(description="Where the figure comes from.")  # type: ignore[valid-type]

    @classmethod
    def of(cls, figure: domain.Figure) -> ConsumptionFigure:
        return cls(amount=Money.of(figure.amount), source=figure.source)


@strawberry.type(description="One product's consumption over the range (per currency and source).")
class ProductConsumption:
    product_code: str = strawberry.field(description="The upstream's product code (e.g. ecs, hws.service.type.ec2).")
    product_name: str = strawberry.field(description="The product's name, as the upstream gives it.")
    amount: Money = strawberry.field(description="What the product's consumption came to.")
    source: ConsumptionSourceEnum = strawberry.field(description="Where the figure comes from.")  # type: ignore[valid-type]


@strawberry.type(description="One customer's consumption over the range (per currency and source).")
class CustomerConsumption:
    native_id: str = strawberry.field(description="The customer's upstream id.")
    amount: Money = strawberry.field(description="What the customer's consumption came to.")
    source: ConsumptionSourceEnum = strawberry.field(description="Where the figure comes from.")  # type: ignore[valid-type]
    account: strawberry.Private[models.PartnerAccount]

    @strawberry.field(description="The partner account the customer belongs to.")
    def partner(self) -> Partner:
        return Partner.from_account(self.account)

    @strawberry.field(description="The customer (null if the upstream no longer lists it).")
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("gateway.schema.customers")] | None:
        from gateway.schema.customers import Customer

        found = await info.context.session.customer(self.account.id, self.native_id)
        return Customer.from_domain(found, self.account) if found is not None else None


@strawberry.type(description="A step of a trend: a day or a month, and what was consumed in it.")
class ConsumptionPoint:
    period: str = strawberry.field(description="The day (YYYY-MM-DD) or the month (YYYY-MM).")
    amount: Money = strawberry.field(description="What was consumed in the period (zero: nothing).")
    source: ConsumptionSourceEnum = strawberry.field(description="Where the figure comes from.")  # type: ignore[valid-type]


@strawberry.type(description="The change from one month to the next, per currency and source.")
class ConsumptionChange:
    difference: Money = strawberry.field(description="This month's amount less the previous month's.")
    percent: Decimal | None = strawberry.field(
        description="The difference as a percentage of the previous month (two places; null when it was zero)."
    )
    source: ConsumptionSourceEnum = strawberry.field(description="Where the figures come from.")  # type: ignore[valid-type]


@strawberry.type(description="The range's last month (this month, by default) against the month before it.")
class ConsumptionComparison:
    month: str = strawberry.field(description="The month compared (YYYY-MM).")
    previous_month: str = strawberry.field(description="The month before it.")
    current: list[ConsumptionFigure] = strawberry.field(description="The month's totals.")
    previous: list[ConsumptionFigure] = strawberry.field(description="The previous month's totals.")
    change: list[ConsumptionChange] = strawberry.field(description="From the previous month to this one.")

    @classmethod
    def of(cls, comparison: domain.Comparison) -> ConsumptionComparison:
        changes = []
        for now, before in zip(comparison.current, comparison.previous, strict=True):
            difference = now.amount.amount - before.amount.amount
            percent = (
                (difference * 100 / before.amount.amount).quantize(Decimal("0.01")) if before.amount.amount else None
            )
            changes.append(
                ConsumptionChange(
                    difference=Money.of(models.Money(difference, now.amount.currency)),
                    percent=percent,
                    source=now.source,
                )
            )
        return cls(
            month=comparison.month,
            previous_month=comparison.previous_month,
            current=[ConsumptionFigure.of(f) for f in comparison.current],
            previous=[ConsumptionFigure.of(f) for f in comparison.previous],
            change=changes,
        )


@strawberry.type(
    description=(
        "Consumption over a range of billing months: totals, products, customers, a trend and the last month "
        "against the one before. Figures are per currency and per source (bills, or paid orders as an estimate). "
        "A sales key's figures cover its own customers only."
    )
)
class Consumption:
    start: str = strawberry.field(name="from", description="The range's first month (YYYY-MM).")
    end: str = strawberry.field(name="to", description="The range's last month (YYYY-MM).")
    record: strawberry.Private[domain.Consumption]
    granularity: strawberry.Private[domain.Granularity]
    accounts: strawberry.Private[dict[str, models.PartnerAccount]]

    @classmethod
    def of(
        cls,
        record: domain.Consumption,
        accounts: dict[str, models.PartnerAccount],
        granularity: domain.Granularity = domain.Granularity.MONTH,
    ) -> Consumption:
        return cls(
            start=record.range.start, end=record.range.end, record=record, granularity=granularity, accounts=accounts
        )

    @strawberry.field(description="The range's totals, one per currency and source.")
    def totals(self) -> list[ConsumptionFigure]:
        return [ConsumptionFigure.of(f) for f in self.record.totals()]

    @strawberry.field(description="Products, per source, largest first within a currency.")
    def by_product(self, first: FirstArgument = TOP) -> list[ProductConsumption]:
        return [
            ProductConsumption(
                product_code=p.product_code,
                product_name=p.product_name,
                amount=Money.of(p.figure.amount),
                source=p.figure.source,
            )
            for p in self.record.by_product()[: _first(first)]
        ]

    @strawberry.field(description="Customers, per source, largest first within a currency.")
    def top_customers(self, first: FirstArgument = TOP) -> list[CustomerConsumption]:
        return [
            CustomerConsumption(
                native_id=c.customer_id,
                amount=Money.of(c.figure.amount),
                source=c.figure.source,
                account=self.accounts[c.account_id],
            )
            for c in self.record.by_customer()[: _first(first)]
        ]

    @strawberry.field(
        description="Every month of the range (every day, for a customer asked by DAY), zero where nothing was "
        "consumed, per currency and source."
    )
    def trend(self) -> list[ConsumptionPoint]:
        return [
            ConsumptionPoint(period=p.period, amount=Money.of(p.figure.amount), source=p.figure.source)
            for p in self.record.trend(self.granularity)
        ]

    @strawberry.field(description="The range's last month against the month before it.")
    def month_over_month(self) -> ConsumptionComparison:
        return ConsumptionComparison.of(self.record.comparison())

    @strawberry.field(
        description="The partner accounts whose figures are in (one that failed is reported as an error)."
    )
    def partners(self) -> list[Partner]:
        return [Partner.from_account(self.accounts[a]) for a in self.record.accounts]


def _accounts(info: Info, record: domain.Consumption) -> dict[str, models.PartnerAccount]:
    return {a: info.context.session.account(a) for a in {*record.accounts, *(f.account_id for f in record.failures)}}


async def partner_consumption(
    info: Info, account: models.PartnerAccount, start: str | None, end: str | None
) -> Consumption:
    record = await info.context.session.partner_consumption(account.id, month_range(start, end))
    return Consumption.of(record, {account.id: account})


async def customer_consumption(
    info: Info,
    account: models.PartnerAccount,
    customer_id: str,
    start: str | None,
    end: str | None,
    granularity: domain.Granularity,
) -> Consumption | None:
    record = await info.context.session.customer_consumption(
        account.id, customer_id, month_range(start, end), granularity
    )
    return Consumption.of(record, {account.id: account}, granularity) if record is not None else None


@strawberry.type
class ConsumptionQuery:
    @strawberry.field(
        description=(
            "Customers' consumption across partner accounts (those whose cloud reports it), over a range of at most "
            "24 months: from defaults to 11 months before to, to to this month. An account that fails is reported "
            "as an error beside the others' figures. Sales keys: their own customers' figures only."
        )
    )
    async def consumption(
        self,
        info: Info,
        start: Annotated[str | None, strawberry.argument(name="from", description="The first month, YYYY-MM.")] = None,
        end: Annotated[str | None, strawberry.argument(name="to", description="The last month, YYYY-MM.")] = None,
        provider: Annotated[str | None, strawberry.argument(description="One provider's accounts only.")] = None,
        partner_ids: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description="These partner accounts only (global ids).")
        ] = None,
    ) -> Consumption:
        span = month_range(start, end)
        record = await info.context.session.consumption(span, provider, decode_partner_ids(partner_ids))
        info.context.report(record.failures, info.path, f"consumption:{span.start}:{span.end}")
        return Consumption.of(record, _accounts(info, record))
