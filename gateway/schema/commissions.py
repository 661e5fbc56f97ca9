"""What the partner earns and is billed by its cloud (Aliyun): commissionable products, renewal rates, and its own
bill and commission files. Not for sales keys."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from gateway import models
from gateway.schema.money import Money

__all__ = ["BillFile", "CommissionableProduct", "RenewalRate"]

BillFileKindEnum = strawberry.enum(
    models.BillFileKind,
    name="BillFileKind",
    description="The partner's monthly bill, its refund part, or a commission detail file.",
)


@strawberry.type(description="A product and whether it earns the partner commission or discount (Aliyun).")
class CommissionableProduct:
    product_code: str = strawberry.field(description="The cloud's product code.")
    product_name: str | None = strawberry.field(description="The product's name.")
    commodity_code: str | None = strawberry.field(description="The commodity (a product's sellable form) code.")
    commodity_name: str | None = strawberry.field(description="The commodity's name.")
    eligible_for_commission: str | None = strawberry.field(description="As the cloud reports it.")
    eligible_for_discount: str | None = strawberry.field(description="As the cloud reports it.")
    start_month: str | None = strawberry.field(description="From which month (YYYY-MM).")
    end_month: str | None = strawberry.field(description="Until which month (YYYY-MM).")
    status: str | None = strawberry.field(description="The cloud's status of the product's eligibility.")
    campaign: str | None = strawberry.field(description="The campaign the eligibility belongs to, if any.")

    @classmethod
    def from_domain(cls, product: models.CommissionableProduct) -> CommissionableProduct:
        return cls(
            product_code=product.product_code,
            product_name=product.product_name,
            commodity_code=product.commodity_code,
            commodity_name=product.commodity_name,
            eligible_for_commission=product.eligible_for_commission,
            eligible_for_discount=product.eligible_for_discount,
            start_month=product.start_month,
            end_month=product.end_month,
            status=product.status,
            campaign=product.campaign,
        )


@strawberry.type(
    description=(
        "The partner's renewals in one fiscal quarter (Aliyun): due, renewed and the rate (renewed / due, as the "
        "cloud reports it), overall and by who acquired the customer (the partner itself or its tier-2s)."
    )
)
class RenewalRate:
    quarter: str = strawberry.field(description="The fiscal quarter, YYYYQn (Aliyun's fiscal year starts in April).")
    renewal_due: Money = strawberry.field(description="What was due for renewal in the quarter.")
    renewed: Money = strawberry.field(description="What of it renewed.")
    rate: Decimal | None = strawberry.field(description="Renewed / due, as the cloud reports it.")
    other_bills: Money = strawberry.field(description="New purchases, upgrades and refunds of the quarter.")
    customer_due: Money = strawberry.field(description="Due for renewal: customers the partner acquired itself.")
    customer_renewed: Money = strawberry.field(description="Renewed: customers the partner acquired itself.")
    customer_rate: Decimal | None = strawberry.field(description="The renewal rate of those customers.")
    reseller_due: Money = strawberry.field(description="Due for renewal: customers its tier-2s acquired.")
    reseller_renewed: Money = strawberry.field(description="Renewed: customers its tier-2s acquired.")
    reseller_rate: Decimal | None = strawberry.field(description="The renewal rate of those customers.")

    @classmethod
    def from_domain(cls, rate: models.RenewalRate) -> RenewalRate:
        return cls(
            quarter=rate.quarter,
            renewal_due=Money.of(rate.renewal_due),
            renewed=Money.of(rate.renewed),
            rate=rate.rate,
            other_bills=Money.of(rate.other_bills),
            customer_due=Money.of(rate.customer_due),
            customer_renewed=Money.of(rate.customer_renewed),
            customer_rate=rate.customer_rate,
            reseller_due=Money.of(rate.reseller_due),
            reseller_renewed=Money.of(rate.reseller_renewed),
            reseller_rate=rate.reseller_rate,
        )


@strawberry.type(
    description=(
        "One of the partner's own bill or commission files for a month (Aliyun), with where to download it once "
        "ready. The amounts are in the file: the gateway does not read them (their columns are not published)."
    )
)
class BillFile:
    kind: BillFileKindEnum = strawberry.field(description="Which file it is.")  # type: ignore[valid-type]
    month: str = strawberry.field(description="The billing month, YYYY-MM.")
    name: str = strawberry.field(description="The file's name.")
    url: str | None = strawberry.field(description="Where to download it (null until it is ready).")
    ready: bool = strawberry.field(description="Whether the file can be downloaded now.")
    status: str | None = strawberry.field(description="The cloud's own status of the file's preparation.")
    policy: str | None = strawberry.field(description="A commission file's commission policy.")

    @classmethod
    def from_domain(cls, file: models.BillFile) -> BillFile:
        return cls(
            kind=file.kind,
            month=file.month,
            name=file.name,
            url=file.url,
            ready=file.ready,
            status=file.status,
            policy=file.policy,
        )
