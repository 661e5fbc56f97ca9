"""``AliyunProvider.execute``: one ``gateway.writes`` intent -> the Agency Actions that apply it, once.

Every input is checked before the first request (``InvalidInput``); refusals keep the upstream's Code and
RequestId and carry a ``Reason`` (``_errors.REASONS``). A write whose reply is lost raises
``ProviderUnavailable(outcome_unknown=True)`` from the transport and is never resent here: the gateway
asks ``find_applied`` (``_reconcile.py``).

Choices the SDK leaves open, documented here:

* ``CreateCustomer``'s receipt: ``upstream_ids`` = (InviteId,); ``details``: ``customerId`` (the filing's
  CID), ``invitationId``, ``registrationUrl``, ``days`` and ``customerNativeId``, the id the invitee is
  listed under (``invitation-<InviteId>``, until it registers and is listed under its UID).
* ``CreateCustomer`` files the customer (报备) once per name: when the partner already has an account
  (GetAccountInfo, same ``UserType``) or a pending invitation (GetUnassociatedCustomer + GetInviteStatus)
  with the same nickname, its CID is reused, so the upstream's filing limit (enterprise 5 accounts,
  individual 1; DOMAIN.md) applies to it. Otherwise CreateCustomer runs and the new CID is its
  ``Message`` (A.4.2). ``CustomerTrade`` is ``Individual`` for an individual (the intent's ``trade`` then
  goes in ``CustomerSubTrade``), else the intent's ``trade`` or ``Other``; ``CustomerSource`` is
  ``PartnerGateway``; ``Nation`` defaults to ``CN``.
* InviteSubAccount / InviteSubReseller: ``NewBuyStatus`` ``normal`` (the customer can order at once) and
  ``ZeroCreditShutdownPolicy`` ``3`` immediatelyStop (A.4.1: resources stop once the available credit is
  below 0, so the partner never carries consumption it did not grant). ``CreditLine`` defaults to ``0``.
* ``IssueVoucher``: IssueCouponForCustomer answers no coupon id (A.4.9), so the coupons of that customer and
  template are listed (ListCouponUsage) before and after the call; the new ids are the difference (the
  gateway runs one write per customer at a time). If the list cannot be read after a successful issue,
  the write is reported ``outcome_unknown`` so that reconciliation completes the receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.aliyun import _errors
from adapters.aliyun._client import AgencyClient
from adapters.aliyun._mapping_business import INVITATION_PREFIX
from adapters.aliyun._scan import Scanner
from gateway.errors import (
    InvalidInput,
    ProviderError,
    ProviderProtocolError,
    ProviderUnavailable,
    UnsupportedByProvider,
)
from gateway.models import AccountType, CustomerKind, Money, ShutdownPolicy
from gateway.writes import (
    AddNote,
    CreateCustomer,
    CreateVoucherTemplate,
    DecideVoucherApplication,
    DeleteVoucherTemplate,
    Intent,
    InviteReseller,
    IssueVoucher,
    Receipt,
    ReclaimVoucher,
    ResendInvitation,
    SetAutomaticWriteOff,
    SetCreditLine,
    SetCustomerFrozen,
    SetNewPurchaseBan,
    SetShutdownPolicy,
    SetWarningThreshold,
)

__all__ = [
    "CUSTOMER_SOURCE",
    "DEFAULT_NATION",
    "NEW_BUY_STATUS",
    "SHUTDOWN_CODES",
    "SHUTDOWN_POLICY",
    "SUB_ACCOUNT_TYPES",
    "AliyunWrites",
    "credit_text",
    "digits",
    "user_type_of",
]

#: InviteSubAccount ``SubAccountType`` (A.4.1): 1 agency's end user (代理), 2 reseller's end user (代销).
SUB_ACCOUNT_TYPES: Mapping[AccountType, str] = {AccountType.AGENCY: "1", AccountType.CONSIGNMENT: "2"}
CUSTOMER_SOURCE = "PartnerGateway"
INDIVIDUAL_TRADE = "Individual"
DEFAULT_TRADE = "Other"
DEFAULT_NATION = "CN"
NEW_BUY_STATUS = "normal"
SHUTDOWN_POLICY = "3"
#: EditZeroCreditShutdown ``ShutdownPolicy`` (A.7.8 leaves the value set open): the codes of InviteSubAccount and
#: GetCreditInfo (A.4.1, A.4.8), which the read side reports.
SHUTDOWN_CODES: Mapping[ShutdownPolicy, str] = {
    ShutdownPolicy.DELAY_STOP: "1",
    ShutdownPolicy.NO_STOP: "2",
    ShutdownPolicy.IMMEDIATE_STOP: "3",
}
_MAX_NICKNAME = 150  # bytes (3030)
_CENT = Decimal("0.01")


def digits(value: str | None, field: str, what: str = "an Aliyun id") -> str:
    """A 64-bit upstream id as its digits (A.6.4), or ``InvalidInput``."""
    text = (value or "").strip()
    if not text.isdigit():
        raise InvalidInput(f"not {what}: {value!r}", field=field)
    return text


def credit_text(amount: Money, currency: str, field: str) -> str:
    """A credit line as the decimal string the API takes (A.4.7): the account's currency, not negative,
    at most 2 decimals (the upstream's own rule, 3041), checked before any request."""
    if amount.currency != currency:
        raise InvalidInput(f"this Aliyun account works in {currency}, not {amount.currency}", field=field)
    value = amount.amount
    if value < 0:
        raise InvalidInput("a credit line must not be negative", field=field)
    try:
        cents = value.quantize(_CENT)
    except InvalidOperation:
        raise InvalidInput("the credit line is too large", field=field) from None
    if cents != value:
        raise InvalidInput("a credit line has at most 2 decimals", field=field)
    return str(cents)


def user_type_of(kind: CustomerKind) -> int:
    """GetAccountInfo ``UserType`` of a customer kind: 1 end user (individual), 2 enterprise."""
    return 1 if kind is CustomerKind.INDIVIDUAL else 2


def _email(value: str | None) -> str:
    text = (value or "").strip()
    local, at, domain = text.partition("@")
    if not at or not local or "." not in domain or " " in text:
        raise InvalidInput("Aliyun invites by e-mail: a valid e-mail address is required", field="email")
    return text


def _nickname(value: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput("a name is required", field="name")
    if len(text.encode("utf-8")) > _MAX_NICKNAME:
        raise InvalidInput(f"the name is longer than {_MAX_NICKNAME} bytes (UTF-8)", field="name")
    return text


def _request_id(body: Mapping[str, Any]) -> str | None:
    value = body.get("RequestId")
    return str(value) if value else None


class AliyunWrites:
    """The write side of one partner account."""

    def __init__(self, client: AgencyClient, scanner: Scanner, *, partner_id: str, currency: str) -> None:
        self._client = client
        self._scan = scanner
        self._id = partner_id
        self._currency = currency

    async def execute(self, intent: Intent) -> Receipt:
        match intent:
            case CreateCustomer():
                return await self._create_customer(intent)
            case InviteReseller():
                return await self._invite_reseller(intent)
            case ResendInvitation():
                body = await self._client.resend_email(digits(intent.invitation_id, "invitationId"))
                return Receipt((intent.invitation_id.strip(),), _request_id(body))
            case SetCustomerFrozen():
                return await self._set_frozen(intent)
            case SetCreditLine():
                uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
                line = credit_text(intent.amount, self._currency, "amount")
                body = await self._client.set_credit_line(uid, line)
                return Receipt((), _request_id(body), {"customerId": uid, "creditLine": line})
            case SetWarningThreshold():
                uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
                if not 1 <= intent.percent <= 100:
                    raise InvalidInput("the warning threshold is a percentage from 1 to 100", field="percent")
                body = await self._client.set_warning_threshold(uid, intent.percent)
                return Receipt((), _request_id(body), {"customerId": uid, "warningThreshold": str(intent.percent)})
            case SetNewPurchaseBan():
                uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
                body = await self._client.edit_new_buy_status(uid, "ban" if intent.banned else "cancelBan")
                self._check_data(body, "EditNewBuyStatus")
                return Receipt((), _request_id(body), {"customerId": uid, "banned": str(intent.banned).lower()})
            case SetShutdownPolicy():
                uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
                code = SHUTDOWN_CODES[intent.policy]
                body = await self._client.edit_zero_credit_shutdown(uid, code)
                self._check_data(body, "EditZeroCreditShutdown")
                return Receipt((), _request_id(body), {"customerId": uid, "shutdownPolicy": intent.policy.value})
            case SetAutomaticWriteOff():
                uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
                body = await self._client.automatic_write_off(uid, intent.enabled)
                if body.get("Data") is False:
                    raise self._refused(body, "AutomaticWriteOff", "automatic write-off was not changed")
                return Receipt((), _request_id(body), {"customerId": uid, "enabled": str(intent.enabled).lower()})
            case CreateVoucherTemplate():
                return await self._create_template(intent)
            case DeleteVoucherTemplate():
                template = digits(intent.template_id, "templateId")
                body = await self._client.delete_coupon_template(template)
                if body.get("Data") is False:
                    raise self._refused(body, "DeleteCouponTemplate", "the template was not deleted")
                return Receipt((template,), _request_id(body))
            case DecideVoucherApplication():
                action = "APPROVE" if intent.approve else "REJECT"
                body = await self._client.process_approval(intent.application_id.strip(), action, intent.comment)
                if body.get("Data") is False:
                    raise self._refused(body, "ProcessApproval", "the application was not decided")
                status = "APPROVED" if intent.approve else "REJECTED"
                return Receipt((intent.application_id.strip(),), _request_id(body), {"status": status})
            case AddNote():
                return await self._add_note(intent)
            case IssueVoucher():
                return await self._issue_voucher(intent)
            case ReclaimVoucher():
                coupon = digits(intent.voucher_id, "voucherId")
                body = await self._client.cancel_coupon(coupon)
                if body.get("Data") is False:
                    raise self._refused(body, "CancelCoupon", "the coupon was not cancelled")
                return Receipt((coupon,), _request_id(body))
        raise UnsupportedByProvider(_errors.PROVIDER, f"{intent.kind} (no Agency API, CONTRACTS.md X.3)")

    # -- customers and resellers --------------------------------------------------------------------------

    async def _create_customer(self, intent: CreateCustomer) -> Receipt:
        name = _nickname(intent.name)
        email = _email(intent.email)
        sub_type = SUB_ACCOUNT_TYPES.get(intent.account_type)
        if sub_type is None:
            raise InvalidInput("an Aliyun customer is AGENCY or CONSIGNMENT", field="accountType")
        credit = credit_text(intent.credit_line, self._currency, "creditLine") if intent.credit_line else "0"
        cid = await self._filing(intent, name)
        row = {
            "AccountNickname": name,
            "CreditLine": credit,
            "CustomerBd": intent.owner,
            "CustomerId": cid,
            "EmailAddress": email,
            "NewBuyStatus": NEW_BUY_STATUS,
            "SubAccountType": sub_type,
            "ZeroCreditShutdownPolicy": SHUTDOWN_POLICY,
        }
        body = await self._client.invite_sub_account([row])
        results = body.get("Results")
        items = results.get("Result") if isinstance(results, Mapping) else None
        receipt = self._invited(body, items, "InviteSubAccount", {"customerId": cid})
        # The row list_customers shows until the invitee registers (then its UID's row replaces it).
        listed = f"{INVITATION_PREFIX}{receipt.upstream_ids[0]}"
        return Receipt(receipt.upstream_ids, receipt.request_id, {**receipt.details, "customerNativeId": listed})

    async def _invite_reseller(self, intent: InviteReseller) -> Receipt:
        name = _nickname(intent.name)
        email = _email(intent.email)
        credit = credit_text(intent.credit_line, self._currency, "creditLine") if intent.credit_line else "0"
        row = {
            "AccountNickname": name,
            "CreditLine": credit,
            "CustomerBd": intent.owner,
            "EmailAddress": email,
            "NewBuyStatus": NEW_BUY_STATUS,
            "RegisterNation": (intent.nation or DEFAULT_NATION).strip().upper(),
            "ZeroCreditShutdownPolicy": SHUTDOWN_POLICY,
        }
        body = await self._client.invite_sub_reseller([row])
        return self._invited(body, body.get("Results"), "InviteSubReseller", {})  # no Result wrapper (A.4.13)

    def _invited(self, body: Mapping[str, Any], items: object, action: str, details: dict[str, str]) -> Receipt:
        """The one item of an invitation call: its refusal raised, or the invitation's receipt."""
        if not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], Mapping):
            raise self._unreadable(body, action, "Results does not hold exactly one item")
        item = items[0]
        if str(item.get("Code", "200")) != "200" or item.get("Success") is False:
            raise _errors.item_error(item, body, action=action, partner_id=self._id)
        result = item.get("Result")
        invite_id = str(result.get("InviteId", "")) if isinstance(result, Mapping) else ""
        if not invite_id.isdigit():
            raise self._unreadable(body, action, "the item has no InviteId")
        assert isinstance(result, Mapping)
        details["invitationId"] = invite_id  # what resendInvitation and the registration take
        for key, wire in (("registrationUrl", "RegUrl"), ("days", "Days")):
            if result.get(wire) not in (None, ""):
                details[key] = str(result[wire])
        return Receipt((invite_id,), _request_id(body), details)

    async def _filing(self, intent: CreateCustomer, name: str) -> str:
        """The CID to invite under: an existing filing of this name, or a new CreateCustomer (A.4.2)."""
        existing = await self._existing_cid(name, user_type_of(intent.customer_kind))
        if existing is not None:
            return existing
        individual = intent.customer_kind is CustomerKind.INDIVIDUAL
        body = await self._client.create_customer(
            name,
            CUSTOMER_SOURCE,
            INDIVIDUAL_TRADE if individual else (intent.trade or DEFAULT_TRADE),
            (intent.nation or DEFAULT_NATION).strip().upper(),
            sub_trade=intent.trade if individual else None,
        )
        cid = str(body.get("Message", "")).strip()  # A.4.2: the new CID is the Message
        if not cid.isdigit():
            raise self._unreadable(body, "CreateCustomer", "the Message is not a customer id")
        return cid

    async def _existing_cid(self, name: str, user_type: int) -> str | None:
        for row in await self._scan.accounts(user_type):
            if str(row.get("AccountNickname", "")).strip() == name and str(row.get("Cid", "0")) not in ("", "0"):
                return str(row["Cid"])
        for row in await self._scan.invitations():
            if str(row.get("AccountNickname", "")).strip() != name:
                continue
            status = await self._scan.invite_status(str(row.get("InviteId", "")))
            cid = str((status or {}).get("Cid", "0"))
            if cid.isdigit() and cid != "0":
                return cid
        return None

    async def _set_frozen(self, intent: SetCustomerFrozen) -> Receipt:
        uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
        body = await self._client.edit_end_user_status(uid, "postPayFreeze" if intent.frozen else "postPayThaw")
        # A.4.14: Data is a String, "success or not".
        if str(body.get("Data", "true")).strip().lower() in ("false", "fail", "failed", "failure"):
            raise self._refused(body, "EditEndUserStatus", "the status was not changed")
        return Receipt((), _request_id(body), {"customerId": uid, "frozen": "true" if intent.frozen else "false"})

    # -- notes and coupons --------------------------------------------------------------------------------

    async def _add_note(self, intent: AddNote) -> Receipt:
        uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
        if not intent.content.strip():
            raise InvalidInput("a note needs content", field="content")
        fields: dict[str, object] = {
            "ContactName": intent.contact_name,
            "ContactInformation": intent.contact_information,
        }
        if intent.touched_at is not None:
            moment = intent.touched_at if intent.touched_at.tzinfo else intent.touched_at.replace(tzinfo=UTC)
            fields["TouchDate"] = int(moment.timestamp() * 1000)  # Unix ms (A.5.4)
        body = await self._client.customer_note_create(uid, intent.content, **fields)
        note_id = str(body.get("Data", "")).strip()
        if not note_id.isdigit():
            raise self._unreadable(body, "CustomerNoteCreate", "Data is not a note id")
        return Receipt((note_id,), _request_id(body))

    async def _issue_voucher(self, intent: IssueVoucher) -> Receipt:
        uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
        template = digits(intent.template_id, "templateId", "an Aliyun coupon template id")
        for value, field in (
            (intent.quota_id, "quotaId"),
            (intent.face_value, "faceValue"),
            (intent.valid_until, "validUntil"),
            (intent.reseller_id, "resellerId"),
        ):
            if value is not None:
                raise InvalidInput(f"an Aliyun coupon takes everything from its template: no {field}", field=field)
        filters = {"Uid": uid, "CouponTemplateId": template}
        before = {str(row.get("CouponId")) for row in await self._scan.coupons(**filters)}
        body = await self._client.issue_coupon_for_customer(template, [uid])
        try:
            after = await self._scan.coupons(**filters)
        except ProviderError as exc:
            raise self._unlisted(body, f"the coupon list could not be read: {exc.message}") from exc
        new = sorted(
            (row for row in after if str(row.get("CouponId")) not in before),
            key=lambda row: (str(row.get("PublishDate", "")), str(row.get("CouponId"))),
        )
        if not new:
            raise self._unlisted(body, "the new coupon is not listed yet")
        data = body.get("data")  # lower-case key (A.6.3)
        details = {"customerId": uid, "templateId": template}
        if isinstance(data, Mapping) and data.get("CreateTime"):
            details["createTime"] = str(data["CreateTime"])
        return Receipt(tuple(str(row["CouponId"]) for row in new), _request_id(body), details)

    # -- errors ---------------------------------------------------------------------------------------------

    async def _create_template(self, intent: CreateVoucherTemplate) -> Receipt:
        """CreateCouponTemplate with a validity of ``valid_days`` after issue (``ValidUntil`` RELATIVE)."""
        value = credit_text(intent.face_value, self._currency, "faceValue")
        body = await self._client.create_coupon_template(
            intent.name,
            value,
            limit_per_person=intent.limit_per_customer,
            cost_bearer=intent.cost_bearer,
            applicable_products=intent.applicable_products,
            reason=intent.reason,
            valid_until="RELATIVE",
            valid_days=intent.valid_days,
            product_types=list(intent.product_types) or None,
            description=intent.description,
        )
        data = body.get("Data")
        template = data.get("CouponTemplateID") if isinstance(data, Mapping) else None
        if template in (None, ""):
            raise self._unreadable(body, "CreateCouponTemplate", "no Data.CouponTemplateID")
        return Receipt((str(template),), _request_id(body), {"templateId": str(template)})

    def _check_data(self, body: Mapping[str, Any], action: str) -> None:
        """A.7.7 and A.7.8 answer ``Data`` "success or not" as a String: a false one is a refusal."""
        if str(body.get("Data")).strip().lower() in ("false", "fail", "failed", "0"):
            raise self._refused(body, action, f"the upstream answered Data={body.get('Data')!r}")

    def _refused(self, body: Mapping[str, Any], action: str, message: str) -> ProviderError:
        return ProviderError(
            f"Aliyun {action} failed: {message}",
            provider=_errors.PROVIDER,
            partner_id=self._id,
            upstream_code=str(body.get("Code")) if body.get("Code") is not None else None,
            request_id=_request_id(body),
            http_status=200,
        )

    def _unreadable(self, body: Mapping[str, Any], action: str, problem: str) -> ProviderProtocolError:
        return ProviderProtocolError(
            f"Aliyun {action} answer is not readable: {problem}",
            provider=_errors.PROVIDER,
            partner_id=self._id,
            request_id=_request_id(body),
            http_status=200,
        )

    def _unlisted(self, body: Mapping[str, Any], problem: str) -> ProviderUnavailable:
        # Issued for certain, but without its id: reconciliation (ListCouponUsage) completes the receipt.
        return ProviderUnavailable(
            f"Aliyun IssueCouponForCustomer succeeded but {problem}",
            provider=_errors.PROVIDER,
            partner_id=self._id,
            request_id=_request_id(body),
            outcome_unknown=True,
        )
