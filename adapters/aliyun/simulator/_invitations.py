"""Invitation operations (2022-12-16): InviteSubAccount, InviteSubReseller, GetInviteStatus,
ResendEmail, GetUnassociatedCustomer (A.4.1, A.4.4-A.4.6, A.4.13)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters.aliyun.simulator._call import Call, indexed_list, paged, require_distributor, required_int
from adapters.aliyun.simulator._responses import BusinessError, console_time
from adapters.aliyun.simulator._seed_business import COUNTRIES
from adapters.aliyun.simulator._state import INVITATION_VALIDITY, Invitation, InvitationStatus

__all__ = [
    "MAX_ACCOUNTS_PER_CALL",
    "GetInviteStatus",
    "GetUnassociatedCustomer",
    "InviteSubAccount",
    "InviteSubReseller",
    "ResendEmail",
]

#: A.4.1 / A.4.13: at most 5 accounts per call; GetInviteStatus "Sub-levels <= 5" (A.4.4).
MAX_ACCOUNTS_PER_CALL = 5
#: ResendEmail 3058: "the limit is 10 emails in every 5 minutes" (SDK), counted per partner account.
EMAIL_LIMIT = 10
EMAIL_WINDOW = timedelta(minutes=5)
#: ResendEmail renews an expired link (DOMAIN.md: "resend after expiry") unless it expired more than
#: this long ago; then, and for a link already used to register, it answers 3061 (simulator choice).
RENEWABLE_FOR = timedelta(days=30)
_DAYS = INVITATION_VALIDITY.days


def _item_error(code: str, message: str) -> BusinessError:
    return BusinessError(code, message)


def _check_common(call: Call, row: dict[str, str]) -> tuple[Decimal, str, str]:
    nickname = row.get("AccountNickname", "")
    if len(nickname.encode("utf-8")) > 150:
        raise _item_error("3030", "Sub Account Nickname exceeds maximum length, maximum length 150 bytes.")
    if len(row.get("Remark", "").encode("utf-8")) > 3000:
        raise _item_error("3031", "Remark exceeds maximum length, maximum length 3000 bytes.")
    email = row.get("EmailAddress", "")
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise _item_error("InvalidParameter.EmailAddress", "EmailAddress is not a valid e-mail address.")
    owner = call.state.owner_of(email=email)
    if owner is not None and owner != call.partner.partner.access_key_id:
        raise _item_error("AccountBelongsToAnotherPartner", "The account belongs to another partner.")
    if owner is not None:
        raise _item_error("AccountAlreadyAssociated", "The account is already associated with you.")
    try:
        credit = Decimal(row.get("CreditLine") or "0")
    except InvalidOperation:
        raise _item_error("3041", "Credit is not a proper number") from None
    if not credit.is_finite() or credit < 0:
        raise _item_error("3041", "Credit is not a proper number")
    new_buy = row.get("NewBuyStatus") or "normal"
    if new_buy not in ("ban", "normal"):
        raise _item_error("InvalidParameter.NewBuyStatus", "NewBuyStatus must be ban or normal.")
    policy = row.get("ZeroCreditShutdownPolicy") or "3"
    if policy not in ("1", "2", "3"):
        raise _item_error("InvalidParameter.ZeroCreditShutdownPolicy", "ZeroCreditShutdownPolicy must be 1, 2 or 3.")
    return credit.quantize(Decimal("0.01")), new_buy, policy


def _invite(call: Call, row: dict[str, str], *, reseller: bool) -> Invitation:
    credit, new_buy, policy = _check_common(call, row)
    partner = call.partner
    cid: int | None = None
    if reseller:
        sub_type = 5
        nation = row.get("RegisterNation") or "CN"
        if nation not in COUNTRIES:
            raise _item_error("InvalidParameter.RegisterNation", f"RegisterNation {nation} is not supported.")
    else:
        nation = "CN"
        raw_type = row.get("SubAccountType", "")
        if raw_type not in ("1", "2", "5"):
            raise _item_error("InvalidParameter.SubAccountType", "SubAccountType must be 1, 2 or 5.")
        sub_type = int(raw_type)
        if sub_type == 5 and not partner.is_distributor:
            raise _item_error("Forbidden.NotDistributor", "Only a distributor may invite a T2 partner.")
        raw_cid = row.get("CustomerId", "")
        filing = partner.filing(int(raw_cid)) if raw_cid.isdigit() else None
        if filing is None:
            raise _item_error("InvalidCustomerId.NotFound", "CustomerId is not a customer you created.")
        cid = filing.cid
        filed = sum(1 for a in partner.accounts if a.cid == cid)
        filed += sum(1 for i in partner.invitations if i.cid == cid and i.associated_at is None)
        if filed >= filing.limit:
            kind = "an individual" if filing.individual else "an enterprise"
            raise _item_error("FilingLimitExceeded", f"{kind} customer may have at most {filing.limit} accounts.")
    now = call.state.now()
    invitation = Invitation(
        invite_id=call.state.next_id(),
        email=row["EmailAddress"],
        nickname=row.get("AccountNickname", ""),
        sub_account_type=sub_type,
        customer_bd=row.get("CustomerBd", ""),
        sent_at=now,
        expires_at=now + INVITATION_VALIDITY,
        cid=cid,
        credit_line=credit,
        new_buy_status=new_buy,
        shutdown_policy=policy,
        remark=row.get("Remark", ""),
        register_nation=nation,
        reseller=reseller or sub_type == 5,
        created_at=now,
    )
    partner.invitations.append(invitation)
    partner.emails_sent.append(now)
    return invitation


def _results(call: Call, *, reseller: bool) -> list[dict[str, Any]]:
    rows = indexed_list(call, "AccountInfoList")
    if not rows:
        raise BusinessError("InvalidParameter.AccountInfoList", "AccountInfoList is empty.")
    if len(rows) > MAX_ACCOUNTS_PER_CALL:
        raise BusinessError("InvalidParameter.AccountInfoList", "At most 5 accounts may be invited per call.")
    results = []
    for row in rows:
        try:
            invitation = _invite(call, row, reseller=reseller)
        except BusinessError as error:
            results.append({"Code": error.code, "Message": error.message, "Success": False})
            continue
        call.applied()
        result = {"InviteId": invitation.invite_id, "RegUrl": invitation.reg_url, "Days": _DAYS}
        results.append({"Code": "200", "Message": "Success", "Success": True, "Result": result})
    return results


def InviteSubAccount(call: Call) -> dict[str, Any]:
    """A.4.1: one invitation per ``AccountInfoList.N``; per-item outcome in ``Results.Result[]``."""
    results = _results(call, reseller=False)
    return {"Code": "200", "Success": True, "Message": "Success", "Results": {"Result": results}}


def InviteSubReseller(call: Call) -> dict[str, Any]:
    """A.4.13: invite T2 partners (distributors only). ``Results[]`` has no ``Result`` wrapper."""
    require_distributor(call)
    results = _results(call, reseller=True)
    return {"Code": "200", "Success": True, "Message": "Success", "Results": results}


def _status_row(call: Call, invitation: Invitation) -> dict[str, Any]:
    return {
        "Status": invitation.status(call.state.now()).value,
        "Uid": invitation.uid or 0,
        "Cid": invitation.cid or 0,
        "ParentId": str(call.partner.uid),
        "SubAccountType": str(invitation.sub_account_type),
        "GmtCreate": console_time(invitation.sent_at),
        "AssociationSuccessTime": console_time(invitation.associated_at),
    }


def GetInviteStatus(call: Call) -> dict[str, Any]:
    """A.4.4: per-item status of up to 5 invitations; ``InviteStatusList`` is an object."""
    rows = indexed_list(call, "InviteStatusList")
    ids = [row.get("InviteId", "") for row in rows]
    if not ids or any(not raw for raw in ids):
        raise BusinessError("3057", "InviteId is empty.")
    if len(ids) > MAX_ACCOUNTS_PER_CALL:
        raise BusinessError("InvalidParameter.InviteStatusList", "At most 5 InviteIds per call.")
    items = []
    for raw in ids:
        invitation = call.partner.invitation(int(raw)) if raw.isdigit() else None
        if invitation is None:
            items.append({"Code": "3060", "Message": "Can't find sending record of given InviteId.", "Success": False})
        else:
            items.append(
                {
                    "Code": "200",
                    "Message": "Success",
                    "Success": True,
                    "InviteStatusList": _status_row(call, invitation),
                }
            )
    return {"Code": "200", "Success": True, "Message": "Success", "Data": {"InviteStatus": items}}


def ResendEmail(call: Call) -> dict[str, Any]:
    """A.4.5: send the link again, valid for another 72 hours from now (3057/3058/3060/3061)."""
    raw = call.text("InviteId")
    if not raw:
        raise BusinessError("3057", "InviteId is empty.")
    invitation = call.partner.invitation(int(raw)) if raw.isdigit() else None
    if invitation is None:
        raise BusinessError("3060", "Can't find sending record of given InviteId.")
    now = call.state.now()
    if invitation.associated_at is not None or now - invitation.expires_at > RENEWABLE_FOR:
        raise BusinessError("3061", "Registration URL is expired, unable to resend.")
    recent = [sent for sent in call.partner.emails_sent if now - sent < EMAIL_WINDOW]
    if len(recent) >= EMAIL_LIMIT:
        raise BusinessError("3058", "Frequent sending, the limit is 10 emails in every 5 minutes.")
    call.partner.emails_sent[:] = [*recent, now]
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_VALIDITY
    call.applied()
    return {"Code": "200", "Success": True, "Message": "Success"}


def GetUnassociatedCustomer(call: Call) -> dict[str, Any]:
    """A.4.6: invitations not associated yet (pending or expired), newest first. ``GmtCreate`` is when
    the current link was sent (a resend renews it), so ``GmtCreate`` + 72 h is the link's expiry."""
    page = required_int(call, "CurrentPage", low=1)
    size = required_int(call, "PageSize", low=1, high=100)
    now = call.state.now()
    waiting = [i for i in call.partner.invitations if i.status(now) is not InvitationStatus.ASSOCIATED]
    waiting.sort(key=lambda item: item.sent_at, reverse=True)
    rows = [
        {
            "InviteId": item.invite_id,
            "AccountNickname": item.nickname,
            "Email": item.email,
            "GmtCreate": console_time(item.sent_at),
            "Status": item.status(now).value,
        }
        for item in paged(waiting, page, size)
    ]
    return {
        "Code": "200",
        "Success": True,
        "Message": "Success",
        "PageInfo": {"Page": page, "PageSize": size, "Total": len(waiting)},
        "InviteInfoList": {"InviteInfo": rows},
    }
