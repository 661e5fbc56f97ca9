"""Tier-2 resellers under the distributor's partner accounts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gateway import models
from gateway.filters import ResellerFilter
from gateway.ids import encode_global_id
from gateway.pagination import Position
from gateway.schema.context import Context
from gateway.schema.json import jsonable
from gateway.schema.money import Funds, LedgerEntry, QuotaMovement
from gateway.schema.partners import Partner, partner_ids
from gateway.schema.program import ProgramStanding
from gateway.schema.relay import Connection, Node, connection

if TYPE_CHECKING:
    from gateway.schema.catalog import VoucherQuota
    from gateway.schema.customers import Customer

__all__ = ["Reseller", "ResellerFilterInput", "ResellerQuery", "resellers_connection"]

Info = strawberry.Info[Context, None]


@strawberry.input
class ResellerFilterInput:
    provider: str | None = None
    partner_ids: list[strawberry.ID] | None = None
    search: str | None = strawberry.field(default=None, description="Part of the name, native id or account name.")

    def to_filter(self) -> ResellerFilter:
        return ResellerFilter(provider=self.provider, partner_ids=partner_ids(self.partner_ids), search=self.search)


@strawberry.type(description="A tier-2 reseller (Aliyun T2 partner, Huawei 云经销商) under a partner account.")
class Reseller(Node):
    id: strawberry.ID
    provider: str
    native_id: str
    name: str
    account_name: str | None
    owner: str | None = strawberry.field(description="The distributor's account manager for this reseller.")
    associated_at: datetime | None
    extra: JSON
    record: strawberry.Private[models.Reseller]
    account: strawberry.Private[models.PartnerAccount]

    @classmethod
    def from_domain(cls, reseller: models.Reseller, account: models.PartnerAccount) -> Reseller:
        return cls(
            id=strawberry.ID(encode_global_id("Reseller", account.id, reseller.native_id)),
            provider=reseller.provider,
            native_id=reseller.native_id,
            name=reseller.name,
            account_name=reseller.account_name,
            owner=reseller.owner,
            associated_at=reseller.associated_at,
            extra=jsonable(reseller.extra),
            record=reseller,
            account=account,
        )

    @strawberry.field
    def email(self, info: Info) -> str | None:
        return info.context.session.shown_email(self.record.email)

    @strawberry.field
    def phone(self, info: Info) -> str | None:
        return info.context.session.shown_phone(self.record.phone)

    @strawberry.field
    def partner(self) -> Partner:
        return Partner.from_account(self.account)

    @strawberry.field(description="The reseller's money: Huawei balance, Aliyun credit.")
    async def funds(self, info: Info) -> Funds | None:
        funds = await info.context.session.reseller_funds(self.account.id, self.native_id)
        return Funds.from_domain(funds) if funds is not None else None

    @strawberry.field(description="Voucher quotas granted to this reseller (Huawei).")
    async def voucher_quotas(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[VoucherQuota, strawberry.lazy("gateway.schema.catalog")]] | None:
        from gateway.schema.catalog import quotas_connection

        return await quotas_connection(info, self.account, self.native_id, first, after)

    @strawberry.field(description="Funds allocated to this reseller and reclaimed from it, newest first (Huawei).")
    async def fund_movements(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[LedgerEntry] | None:
        entries = info.context.session.ledger(self.account.id, self.native_id)
        return await connection(info, entries, first, after, lambda _, entry: LedgerEntry.from_domain(entry))

    @strawberry.field(description="Voucher quota granted to this reseller and reclaimed, newest first (Huawei).")
    async def quota_movements(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[QuotaMovement] | None:
        moves = info.context.session.quota_movements(self.account.id, self.native_id)
        return await connection(info, moves, first, after, lambda _, move: QuotaMovement.from_domain(move))

    @strawberry.field(
        description=(
            "The reseller's standing this fiscal year as a tier-2, from its customers' consumption: a Huawei tier-2's "
            "performance against the upgrade line, an Aliyun T2's rebate tier (not for sales keys)."
        )
    )
    async def performance(self, info: Info) -> ProgramStanding | None:
        found = await info.context.session.reseller_performance(self.account.id, self.native_id)
        return ProgramStanding.of(found) if found is not None else None

    @strawberry.field(description="The reseller's own customers (Huawei).")
    async def customers(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[Customer, strawberry.lazy("gateway.schema.customers")]] | None:
        from gateway.schema.customers import Customer

        customers = info.context.session.reseller_customers(self.account.id, self.native_id)
        return await connection(info, customers, first, after, lambda _, c: Customer.from_domain(c, self.account))


async def resellers_connection(
    info: Info, where: ResellerFilter, first: int | None, after: str | None
) -> Connection[Reseller]:
    session = info.context.session
    merged = session.resellers(where)

    def convert(position: Position, reseller: models.Reseller) -> Reseller:
        return Reseller.from_domain(reseller, session.account(position.account_id))

    return await connection(info, merged, first, after, convert)


@strawberry.type
class ResellerQuery:
    @strawberry.field(description="Tier-2 resellers of every partner account (not for sales keys).")
    async def resellers(
        self, info: Info, first: int | None = 20, after: str | None = None, filter: ResellerFilterInput | None = None
    ) -> Connection[Reseller]:
        where = filter.to_filter() if filter is not None else ResellerFilter()
        return await resellers_connection(info, where, first, after)
