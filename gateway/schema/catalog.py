"""Vouchers, voucher quotas and orders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gateway import models
from gateway.filters import OrderFilter, VoucherFilter
from gateway.ids import encode_global_id
from gateway.pagination import Position
from gateway.schema.context import Context
from gateway.schema.json import jsonable
from gateway.schema.money import Money, money
from gateway.schema.partners import Partner, partner_ids
from gateway.schema.relay import Connection, Node, connection

if TYPE_CHECKING:
    from gateway.schema.customers import Customer

__all__ = [
    "Order",
    "OrderFilterInput",
    "OrderQuery",
    "Voucher",
    "VoucherFilterInput",
    "VoucherQuery",
    "VoucherQuota",
    "orders_connection",
    "vouchers_connection",
]

Info = strawberry.Info[Context, None]

VoucherStatusEnum = strawberry.enum(models.VoucherStatus, name="VoucherStatus")
VoucherQuotaStatusEnum = strawberry.enum(models.VoucherQuotaStatus, name="VoucherQuotaStatus")
OrderStatusEnum = strawberry.enum(models.OrderStatus, name="OrderStatus")
OrderTypeEnum = strawberry.enum(models.OrderType, name="OrderType")


async def visible_customer(info: Info, account: models.PartnerAccount, customer_id: str | None) -> Customer | None:
    """The customer with this id, if the principal may see it (one batched lookup per account)."""
    from gateway.schema.customers import Customer

    customer = await info.context.session.customer(account.id, customer_id) if customer_id is not None else None
    return Customer.from_domain(customer, account) if customer is not None else None


@strawberry.type(description="A voucher (代金券) issued to a customer.")
class Voucher(Node):
    id: strawberry.ID
    provider: str
    native_id: str
    face_value: Money
    remaining: Money
    status: VoucherStatusEnum  # type: ignore[valid-type]
    issued_at: datetime | None
    valid_from: datetime | None
    valid_until: datetime | None
    source_id: str | None = strawberry.field(description="Aliyun coupon template id; Huawei quota id.")
    extra: JSON
    record: strawberry.Private[models.Voucher]
    account: strawberry.Private[models.PartnerAccount]

    @classmethod
    def from_domain(cls, voucher: models.Voucher, account: models.PartnerAccount) -> Voucher:
        return cls(
            id=strawberry.ID(encode_global_id("Voucher", account.id, voucher.native_id)),
            provider=voucher.provider,
            native_id=voucher.native_id,
            face_value=Money.of(voucher.face_value),
            remaining=Money.of(voucher.remaining),
            status=voucher.status,
            issued_at=voucher.issued_at,
            valid_from=voucher.valid_from,
            valid_until=voucher.valid_until,
            source_id=voucher.source_id,
            extra=jsonable(voucher.extra),
            record=voucher,
            account=account,
        )

    @strawberry.field
    def partner(self) -> Partner:
        return Partner.from_account(self.account)

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("gateway.schema.customers")] | None:
        return await visible_customer(info, self.account, self.record.customer_id)


@strawberry.type(description="A voucher quota (Huawei): the partner's own, or one granted to a tier-2 reseller.")
class VoucherQuota(Node):
    id: strawberry.ID
    native_id: str
    total: Money
    remaining: Money
    status: VoucherQuotaStatusEnum  # type: ignore[valid-type]
    parent_id: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    created_at: datetime | None

    @classmethod
    def from_domain(cls, quota: models.VoucherQuota, account: models.PartnerAccount) -> VoucherQuota:
        return cls(
            id=strawberry.ID(encode_global_id("VoucherQuota", account.id, quota.native_id)),
            native_id=quota.native_id,
            total=Money.of(quota.total),
            remaining=Money.of(quota.remaining),
            status=quota.status,
            parent_id=quota.parent_id,
            valid_from=quota.valid_from,
            valid_until=quota.valid_until,
            created_at=quota.created_at,
        )


@strawberry.type(description="A customer's order.")
class Order(Node):
    id: strawberry.ID
    provider: str
    native_id: str
    status: OrderStatusEnum  # type: ignore[valid-type]
    order_type: OrderTypeEnum  # type: ignore[valid-type]
    product_code: str | None
    product_name: str | None
    list_price: Money | None
    amount_due: Money | None = strawberry.field(description="After discounts, before vouchers.")
    discount: Money | None
    voucher_amount: Money | None
    created_at: datetime | None
    paid_at: datetime | None
    project_id: str | None = strawberry.field(description="The upstream opportunity id (Aliyun ProjectId).")
    extra: JSON
    record: strawberry.Private[models.Order]
    account: strawberry.Private[models.PartnerAccount]

    @classmethod
    def from_domain(cls, order: models.Order, account: models.PartnerAccount) -> Order:
        return cls(
            id=strawberry.ID(encode_global_id("Order", account.id, order.native_id)),
            provider=order.provider,
            native_id=order.native_id,
            status=order.status,
            order_type=order.order_type,
            product_code=order.product_code,
            product_name=order.product_name,
            list_price=money(order.list_price),
            amount_due=money(order.amount_due),
            discount=money(order.discount),
            voucher_amount=money(order.voucher_amount),
            created_at=order.created_at,
            paid_at=order.paid_at,
            project_id=order.project_id,
            extra=jsonable(order.extra),
            record=order,
            account=account,
        )

    @strawberry.field
    def partner(self) -> Partner:
        return Partner.from_account(self.account)

    @strawberry.field
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("gateway.schema.customers")] | None:
        return await visible_customer(info, self.account, self.record.customer_id)


@strawberry.input
class VoucherFilterInput:
    provider: str | None = None
    partner_ids: list[strawberry.ID] | None = None
    customer_id: str | None = strawberry.field(default=None, description="A customer's native id.")
    status: VoucherStatusEnum | None = None  # type: ignore[valid-type]

    def to_filter(self) -> VoucherFilter:
        return VoucherFilter(
            provider=self.provider,
            partner_ids=partner_ids(self.partner_ids),
            customer_id=self.customer_id,
            status=self.status,
        )


@strawberry.input
class OrderFilterInput:
    provider: str | None = None
    partner_ids: list[strawberry.ID] | None = None
    customer_id: str | None = strawberry.field(default=None, description="A customer's native id.")
    status: OrderStatusEnum | None = None  # type: ignore[valid-type]
    since: datetime | None = strawberry.field(default=None, description="Created at or after (default: provider's).")
    until: datetime | None = strawberry.field(default=None, description="Created before.")

    def to_filter(self) -> OrderFilter:
        return OrderFilter(
            provider=self.provider,
            partner_ids=partner_ids(self.partner_ids),
            customer_id=self.customer_id,
            status=self.status,
            since=self.since,
            until=self.until,
        )


async def quotas_connection(
    info: Info, account: models.PartnerAccount, reseller_id: str | None, first: int | None, after: str | None
) -> Connection[VoucherQuota]:
    """The partner's own voucher quotas, or those granted to one of its resellers (Huawei)."""
    quotas = info.context.session.voucher_quotas(account.id, reseller_id)
    return await connection(info, quotas, first, after, lambda _, quota: VoucherQuota.from_domain(quota, account))


