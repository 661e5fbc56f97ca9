"""Writes: one ``gateway.writes`` intent, one BSS call, one ``Receipt`` (CONTRACTS.md H.4.1, H.4.3, H.4.7-H.4.18).

Input is checked before anything is sent: amounts in CNY, > 0, at most 2 decimals (H.4.7, H.4.11, H.4.13,
H.4.17). A write is sent once: the client never repeats it after an unknown outcome (``idempotent=False``);
``_reconcile`` looks for its effect instead. Batch calls answer HTTP 200 with per-item ``error_details[]``
(H.3, H.5 item 5): failed items become ``Receipt.failures``, and when nothing went through the first
failure is raised as the refusal it is.

=====================  ======================================  =====================================
intent                 operation                               ``Receipt.upstream_ids``
=====================  ======================================  =====================================
CreateCustomer         create_sub_customer (H.4.1)             the new customer's ``domain_id`` (also
                                                               ``details["customerNativeId"]``: listed
                                                               as ``customer_id`` once associated)
SendVerificationCode   send_verification_message_code (H.4.3)  none (nothing is created)
TransferFunds          update_customer_account_amount (H.4.7)  ``transfer_id``
ReclaimFunds           reclaim_to_partner_account (H.4.8)      ``trans_id``
AllocateResellerFunds  update_indirect_partner_account         ``transfer_id``
ReclaimResellerFunds   reclaim_indirect_partner_account        ``trans_id``
GrantVoucherQuota      update_coupon_quotas (H.4.13)           the tier-2's new quota id
ReclaimVoucherQuota    reclaim_coupon_quotas (H.4.14)          the reclaimed quota id
IssueVoucher           create_partner_coupons (H.4.17)         the new coupon id
ReclaimVoucher         reclaim_partner_coupons (H.4.18)        the reclaimed coupon id
=====================  ======================================  =====================================

Huawei has no API for credit lines, freezing, notes or invitations (X.3): those raise ``UnsupportedByProvider``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from gateway.errors import InvalidInput, ProviderProtocolError, UnsupportedByProvider
from gateway.models import AccountType, ItemFailure, Money
from gateway.writes import (
    AllocateResellerFunds,
    CreateCustomer,
    GrantVoucherQuota,
    Intent,
    IssueVoucher,
    Receipt,
    ReclaimFunds,
    ReclaimResellerFunds,
    ReclaimVoucher,
    ReclaimVoucherQuota,
    SendVerificationCode,
    TransferFunds,
    intent_to_json,
)

from ._client import CREATED_NOT_ASSOCIATED, BssClient, Reply
from ._errors import item_refusal
from ._mapping import CURRENCY, PROVIDER, _text
from ._paging import Pager

__all__ = ["DEFAULT_XACCOUNT_TYPE", "Writer", "wire_time", "xaccount_id", "yuan"]

#: create_sub_customer's ``xaccount_type`` is "the partner platform id assigned by Huawei" (H.4.1): set
#: the account setting ``xaccount_type`` to it. Without one, this placeholder is sent.
DEFAULT_XACCOUNT_TYPE = "partner-gateway"
SMS_MINUTES = 10  # send_verification_message_code ``timeout``: the upstream default (H.4.3)

# transfer_id on allocations, trans_id on reclaims (H.5 item 2); either is accepted in the answer.
_MONEY_CALLS: dict[type[Intent], tuple[str, Callable[[BssClient, Mapping[str, Any]], Awaitable[Reply]]]] = {
    TransferFunds: ("transfer_id", BssClient.update_customer_account_amount),  # H.4.7
    ReclaimFunds: ("trans_id", BssClient.reclaim_to_partner_account),  # H.4.8
    AllocateResellerFunds: ("transfer_id", BssClient.update_indirect_partner_account),  # H.4.11
    ReclaimResellerFunds: ("trans_id", BssClient.reclaim_indirect_partner_account),  # H.4.12
}
_UNSUPPORTED = {
    "setCreditLine": "credit lines (Huawei allocates cash instead)",
    "setCustomerFrozen": "freezing customers",
    "addNote": "customer notes",
    "inviteReseller": "inviting resellers",
    "resendInvitation": "invitations",
}


def yuan(money: Money, field: str) -> Decimal:
    """``money`` as BSS takes it: CNY, > 0, at most 2 decimals, sent with exactly 2 (H.4.7)."""
    if money.currency != CURRENCY:
        raise InvalidInput(f"Huawei Cloud moves money in {CURRENCY}, not {money.currency}", field=field)
    if money.amount <= 0:
        raise InvalidInput("the amount must be greater than 0", field=field)
    if len(format(money.amount, "f").partition(".")[2].rstrip("0")) > 2:
        raise InvalidInput("Huawei Cloud takes amounts with at most 2 decimal places", field=field)
    return Decimal(format(money.amount, ".2f"))  # exact: no more than 2 decimals were there


def wire_time(moment: datetime, field: str) -> str:
    """A BSS UTC time ``yyyy-MM-dd'T'HH:mm:ss'Z'`` (H.4 shared notes), whole seconds rounded down."""
    if moment.tzinfo is None:
        raise InvalidInput(f"{field} must carry a time zone", field=field)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def xaccount_id(intent: CreateCustomer) -> str:
    """The partner-side customer id sent as ``xaccount_id`` (H.4.1): the caller's own reference, or one
    derived from the intent (same input, same id) so that ``find_applied`` can recognise the customer.
    The SMS code is left out of it: it identifies an attempt, not the customer."""
    if intent.partner_reference:
        return intent.partner_reference
    data = {k: v for k, v in intent_to_json(intent).items() if k != "verification_code"}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"pg-{digest[:32]}"


def _with_reseller(body: dict[str, Any], reseller_id: str | None) -> dict[str, Any]:
    if reseller_id:
        body["indirect_partner_id"] = reseller_id  # a tier-1 acting for (or with the money of) a tier-2
    return body


class Writer:
    """``Provider.execute`` for one Huawei partner account, over its client and its pager."""

    def __init__(self, client: BssClient, pages: Pager, *, xaccount_type: str) -> None:
        self._client = client
        self._pages = pages
        self._xaccount_type = xaccount_type

    async def execute(self, intent: Intent) -> Receipt:
        match intent:
            case CreateCustomer():
                return await self._create_customer(intent)
            case SendVerificationCode():
                body = {"receiver_type": 1, "mobile_phone": intent.phone, "timeout": SMS_MINUTES}  # 1 = SMS
                reply = await self._client.send_verification_message_code(body)
                return Receipt((), reply.request_id, details={"valid_minutes": str(SMS_MINUTES)})
            case TransferFunds() | ReclaimFunds():
                body = self._money("customer_id", intent.customer_id, intent.amount)
                return await self._transaction(intent, _with_reseller(body, intent.reseller_id))
            case AllocateResellerFunds() | ReclaimResellerFunds():
                return await self._transaction(
                    intent, self._money("indirect_partner_id", intent.reseller_id, intent.amount)
                )
            case GrantVoucherQuota():
                body = {
                    "quota_id": intent.parent_quota_id,
                    "indirect_partner_ids": [intent.reseller_id],
                    "quota_amount": yuan(intent.amount, "amount"),
                }
                reply = await self._client.update_coupon_quotas(body)
                return self._batch("update_coupon_quotas", reply, "simple_quota_infos", "quota_id")
            case ReclaimVoucherQuota():
                reply = await self._client.reclaim_coupon_quotas({"quota_ids": [intent.quota_id]})
                return self._batch("reclaim_coupon_quotas", reply, "simple_quota_infos", "quota_id")
            case IssueVoucher():
                return await self._issue_voucher(intent)
            case ReclaimVoucher():
                reply = await self._client.reclaim_partner_coupons({"coupon_id": intent.voucher_id})
                return Receipt((intent.voucher_id,), reply.request_id)  # an empty body is the answer (H.4.18)
            case _:
                raise UnsupportedByProvider(PROVIDER, _UNSUPPORTED.get(intent.kind, intent.kind))  # X.3

    async def _create_customer(self, intent: CreateCustomer) -> Receipt:
        if intent.account_type not in (AccountType.RESALE, AccountType.ADVISORY):
            raise InvalidInput("a Huawei Cloud customer is either RESALE or ADVISORY", field="account_type")
        if intent.credit_line is not None:
            raise UnsupportedByProvider(PROVIDER, "credit lines (Huawei allocates cash instead)")
        if intent.phone and not intent.verification_code:
            raise InvalidInput("a phone number needs the SMS verification code sent to it", field="verification_code")
        if intent.verification_code and not intent.phone:
            raise InvalidInput("a verification code goes with the phone number it was sent to", field="phone")
        body: dict[str, Any] = {"xaccount_id": xaccount_id(intent), "xaccount_type": self._xaccount_type}
        if intent.account_name:
            body["domain_name"] = intent.account_name  # else Huawei picks a random name (H.4.1)
        if intent.phone:
            body["mobile_phone"] = intent.phone
            body["verification_code"] = intent.verification_code
        if intent.account_type is AccountType.ADVISORY:
            body["cooperation_type"] = "1"  # 顾问销售; anything else is resale (代售), the default (H.4.1)
        reply = await self._client.create_sub_customer(_with_reseller(body, intent.reseller_id))
        domain_id = _text(reply.get("domain_id"))
        if domain_id is None:
            raise self._unreadable("create_sub_customer", reply, "no domain_id")
        details = {"xaccount_id": body["xaccount_id"], "customerNativeId": domain_id}  # = customer_id (H.4.1)
        if name := _text(reply.get("domain_name")):
            details["account_name"] = name
        if reply.get("error_code") == CREATED_NOT_ASSOCIATED:
            details["association"] = "pending"  # created; association follows (H.3)
        return Receipt((domain_id,), reply.request_id, details=details)

    async def _issue_voucher(self, intent: IssueVoucher) -> Receipt:
        if intent.template_id is not None:
            raise InvalidInput("Huawei Cloud issues vouchers from a quota with a face value", field="template_id")
        if not intent.quota_id:
            raise InvalidInput("a Huawei Cloud voucher is issued from a quota", field="quota_id")
        if intent.face_value is None:
            raise InvalidInput("a Huawei Cloud voucher needs a face value", field="face_value")
        body: dict[str, Any] = {
            "quota_id": intent.quota_id,
            "customer_ids": [intent.customer_id],
            "face_value": yuan(intent.face_value, "face_value"),
        }
        if intent.valid_until is not None:
            body["expire_time"] = wire_time(intent.valid_until, "valid_until")  # default: the quota's (H.4.17)
        reply = await self._client.create_partner_coupons(_with_reseller(body, intent.reseller_id))
        return self._batch("create_partner_coupons", reply, "coupon_infos", "coupon_id")

    @staticmethod
    def _money(key: str, target: str, amount: Money) -> dict[str, Any]:
        return {key: target, "amount": yuan(amount, "amount")}

    async def _transaction(self, intent: Intent, body: dict[str, Any]) -> Receipt:
        key, call = _MONEY_CALLS[type(intent)]
        operation = call.__name__
        reply = await call(self._client, body)
        transaction_id = _text(reply.get(key)) or _text(reply.get("trans_id")) or _text(reply.get("transfer_id"))
        if transaction_id is None:
            raise self._unreadable(operation, reply, f"no {key}")
        return Receipt((transaction_id,), reply.request_id)

    def _batch(self, operation: str, reply: Reply, success_key: str, id_key: str) -> Receipt:
        successes = self._pages.entries(operation, reply, success_key)
        errors = self._pages.entries(operation, reply, "error_details")
        ids = tuple(found for entry in successes if (found := _text(entry.get(id_key))))
        failures = tuple(_failure(entry) for entry in errors)
        if not ids:
            if errors:
                raise item_refusal(
                    errors[0], operation=operation, partner_id=self._pages.partner_id, request_id=reply.request_id
                )
            raise self._unreadable(operation, reply, f"neither {success_key} nor error_details")
        details = {}
        if operation == "reclaim_coupon_quotas" and (balance := _text(successes[0].get("quota_balance"))):
            details["quota_balance"] = balance
        return Receipt(ids, reply.request_id, details=details, failures=failures)

    def _unreadable(self, operation: str, reply: Reply, problem: str) -> ProviderProtocolError:
        # A 200 without the id: the write probably happened, so it must be reconciled, not resent.
        return ProviderProtocolError(
            f"Huawei Cloud {operation} returned an unreadable answer: {problem}",
            provider=PROVIDER,
            partner_id=self._pages.partner_id,
            request_id=reply.request_id,
            http_status=200,
            outcome_unknown=True,
        )


def _failure(entry: Mapping[str, Any]) -> ItemFailure:
    return ItemFailure(
        item_id=_text(entry.get("id")) or "",
        upstream_code=_text(entry.get("error_code")) or "",
        message=_text(entry.get("error_msg")) or "",
    )
