"""Mutations on tier-2 resellers (invitations, funds, voucher quota) and on vouchers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry

from gateway.errors import GatewayError
from gateway.ids import decode_global_id
from gateway.schema.catalog import Voucher
from gateway.schema.context import Context
from gateway.schema.customers import Customer
from gateway.schema.mutations_customers import customer_ref, partner_ref, visible
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
from gateway.writes import (
    AllocateResellerFunds,
    GrantVoucherQuota,
    Intent,
    InviteReseller,
    IssueVoucher,
    ReclaimResellerFunds,
    ReclaimVoucher,
    ReclaimVoucherQuota,
)

__all__ = ["ResellerMutation", "VoucherMutation"]

Info = strawberry.Info[Context, None]

_ERRORS = RuleViolationError | InvalidInputError | IdempotencyConflictError | UnsupportedError | UpstreamError


@strawberry.type(description="A write on a reseller, and the reseller as it is now.")
class ResellerPayload:
    operation: OperationReceipt
    reseller: Reseller | None


@strawberry.type(description="A voucher issued or reclaimed, and the customer's vouchers as they are now.")
class VoucherPayload:
    operation: OperationReceipt
    customer: Customer | None
    vouchers: list[Voucher] = strawberry.field(description="The vouchers this write created or changed.")


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


def reseller_ref(global_id: str) -> tuple[str, str]:
    account_id, native_id = decode_global_id(global_id, "Reseller", 2)
    return account_id, native_id


async def _reseller(info: Info, account_id: str, reseller_id: str) -> Reseller | None:
    found = await info.context.loaders.resellers.load((account_id, reseller_id))
    return Reseller.from_domain(found, info.context.gateway.provider(account_id).account) if found else None


async def _reseller_write(info: Info, reseller_id: strawberry.ID, build: Callable[[str], Intent], key: str) -> Any:
    try:
        account_id, native_id = reseller_ref(reseller_id)
        outcome = await info.context.session.write(account_id, build(native_id), key)
    except GatewayError as exc:
        return error_result(exc)
    return ResellerPayload(operation=receipt(outcome), reseller=await _reseller(info, account_id, native_id))


async def _vouchers(info: Info, account_id: str, ids: tuple[str, ...]) -> list[Voucher]:
    account = info.context.gateway.provider(account_id).account
    try:
        found = await info.context.loaders.vouchers.load_many([(account_id, i) for i in ids])
    except GatewayError:  # the write succeeded; its vouchers just cannot be read back right now
        return []
    return [Voucher.from_domain(v, account) for v in found if v is not None]


@strawberry.type
class ResellerMutation:
    @strawberry.mutation(description="Invite a tier-2 reseller (Aliyun distributors).")
    async def invite_reseller(self, info: Info, input: InviteResellerInput, idempotency_key: str) -> ResellerResult:
        try:
            intent = InviteReseller(
                name=input.name,
                email=input.email,
                credit_line=input.credit_line.to_domain() if input.credit_line else None,
                owner=input.owner,
                nation=input.nation,
            )
            outcome = await info.context.session.write(partner_ref(input.partner_id), intent, idempotency_key)
        except GatewayError as exc:
            return error_result(exc)
        return ResellerPayload(operation=receipt(outcome), reseller=None)

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
        try:
            outcome = await info.context.session.write(
                partner_ref(partner_id), ReclaimVoucherQuota(quota_id), idempotency_key
            )
        except GatewayError as exc:
            return error_result(exc)
        return ResellerPayload(operation=receipt(outcome), reseller=None)


@strawberry.type
class VoucherMutation:
    @strawberry.mutation(description="Issue a voucher to a customer: Aliyun from a template, Huawei from a quota.")
    async def issue_voucher(
        self, info: Info, customer_id: strawberry.ID, input: IssueVoucherInput, idempotency_key: str
    ) -> VoucherResult:
        try:
            account_id, native_id = customer_ref(customer_id)
            intent = IssueVoucher(
                customer_id=native_id,
                template_id=input.template_id,
                quota_id=input.quota_id,
                face_value=input.face_value.to_domain() if input.face_value else None,
                valid_until=input.valid_until,
            )
            outcome = await info.context.session.write(account_id, intent, idempotency_key)
        except GatewayError as exc:
            return error_result(exc)
        return VoucherPayload(
            operation=receipt(outcome),
            customer=await visible(info, account_id, native_id),
            vouchers=await _vouchers(info, account_id, outcome.receipt.upstream_ids),
        )

    @strawberry.mutation(description="Reclaim (Huawei) or cancel (Aliyun) a voucher.")
    async def reclaim_voucher(self, info: Info, voucher_id: strawberry.ID, idempotency_key: str) -> VoucherResult:
        try:
            account_id, native_id = decode_global_id(voucher_id, "Voucher", 2)
            voucher = await info.context.loaders.vouchers.load((account_id, native_id))
            customer_id = voucher.customer_id if voucher else None
            intent = ReclaimVoucher(voucher_id=native_id, customer_id=customer_id)
            outcome = await info.context.session.write(account_id, intent, idempotency_key)
        except GatewayError as exc:
            return error_result(exc)
        info.context.loaders.vouchers.clear((account_id, native_id))
        return VoucherPayload(
            operation=receipt(outcome),
            customer=await visible(info, account_id, customer_id) if customer_id else None,
            vouchers=await _vouchers(info, account_id, (native_id,)),
        )