async def vouchers_connection(
    info: Info, where: VoucherFilter, first: int | None, after: str | None
) -> Connection[Voucher]:
    session = info.context.session
    merged = await session.vouchers(where)

    def convert(position: Position, voucher: models.Voucher) -> Voucher:
        return Voucher.from_domain(voucher, session.account(position.account_id))

    return await connection(info, merged, first, after, convert)


async def orders_connection(info: Info, where: OrderFilter, first: int | None, after: str | None) -> Connection[Order]:
    session = info.context.session
    merged = await session.orders(where)

    def convert(position: Position, order: models.Order) -> Order:
        return Order.from_domain(order, session.account(position.account_id))

    return await connection(info, merged, first, after, convert)


@strawberry.type
class VoucherQuery:
    @strawberry.field(description="Vouchers issued by every partner account (sales keys: their customers' only).")
    async def vouchers(
        self, info: Info, first: int | None = 20, after: str | None = None, filter: VoucherFilterInput | None = None
    ) -> Connection[Voucher]:
        return await vouchers_connection(info, filter.to_filter() if filter else VoucherFilter(), first, after)


@strawberry.type
class OrderQuery:
    @strawberry.field(description="Customers' orders across every partner account (sales keys: their customers').")
    async def orders(
        self, info: Info, first: int | None = 20, after: str | None = None, filter: OrderFilterInput | None = None
    ) -> Connection[Order]:
        return await orders_connection(info, filter.to_filter() if filter else OrderFilter(), first, after)
