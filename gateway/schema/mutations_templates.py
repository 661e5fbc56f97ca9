"""Voucher templates and tier-2 voucher applications (Aliyun A.7.4, A.7.6, A.7.21), as writes like any other
(``gateway.writes``): an idempotency key, the audit log, and a lost reply settled from the upstream's records
(the template list for a creation, the template's detail for a deletion, the application's detail for a
decision). Finance and admin keys only."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

import strawberry

from gateway.errors import GatewayError, InvalidInput
from gateway.schema.context import Context
from gateway.schema.mutations_customers import partner_ref
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
from gateway.writes import CreateVoucherTemplate, DecideVoucherApplication, DeleteVoucherTemplate, Intent

__all__ = ["TemplateMutation"]

Info = strawberry.Info[Context, None]

#: How long a template's vouchers may stay valid, in days (a year and a day at most: no program offers more).
VALID_DAYS = range(1, 367)


@strawberry.input(description="A voucher template to apply for (Aliyun CreateCouponTemplate).")
class VoucherTemplateInput:
    partner_id: strawberry.ID = strawberry.field(description="The Aliyun partner account.")
    name: str = strawberry.field(description="The template's name (how its settlement finds it: keep it unique).")
    face_value: MoneyInput = strawberry.field(description="What each voucher issued from it is worth.")
    valid_days: int = strawberry.field(description="How many days each voucher stays valid after it is issued.")
    reason: str = strawberry.field(description="Why the template is needed (the cloud reviews it).")
    applicable_products: str = strawberry.field(default="all", description="Which products the vouchers pay for.")
    cost_bearer: str = strawberry.field(default="partner", description="Who bears the vouchers' cost.")
    limit_per_customer: int = strawberry.field(default=1, description="How many vouchers one customer may get.")
    description: str | None = strawberry.field(default=None, description="What the template is for.")
    product_types: list[str] = strawberry.field(
        default_factory=list, description="Product codes to restrict the vouchers to (`voucherTemplateProducts`)."
    )


@strawberry.type(description="A write on a voucher template or a tier-2 application.")
class TemplatePayload:
    operation: OperationReceipt = strawberry.field(description="The write's receipt.")
    template_id: str | None = strawberry.field(description="The template the write created or deleted.")
    application_id: str | None = strawberry.field(description="The application the write decided.")


_ERRORS = RuleViolationError | InvalidInputError | IdempotencyConflictError | UnsupportedError | UpstreamError
TemplateResult = Annotated[TemplatePayload | _ERRORS, strawberry.union("TemplateResult")]


def _template(input: VoucherTemplateInput) -> CreateVoucherTemplate:
    check_text(input)
    if not input.name.strip():
        raise InvalidInput("a template needs a name", "input.name")
    if not input.reason.strip():
        raise InvalidInput("the cloud reviews a template by its reason: give one", "input.reason")
    if input.valid_days not in VALID_DAYS:
        raise InvalidInput("a voucher stays valid from 1 to 366 days", "input.validDays")
    if input.limit_per_customer < 1:
        raise InvalidInput("a customer may get at least one voucher", "input.limitPerCustomer")
    return CreateVoucherTemplate(
        name=input.name.strip(),
        face_value=input.face_value.to_domain(),
        valid_days=input.valid_days,
        reason=input.reason,
        applicable_products=input.applicable_products,
        cost_bearer=input.cost_bearer,
        limit_per_customer=input.limit_per_customer,
        description=input.description,
        product_types=tuple(input.product_types),
    )


async def _write(
    info: Info, partner_id: strawberry.ID, build: Callable[[], Intent], key: str, inputs: Mapping[str, object]
) -> Any:
    try:
        account_id = partner_ref(partner_id)
        intent = build()
        outcome = await info.context.session.write(account_id, intent, key)
    except GatewayError as exc:
        return error_result(exc, inputs)
    ids = outcome.receipt.upstream_ids
    return TemplatePayload(
        operation=receipt(outcome),
        template_id=(ids[0] if ids else None) if not isinstance(intent, DecideVoucherApplication) else None,
        application_id=intent.application_id if isinstance(intent, DecideVoucherApplication) else None,
    )


@strawberry.type
class TemplateMutation:
    @strawberry.mutation(
        description=(
            "Apply for a voucher template (Aliyun); vouchers are issued from it once approved. A lost reply is "
            "settled from the template list (a template of this name made since)."
        )
    )
    async def create_voucher_template(
        self, info: Info, input: VoucherTemplateInput, idempotency_key: str
    ) -> TemplateResult:
        return await _write(info, input.partner_id, lambda: _template(input), idempotency_key, {"input": input})

    @strawberry.mutation(
        description=(
            "Delete a voucher template (Aliyun); vouchers issued from it stay. A lost reply is settled from the "
            "template's detail (gone or not)."
        )
    )
    async def delete_voucher_template(
        self, info: Info, partner_id: strawberry.ID, template_id: str, idempotency_key: str
    ) -> TemplateResult:
        def build() -> Intent:
            if not template_id.strip().isdigit():
                raise InvalidInput("a template id is the cloud's number", "templateId")
            return DeleteVoucherTemplate(template_id.strip())

        return await _write(info, partner_id, build, idempotency_key, {})

    @strawberry.mutation(
        description=(
            "Approve or reject a tier-2 reseller's voucher application (Aliyun; a tier-1 account). A lost reply is "
            "settled from the application's status."
        )
    )
    async def decide_voucher_application(
        self,
        info: Info,
        partner_id: strawberry.ID,
        application_id: str,
        approve: bool,
        comment: str,
        idempotency_key: str,
    ) -> TemplateResult:
        def build() -> Intent:
            if not application_id.strip():
                raise InvalidInput("which application?", "applicationId")
            if not comment.strip():
                raise InvalidInput("a decision carries a comment for the tier-2", "comment")
            return DecideVoucherApplication(application_id.strip(), approve, comment)

        return await _write(info, partner_id, build, idempotency_key, {})
