"""``AliyunProvider.find_applied``: was a write whose reply was lost applied? Asked of the upstream's own
records, never guessed (issue #6).

``since`` is the gateway's clock when it sent the write; records stamped from ``since - CLOCK_SKEW`` on
count (the upstream writes ``yyyy-MM-dd HH:mm:ss`` China time, to the second). Ids in ``exclude`` are
already another operation's. How each intent is found:

=================  ==================================================================================
CreateCustomer     GetUnassociatedCustomer: an invitation to the intent's e-mail with ``GmtCreate`` from
                   the floor on, not excluded (the earliest); its CID from GetInviteStatus. If the
                   invitee has registered since, GetAccountInfo (``UserType`` of the kind): an account
                   with that e-mail associated from the floor on; the receipt's id is then its UID
                   (``details["associated"] == "true"``): the invite id is no longer listed anywhere.
                   ``details["customerNativeId"]`` is the row list_customers shows: ``invitation-<id>``
                   while pending, the UID once registered.
InviteReseller     the same, for the T2's e-mail (``UserType`` 3).
ResendInvitation   GetInviteStatus: the link's ``GmtCreate`` (when it was last sent) from the floor on.
SetCreditLine      state: GetCreditInfo ``CreditLine`` equals the target (``exclude`` does not apply).
SetCustomerFrozen  state: GetCreditInfo ``PAYGFreezeStatus`` is ``freeze`` / ``normal`` as asked.
SetWarningThreshold  state: GetCreditInfo ``AlarmThreshold`` is the percentage asked.
SetNewPurchaseBan  state: GetCreditInfo ``newBuyStatus`` is ``ban`` / ``normal`` as asked.
SetShutdownPolicy  state: GetCreditInfo ``ZeroCreditShutdownPolicy`` is the policy asked.
CreateVoucherTemplate  CouponApprovalStatusList (``TemplateName``): a template of that name requested from the
                   floor on, not excluded (the earliest).
DeleteVoucherTemplate  GetCouponTemplateDetail: the template is gone (NotFound).
DecideVoucherApplication  GetTier2CouponApprovalDetail: the application's status is the decision asked.
SetAutomaticWriteOff  QueryAutomaticWriteOffChangeRecords: a change from the floor on (one write per customer
                   at a time), whose ``ChangeContent``, where it can be read, shows the setting asked.
AddNote            CustomerNoteList of the customer: same content (and contact name, if given) with
                   ``GmtCreate`` from the floor on, not excluded (the earliest).
IssueVoucher       ListCouponUsage (``Uid``, ``CouponTemplateId``): ``PublishDate`` from the floor on,
                   not excluded (the earliest).
ReclaimVoucher     ListCouponUsage (``Status=ABANDONED``, the customer's if known): the coupon is there.
=================  ==================================================================================

A UID the upstream does not know as this partner's (3029) cannot have been written: ``None``. Any other
failure to read raises, and the write stays pending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.aliyun import _errors
from adapters.aliyun._client import AgencyClient
from adapters.aliyun._credit_history import write_off_enabled
from adapters.aliyun._mapping import parse_timestamp
from adapters.aliyun._mapping_business import INVITATION_PREFIX, credit_controls
from adapters.aliyun._scan import Scanner
from adapters.aliyun._writes import credit_text, digits, user_type_of
from gateway.errors import ProviderError, Reason, UnsupportedByProvider
from gateway.models import ShutdownPolicy
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

__all__ = ["CLOCK_SKEW", "Reconciler"]

#: How far the upstream's clock (and its second-granular stamps) may be behind the gateway's.
CLOCK_SKEW = timedelta(minutes=5)
_RESELLER_USER_TYPE = 3


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _from(value: object, floor: datetime) -> bool:
    """Whether a record's timestamp is at or after ``floor`` (a record without one is not taken)."""
    moment = parse_timestamp(value)
    return moment is not None and moment >= floor


def _earliest(rows: Iterable[dict[str, Any]], stamp: str, key: str) -> dict[str, Any] | None:
    def order(row: dict[str, Any]) -> tuple[datetime, str]:
        return parse_timestamp(row.get(stamp)) or datetime.max.replace(tzinfo=UTC), _text(row.get(key))

    return min(rows, key=order, default=None)


