"""What mutations answer: a payload, or one of a few typed errors (members of each mutation's union).

Expected refusals are data, not GraphQL errors: a front end switches on ``__typename`` and, for a rule,
on ``reason``; every typed error carries the error's unique ``code`` (``gateway.errors``). Which type an
error becomes is one table (``RESULTS``), looked up along the error class's MRO, so a subclass answers
as its nearest mapped ancestor. What the table does not map comes back in ``errors``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from strawberry.scalars import JSON
from strawberry.utils.str_converters import to_camel_case

from gateway.errors import (
    GatewayError,
    IdempotencyConflict,
    InvalidInput,
    NotFound,
    OperationPending,
    ProjectRefusal,
    ProjectRuleViolation,
    ProviderError,
    Reason,
    RuleViolation,
    StoredFailure,
    UnsupportedByProvider,
    VersionConflict,
)
from gateway.models import Money
from gateway.records import Outcome
from gateway.schema.json import jsonable

__all__ = [
    "ERRORS",
    "RESULTS",
    "IdempotencyConflictError",
    "InvalidInputError",
    "MoneyInput",
    "MutationError",
    "OperationReceipt",
    "ProjectRuleViolationError",
    "RuleViolationError",
    "UnsupportedError",
    "UpstreamError",
    "VersionConflictError",
    "error_result",
    "receipt",
]

ReasonEnum = strawberry.enum(Reason, name="RefusalReason", description="Why a write was refused.")
ProjectRefusalEnum = strawberry.enum(
    ProjectRefusal,
    name="ProjectRefusalReason",
    description=(
        "Why a change to a project was refused. PROJECT_CLOSED: it is won or lost. STAGE_BACKWARDS: to its stage "
        "or an earlier one. STAGE_SKIPPED: more than one stage forward. NOT_APPROVED: the cloud's BD has not "
        "approved the filing. NOT_CONFIRMED: the customer has not confirmed it. NOT_AWAITING_APPROVAL: the approval "
        "is decided, or not required. ALREADY_CONFIRMED: the customer confirmed it before. FILING_CONFIRMED: the "
        "flags the customer confirmed cannot change. SIGNED: a signed project cannot be lost. "
        "DUPLICATE_OPPORTUNITY: another project has this upstream opportunity id. CONFIGURATION_NOT_FOUND: no "
        "configuration list of that number. CONFIGURATION_STATUS: the list cannot move to that status from its "
        "own. TOO_MANY_CONFIGURATIONS: the project holds the most it may. A project that is missing, or not the "
        "principal's (another salesperson's), is a RuleViolationError with reason NOT_FOUND instead."
    ),
)


@strawberry.input(description="An amount of money: a decimal string and an ISO 4217 currency.")
class MoneyInput:
    amount: Decimal
    currency: str = "CNY"

    def to_domain(self) -> Money:
        try:
            return Money(self.amount, self.currency)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(str(exc), field="amount") from None


@strawberry.interface(description="A refusal a front end is expected to handle.")
class MutationError:
    message: str = strawberry.field(description="What went wrong, for a person to read.")
    code: str = strawberry.field(description="The error's stable code, e.g. RULE_VIOLATION, VERSION_CONFLICT.")


@strawberry.type(description="A rule of the partner programs (or of the gateway's access rules) forbids this.")
class RuleViolationError(MutationError):
    reason: ReasonEnum  # type: ignore[valid-type]
    field: str | None


@strawberry.type(description="A rule of the projects (stage order, approval, confirmation, ...) forbids this change.")
class ProjectRuleViolationError(MutationError):
    rule: ProjectRefusalEnum = strawberry.field(  # type: ignore[valid-type]
        description="Which rule refused it (named `rule`, not `reason`: a selection of both union members would "
        "conflict with RuleViolationError.reason, another enum)."
    )
    field: str | None = strawberry.field(description="The argument the rule is about, if one is.")


@strawberry.type(description="The input is malformed (an id of the wrong kind, an impossible value).")
class InvalidInputError(MutationError):
    field: str | None


@strawberry.type(description="The idempotency key was used before with different input.")
class IdempotencyConflictError(MutationError):
    key: str


@strawberry.type(description="Someone changed the object since you read it: read it again, then retry.")
class VersionConflictError(MutationError):
    pass


@strawberry.type(description="This provider has no API for the operation (see `capabilities`).")
class UnsupportedError(MutationError):
    provider: str


@strawberry.type(
    description=(
        "The upstream refused or could not be reached. `pending`: the outcome of an earlier attempt is still "
        "being settled; retry later with the same key. `retryable`: nothing was applied; retrying with the same "
        "key is safe."
    )
)
class UpstreamError(MutationError):
    provider: str | None
    partner_id: str | None
    upstream_code: str | None
    request_id: str | None
    reason: ReasonEnum  # type: ignore[valid-type]
    retryable: bool
    pending: bool
    operation_id: str | None


@strawberry.type
class ItemFailure:
    id: str
    upstream_code: str
    message: str


@strawberry.type(description="The record of a write: its id, whether this answer is a replay, what the upstream said.")
class OperationReceipt:
    operation_id: strawberry.ID
    replayed: bool = strawberry.field(description="True when this answer is the first attempt's, returned again.")
    reconciled: bool = strawberry.field(description="True when the outcome was read back from the upstream's records.")
    upstream_ids: list[str]
    request_id: str | None
    details: JSON
    failures: list[ItemFailure] = strawberry.field(
        description="Items a batch call refused while the rest went through."
    )


def receipt(outcome: Outcome) -> OperationReceipt:
    r = outcome.receipt
    return OperationReceipt(
        operation_id=strawberry.ID(outcome.operation_id),
        replayed=outcome.replayed,
        reconciled=outcome.reconciled,
        upstream_ids=list(r.upstream_ids),
        request_id=r.request_id,
        details=jsonable(r.details),
        failures=[ItemFailure(id=f.item_id, upstream_code=f.upstream_code, message=f.message) for f in r.failures],
    )


ERRORS = (
    RuleViolationError,
    ProjectRuleViolationError,
    InvalidInputError,
    IdempotencyConflictError,
    VersionConflictError,
    UnsupportedError,
    UpstreamError,
)


E = TypeVar("E", bound=GatewayError)

#: Error class -> its GraphQL type, built from the error (see ``error_result``).
RESULTS: dict[type[GatewayError], Callable[[Any], MutationError]] = {}


def _maps(cls: type[E]) -> Callable[[Callable[[E], MutationError]], Callable[[E], MutationError]]:
    def register(build: Callable[[E], MutationError]) -> Callable[[E], MutationError]:
        RESULTS[cls] = build
        return build

    return register


@_maps(RuleViolation)
def _rule(exc: RuleViolation) -> MutationError:
    return RuleViolationError(message=exc.message, code=exc.code, reason=exc.reason, field=exc.field)


@_maps(ProjectRuleViolation)
def _project_rule(exc: ProjectRuleViolation) -> MutationError:
    return ProjectRuleViolationError(message=exc.message, code=exc.code, rule=exc.reason, field=exc.field)


@_maps(NotFound)
def _not_found(exc: NotFound) -> MutationError:
    return RuleViolationError(message=exc.message, code=exc.code, reason=Reason.NOT_FOUND, field=None)


@_maps(InvalidInput)
def _invalid(exc: InvalidInput) -> MutationError:
    return InvalidInputError(message=exc.message, code=exc.code, field=exc.field)


@_maps(IdempotencyConflict)
def _idempotency(exc: IdempotencyConflict) -> MutationError:
    return IdempotencyConflictError(message=exc.message, code=exc.code, key=exc.key)


@_maps(VersionConflict)
def _version(exc: VersionConflict) -> MutationError:
    return VersionConflictError(message=exc.message, code=exc.code)


@_maps(UnsupportedByProvider)
def _unsupported(exc: UnsupportedByProvider) -> MutationError:
    return UnsupportedError(message=exc.message, code=exc.code, provider=exc.provider)


@_maps(ProviderError)
def _upstream(exc: ProviderError) -> MutationError:
    return UpstreamError(
        message=exc.message,
        code=exc.code,
        provider=exc.provider,
        partner_id=exc.partner_id,
        upstream_code=exc.upstream_code,
        request_id=exc.request_id,
        reason=exc.reason or Reason.OTHER,
        retryable=exc.retryable and not exc.outcome_unknown,
        pending=False,
        operation_id=None,
    )


@_maps(OperationPending)
def _pending(exc: OperationPending) -> MutationError:
    return UpstreamError(
        message=exc.message,
        code=exc.code,
        provider=None,
        partner_id=None,
        upstream_code=None,
        request_id=None,
        reason=Reason.OTHER,
        retryable=False,
        pending=True,
        operation_id=exc.operation_id,
    )


@_maps(StoredFailure)
def _stored(exc: StoredFailure) -> MutationError:
    stored = exc.stored
    reason = stored.get("reason")
    return UpstreamError(
        message=exc.message,
        code=exc.code,
        provider=stored.get("provider"),
        partner_id=stored.get("partnerId"),
        upstream_code=stored.get("upstreamCode"),
        request_id=stored.get("requestId"),
        reason=Reason(reason) if reason in Reason._value2member_map_ else Reason.OTHER,
        retryable=False,
        pending=False,
        operation_id=None,
    )


def client_field(field: str | None, inputs: Mapping[str, object] | None = None) -> str | None:
    """The argument path as the client wrote it: an error's ``verification_code`` is ``verificationCode``, and
    ``input.verificationCode`` when it is a field of the mutation's ``input`` argument (``inputs``: argument name
    -> the input object the mutation was given)."""
    if field is None:
        return None
    name = to_camel_case(field)
    if "." in name:
        return name
    for argument, value in (inputs or {}).items():
        if dataclasses.is_dataclass(value) and any(to_camel_case(f.name) == name for f in dataclasses.fields(value)):
            return f"{argument}.{name}"
    return name


def error_result(exc: GatewayError, inputs: Mapping[str, object] | None = None) -> Any:
    """The union member for an expected refusal (anything ``RESULTS`` does not map propagates as a GraphQL
    error), its ``field`` named as the client wrote it (``client_field``). Typed ``Any``: each mutation's union
    admits a subset of these, which strawberry checks at run time."""
    if isinstance(exc, InvalidInput | RuleViolation | ProjectRuleViolation):
        exc.field = client_field(exc.field, inputs)
    for cls in type(exc).__mro__:
        build = RESULTS.get(cls)
        if build is not None:
            return build(exc)
    raise exc
