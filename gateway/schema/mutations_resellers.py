"""Mutations on tier-2 resellers (invitations, funds, voucher quota) and on vouchers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry

from gateway import models
from gateway.errors import GatewayError
from gateway.ids import decode_global_id
from gateway.schema.catalog import Voucher
from gateway.schema.context import Context
from gateway.schema.customers import Customer
from gateway.schema.mutations_customers import ReadCustomer, customer_ref, no_customer, partner_ref, shown
from gateway.schema.resellers import Reseller
from gateway.schema.results import (
    IdempotencyConflictError,
    InvalidInputError,
    MoneyInput,
    OperationReceipt,
    RuleViolationError,
    UnsupportedError,
    UpstreamError,
    error_result,
    receipt,
)
from gateway.schema.validation import check_text
from gateway.writes import (
    AllocateResellerFunds,
    GrantVoucherQuota,
    Intent,
    InviteReseller,
    IssueVoucher,
    ReclaimResellerFunds,
    ReclaimVoucherQuota,
)

__all__ = ["ResellerMutation", "VoucherMutation"]

Info = strawberry.Info[Context, None]

_ERRORS = RuleViolationError | InvalidInputError | IdempotencyConflictError | UnsupportedError | UpstreamError


#: Reads, after a write, the reseller it wrote (None: none yet, e.g. an invitation not accepted).
ReadReseller = Callable[[], Awaitable[models.Reseller | None]]


async def no_reseller() -> models.Reseller | None:
    return None


@strawberry.type(description="A write on a reseller, and the reseller as it is after it.")
class ResellerPayload:
    operation: OperationReceipt
    account_id: strawberry.Private[str]
    read: strawberry.Private[ReadReseller]

    @strawberry.field(description="The reseller after this write (null for an invitation not accepted yet).")
    async def reseller(self, info: Info) -> Reseller | None:
        found = await self.read()
        return Reseller.from_domain(found, info.context.session.account(self.account_id)) if found else None


@strawberry.type(description="A voucher issued or reclaimed, and its customer as it is after it.")
class VoucherPayload:
    operation: OperationReceipt
    account_id: strawberry.Private[str]
    voucher_ids: strawberry.Private[tuple[str, ...]]
    read_customer: strawberry.Private[ReadCustomer]

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        return await shown(info, self.account_id, await self.read_customer())

    @strawberry.field(description="The vouchers this write created or changed, as they are after it.")
    async def vouchers(self, info: Info) -> list[Voucher]:
        session = info.context.session
        found = await session.vouchers_by_id(self.account_id, self.voucher_ids)
        return [Voucher.from_domain(v, session.account(self.account_id)) for v in found]


ResellerResult = Annotated[ResellerPayload | _ERRORS, strawberry.union("ResellerResult")]
VoucherResult = Annotated[VoucherPayload | _ERRORS, strawberry.union("VoucherResult")]


@strawberry.input
class InviteResellerInput:
    partner_id: strawberry.ID
    name: str
    email: str
    credit_line: MoneyInput | None = None
    owner: str | None = None
    nation: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 (Aliyun RegisterNation).")


@strawberry.input(description="Aliyun: `templateId`. Huawei: `quotaId` and `faceValue`.")
class IssueVoucherInput:
    template_id: str | None = None
    quota_id: str | None = None
    face_value: MoneyInput | None = None
    valid_until: datetime | None = None


def reseller_ref(global_id: str, field: str = "resellerId") -> tuple[str, str]:
    account_id, native_id = decode_global_id(global_id, "Reseller", 2, field)
    return account_id, native_id


async def _reseller_write(info: Info, reseller_id: strawberry.ID, build: Callable[[str], Intent], key: str) -> Any:
    session = info.context.session
    try:
        account_id, native_id = reseller_ref(reseller_id)
        outcome = await session.write(account_id, build(native_id), key)
    except GatewayError as exc:
        return error_result(exc)
    return ResellerPayload(
        operation=receipt(outcome), account_id=account_id, read=lambda: session.reseller(account_id, native_id)
    )


@strawberry.type
class ResellerMutation:
    @strawberry.mutation(description="Invite a tier-2 reseller (Aliyun distributors).")
    async def invite_reseller(self, info: Info, input: InviteResellerInput, idempotency_key: str) -> ResellerResult:
        try:
            check_text(input)
            intent = InviteReseller(
                name=input.name,
                email=input.email,
                credit_line=input.credit_line.to_domain() if input.credit_line else None,
                owner=input.owner,
                nation=input.nation,
            )
            account_id = partner_ref(input.partner_id, "input.partnerId")
            outcome = await info.context.session.write(account_id, intent, idempotency_key)
        except GatewayError as exc:
            return error_result(exc, {"input": input})
        return ResellerPayload(operation=receipt(outcome), account_id=account_id, read=no_reseller)

    @strawberry.mutation(description="Allocate funds to a tier-2 reseller (Huawei tier-1).")
    async def allocate_reseller_funds(
        self, info: Info, reseller_id: strawberry.ID, amount: MoneyInput, idempotency_key: str
    ) -> ResellerResult:
        return await _reseller_write(
            info, reseller_id, lambda r: AllocateResellerFunds(r, amount.to_domain()), idempotency_key
        )

    @strawberry.mutation(description="Reclaim funds from a tier-2 reseller (Huawei tier-1).")
    async def reclaim_reseller_funds(
        self, info: Info, reseller_id: strawberry.ID, amount: MoneyInput, idempotency_key: str
    ) -> ResellerResult:
        return await _reseller_write(
            info, reseller_id, lambda r: ReclaimResellerFunds(r, amount.to_domain()), idempotency_key
        )

    @strawberry.mutation(description="Grant part of one of the partner's voucher quotas to a tier-2 (Huawei tier-1).")
    async def grant_voucher_quota(
        self, info: Info, reseller_id: strawberry.ID, parent_quota_id: str, amount: MoneyInput, idempotency_key: str
    ) -> ResellerResult:
        return await _reseller_write(
            info, reseller_id, lambda r: GrantVoucherQuota(r, parent_quota_id, amount.to_domain()), idempotency_key
        )

    @strawberry.mutation(description="Reclaim a voucher quota granted to a tier-2 (Huawei tier-1).")
    async def reclaim_voucher_quota(
        self, info: Info, partner_id: strawberry.ID, quota_id: str, idempotency_key: str
    ) -> ResellerResult:
        session = info.context.session
        try:
            account_id = partner_ref(partner_id)
            outcome = await session.write(account_id, ReclaimVoucherQuota(quota_id), idempotency_key)
        except GatewayError as exc:
            return error_result(exc)
        return ResellerPayload(
            operation=receipt(outcome), account_id=account_id, read=lambda: session.quota_reseller(account_id, quota_id)
        )


@strawberry.type
class VoucherMutation:
    @strawberry.mutation(description="Issue a voucher to a customer: Aliyun from a template, Huawei from a quota.")
    async def issue_voucher(
        self, info: Info, customer_id: strawberry.ID, input: IssueVoucherInput, idempotency_key: str
    ) -> VoucherResult:
        session = info.context.session
        try:
            check_text(input)
            account_id, native_id = customer_ref(customer_id)
            intent = IssueVoucher(
                customer_id=native_id,
                template_id=input.template_id,
                quota_id=input.quota_id,
                face_value=input.face_value.to_domain() if input.face_value else None,
                valid_until=input.valid_until,
            )
            outcome = await session.write(account_id, intent, idempotency_key)
        except GatewayError as exc:
            return error_result(exc, {"input": input})
        return VoucherPayload(
            operation=receipt(outcome),
            account_id=account_id,
            voucher_ids=outcome.receipt.upstream_ids,
            read_customer=lambda: session.customer(account_id, native_id),
        )

    @strawberry.mutation(description="Reclaim (Huawei) or cancel (Aliyun) a voucher.")
    async def reclaim_voucher(self, info: Info, voucher_id: strawberry.ID, idempotency_key: str) -> VoucherResult:
        session = info.context.session
        try:
            account_id, native_id = decode_global_id(voucher_id, "Voucher", 2, "voucherId")
            outcome, customer_id = await session.reclaim_voucher(account_id, native_id, idempotency_key)
        except GatewayError as exc:
            return error_result(exc)
        return VoucherPayload(
            operation=receipt(outcome),
            account_id=account_id,
            voucher_ids=(native_id,),
            read_customer=(lambda: session.customer(account_id, customer_id)) if customer_id else no_customer,
        )