class Reconciler:
    """Looks for one write's effect in one partner account's records."""

    def __init__(self, client: AgencyClient, scanner: Scanner, *, partner_id: str, currency: str) -> None:
        self._client = client
        self._scan = scanner
        self._id = partner_id
        self._currency = currency

    async def find_applied(self, intent: Intent, since: datetime, exclude: frozenset[str]) -> Receipt | None:
        floor = (since if since.tzinfo else since.replace(tzinfo=UTC)) - CLOCK_SKEW
        try:
            return await self._find(intent, floor, exclude)
        except ProviderError as error:
            if error.upstream_code == "3029":  # not this partner's UID: nothing was written to it
                return None
            raise

    async def _find(self, intent: Intent, floor: datetime, exclude: frozenset[str]) -> Receipt | None:
        match intent:
            case CreateCustomer():
                return await self._invitation(intent.email, floor, exclude, user_type_of(intent.customer_kind))
            case InviteReseller():
                return await self._invitation(intent.email, floor, exclude, _RESELLER_USER_TYPE)
            case ResendInvitation():
                invite_id = digits(intent.invitation_id, "invitationId")
                status = await self._scan.invite_status(invite_id)
                resent = status is not None and _from(status.get("GmtCreate"), floor)
                return Receipt((invite_id,)) if resent else None
            case SetCreditLine():
                uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
                target = Decimal(credit_text(intent.amount, self._currency, "amount"))
                data = await self._credit(uid)
                try:
                    current = Decimal(_text(data.get("CreditLine")))
                except InvalidOperation:
                    return None
                return (
                    Receipt((), details={"customerId": uid, "creditLine": str(target)}) if current == target else None
                )
            case SetCustomerFrozen():
                uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
                data = await self._credit(uid)
                wanted = "freeze" if intent.frozen else "normal"
                if _text(data.get("PAYGFreezeStatus")).lower() != wanted:
                    return None
                return Receipt((), details={"customerId": uid, "frozen": "true" if intent.frozen else "false"})
            case SetWarningThreshold() | SetNewPurchaseBan() | SetShutdownPolicy():
                uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
                controls = credit_controls(await self._credit(uid))
                state: tuple[str, object, object] = (
                    ("warningThreshold", controls.warning_threshold, intent.percent)
                    if isinstance(intent, SetWarningThreshold)
                    else ("banned", controls.new_purchases_banned, intent.banned)
                    if isinstance(intent, SetNewPurchaseBan)
                    else ("shutdownPolicy", controls.shutdown_policy, intent.policy)
                )
                detail, have, want = state
                if have != want:
                    return None
                shown = want.value if isinstance(want, ShutdownPolicy) else str(want).lower()
                return Receipt((), details={"customerId": uid, detail: shown})
            case SetAutomaticWriteOff():
                return await self._write_off(intent, floor)
            case CreateVoucherTemplate():
                return await self._template(intent, floor, exclude)
            case DeleteVoucherTemplate():
                return await self._deleted(digits(intent.template_id, "templateId"))
            case DecideVoucherApplication():
                sheet = intent.application_id.strip()
                return await self._decision(intent.approve, sheet)
            case AddNote():
                return await self._note(intent, floor, exclude)
            case IssueVoucher():
                uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
                template = digits(intent.template_id, "templateId", "an Aliyun coupon template id")
                rows = await self._scan.coupons(Uid=uid, CouponTemplateId=template)
                issued = [
                    r for r in rows if _text(r.get("CouponId")) not in exclude and _from(r.get("PublishDate"), floor)
                ]
                row = _earliest(issued, "PublishDate", "CouponId")
                if row is None:
                    return None
                return Receipt((_text(row["CouponId"]),), details={"customerId": uid, "templateId": template})
            case ReclaimVoucher():
                coupon = digits(intent.voucher_id, "voucherId")
                filters: dict[str, object] = {"Status": "ABANDONED"}
                if intent.customer_id:
                    filters["Uid"] = digits(intent.customer_id, "customerId", "an Aliyun UID")
                rows = await self._scan.coupons(**filters)
                return Receipt((coupon,)) if any(_text(r.get("CouponId")) == coupon for r in rows) else None
        raise UnsupportedByProvider(_errors.PROVIDER, f"{intent.kind} (no Agency API, CONTRACTS.md X.3)")

    async def _credit(self, uid: str) -> Mapping[str, Any]:
        body = await self._client.get_credit_info(uid)
        data = body.get("Data")
        return data if isinstance(data, Mapping) else {}

    async def _invitation(
        self, email: str | None, floor: datetime, exclude: frozenset[str], user_type: int
    ) -> Receipt | None:
        wanted = _text(email).lower()
        if not wanted:
            return None
        pending = [
            row
            for row in await self._scan.invitations()
            if _text(row.get("Email")).lower() == wanted
            and _text(row.get("InviteId")) not in exclude
            and _from(row.get("GmtCreate"), floor)
        ]
        row = _earliest(pending, "GmtCreate", "InviteId")
        if row is not None:
            invite_id = _text(row.get("InviteId"))
            details: dict[str, str] = {"invitationId": invite_id}
            if user_type != _RESELLER_USER_TYPE:
                details["customerNativeId"] = f"{INVITATION_PREFIX}{invite_id}"  # the row list_customers shows
                status = await self._scan.invite_status(invite_id)
                cid = _text((status or {}).get("Cid"))
                if cid not in ("", "0"):
                    details["customerId"] = cid
            return Receipt((invite_id,), details=details)
        # Registered since: the invitation is no longer unassociated; the account is listed instead.
        for account in await self._scan.accounts(user_type):
            uid = _text(account.get("Uid"))
            if (
                _text(account.get("Email")).lower() == wanted
                and uid not in exclude
                and _from(account.get("AssociationSuccessTime"), floor)
            ):
                details = {"customerUid": uid, "associated": "true"}
                if user_type != _RESELLER_USER_TYPE:
                    details["customerNativeId"] = uid
                if _text(account.get("Cid")) not in ("", "0"):
                    details["customerId"] = _text(account.get("Cid"))
                return Receipt((uid,), details=details)
        return None

    async def _deleted(self, template_id: str) -> Receipt | None:
        try:
            await self._client.get_coupon_template_detail(template_id)
        except ProviderError as error:
            if error.reason is Reason.NOT_FOUND:
                return Receipt((template_id,))
            raise
        return None

    async def _decision(self, approve: bool, sheet: str) -> Receipt | None:
        body = await self._client.get_tier2_coupon_approval_detail(sheet)
        detail = body.get("Data")
        decided = _text(detail.get("ApprovalStatus")).upper() if isinstance(detail, Mapping) else ""
        asked = "APPROVED" if approve else "REJECTED"
        return Receipt((sheet,), details={"status": asked}) if decided == asked else None

    async def _template(
        self, intent: CreateVoucherTemplate, floor: datetime, exclude: frozenset[str]
    ) -> Receipt | None:
        number, size, found = 1, 50, []
        while True:
            body = await self._client.coupon_approval_status_list(number, size, TemplateName=intent.name)
            rows = body.get("Data")
            rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
            found += [
                r
                for r in rows
                if _text(r.get("TemplateName")) == intent.name
                and _text(r.get("TemplateId")) not in exclude
                and _from(r.get("TimeOfRequest"), floor)
            ]
            if len(rows) < size:
                break
            number += 1
        first = _earliest(found, "TimeOfRequest", "TemplateId")
        if first is None:
            return None
        template = _text(first.get("TemplateId"))
        return Receipt((template,), details={"templateId": template})

    async def _write_off(self, intent: SetAutomaticWriteOff, floor: datetime) -> Receipt | None:
        """A write-off change logged from the floor on that does not contradict the setting asked. The log pages
        without a total (A.7.22), newest first: read until a page is short or older than the floor."""
        uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
        number, size = 1, 50
        while True:
            body = await self._client.query_automatic_write_off_change_records(uid, number, size)
            rows = body.get("Data")
            rows = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
            for row in rows:
                if _from(row.get("OperationTime"), floor):
                    shown = write_off_enabled(_text(row.get("ChangeContent")) or None)
                    if shown is None or shown == intent.enabled:
                        return Receipt((), details={"customerId": uid, "enabled": str(intent.enabled).lower()})
            stamps = [parse_timestamp(r.get("OperationTime")) for r in rows]
            if len(rows) < size or all(s is not None and s < floor for s in stamps):
                return None
            number += 1

    async def _note(self, intent: AddNote, floor: datetime, exclude: frozenset[str]) -> Receipt | None:
        uid = digits(intent.customer_id, "customerId", "an Aliyun UID")
        matches = [
            row
            for row in await self._scan.notes(uid)
            if _text(row.get("NoteContent")) == intent.content.strip()
            and (not intent.contact_name or _text(row.get("ContactName")) in ("", intent.contact_name.strip()))
            and _text(row.get("NoteId")) not in exclude
            and _from(row.get("GmtCreate"), floor)
        ]
        row = _earliest(matches, "GmtCreate", "NoteId")
        return None if row is None else Receipt((_text(row["NoteId"]),))
