"""Reference data: regions and pay-per-use price quotes, both cached by the gateway. Both depend on an
upstream, so both are nullable: a failing upstream gives null and an error at its path, not ``data: null``."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from gateway import models
from gateway.errors import InvalidInput
from gateway.schema.context import Context
from gateway.schema.money import Money
from gateway.schema.partners import partner_ids

__all__ = ["PriceItemInput", "ReferenceQuery", "Region"]

Info = strawberry.Info[Context, None]

RegionLevelEnum = strawberry.enum(models.RegionLevel, name="RegionLevel")
PeriodUnitEnum = strawberry.enum(models.PeriodUnit, name="PeriodUnit", description="The unit of a subscription period.")
CatalogueKindEnum = strawberry.enum(
    models.CatalogueKind,
    name="CatalogueKind",
    description=(
        "A code table that bills and price inquiries refer to: service types, resource types (of a service type), "
        "usage types (of a resource type) and measure units."
    ),
)


@strawberry.type(description="A country (Aliyun) or a province, city or county (Huawei).")
class Region:
    code: str
    name: str
    level: RegionLevelEnum  # type: ignore[valid-type]
    parent_code: str | None


@strawberry.type(description="One discount the customer has, and the subscription's price with it (Huawei).")
class PriceOffer:
    discount_id: str | None = strawberry.field(description="The cloud's id of the discount.")
    name: str | None = strawberry.field(description="The discount's name.")
    kind: str | None = strawberry.field(
        description="The cloud's discount type (Huawei 605 commercial, 606 partner-granted, 607 partner-set rate)."
    )
    list_price: Money = strawberry.field(description="The list price.")
    discount: Money = strawberry.field(description="What this discount takes off.")
    amount: Money = strawberry.field(description="List price minus this discount.")
    best: bool = strawberry.field(description="Whether this is the best of the customer's offers.")


@strawberry.type(
    description=(
        "What resources would cost: list price, discount, and the amount due (pay-per-use, or a subscription when "
        "the items name a period; then `offers` lists every discount the customer has)."
    )
)
class PriceQuote:
    list_price: Money
    discount: Money
    amount: Money
    offers: list[PriceOffer] = strawberry.field(description="A subscription quote's discounts, each with its price.")


@strawberry.type(description="One code of a catalogue table (Huawei H.6.9) and its name.")
class CatalogueEntry:
    kind: CatalogueKindEnum = strawberry.field(description="Which table it is from.")  # type: ignore[valid-type]
    code: str = strawberry.field(description="The code bills and price inquiries use.")
    name: str = strawberry.field(description="Its name.")
    parent_code: str | None = strawberry.field(
        description="A resource type's service type; a usage type's resource type."
    )
    description: str | None = strawberry.field(description="More about it (an abbreviation or a description).")


@strawberry.input(description="One product of a price inquiry, in the provider's product coordinates.")
class PriceItemInput:
    region: str
    service_type: str = strawberry.field(description="e.g. hws.service.type.ec2")
    resource_type: str = strawberry.field(description="e.g. hws.resource.type.vm")
    resource_spec: str = strawberry.field(description="e.g. s6.small.1.linux")
    usage_factor: str = "Duration"
    usage_value: Decimal = Decimal(1)
    usage_measure_id: int = 4
    quantity: int = 1
    resource_size: int | None = None
    size_measure_id: int | None = None
    period_unit: PeriodUnitEnum | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="With `periodCount`: a subscription price for `quantity` subscriptions (Huawei)."
    )
    period_count: int | None = strawberry.field(default=None, description="How many `periodUnit`s.")

    def to_domain(self) -> models.PriceItem:
        if (self.period_unit is None) != (self.period_count is None):
            raise InvalidInput("a subscription period needs both periodUnit and periodCount", "items.periodCount")
        if self.period_count is not None and not 1 <= self.period_count <= 120:
            raise InvalidInput("a subscription lasts 1 to 120 periods", "items.periodCount")
        if not 1 <= self.quantity <= 10_000:
            raise InvalidInput("the quantity is 1 to 10000", "items.quantity")
        return models.PriceItem(
            region=self.region,
            service_type=self.service_type,
            resource_type=self.resource_type,
            resource_spec=self.resource_spec,
            usage_factor=self.usage_factor,
            usage_value=self.usage_value,
            usage_measure_id=self.usage_measure_id,
            quantity=self.quantity,
            resource_size=self.resource_size,
            size_measure_id=self.size_measure_id,
            period=_period(self.period_unit, self.period_count),
        )


def _period(unit: models.PeriodUnit | None, count: int | None) -> models.PricePeriod | None:
    return models.PricePeriod(unit, count) if unit is not None and count is not None else None


@strawberry.type
class ReferenceQuery:
    @strawberry.field(description="Regions of one provider and level; cities and counties need a parent code.")
    async def regions(
        self,
        info: Info,
        provider: str,
        level: RegionLevelEnum,  # type: ignore[valid-type]
        parent_code: str | None = None,
    ) -> list[Region] | None:
        found = await info.context.session.regions(provider, level, parent_code)
        return [Region(code=r.code, name=r.name, level=r.level, parent_code=r.parent_code) for r in found]

    @strawberry.field(
        description="A pay-per-use price inquiry for a customer's project (Huawei), at the upstream's precision."
    )
    async def price_quote(
        self, info: Info, partner_id: strawberry.ID, customer_project_id: str, items: list[PriceItemInput]
    ) -> PriceQuote | None:
        [account_id] = partner_ids([partner_id]) or ()
        request = models.PriceRequest(customer_project_id, tuple(item.to_domain() for item in items))
        quote = await info.context.session.quote_price(account_id, request)
        return PriceQuote(
            list_price=Money.exact(quote.list_price),
            discount=Money.exact(quote.discount),
            amount=Money.exact(quote.amount),
            offers=[
                PriceOffer(
                    discount_id=o.discount_id,
                    name=o.name,
                    kind=o.kind,
                    list_price=Money.exact(o.list_price),
                    discount=Money.exact(o.discount),
                    amount=Money.exact(o.amount),
                    best=o.best,
                )
                for o in quote.offers
            ],
        )

    @strawberry.field(
        description=(
            "A code table of one provider's product catalogue (Huawei): resource types of a service type, usage "
            "types of a resource type with `parentCode`. Cached by the gateway."
        )
    )
    async def catalogue(
        self,
        info: Info,
        provider: str,
        kind: CatalogueKindEnum,  # type: ignore[valid-type]
        parent_code: str | None = None,
    ) -> list[CatalogueEntry] | None:
        found = await info.context.session.catalogue(provider, kind, parent_code)
        return [
            CatalogueEntry(kind=e.kind, code=e.code, name=e.name, parent_code=e.parent_code, description=e.description)
            for e in found
        ]
