"""Customers: the end customers of every partner account, in one list."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway import models
from gateway.ids import encode_global_id
from gateway.schema.context import Context
from gateway.schema.partners import Partner
from gateway.schema.relay import Connection, Edge, Node, PageInfo

__all__ = ["Customer", "CustomerQuery"]

AccountTypeEnum = strawberry.enum(
    models.AccountType,
    name="AccountType",
    description="Aliyun agency (代理) or consignment (代销); Huawei advisory (顾问销售) or resale (代售).",
)
CustomerKindEnum = strawberry.enum(models.CustomerKind, name="CustomerKind")
CustomerStatusEnum = strawberry.enum(models.CustomerStatus, name="CustomerStatus")


@strawberry.type(description="An end customer of one of the distributor's partner accounts.")
class Customer(Node):
    id: strawberry.ID
    provider: str
    native_id: str = strawberry.field(description="The upstream's own id (a string: upstream ids are 64-bit).")
    name: str
    account_type: AccountTypeEnum  # type: ignore[valid-type]
    kind: CustomerKindEnum  # type: ignore[valid-type]
    status: CustomerStatusEnum  # type: ignore[valid-type]
    owner: str | None = strawberry.field(description="The salesperson responsible for the customer.")
    associated_at: datetime | None
    account: strawberry.Private[models.PartnerAccount]

    @strawberry.field(description="The partner account the customer belongs to.")
    def partner(self) -> Partner:
        return Partner.from_account(self.account)

    @classmethod
    def from_domain(cls, customer: models.Customer, account: models.PartnerAccount) -> Customer:
        return cls(
            id=strawberry.ID(encode_global_id("Customer", customer.partner_id, customer.native_id)),
            provider=customer.provider,
            native_id=customer.native_id,
            name=customer.name,
            account_type=customer.account_type,
            kind=customer.kind,
            status=customer.status,
            owner=customer.owner,
            associated_at=customer.associated_at,
            account=account,
        )


@strawberry.type
class CustomerQuery:
    @strawberry.field(
        description=(
            "Customers of every configured partner account. Order: partner accounts in configuration order, "
            "then each upstream's own order; `after` resumes exactly after the given cursor."
        )
    )
    async def customers(
        self, info: strawberry.Info[Context, None], first: int | None = 20, after: str | None = None
    ) -> Connection[Customer]:
        gateway = info.context.gateway
        window = await gateway.customers(first, after)
        edges = [
            Edge(
                cursor=position.cursor(), node=Customer.from_domain(item, gateway.provider(position.account_id).account)
            )
            for position, item in window.items
        ]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=window.has_next_page,
                has_previous_page=window.has_previous_page,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=window.total,
        )
