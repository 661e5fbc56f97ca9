"""The partner programs' rules (DOMAIN.md), checked before any upstream call.

Each check raises ``RuleViolation`` with a provider-neutral ``Reason``; nothing has been sent when it
does, so the caller may fix the input and try again with the same idempotency key.
"""

from __future__ import annotations

from decimal import Decimal

from gateway.auth import Principal
from gateway.errors import Reason, RuleViolation
from gateway.models import AccountType, Customer, CustomerKind, Money, PartnerAccount, PartnerRole
from gateway.provider import Capability
from gateway.writes import (
    AllocateResellerFunds,
    CreateCustomer,
    GrantVoucherQuota,
    Intent,
    InviteReseller,
    IssueVoucher,
    ReclaimFunds,
    ReclaimResellerFunds,
    ReclaimVoucherQuota,
    SetCreditLine,
    TransferFunds,
)

__all__ = [
    "CAPABILITY_OF",
    "FILED_PROVIDERS",
    "FILING_LIMITS",
    "check_amount",
    "check_customer",
    "check_filing_limit",
    "check_principal",
    "check_role",
]


#: The capability a provider must have for each intent.
CAPABILITY_OF: dict[str, Capability] = {
    "createCustomer": Capability.CREATE_CUSTOMER,
    "sendVerificationCode": Capability.SEND_VERIFICATION_CODE,
    "resendInvitation": Capability.RESEND_INVITATION,
    "setCustomerFrozen": Capability.FREEZE_CUSTOMER,
    "setCreditLine": Capability.SET_CREDIT_LINE,
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
}

#: Filed accounts a customer may have (Aliyun, DOMAIN.md): enterprise 5, individual 1.
FILING_LIMITS = {CustomerKind.ENTERPRISE: 5, CustomerKind.INDIVIDUAL: 1}
FILED_PROVIDERS = frozenset({"aliyun"})

#: Only a tier-1 distributor (or a solution provider) may manage tier-2 funds and quotas (Huawei);
#: only a distributor may invite a tier-2 (Aliyun).
_TIER1 = frozenset({PartnerRole.TIER1_DISTRIBUTOR, PartnerRole.SOLUTION_PROVIDER})
_ROLE_RULES: dict[type[Intent], frozenset[PartnerRole]] = {
    AllocateResellerFunds: _TIER1,
    ReclaimResellerFunds: _TIER1,
    GrantVoucherQuota: _TIER1,
    ReclaimVoucherQuota: _TIER1,
    InviteReseller: frozenset({PartnerRole.DISTRIBUTOR}),
}

#: The customers whose money the partner handles: Aliyun consignment (代销), Huawei resale (代售).
MONEY_ACCOUNT_TYPES = frozenset({AccountType.CONSIGNMENT, AccountType.RESALE})
_CUSTOMER_MONEY = (SetCreditLine, TransferFunds, ReclaimFunds, IssueVoucher)

#: Upstream precision for amounts (yuan to the cent: H.4.7; Aliyun credit lines likewise).
PRECISION = Decimal("0.01")
CURRENCIES = {"aliyun": {"CNY", "USD"}, "huaweicloud": {"CNY"}}


#: What a sales key may do (on its own customers): everything else is for admin and finance keys.
SALES_INTENTS = frozenset({"createCustomer", "sendVerificationCode", "resendInvitation", "addNote"})


def check_principal(principal: Principal, intent: Intent) -> None:
    """Only admin and finance move money; sales act only on their own customers (checked with the customer)."""
    if intent.moves_money and not principal.moves_money:
        raise RuleViolation(f"{principal.role.value} keys may not move money", Reason.ROLE_NOT_ALLOWED)
    if principal.scoped_owner is not None and intent.kind not in SALES_INTENTS:
        raise RuleViolation(f"sales keys may not {intent.kind}", Reason.ROLE_NOT_ALLOWED)


#: The roles of one partner program: a role rule speaks only to roles of the same program. For another
#: cloud's account the answer is not "wrong role" but "no such operation" (the capability check's).
_PROGRAMS = (
    frozenset({PartnerRole.DISTRIBUTOR, PartnerRole.RESELLER}),
    frozenset({PartnerRole.TIER1_DISTRIBUTOR, PartnerRole.TIER2_RESELLER, PartnerRole.SOLUTION_PROVIDER}),
)


def check_role(account: PartnerAccount, intent: Intent) -> None:
    allowed = _ROLE_RULES.get(type(intent))
    program = next((roles for roles in _PROGRAMS if account.role in roles), frozenset())
    if allowed is not None and allowed & program and account.role not in allowed:
        roles = ", ".join(sorted(role.value for role in allowed))
        raise RuleViolation(
            f"{intent.kind} needs a partner account of role {roles}; {account.id} is {account.role.value}",
            Reason.ROLE_NOT_ALLOWED,
        )


def check_amount(account: PartnerAccount, amount: Money, field: str = "amount", *, allow_zero: bool = False) -> None:
    if amount.amount < 0 or (amount.amount == 0 and not allow_zero):
        raise RuleViolation("the amount must be greater than zero", Reason.INVALID_INPUT, field)
    if amount.amount != amount.amount.quantize(PRECISION):
        raise RuleViolation(
            "the amount has at most two decimals (the upstream's precision)", Reason.INVALID_INPUT, field
        )
    currencies = CURRENCIES.get(account.provider)
    if currencies is not None and amount.currency not in currencies:
        raise RuleViolation(
            f"{account.provider} accounts deal in {', '.join(sorted(currencies))}, not {amount.currency}",
            Reason.INVALID_INPUT,
            field,
        )


def check_customer(principal: Principal, intent: Intent, customer: Customer | None, customer_id: str) -> Customer:
    """The target customer exists in this account, is the principal's to act on, and (for money) is a
    consignment or resale customer."""
    if customer is None:
        raise RuleViolation(
            f"customer {customer_id} is not a customer of this partner account", Reason.NOT_FOUND, "customerId"
        )
    if not principal.sees_owner(customer.owner):
        # Same answer as a missing customer: a sales key learns nothing of other owners' customers.
        raise RuleViolation(
            f"customer {customer_id} is not a customer of this partner account", Reason.NOT_FOUND, "customerId"
        )
    if isinstance(intent, _CUSTOMER_MONEY) and customer.account_type not in MONEY_ACCOUNT_TYPES:
        raise RuleViolation(
            f"money and vouchers move only for consignment (Aliyun) or resale (Huawei) customers; "
            f"{customer_id} is {customer.account_type.value}",
            Reason.ACCOUNT_TYPE_NOT_ALLOWED,
            "customerId",
        )
    return customer


def check_filing_limit(intent: CreateCustomer, same_name_accounts: int) -> None:
    limit = FILING_LIMITS.get(intent.customer_kind)
    if limit is not None and same_name_accounts >= limit:
        raise RuleViolation(
            f"{intent.name!r} already has {same_name_accounts} filed account(s); "
            f"an {intent.customer_kind.value.lower()} customer may have at most {limit}",
            Reason.FILING_LIMIT_EXCEEDED,
            "name",
        )
