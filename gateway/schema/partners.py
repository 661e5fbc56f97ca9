"""Partner accounts: the distributor's own accounts in each cloud's partner program."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.filters import CustomerFilter, OrderFilter, ResellerFilter, VoucherFilter
from gateway.ids import decode_global_id, encode_global_id
from gateway.models import PartnerAccount
from gateway.provider import Capability
from gateway.schema.context import Context
from gateway.schema.money import Balance, LedgerEntry, QuotaMovement
from gateway.schema.relay import Connection, Node, connection, local_list
from gateway.schema.validation import check_month, check_quarter

if TYPE_CHECKING:
    from gateway.schema.catalog import Order, Voucher, VoucherQuota
    from gateway.schema.commissions import BillFile, CommissionableProduct, RenewalRate
    from gateway.schema.consumption import Consumption
    from gateway.schema.customers import Customer
    from gateway.schema.program import ProgramStanding
    from gateway.schema.promotions import IncentivePolicy, OwnVoucher, VoucherRecord
    from gateway.schema.resellers import Reseller
    from gateway.schema.templates import VoucherApplication, VoucherTemplate

__all__ = ["CapabilityEnum", "Partner", "PartnerQuery", "ProviderCapabilities", "partner_ids"]

Info = strawberry.Info[Context, None]

CapabilityEnum = strawberry.enum(
    Capability, name="Capability", description="An operation a provider supports (see `capabilities`)."
)


def partner_ids(global_ids: Sequence[str] | None) -> tuple[str, ...] | None:
    """Partner global ids -> account ids (``BAD_USER_INPUT`` for anything else)."""
    if global_ids is None:
        return None
    return tuple(decode_global_id(global_id, "Partner", 1)[0] for global_id in global_ids)


@strawberry.type(description="One of the distributor's partner accounts at one cloud.")
class Partner(Node):
    id: strawberry.ID
    provider: str = strawberry.field(description="The provider plug-in's name, e.g. aliyun or huaweicloud.")
    name: str
    role: str = strawberry.field(
        description="The account's place in its cloud's partner program, as the provider plug-in names it "
        "(e.g. distributor, tier1-distributor)."
    )
    account: strawberry.Private[PartnerAccount]

    @classmethod
    def from_account(cls, account: PartnerAccount) -> Partner:
        return cls(
            id=strawberry.ID(encode_global_id("Partner", account.id)),
            provider=account.provider,
            name=account.name,
            role=account.role,
            account=account,
        )

    @strawberry.field(description="What this partner account's provider supports.")
    def capabilities(self, info: Info) -> list[CapabilityEnum]:  # type: ignore[valid-type]
        return list(info.context.session.capabilities(self.account.id))

    @strawberry.field(description="The partner's own money accounts at its cloud (Huawei; not for sales keys).")
    async def balances(self, info: Info) -> list[Balance] | None:
        return [Balance.from_domain(b) for b in await info.context.session.partner_balances(self.account.id)]

    @strawberry.field(
        description=(
            "The partner's own voucher quotas, to issue vouchers and grant quota from (Huawei; not for sales keys)."
        )
    )
    async def voucher_quotas(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[VoucherQuota, strawberry.lazy("gateway.schema.catalog")]] | None:
        from gateway.schema.catalog import quotas_connection

        return await quotas_connection(info, self.account, None, first, after)

    @strawberry.field(
        description="Allocations and reclaims in the upstream's own records (Huawei; not for sales keys)."
    )
    async def ledger(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[LedgerEntry] | None:
        entries = info.context.session.ledger(self.account.id)
        return await connection(info, entries, first, after, lambda _, entry: LedgerEntry.from_domain(entry))

    @strawberry.field(
        description="The partner's voucher templates and whether the cloud approved them (Aliyun; not for sales keys)."
    )
    async def voucher_templates(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[VoucherTemplate, strawberry.lazy("gateway.schema.templates")]] | None:
        from gateway.schema.templates import VoucherTemplate

        templates = info.context.session.voucher_templates(self.account.id)
        return await connection(info, templates, first, after, lambda _, t: VoucherTemplate.from_domain(t))

    @strawberry.field(
        description="The product codes a voucher template may be restricted to (Aliyun; not for sales keys)."
    )
    async def voucher_template_products(self, info: Info) -> list[str] | None:
        return list(await info.context.session.voucher_template_products(self.account.id))

    @strawberry.field(
        description=(
            "Tier-2 resellers' voucher applications awaiting (or past) this tier-1's decision "
            "(Aliyun; not for sales keys)."
        )
    )
    async def voucher_applications(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[VoucherApplication, strawberry.lazy("gateway.schema.templates")]] | None:
        from gateway.schema.templates import VoucherApplication

        listing = info.context.session.voucher_applications(self.account.id)
        return await connection(info, listing, first, after, lambda _, a: VoucherApplication.from_domain(a))

    @strawberry.field(description="One tier-2 voucher application in detail, with who receives how much (Aliyun).")
    async def voucher_application(
        self, info: Info, native_id: str
    ) -> Annotated[VoucherApplication, strawberry.lazy("gateway.schema.templates")] | None:
        from gateway.schema.templates import VoucherApplication

        found = await info.context.session.voucher_application(self.account.id, native_id)
        return VoucherApplication.from_domain(found) if found is not None else None

    @strawberry.field(
        description=(
            "The log of vouchers issued to and reclaimed from customers, optionally of one customer given by its "
            "upstream id (Huawei; not for sales keys)."
        )
    )
    async def voucher_records(
        self, info: Info, customer_id: str | None = None, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[VoucherRecord, strawberry.lazy("gateway.schema.promotions")]] | None:
        from gateway.schema.promotions import VoucherRecord

        records = info.context.session.voucher_records(self.account.id, customer_id)
        return await connection(info, records, first, after, lambda _, r: VoucherRecord.from_domain(r))

    @strawberry.field(description="The vouchers this partner account itself holds (Huawei; not for sales keys).")
    async def own_vouchers(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[OwnVoucher, strawberry.lazy("gateway.schema.promotions")]] | None:
        from gateway.schema.promotions import OwnVoucher

        listing = info.context.session.own_vouchers(self.account.id)
        return await connection(info, listing, first, after, lambda _, v: OwnVoucher.from_domain(v))

    @strawberry.field(
        description=(
            "Each product's incentive policy and whether partner discounts may apply, as of the end of `month` "
            "(YYYY-MM, China time; Huawei; not for sales keys)."
        )
    )
    async def incentive_policies(
        self, info: Info, month: str, service_type: str | None = None
    ) -> list[Annotated[IncentivePolicy, strawberry.lazy("gateway.schema.promotions")]] | None:
        from gateway.schema.promotions import IncentivePolicy

        check_month(month, "month")
        found = await info.context.session.incentive_policies(self.account.id, month, service_type)
        return [IncentivePolicy.from_domain(p) for p in found]

    @strawberry.field(
        description="The products that earn the partner commission or discount (Aliyun; not for sales keys)."
    )
    async def commissionable_products(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[CommissionableProduct, strawberry.lazy("gateway.schema.commissions")]] | None:
        from gateway.schema.commissions import CommissionableProduct

        listing = info.context.session.commissionable_products(self.account.id)
        return await connection(info, listing, first, after, lambda _, p: CommissionableProduct.from_domain(p))

    @strawberry.field(
        description=(
            "The partner's renewal figures for one fiscal quarter, `YYYYQn` (Aliyun, whose fiscal year starts in "
            "April; not for sales keys)."
        )
    )
    async def renewal_rates(
        self, info: Info, quarter: str
    ) -> list[Annotated[RenewalRate, strawberry.lazy("gateway.schema.commissions")]] | None:
        from gateway.schema.commissions import RenewalRate

        check_quarter(quarter, "quarter")
        return [RenewalRate.from_domain(r) for r in await info.context.session.renewal_rates(self.account.id, quarter)]

    @strawberry.field(
        description=(
            "The partner's own bill and commission files of a finished month, `YYYY-MM` (Aliyun; not for sales "
            "keys). The gateway gives their links; the amounts are in the files."
        )
    )
    async def bill_files(
        self, info: Info, month: str
    ) -> list[Annotated[BillFile, strawberry.lazy("gateway.schema.commissions")]] | None:
        from gateway.schema.commissions import BillFile

        check_month(month, "month")
        return [BillFile.from_domain(f) for f in await info.context.session.bill_files(self.account.id, month)]

    @strawberry.field(
        description="Voucher quota granted to the tier-2 resellers and reclaimed, newest first (Huawei tier-1; "
        "not for sales keys)."
    )
    async def quota_movements(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[QuotaMovement] | None:
        moves = info.context.session.quota_movements(self.account.id)
        return await connection(info, moves, first, after, lambda _, move: QuotaMovement.from_domain(move))

    @strawberry.field(
        description=(
            "The account's customers' consumption over a range of at most 24 months (from: 11 months before to; "
            "to: this month): totals, top products and customers, the monthly trend, this month against the last. "
            "Sales keys: their own customers' figures only."
        )
    )
    async def consumption(
        self,
        info: Info,
        start: Annotated[str | None, strawberry.argument(name="from", description="The first month, YYYY-MM.")] = None,
        end: Annotated[str | None, strawberry.argument(name="to", description="The last month, YYYY-MM.")] = None,
    ) -> Annotated[Consumption, strawberry.lazy("gateway.schema.consumption")] | None:
        from gateway.schema.consumption import partner_consumption

        return await partner_consumption(info, self.account, start, end)

    @strawberry.field(
        description=(
            "The account's standing in its cloud's partner program this fiscal year: rebate tier, incentive "
            "eligibility, a tier-2's performance against the upgrade line (not for sales keys)."
        )
    )
    async def program(self, info: Info) -> Annotated[ProgramStanding, strawberry.lazy("gateway.schema.program")] | None:
        from gateway.schema.program import ProgramStanding

        return ProgramStanding.of(await info.context.session.program_standing(self.account.id))

    @strawberry.field
    async def customers(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[Customer, strawberry.lazy("gateway.schema.customers")]]:
        from gateway.schema.customers import customers_connection

        return await customers_connection(info, CustomerFilter(partner_ids=(self.account.id,)), first, after)

    @strawberry.field(description="The account's tier-2 resellers (not for sales keys).")
    async def resellers(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[Reseller, strawberry.lazy("gateway.schema.resellers")]] | None:
        from gateway.schema.resellers import resellers_connection

        return await resellers_connection(info, ResellerFilter(partner_ids=(self.account.id,)), first, after)

    @strawberry.field
    async def vouchers(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[Voucher, strawberry.lazy("gateway.schema.catalog")]]:
        from gateway.schema.catalog import vouchers_connection

        return await vouchers_connection(info, VoucherFilter(partner_ids=(self.account.id,)), first, after)

    @strawberry.field
    async def orders(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[Order, strawberry.lazy("gateway.schema.catalog")]]:
        from gateway.schema.catalog import orders_connection

        return await orders_connection(info, OrderFilter(partner_ids=(self.account.id,)), first, after)


@strawberry.type(description="The operations one provider supports.")
class ProviderCapabilities:
    provider: str
    title: str
    operations: list[CapabilityEnum]  # type: ignore[valid-type]


@strawberry.type
class PartnerQuery:
    @strawberry.field(description="The configured partner accounts, in configuration order.")
    async def partners(
        self, info: Info, first: int | None = 20, after: str | None = None, provider: str | None = None
    ) -> Connection[Partner]:
        listing = local_list(f"partners:{provider}", info.context.session.partners(provider))
        return await connection(info, listing, first, after, lambda _, account: Partner.from_account(account))

    @strawberry.field(description="For each configured provider, the operations it supports.")
    def capabilities(self, info: Info) -> list[ProviderCapabilities]:
        return [
            ProviderCapabilities(provider=p.provider, title=p.title, operations=list(p.operations))
            for p in info.context.session.providers()
        ]
