"""The partner programs' rules (DOMAIN.md), checked before any upstream call.

The rules are the gateway's; the facts they apply (currencies, filing limits, which roles may do what, whose
money moves) are each program's, declared by its plug-in and carried by the account (``account.program``).
Each check raises ``RuleViolation`` with a provider-neutral ``Reason``; nothing has been sent when it
does, so the caller may fix the input and try again with the same idempotency key.
"""

from __future__ import annotations

from decimal import InvalidOperation

from gateway.auth import Principal
from gateway.errors import Reason, RuleViolation
from gateway.models import Customer, Money, PartnerAccount, ProgramFacts
from gateway.provider import Capability
from gateway.writes import (
    INTENTS,
    CreateCustomer,
    Intent,
    IssueVoucher,
    ReclaimFunds,
    SetAutomaticWriteOff,
    SetCreditLine,
    SetNewPurchaseBan,
    SetShutdownPolicy,
    SetWarningThreshold,
    TransferFunds,
)

__all__ = [
    "CAPABILITY_OF",
    "SALES_INTENTS",
    "check_amount",
    "check_customer",
    "check_filing_limit",
    "check_principal",
    "check_role",
    "files_customers",
    "program_problems",
]


#: The capability a provider must have for each intent.
CAPABILITY_OF: dict[str, Capability] = {
    "createCustomer": Capability.CREATE_CUSTOMER,
    "sendVerificationCode": Capability.SEND_VERIFICATION_CODE,
    "resendInvitation": Capability.RESEND_INVITATION,
    "setCustomerFrozen": Capability.FREEZE_CUSTOMER,
    "setCreditLine": Capability.SET_CREDIT_LINE,
    "setWarningThreshold": Capability.CREDIT_CONTROLS,
    "setNewPurchaseBan": Capability.CREDIT_CONTROLS,
    "setShutdownPolicy": Capability.CREDIT_CONTROLS,
    "setAutomaticWriteOff": Capability.CREDIT_CONTROLS,
    "transferFunds": Capability.TRANSFER_FUNDS,
    "reclaimFunds": Capability.TRANSFER_FUNDS,
    "addNote": Capability.ADD_NOTE,
    "inviteReseller": Capability.INVITE_RESELLER,
    "allocateResellerFunds": Capability.ALLOCATE_RESELLER_FUNDS,
    "reclaimResellerFunds": Capability.ALLOCATE_RESELLER_FUNDS,
    "grantVoucherQuota": Capability.GRANT_VOUCHER_QUOTA,
    "reclaimVoucherQuota": Capability.GRANT_VOUCHER_QUOTA,
    "issueVoucher": Capability.ISSUE_VOUCHER,
    "reclaimVoucher": Capability.RECLAIM_VOUCHER,
    "createVoucherTemplate": Capability.MANAGE_VOUCHER_TEMPLATES,
    "deleteVoucherTemplate": Capability.MANAGE_VOUCHER_TEMPLATES,
    "decideVoucherApplication": Capability.DECIDE_VOUCHER_APPLICATIONS,
}

#: Amounts beyond 10^±28 are no money (and quantizing them overflows ``decimal``'s context).
_MAX_EXPONENT = 28

#: The customers' money moves (or its credit is controlled) in these intents: only for the account types the
#: program names.
_CUSTOMER_MONEY = (
    SetCreditLine,
    TransferFunds,
    ReclaimFunds,
    IssueVoucher,
    SetWarningThreshold,
    SetNewPurchaseBan,
    SetShutdownPolicy,
    SetAutomaticWriteOff,
)


#: What a sales key may do (on its own customers): everything else is for admin and finance keys.
SALES_INTENTS = frozenset({"createCustomer", "sendVerificationCode", "resendInvitation", "addNote"})


def check_principal(principal: Principal, intent: Intent) -> None:
    """Only admin and finance move money; sales act only on their own customers (checked with the customer)."""
    if intent.moves_money and not principal.moves_money:
        raise RuleViolation(f"{principal.role.value} keys may not move money", Reason.ROLE_NOT_ALLOWED)
    if principal.scoped_owner is not None and intent.kind not in SALES_INTENTS:
        raise RuleViolation(f"sales keys may not {intent.kind}", Reason.ROLE_NOT_ALLOWED)


