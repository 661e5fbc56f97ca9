"""What a session writes upstream, and the customer assignments the gateway keeps itself.

A write is decided in two steps, both here: ``authorize`` (may this principal run this intent on this
account, on this target: its role, the partner account's role, the provider's capability, and the target
customer exists, is the principal's and, for money, of a type whose money moves; for a sales key also
its own invitation, with the same ``NOT_FOUND`` as a missing one) runs on every call, replays of a
stored outcome included; ``check`` (amounts, filing limits) runs for a new idempotency key only. The
operation runner (``gateway.operations``) keeps the key, the outcome and the audit trail.

What a principal creates carries the owner it was given from the first moment: after a customer is
created or invited, its owner is recorded as the gateway's assignment for the row the customer lists
as, so a sales key sees what it created at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from gateway import rules
from gateway.auth import Role
from gateway.errors import GatewayError, InvalidInput, Reason, RuleViolation, UnsupportedByProvider
from gateway.filters import CustomerFilter
from gateway.models import Customer, CustomerStatus, Money
from gateway.provider import Provider
from gateway.records import Outcome
from gateway.session._reads import Reads
from gateway.writes import CreateCustomer, Intent, ReclaimVoucher, ResendInvitation

__all__ = ["RESEND_BATCH_LIMIT", "Writes"]

log = logging.getLogger("gateway.session")

_MONEY_FIELDS = ("amount", "face_value", "credit_line")
#: Items one bulk resend of invitations may hold (Aliyun sends at most 10 e-mails per 5 minutes anyway).
RESEND_BATCH_LIMIT = 20


def _not_found(what: str, native_id: str, field: str) -> RuleViolation:
    # The same answer for a missing object and another owner's: a sales key learns nothing of the others.
    return RuleViolation(f"{what} {native_id} is not a {what} of this partner account", Reason.NOT_FOUND, field)


class Writes(Reads):
    # -- upstream writes ----------------------------------------------------------------------------------

    async def write(self, account_id: str, intent: Intent, key: str | None) -> Outcome:
        """Run a write for the principal: authorized on every call, checked when new, applied at most once."""
        provider = self.gateway.provider(account_id)
        if isinstance(intent, CreateCustomer) and self.principal.scoped_owner is not None:
            intent = replace(intent, owner=self.principal.scoped_owner)  # a salesperson files for themselves

        async def authorize() -> None:
            await self._authorize(provider, intent)

        async def check() -> None:
            await self._check(provider, intent)

        try:
            outcome = await self.gateway.operations.run(
                self.principal, account_id, intent, key, authorize=authorize, check=check
            )
        finally:
            self._invalidate()  # what the write may have changed is read anew
        return outcome  # a created customer's owner is recorded by the gateway as the write is applied

    async def reclaim_voucher(self, account_id: str, voucher_id: str, key: str | None) -> tuple[Outcome, str | None]:
        """Reclaim (cancel) a voucher; the outcome and the customer it was issued to, if known."""
        rules.check_principal(self.principal, ReclaimVoucher(voucher_id))  # who may, before any lookup
        voucher = await self._vouchers.load((account_id, voucher_id))
        customer_id = voucher.customer_id if voucher is not None else None
        return await self.write(account_id, ReclaimVoucher(voucher_id, customer_id), key), customer_id

    async def resend_to_customer(self, account_id: str, customer_id: str, key: str | None) -> Outcome:
        """Resend the open invitation a customer row stands for (an invitee, ``INVITED`` or
        ``INVITATION_EXPIRED``): the same write, with the same key rules, as ``resendInvitation`` with its id.

        A row that is not an open invitation, or not the principal's, is ``NOT_FOUND`` (audited as refused)."""
        found = await self.customer(account_id, customer_id)
        if found is None or not found.invitation_id:
            started = time.monotonic()
            error = RuleViolation(
                f"customer {customer_id} is not an open invitation of this partner account",
                Reason.NOT_FOUND,
                "customerId",
            )
            data = {"accountId": account_id, "customerId": customer_id}
            await self._audit(ResendInvitation.kind, account_id, data, "REJECTED", started, error=error)
            raise error
        return await self.write(account_id, ResendInvitation(found.invitation_id), key)

    @staticmethod
    def check_resend_batch(size: int) -> None:
        """A bulk resend holds 1 to ``RESEND_BATCH_LIMIT`` items: anything else is refused whole."""
        if not 1 <= size <= RESEND_BATCH_LIMIT:
            raise InvalidInput(f"a bulk resend holds 1 to {RESEND_BATCH_LIMIT} items, not {size}", field="items")

    async def _authorize(self, provider: Provider, intent: Intent) -> None:
        account = provider.account
        rules.check_principal(self.principal, intent)
        rules.check_role(account, intent)
        if rules.CAPABILITY_OF[intent.kind] not in provider.capabilities:
            raise UnsupportedByProvider(account.provider, intent.kind)
        customer_id = getattr(intent, "customer_id", None)
        if customer_id is not None:  # it exists, is the principal's, and (for money) of the right type
            found = await self._customers.load((account.id, customer_id))
            rules.check_customer(account, self.principal, intent, found, customer_id)
        if not self._scoped:
            return
        reseller_id = getattr(intent, "reseller_id", None)
        if reseller_id is not None:  # a sales key sees no resellers
            raise _not_found("reseller", str(reseller_id), "resellerId")
        if isinstance(intent, ResendInvitation):
            owned = await self._owned_customers(account.id)
            if not any(c.invitation_id == intent.invitation_id.strip() for c in owned.values()):
                raise _not_found("invitation", intent.invitation_id, "invitationId")

    async def _check(self, provider: Provider, intent: Intent) -> None:
        account = provider.account
        for name in _MONEY_FIELDS:
            value = getattr(intent, name, None)
            if isinstance(value, Money):
                rules.check_amount(account, value, name, allow_zero=name == "credit_line")
        if isinstance(intent, CreateCustomer) and rules.files_customers(account):
            rules.check_filing_limit(account, intent, await self._same_name_accounts(account.id, intent.name))

    async def _same_name_accounts(self, account_id: str, name: str) -> int:
        """Accounts filed under ``name``, whoever owns them: registered customers and open invitations
        (an invitee is listed among the customers as ``INVITED``; a lapsed invitation does not count)."""
        listing = self._customer_list(CustomerFilter(partner_ids=(account_id,), search=name), scoped=False)
        named = [c for c in await self._scan(listing) if c.name == name]
        return sum(1 for c in named if c.status is not CustomerStatus.INVITATION_EXPIRED)

    # -- what a write created or changed, read after it -----------------------------------------------------

    async def created_customer(self, account_id: str, outcome: Outcome) -> Customer | None:
        """The customer a ``createCustomer`` created, as listed now (if the principal may see it)."""
        listed = outcome.receipt.listed_id
        return await self.customer(account_id, listed) if listed else None

    # -- assignments (客户分配) ------------------------------------------------------------------------------

    async def assign(self, account_id: str, customer_id: str, owner: str) -> None:
        """Assign a customer to a salesperson (admins only), kept by the gateway over the upstream's owner."""
        data: dict[str, Any] = {"accountId": account_id, "customerId": customer_id, "owner": owner}
        started = time.monotonic()
        try:
            if self.principal.role is not Role.ADMIN:
                raise RuleViolation("only admins assign customers", Reason.ROLE_NOT_ALLOWED)
            if not owner.strip():
                raise RuleViolation("an owner is required", Reason.INVALID_INPUT, "owner")
            self.account(account_id)
            if await self._customers.load((account_id, customer_id)) is None:
                raise _not_found("customer", customer_id, "customerId")
        except GatewayError as exc:
            await self._audit("assignCustomer", account_id, data, "REJECTED", started, error=exc)
            raise
        await self._assign(account_id, customer_id, owner.strip(), {})

    async def _assign(self, account_id: str, customer_id: str, owner: str, extra: Mapping[str, Any]) -> None:
        started = time.monotonic()
        await self.gateway.store.assign(account_id, customer_id, owner, self.principal.name, datetime.now(UTC))
        self._invalidate()  # the new owner is read in this request too
        data = {"accountId": account_id, "customerId": customer_id, "owner": owner, **extra}
        await self._audit("assignCustomer", account_id, data, "SUCCEEDED", started)

    # -- the audit trail of gateway-owned writes -------------------------------------------------------------

    async def _audit(
        self,
        operation: str,
        account_id: str | None,
        data: Mapping[str, Any],
        outcome: str,
        started: float,
        *,
        error: GatewayError | None = None,
    ) -> None:
        """One entry per attempt, in the same trail and form as the upstream writes'."""
        await self.gateway.operations.audit(self.principal, operation, account_id, data, outcome, started, error=error)
