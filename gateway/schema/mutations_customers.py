"""Mutations on customers: create or invite, codes and invitations, freeze, credit, funds, notes, assignment."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

import strawberry

from gateway import models
from gateway.auth import Role
from gateway.errors import GatewayError, Reason, RuleViolation
from gateway.ids import decode_global_id
from gateway.schema.context import Context
from gateway.schema.customers import AccountTypeEnum, Customer, CustomerKindEnum
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
from gateway.store import AuditEntry
from gateway.writes import (
    AddNote,
    CreateCustomer,
    Intent,
    ReclaimFunds,
    ResendInvitation,
    SendVerificationCode,
    SetCreditLine,
    SetCustomerFrozen,
    TransferFunds,
)

__all__ = ["CustomerMutation"]

Info = strawberry.Info[Context, None]


def customer_ref(global_id: str) -> tuple[str, str]:
    account_id, native_id = decode_global_id(global_id, "Customer", 2)
    return account_id, native_id


def partner_ref(global_id: str) -> str:
    return decode_global_id(global_id, "Partner", 1)[0]


async def visible(info: Info, account_id: str, customer_id: str) -> Customer | None:
    customer = await info.context.loaders.customers.load((account_id, customer_id))
    if customer is None or not info.context.session.visible(customer):
        return None
    return Customer.from_domain(customer, info.context.gateway.provider(account_id).account)


@strawberry.type(description="A write on a customer, and the customer as it is now.")
class CustomerPayload:
    operation: OperationReceipt
    customer: Customer | None


@strawberry.type(description="A customer created (Huawei) or invited (Aliyun: a 72-hour registration link).")
class CreateCustomerPayload:
    operation: OperationReceipt
    customer_id: str | None = strawberry.field(description="Huawei: the new account id. Aliyun: the CID.")
    invitation_id: str | None = strawberry.field(description="Aliyun: the invitation to follow up.")
    registration_url: str | None


@strawberry.type(description="A customer assigned to a salesperson by the gateway (客户分配).")
class AssignmentPayload:
    customer: Customer | None


_ERRORS = RuleViolationError | InvalidInputError | IdempotencyConflictError | UnsupportedError | UpstreamError
CustomerResult = Annotated[CustomerPayload | _ERRORS, strawberry.union("CustomerResult")]
CreateCustomerResult = Annotated[CreateCustomerPayload | _ERRORS, strawberry.union("CreateCustomerResult")]
AssignmentResult = Annotated[
    AssignmentPayload | RuleViolationError | InvalidInputError, strawberry.union("AssignmentResult")
]


@strawberry.input
class CreateCustomerInput:
    partner_id: strawberry.ID
    name: str
    account_type: AccountTypeEnum  # type: ignore[valid-type]
    kind: CustomerKindEnum = models.CustomerKind.ENTERPRISE  # type: ignore[valid-type]
    email: str | None = None
    phone: str | None = None
    verification_code: str | None = strawberry.field(default=None, description="Huawei: the SMS code the phone got.")
    account_name: str | None = strawberry.field(default=None, description="Huawei: the login name to create.")
    partner_reference: str | None = strawberry.field(default=None, description="Your own id for the customer.")
    owner: str | None = strawberry.field(default=None, description="The salesperson (sales keys: always themselves).")
    nation: str | None = strawberry.field(default=None, description="Aliyun: a ListCountries code.")
    trade: str | None = strawberry.field(default=None, description="Aliyun: the customer's industry.")
    credit_line: MoneyInput | None = strawberry.field(default=None, description="Aliyun: the initial credit line.")


@strawberry.input
class NoteInput:
    content: str
    contact_name: str | None = None
    contact_information: str | None = None
    touched_at: datetime | None = None


async def _customer_write(info: Info, customer_id: strawberry.ID, build: Callable[[str], Intent], key: str) -> Any:
    try:
        account_id, native_id = customer_ref(customer_id)
        intent = build(native_id)
        outcome = await info.context.session.write(account_id, intent, key)
    except GatewayError as exc:
        return error_result(exc)
    return CustomerPayload(operation=receipt(outcome), customer=await visible(info, account_id, native_id))


@strawberry.type
class CustomerMutation:
    @strawberry.mutation(description="Create (Huawei) or file and invite (Aliyun) a customer.")
    async def create_customer(
        self, info: Info, input: CreateCustomerInput, idempotency_key: str
    ) -> CreateCustomerResult:
        try:
            account_id = partner_ref(input.partner_id)
            intent = CreateCustomer(
                name=input.name,
                account_type=input.account_type,
                customer_kind=input.kind,
                email=input.email,
                phone=input.phone,
                verification_code=input.verification_code,
                account_name=input.account_name,
                partner_reference=input.partner_reference,
                owner=input.owner,
                nation=input.nation,
                trade=input.trade,
                credit_line=input.credit_line.to_domain() if input.credit_line else None,
            )
            outcome = await info.context.session.write(account_id, intent, idempotency_key)
        except GatewayError as exc:
            return error_result(exc)
        details = outcome.receipt.details
        return CreateCustomerPayload(
            operation=receipt(outcome),
            customer_id=details.get("customerId")
            or (outcome.receipt.upstream_ids[0] if not details.get("invitationId") else None),
            invitation_id=details.get("invitationId"),
            registration_url=details.get("registrationUrl"),
        )

    @strawberry.mutation(description="Send an SMS verification code to a phone before creating a customer (Huawei).")
    async def send_verification_code(
        self, info: Info, partner_id: strawberry.ID, phone: str, idempotency_key: str
    ) -> CustomerResult:
        try:
            outcome = await info.context.session.write(
                partner_ref(partner_id), SendVerificationCode(phone), idempotency_key
            )
        except GatewayError as exc:
            return error_result(exc)
        return CustomerPayload(operation=receipt(outcome), customer=None)

    @strawberry.mutation(description="Send an invitation again, renewing an expired 72-hour link (Aliyun).")
    async def resend_invitation(
        self, info: Info, partner_id: strawberry.ID, invitation_id: str, idempotency_key: str
    ) -> CustomerResult:
        try:
            intent = ResendInvitation(invitation_id)
            outcome = await info.context.session.write(partner_ref(partner_id), intent, idempotency_key)
        except GatewayError as exc:
            return error_result(exc)
        return CustomerPayload(operation=receipt(outcome), customer=None)

    @strawberry.mutation(description="Freeze (block new pay-as-you-go use) or thaw a customer (Aliyun).")
    async def set_customer_frozen(
        self, info: Info, customer_id: strawberry.ID, frozen: bool, idempotency_key: str
    ) -> CustomerResult:
        return await _customer_write(info, customer_id, lambda c: SetCustomerFrozen(c, frozen), idempotency_key)

    @strawberry.mutation(description="Set a consignment customer's credit line (Aliyun).")
    async def set_credit_line(
        self, info: Info, customer_id: strawberry.ID, amount: MoneyInput, idempotency_key: str
    ) -> CustomerResult:
        return await _customer_write(info, customer_id, lambda c: SetCreditLine(c, amount.to_domain()), idempotency_key)

    @strawberry.mutation(description="Allocate funds from the partner's balance to a resale customer (Huawei).")
    async def transfer_funds(
        self, info: Info, customer_id: strawberry.ID, amount: MoneyInput, idempotency_key: str
    ) -> CustomerResult:
        return await _customer_write(info, customer_id, lambda c: TransferFunds(c, amount.to_domain()), idempotency_key)

    @strawberry.mutation(description="Reclaim funds from a resale customer to the partner's balance (Huawei).")
    async def reclaim_funds(
        self, info: Info, customer_id: strawberry.ID, amount: MoneyInput, idempotency_key: str
    ) -> CustomerResult:
        return await _customer_write(info, customer_id, lambda c: ReclaimFunds(c, amount.to_domain()), idempotency_key)

    @strawberry.mutation(description="Add a follow-up note to a customer (Aliyun).")
    async def add_note(
        self, info: Info, customer_id: strawberry.ID, input: NoteInput, idempotency_key: str
    ) -> CustomerResult:
        def build(native_id: str) -> AddNote:
            return AddNote(native_id, input.content, input.contact_name, input.contact_information, input.touched_at)

        return await _customer_write(info, customer_id, build, idempotency_key)

    @strawberry.mutation(description="Assign a customer to a salesperson (客户分配; kept by the gateway; admins only).")
    async def assign_customer(self, info: Info, customer_id: strawberry.ID, owner: str) -> AssignmentResult:
        principal, gateway = info.context.principal, info.context.gateway
        try:
            account_id, native_id = customer_ref(customer_id)
            if principal.role is not Role.ADMIN:
                raise RuleViolation("only admins assign customers", Reason.ROLE_NOT_ALLOWED)
            if not owner.strip():
                raise RuleViolation("an owner is required", Reason.INVALID_INPUT, "owner")
            found = await info.context.session.get_customers(account_id, [native_id])
            if native_id not in found:
                raise RuleViolation(f"customer {native_id} is not a customer of {account_id}", Reason.NOT_FOUND)
        except GatewayError as exc:
            await _audit(info, "assignCustomer", {"customerId": customer_id, "owner": owner}, "REJECTED", exc.code)
            return error_result(exc)
        now = datetime.now(UTC)
        await gateway.store.assign(account_id, native_id, owner.strip(), principal.name, now)
        await _audit(info, "assignCustomer", {"customerId": customer_id, "owner": owner}, "SUCCEEDED", None)
        info.context.session.forget_assignments(account_id)  # read the new owner in this request too
        with contextlib.suppress(KeyError):  # strawberry's clear() raises for a key never loaded
            info.context.loaders.customers.clear((account_id, native_id))
        return AssignmentPayload(customer=await visible(info, account_id, native_id))


async def _audit(info: Info, operation: str, data: dict[str, object], outcome: str, code: str | None) -> None:
    await info.context.gateway.store.audit(
        AuditEntry(
            at=datetime.now(UTC),
            principal=info.context.principal.name,
            operation=operation,
            input=data,
            outcome=outcome,
            error_code=code,
        )
    )