def program_problems(program: ProgramFacts) -> list[str]:
    """What in a plug-in's facts the rules cannot apply: role rules for intents that do not exist (such a
    rule would silently restrict nothing)."""
    unknown = sorted(set(program.intent_roles) - set(INTENTS))
    return [f"role rules name unknown intents: {', '.join(unknown)}"] if unknown else []


def check_role(account: PartnerAccount, intent: Intent) -> None:
    """Some intents are for some roles of the account's own program only (``ProgramFacts.intent_roles``)."""
    allowed = account.program.intent_roles.get(intent.kind)
    if allowed is not None and account.role not in allowed:
        raise RuleViolation(
            f"{intent.kind} needs a partner account of role {', '.join(sorted(allowed))}; "
            f"{account.id} is {account.role}",
            Reason.ROLE_NOT_ALLOWED,
        )


def check_amount(account: PartnerAccount, amount: Money, field: str = "amount", *, allow_zero: bool = False) -> None:
    if not amount.amount.is_finite() or abs(amount.amount.adjusted()) > _MAX_EXPONENT:
        # The GraphQL scalar refuses these; a caller of the domain gets the same answer, never InvalidOperation.
        raise RuleViolation("the amount must be a finite number of a sane size", Reason.INVALID_INPUT, field)
    if amount.amount < 0 or (amount.amount == 0 and not allow_zero):
        raise RuleViolation("the amount must be greater than zero", Reason.INVALID_INPUT, field)
    program = account.program
    try:
        rounded = amount.amount.quantize(program.precision)
    except InvalidOperation:  # more digits than decimal's context holds at that precision
        raise RuleViolation("the amount is too large", Reason.INVALID_INPUT, field) from None
    if amount.amount != rounded:
        places = max(0, -program.precision.normalize().as_tuple().exponent)  # type: ignore[operator]
        raise RuleViolation(
            f"the amount has at most {places} decimal(s) (the upstream's precision)", Reason.INVALID_INPUT, field
        )
    if amount.currency not in program.currencies:
        raise RuleViolation(
            f"{account.id} deals in {', '.join(sorted(program.currencies))}, not {amount.currency}",
            Reason.INVALID_INPUT,
            field,
        )


def check_customer(
    account: PartnerAccount, principal: Principal, intent: Intent, customer: Customer | None, customer_id: str
) -> Customer:
    """The target customer exists in this account, is the principal's to act on, and (for money) is of an
    account type whose money the account's program lets the partner move."""
    if customer is None or not principal.sees_owner(customer.owner):
        # The same answer for another owner's customer: a sales key learns nothing of other owners' customers.
        raise RuleViolation(
            f"customer {customer_id} is not a customer of this partner account", Reason.NOT_FOUND, "customerId"
        )
    allowed = account.program.money_account_types
    if isinstance(intent, _CUSTOMER_MONEY) and customer.account_type not in allowed:
        kinds = " or ".join(sorted(kind.value.lower() for kind in allowed)) or "no"
        raise RuleViolation(
            f"money and vouchers move only for {kinds} customers of {account.id}; "
            f"{customer_id} is {customer.account_type.value}",
            Reason.ACCOUNT_TYPE_NOT_ALLOWED,
            "customerId",
        )
    return customer


def files_customers(account: PartnerAccount) -> bool:
    """Whether the account's program limits how many accounts a customer may have filed (so counting them
    before ``check_filing_limit`` is worth an upstream call)."""
    return bool(account.program.filing_limits)


def check_filing_limit(account: PartnerAccount, intent: CreateCustomer, same_name_accounts: int) -> None:
    limit = account.program.filing_limits.get(intent.customer_kind)
    if limit is not None and same_name_accounts >= limit:
        raise RuleViolation(
            f"{intent.name!r} already has {same_name_accounts} filed account(s); "
            f"an {intent.customer_kind.value.lower()} customer may have at most {limit}",
            Reason.FILING_LIMIT_EXCEEDED,
            "name",
        )
