"""Mutations on customers: create or invite, codes and invitations, freeze, credit, funds, notes, assignment."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Annotated, Any

import strawberry

from gateway import models
from gateway.errors import GatewayError, OperationPending
from gateway.ids import decode_global_id
from gateway.records import Outcome
from gateway.schema.context import Context
from gateway.schema.customers import AccountTypeEnum, Customer, CustomerKindEnum
from gateway.schema.results import (
    RESULTS,
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

__all__ = ["CustomerMutation", "CustomerResult", "customer_write"]

Info = strawberry.Info[Context, None]


def customer_ref(global_id: str, field: str = "customerId") -> tuple[str, str]:
    account_id, native_id = decode_global_id(global_id, "Customer", 2, field)
    return account_id, native_id


def partner_ref(global_id: str, field: str = "partnerId") -> str:
    return decode_global_id(global_id, "Partner", 1, field)[0]


#: Reads, after a write, the customer it wrote (None: none, or not the principal's to see).
ReadCustomer = Callable[[], Awaitable[models.Customer | None]]


def no_customer() -> Awaitable[models.Customer | None]:
    async def none() -> None:
        return None

    return none()


async def shown(info: Info, account_id: str, customer: models.Customer | None) -> Customer | None:
    return Customer.from_domain(customer, info.context.session.account(account_id)) if customer else None


@strawberry.type(description="A write on a customer, and the customer as it is after it.")
class CustomerPayload:
    operation: OperationReceipt
    account_id: strawberry.Private[str]
    read: strawberry.Private[ReadCustomer]

    @strawberry.field(description="The customer after this write (null if it cannot be seen).")
    async def customer(self, info: Info) -> Customer | None:
        return await shown(info, self.account_id, await self.read())


@strawberry.type(description="A customer created (Huawei) or invited (Aliyun: a 72-hour registration link).")
class CreateCustomerPayload:
    operation: OperationReceipt
    customer_id: str | None = strawberry.field(description="Huawei: the new account id. Aliyun: the CID.")
    invitation_id: str | None = strawberry.field(description="Aliyun: the invitation to follow up.")
    registration_url: str | None
    account_id: strawberry.Private[str]
    outcome: strawberry.Private[Outcome]

    @strawberry.field(description="The new customer as it lists now, owned and typed as it was created.")
    async def customer(self, info: Info) -> Customer | None:
        found = await info.context.session.created_customer(self.account_id, self.outcome)
        return await shown(info, self.account_id, found)


@strawberry.type(description="A customer assigned to a salesperson by the gateway (客户分配).")
class AssignmentPayload:
    account_id: strawberry.Private[str]
    native_id: strawberry.Private[str]

    @strawberry.field
    async def customer(self, info: Info) -> Customer | None:
        found = await info.context.session.customer(self.account_id, self.native_id)
        return await shown(info, self.account_id, found)


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


class ItemStatus(enum.Enum):
    APPLIED = "APPLIED"
    PENDING = "PENDING"
    REFUSED = "REFUSED"


ItemStatusEnum = strawberry.enum(
    ItemStatus,
    name="BatchItemStatus",
    description="APPLIED: done (or done before: see `operation.replayed`). PENDING: its outcome is being settled; "
    "send the item again with the same key later. REFUSED: not done (see `refusal`).",
)
ItemRefusal = Annotated[_ERRORS, strawberry.union("BatchItemRefusal", description="Why one item was not applied.")]


@strawberry.input(description="One invitation to send again: its customer row, and this item's own key.")
class ResendInvitationItem:
    customer_id: strawberry.ID = strawberry.field(
        description="The invitee's customer id (status INVITED or INVITATION_EXPIRED)."
    )
    idempotency_key: str = strawberry.field(description="This item's key: sent again, it replays this item.")


@strawberry.type(description="What became of one item of a bulk resend.")
class ResendInvitationOutcome:
    customer_id: strawberry.ID = strawberry.field(description="The item's customer, as it was sent.")
    idempotency_key: str = strawberry.field(description="The item's own key, as it was sent.")
    status: ItemStatusEnum = strawberry.field(description="APPLIED, PENDING or REFUSED.")  # type: ignore[valid-type]
    operation: OperationReceipt | None = strawberry.field(description="The write, when APPLIED.")
    refusal: ItemRefusal | None = strawberry.field(description="Why not, when REFUSED or PENDING.")
    account_id: strawberry.Private[str | None]
    native_id: strawberry.Private[str | None]

    @strawberry.field(description="The invitee after this item (null when refused, or not to be seen).")
    async def customer(self, info: Info) -> Customer | None:
        if self.status is not ItemStatus.APPLIED or self.account_id is None or self.native_id is None:
            return None
        found = await info.context.session.customer(self.account_id, self.native_id)
        return await shown(info, self.account_id, found)


@strawberry.type(description="A bulk resend: each item's own outcome, in the order sent; one refused stops none.")
class ResendInvitationsPayload:
    items: list[ResendInvitationOutcome] = strawberry.field(description="Each item's outcome, in the order sent.")

    @strawberry.field(description="Items applied (replays included).")
    def applied(self) -> int:
        return sum(1 for item in self.items if item.status is ItemStatus.APPLIED)

    @strawberry.field(description="Items whose outcome is still being settled.")
    def pending(self) -> int:
        return sum(1 for item in self.items if item.status is ItemStatus.PENDING)

    @strawberry.field(description="Items refused.")
    def refused(self) -> int:
        return sum(1 for item in self.items if item.status is ItemStatus.REFUSED)


ResendInvitationsResult = Annotated[
    ResendInvitationsPayload | InvalidInputError,
    strawberry.union(
        "ResendInvitationsResult", description="Each item's outcome, or InvalidInputError for a list too long."
    ),
]


async def _resend_item(info: Info, index: int, item: ResendInvitationItem) -> ResendInvitationOutcome:
    """One item through the same write path as ``resendInvitation``; a refusal is this item's alone."""
    account_id = native_id = None
    try:
        account_id, native_id = customer_ref(item.customer_id)
        outcome = await info.context.session.resend_to_customer(account_id, native_id, item.idempotency_key)
    except GatewayError as exc:
        if not any(cls in RESULTS for cls in type(exc).__mro__):
            raise  # not a refusal (the store is down): the whole request fails; resend the items to replay them
        refusal = error_result(exc)
        if getattr(refusal, "field", None):
            refusal.field = f"items[{index}].{refusal.field}"
        status = ItemStatus.PENDING if isinstance(exc, OperationPending) else ItemStatus.REFUSED
        return ResendInvitationOutcome(
            customer_id=item.customer_id,
            idempotency_key=item.idempotency_key,
            status=status,
            operation=None,
            refusal=refusal,
            account_id=account_id,
            native_id=native_id,
        )
    return ResendInvitationOutcome(
        customer_id=item.customer_id,
        idempotency_key=item.idempotency_key,
        status=ItemStatus.APPLIED,
        operation=receipt(outcome),
        refusal=None,
        account_id=account_id,
        native_id=native_id,
    )


