"""Customers: the end customers of every partner account, in one list."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gateway import models
from gateway.consumption import Granularity
from gateway.filters import CustomerFilter, OrderFilter
from gateway.ids import encode_global_id
from gateway.pagination import Position
from gateway.schema.consumption import Consumption, GranularityEnum, customer_consumption
from gateway.schema.context import Context
from gateway.schema.json import jsonable
from gateway.schema.money import CreditRecord, CreditRecordKindEnum, Funds, Money, money
from gateway.schema.partners import Partner, partner_ids
from gateway.schema.relay import Connection, Node, connection

if TYPE_CHECKING:
    from gateway.schema.catalog import Order, Voucher

NewCustomerTagEnum = strawberry.enum(
    models.NewCustomerTag,
    name="NewCustomerTag",
    description=(
        "A customer's SMB new-customer tag (Huawei): NEW qualified, NOT_NEW (also an expired tag), UNDETERMINED "
        "eligible but not yet qualified, NONE no tag (e.g. not real-name verified)."
    ),
)

__all__ = ["Customer", "CustomerFilterInput", "CustomerQuery", "Note", "customers_connection"]

Info = strawberry.Info[Context, None]

AccountTypeEnum = strawberry.enum(
    models.AccountType,
    name="AccountType",
    description="Aliyun agency (代理) or consignment (代销); Huawei advisory (顾问销售) or resale (代售).",
)
CustomerKindEnum = strawberry.enum(models.CustomerKind, name="CustomerKind")
CustomerStatusEnum = strawberry.enum(models.CustomerStatus, name="CustomerStatus")


@strawberry.input(description="Narrows a customer list. Every field is optional; all given must match.")
class CustomerFilterInput:
    provider: str | None = None
    partner_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="Partner global ids.")
    status: CustomerStatusEnum | None = None  # type: ignore[valid-type]
    account_type: AccountTypeEnum | None = None  # type: ignore[valid-type]
    owner: str | None = strawberry.field(default=None, description="The salesperson.")
    search: str | None = strawberry.field(default=None, description="Part of the name, native id or email.")

    def to_filter(self) -> CustomerFilter:
        return CustomerFilter(
            provider=self.provider,
            partner_ids=partner_ids(self.partner_ids),
            status=self.status,
            account_type=self.account_type,
            owner=self.owner,
            search=self.search or None,
        )


@strawberry.type(description="A follow-up note on a customer (Aliyun).")
class Note:
    native_id: str
    content: str
    contact_name: str | None
    contact_information: str | None
    creator: str | None
    created_at: datetime | None
    touched_at: datetime | None


@strawberry.type(description="An end customer of one of the distributor's partner accounts.")
class Customer(Node):
    id: strawberry.ID
    provider: str
    native_id: str = strawberry.field(description="The upstream's own id (a string: upstream ids are 64-bit).")
    name: str
    account_type: AccountTypeEnum  # type: ignore[valid-type]
    kind: CustomerKindEnum  # type: ignore[valid-type]
    status: CustomerStatusEnum  # type: ignore[valid-type]
    invitation_expires_at: datetime | None = strawberry.field(description="When an open invitation lapses.")
    real_name_verified: bool | None
    owner: str | None = strawberry.field(description="The salesperson (Aliyun CustomerBd, Huawei account manager).")
    associated_at: datetime | None
    invitation_id: str | None = strawberry.field(description="An open invitation's id (for `resendInvitation`).")
    record: strawberry.Private[models.Customer]
    account: strawberry.Private[models.PartnerAccount]

    @classmethod
    def from_domain(cls, customer: models.Customer, account: models.PartnerAccount) -> Customer:
        return cls(
            id=strawberry.ID(encode_global_id("Customer", account.id, customer.native_id)),
            provider=customer.provider,
            native_id=customer.native_id,
            name=customer.name,
            account_type=customer.account_type,
            kind=customer.kind,
            status=customer.status,
            invitation_expires_at=customer.invitation_expires_at,
            real_name_verified=customer.real_name_verified,
            owner=customer.owner,
            associated_at=customer.associated_at,
            invitation_id=customer.invitation_id,
            record=customer,
            account=account,
        )

    @strawberry.field(description="Provider-only fields, as the provider names them.")
    def extra(self) -> JSON:
        # Converted when asked for, not for every row of every page.
        return jsonable(self.record.extra)

    @strawberry.field(description="Shown in full to admins and to the customer's salesperson; masked otherwise.")
    def email(self, info: Info) -> str | None:
        return info.context.session.shown_email(self.record.email)

    @strawberry.field(description="Shown in full to admins and to the customer's salesperson; masked otherwise.")
    def phone(self, info: Info) -> str | None:
        return info.context.session.shown_phone(self.record.phone)

    @strawberry.field
    def partner(self) -> Partner:
        return Partner.from_account(self.account)

    @strawberry.field(description="Balance, debt and credit line, as the provider has them (null: none kept).")
    async def funds(self, info: Info) -> Funds | None:
        funds = await info.context.session.customer_funds(self.account.id, self.native_id)
        return Funds.from_domain(funds) if funds is not None else None

    @strawberry.field(description="What the customer can spend now: Huawei cash balance, Aliyun available credit.")
    async def balance(self, info: Info) -> Money | None:
        funds = await info.context.session.customer_funds(self.account.id, self.native_id)
        return Money.of(funds.available) if funds else None

    @strawberry.field(description="The credit line (Aliyun). Huawei funds customers by cash allocation instead.")
    async def credit_line(self, info: Info) -> Money | None:
        return money(await info.context.session.credit_line(self.account.id, self.native_id))

    @strawberry.field(description="Vouchers issued to the customer (read once per partner account and request).")
    async def vouchers(self, info: Info) -> list[Annotated[Voucher, strawberry.lazy("gateway.schema.catalog")]] | None:
        from gateway.schema.catalog import Voucher

        found = await info.context.session.customer_vouchers(self.account.id, self.native_id)
        return [Voucher.from_domain(v, self.account) for v in found]

    @strawberry.field
    async def voucher_count(self, info: Info) -> int | None:
        return len(await info.context.session.customer_vouchers(self.account.id, self.native_id))

    @strawberry.field
    async def orders(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[Annotated[Order, strawberry.lazy("gateway.schema.catalog")]] | None:
        from gateway.schema.catalog import orders_connection

        where = OrderFilter(partner_ids=(self.account.id,), customer_id=self.native_id)
        return await orders_connection(info, where, first, after)

    @strawberry.field(
        description=(
            "What the customer consumed over a range of at most 24 months (from: 11 months before to; to: this "
            "month): totals, products, a trend by MONTH or DAY, this month against the last. Null for another "
            "owner's customer (sales keys)."
        )
    )
    async def consumption(
        self,
        info: Info,
        start: Annotated[str | None, strawberry.argument(name="from", description="The first month, YYYY-MM.")] = None,
        end: Annotated[str | None, strawberry.argument(name="to", description="The last month, YYYY-MM.")] = None,
        granularity: Annotated[
            GranularityEnum,  # type: ignore[valid-type]
            strawberry.argument(description="The trend's step: MONTH, or DAY (the customer's itemised records)."),
        ] = Granularity.MONTH,
    ) -> Consumption | None:
        return await customer_consumption(info, self.account, self.native_id, start, end, granularity)

    @strawberry.field(description="Follow-up notes (Aliyun).")
    async def notes(self, info: Info, first: int | None = 20, after: str | None = None) -> Connection[Note] | None:
        notes = info.context.session.notes(self.account.id, self.native_id)
        return await connection(info, notes, first, after, lambda _, note: _note(note))

    @strawberry.field(
        description="The customer's SMB new-customer tag (Huawei; batched per partner account and request)."
    )
    async def new_customer_tag(self, info: Info) -> NewCustomerTagEnum | None:  # type: ignore[valid-type]
        return await info.context.session.new_customer_tag(self.account.id, self.native_id)

    @strawberry.field(
        description=(
            "One of the customer's credit histories (Aliyun): credit-line changes, purchase bans, shutdown "
            "policies, automatic write-off settings or reversed deductions, newest first."
        )
    )
    async def credit_history(
        self,
        info: Info,
        kind: CreditRecordKindEnum = models.CreditRecordKind.CREDIT_LINE,  # type: ignore[valid-type]
        first: int | None = 20,
        after: str | None = None,
    ) -> Connection[CreditRecord] | None:
        records = info.context.session.credit_history(self.account.id, self.native_id, kind)
        return await connection(info, records, first, after, lambda _, record: CreditRecord.from_domain(record))


def _note(note: models.Note) -> Note:
    return Note(
        native_id=note.native_id,
        content=note.content,
        contact_name=note.contact_name,
        contact_information=note.contact_information,
        creator=note.creator,
        created_at=note.created_at,
        touched_at=note.touched_at,
    )


async def customers_connection(
    info: Info, where: CustomerFilter, first: int | None, after: str | None
) -> Connection[Customer]:
    session = info.context.session
    merged = session.customers(where)

    def convert(position: Position, customer: models.Customer) -> Customer:
        return Customer.from_domain(customer, session.account(position.account_id))

    return await connection(info, merged, first, after, convert)


@strawberry.type
class CustomerQuery:
    @strawberry.field(
        description=(
            "Customers of every configured partner account. Order: partner accounts in configuration order, then "
            "each upstream's own order; `after` resumes exactly after the given cursor. Sales keys see only "
            "their own customers."
        )
    )
    async def customers(
        self, info: Info, first: int | None = 20, after: str | None = None, filter: CustomerFilterInput | None = None
    ) -> Connection[Customer]:
        where = filter.to_filter() if filter is not None else CustomerFilter()
        return await customers_connection(info, where, first, after)
