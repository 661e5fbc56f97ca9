"""Reference data: regions and pay-per-use price quotes, both cached by the gateway. Both depend on an
upstream, so both are nullable: a failing upstream gives null and an error at its path, not ``data: null``."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from gateway import models
from gateway.schema.context import Context
from gateway.schema.money import Money
from gateway.schema.partners import partner_ids

__all__ = ["PriceItemInput", "ReferenceQuery", "Region"]

Info = strawberry.Info[Context, None]

RegionLevelEnum = strawberry.enum(models.RegionLevel, name="RegionLevel")


@strawberry.type(description="A country (Aliyun) or a province, city or county (Huawei).")
class Region:
    code: str
    name: str
    level: RegionLevelEnum  # type: ignore[valid-type]
    parent_code: str | None


@strawberry.type(description="What pay-per-use resources would cost: list price, discount, and the amount due.")
class PriceQuote:
    list_price: Money
    discount: Money
    amount: Money


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

    def to_domain(self) -> models.PriceItem:
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
        )


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
        )