@strawberry.input
class NoteInput:
    content: str
    contact_name: str | None = None
    contact_information: str | None = None
    touched_at: datetime | None = None


async def customer_write(
    info: Info,
    customer_id: strawberry.ID,
    build: Callable[[str], Intent],
    key: str,
    inputs: Mapping[str, object] | None = None,
) -> Any:
    session = info.context.session
    try:
        account_id, native_id = customer_ref(customer_id)
        outcome = await session.write(account_id, build(native_id), key)
    except GatewayError as exc:
        return error_result(exc, inputs)
    return CustomerPayload(
        operation=receipt(outcome), account_id=account_id, read=lambda: session.customer(account_id, native_id)
    )


@strawberry.type
class CustomerMutation:
    @strawberry.mutation(description="Create (Huawei) or file and invite (Aliyun) a customer.")
    async def create_customer(
        self, info: Info, input: CreateCustomerInput, idempotency_key: str
    ) -> CreateCustomerResult:
        try:
            check_text(input)
            account_id = partner_ref(input.partner_id, "input.partnerId")
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
            return error_result(exc, {"input": input})
        details = outcome.receipt.details
        return CreateCustomerPayload(
            operation=receipt(outcome),
            customer_id=details.get("customerId")
            or (outcome.receipt.upstream_ids[0] if not details.get("invitationId") else None),
            invitation_id=details.get("invitationId"),
            registration_url=details.get("registrationUrl"),
            account_id=account_id,
            outcome=outcome,
        )

    @strawberry.mutation(description="Send an SMS verification code to a phone before creating a customer (Huawei).")
    async def send_verification_code(
        self, info: Info, partner_id: strawberry.ID, phone: str, idempotency_key: str
    ) -> CustomerResult:
        try:
            account_id = partner_ref(partner_id)
            outcome = await info.context.session.write(account_id, SendVerificationCode(phone), idempotency_key)
        except GatewayError as exc:
            return error_result(exc)
        return CustomerPayload(operation=receipt(outcome), account_id=account_id, read=no_customer)

    @strawberry.mutation(description="Send an invitation again, renewing an expired 72-hour link (Aliyun).")
    async def resend_invitation(
        self, info: Info, partner_id: strawberry.ID, invitation_id: str, idempotency_key: str
    ) -> CustomerResult:
        session = info.context.session
        try:
            account_id = partner_ref(partner_id)
            outcome = await session.write(account_id, ResendInvitation(invitation_id), idempotency_key)
        except GatewayError as exc:
            return error_result(exc)
        return CustomerPayload(
            operation=receipt(outcome),
            account_id=account_id,
            read=lambda: session.invitation_customer(account_id, invitation_id),
        )

    @strawberry.mutation(
        description="Send several invitations again (Aliyun), in order: each item has its own customer, key and "
        "outcome, through the same write as `resendInvitation`; a repeated item key replays that item. At most "
        "20 items (more: InvalidInputError on `items`)."
    )
    async def resend_invitations(self, info: Info, items: list[ResendInvitationItem]) -> ResendInvitationsResult:
        try:
            info.context.session.check_resend_batch(len(items))
        except GatewayError as exc:
            return error_result(exc)
        return ResendInvitationsPayload(items=[await _resend_item(info, n, item) for n, item in enumerate(items)])

    @strawberry.mutation(description="Freeze (block new pay-as-you-go use) or thaw a customer (Aliyun).")
    async def set_customer_frozen(
        self, info: Info, customer_id: strawberry.ID, frozen: bool, idempotency_key: str
    ) -> CustomerResult:
        return await customer_write(info, customer_id, lambda c: SetCustomerFrozen(c, frozen), idempotency_key)

    @strawberry.mutation(description="Set a consignment customer's credit line (Aliyun).")
    async def set_credit_line(
        self, info: Info, customer_id: strawberry.ID, amount: MoneyInput, idempotency_key: str
    ) -> CustomerResult:
        return await customer_write(info, customer_id, lambda c: SetCreditLine(c, amount.to_domain()), idempotency_key)

    @strawberry.mutation(description="Allocate funds from the partner's balance to a resale customer (Huawei).")
    async def transfer_funds(
        self, info: Info, customer_id: strawberry.ID, amount: MoneyInput, idempotency_key: str
    ) -> CustomerResult:
        return await customer_write(info, customer_id, lambda c: TransferFunds(c, amount.to_domain()), idempotency_key)

    @strawberry.mutation(description="Reclaim funds from a resale customer to the partner's balance (Huawei).")
    async def reclaim_funds(
        self, info: Info, customer_id: strawberry.ID, amount: MoneyInput, idempotency_key: str
    ) -> CustomerResult:
        return await customer_write(info, customer_id, lambda c: ReclaimFunds(c, amount.to_domain()), idempotency_key)

    @strawberry.mutation(description="Add a follow-up note to a customer (Aliyun).")
    async def add_note(
        self, info: Info, customer_id: strawberry.ID, input: NoteInput, idempotency_key: str
    ) -> CustomerResult:
        def build(native_id: str) -> AddNote:
            check_text(input)
            return AddNote(native_id, input.content, input.contact_name, input.contact_information, input.touched_at)

        return await customer_write(info, customer_id, build, idempotency_key, {"input": input})

    @strawberry.mutation(description="Assign a customer to a salesperson (客户分配; kept by the gateway; admins only).")
    async def assign_customer(self, info: Info, customer_id: strawberry.ID, owner: str) -> AssignmentResult:
        try:
            account_id, native_id = customer_ref(customer_id)
            await info.context.session.assign(account_id, native_id, owner)
        except GatewayError as exc:
            return error_result(exc)
        return AssignmentPayload(account_id=account_id, native_id=native_id)
