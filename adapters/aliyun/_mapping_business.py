"""Pure functions: Agency wire dicts -> ``gateway.models`` for funds, vouchers, resellers, invitations,
orders, notes and regions. Status tables fall back to ``UNKNOWN``; money is ``Decimal``; ids are strings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from adapters.aliyun._mapping import account_type, parse_timestamp
from gateway.models import (
    CreditControls,
    Customer,
    CustomerStatus,
    Funds,
    Invitation,
    InvitationStatus,
    Money,
    Note,
    Order,
    OrderStatus,
    OrderType,
    Region,
    RegionLevel,
    Reseller,
    ShutdownPolicy,
    Voucher,
    VoucherStatus,
)

__all__ = [
    "INVITATION_STATUSES",
    "INVITATION_VALIDITY",
    "ORDER_STATUSES",
    "ORDER_TYPES",
    "VOUCHER_STATUSES",
    "funds_from_credit_info",
    "invitation_from_invite_info",
    "money",
    "note_from_row",
    "order_from_row",
    "region_from_country",
    "reseller_from_sub_partner",
    "text",
    "voucher_from_coupon",
]

#: Registration links last 72 hours (DOMAIN.md, seed 000).
INVITATION_VALIDITY = timedelta(hours=72)

#: GetUnassociatedCustomer / GetInviteStatus ``Status`` (A.4.4, A.4.6): the SDK documents no codes;
#: these are the simulator's (0 pending, 1 associated, 2 expired). Verify against live data.
INVITATION_STATUSES: Mapping[str, InvitationStatus] = {
    "0": InvitationStatus.PENDING,
    "1": InvitationStatus.ASSOCIATED,
    "2": InvitationStatus.EXPIRED,
}

#: ListCouponUsage ``Status`` (A.4.11).
VOUCHER_STATUSES: Mapping[str, VoucherStatus] = {
    "AVAILABLE": VoucherStatus.AVAILABLE,
    "EXHAUSTED": VoucherStatus.USED_UP,
    "EXPIRED": VoucherStatus.EXPIRED,
    "ABANDONED": VoucherStatus.RECLAIMED,
}

#: 2025 order lists ``OrderStatus`` (A.5.2, A.5.3). CONTRACTS.md A.6.1: the SDK docstrings disagree;
#: we read 1 unpaid, 2 paid, 3 cancelled (GetCustomerOrderList's *response* doc, which
#: GetSubPartnerOrderList's *request* doc agrees with). Verify against live data before relying on 2/3.
ORDER_STATUSES: Mapping[str, OrderStatus] = {
    "1": OrderStatus.PENDING_PAYMENT,
    "2": OrderStatus.COMPLETED,
    "3": OrderStatus.CANCELLED,
}

#: ``OrderType`` (A.5.2).
ORDER_TYPES: Mapping[str, OrderType] = {
    "BUY": OrderType.NEW,
    "RENEW": OrderType.RENEW,
    "UPGRADE": OrderType.UPGRADE,
    "DOWNGRADE": OrderType.DOWNGRADE,
    "REFUND": OrderType.REFUND,
    "OTHERS": OrderType.OTHER,
}


def _key(value: object) -> str:
    return "" if value is None else str(value).strip()


def text(value: object) -> str | None:
    """A field's text, stripped; None when absent or empty."""
    return _key(value) or None


_text = text


def _id(value: object) -> str | None:
    text = _key(value)
    return None if text in ("", "0") else text


def money(value: object, currency: str) -> Money | None:
    """An amount (a decimal string, or a JSON number parsed as ``Decimal``) as ``Money``; never a float."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, float):  # only if someone parsed JSON without parse_float=Decimal
        value = repr(value)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return Money(amount, currency) if amount.is_finite() else None


def _zero(currency: str) -> Money:
    return Money(Decimal("0"), currency)


def funds_from_credit_info(uid: str, data: Mapping[str, object], currency: str) -> Funds:
    """GetCreditInfo ``Data`` (A.4.8): the credit line, what is left of it, and the outstanding amount."""
    extra = {
        name: data[wire]
        for name, wire in (
            ("AccountStatus", "AccountStatus"),
            ("AlarmThreshold", "AlarmThreshold"),
            ("ConsumedUndeductedValue", "ConsumedUndeductedValue"),
            ("ZeroCreditShutdownPolicy", "ZeroCreditShutdownPolicy"),
            ("NewBuyStatus", "newBuyStatus"),  # lower-case n on the wire (A.6.3)
            ("PAYGFreezeStatus", "PAYGFreezeStatus"),
        )
        if data.get(wire) not in (None, "")
    }
    return Funds(
        owner_id=uid,
        available=money(data.get("AvailableCredit"), currency) or _zero(currency),
        debt=money(data.get("OutstandingBalance"), currency),
        credit_line=money(data.get("CreditLine"), currency),
        controls=credit_controls(data),
        extra=extra,
    )


#: ``ZeroCreditShutdownPolicy`` codes (A.4.1, A.4.8) and the names the policy also goes by (A.7.8's stray
#: ``NO_STOP`` comment; InviteSubAccount's ``delayStop``/``noStop``/``immediatelyStop``).
SHUTDOWN_POLICIES: Mapping[str, ShutdownPolicy] = {
    "1": ShutdownPolicy.DELAY_STOP,
    "2": ShutdownPolicy.NO_STOP,
    "3": ShutdownPolicy.IMMEDIATE_STOP,
    "delaystop": ShutdownPolicy.DELAY_STOP,
    "nostop": ShutdownPolicy.NO_STOP,
    "immediatelystop": ShutdownPolicy.IMMEDIATE_STOP,
    "delay_stop": ShutdownPolicy.DELAY_STOP,
    "no_stop": ShutdownPolicy.NO_STOP,
    "immediately_stop": ShutdownPolicy.IMMEDIATE_STOP,
}


def shutdown_policy(value: object) -> ShutdownPolicy | None:
    """A ``ZeroCreditShutdownPolicy`` as the upstream gives it (a code or a name), or None if unknown."""
    return SHUTDOWN_POLICIES.get(str(value).strip().lower()) if value not in (None, "") else None


def credit_controls(data: Mapping[str, object]) -> CreditControls:
    """GetCreditInfo ``Data`` (A.4.8): the warning threshold (a percentage), the new-purchase status (``ban`` or
    ``normal``; lower-case ``newBuyStatus`` on the wire, A.6.3), the shutdown policy and the pay-as-you-go
    freeze. A value missing or not understood is None, never guessed."""
    threshold = data.get("AlarmThreshold")
    try:
        percent: int | None = int(Decimal(str(threshold))) if threshold not in (None, "") else None
    except (InvalidOperation, ValueError):
        percent = None
    new_buy = str(data.get("newBuyStatus") or "").strip().lower()
    freeze = str(data.get("PAYGFreezeStatus") or "").strip().lower()
    return CreditControls(
        warning_threshold=percent,
        new_purchases_banned={"ban": True, "normal": False}.get(new_buy),
        shutdown_policy=shutdown_policy(data.get("ZeroCreditShutdownPolicy")),
        pay_as_you_go_frozen={"freeze": True, "normal": False}.get(freeze),
    )


def voucher_from_coupon(row: Mapping[str, object], *, provider: str, partner_id: str, currency: str) -> Voucher:
    """ListCouponUsage ``Data[]`` (A.4.11). ``EffDate`` ("validity") is read as the end of validity."""
    return Voucher(
        provider=provider,
        partner_id=partner_id,
        native_id=_key(row.get("CouponId")),  # a String here (A.6.2)
        customer_id=_id(row.get("Uid")),
        face_value=money(row.get("Amount"), currency) or _zero(currency),
        remaining=money(row.get("Balance"), currency) or _zero(currency),
        status=VOUCHER_STATUSES.get(_key(row.get("Status")).upper(), VoucherStatus.UNKNOWN),
        issued_at=parse_timestamp(row.get("PublishDate")),
        valid_until=parse_timestamp(row.get("EffDate")),
        source_id=_id(row.get("CouponTemplateId")),
        reseller_id=_id(row.get("T2PartnerUid")),
        extra={"Account": row["Account"]} if row.get("Account") else {},
    )


def reseller_from_sub_partner(row: Mapping[str, object], *, provider: str, partner_id: str) -> Reseller:
    """GetSubPartnerList ``SubPartnerList[]`` (A.5.1): the id is the T2 main account's UID (a string)."""
    extra = {
        name: row[name]
        for name in (
            "Pid",
            "Contact",
            "AgreementStatus",
            "AgreementStatusDesc",
            "Province",
            "City",
            "District",
            "Address",
        )
        if row.get(name) not in (None, "")
    }
    return Reseller(
        provider=provider,
        partner_id=partner_id,
        native_id=_key(row.get("MasterUid")),
        name=_key(row.get("CompanyName")),
        account_name=_text(row.get("MasterAccount")),
        associated_at=parse_timestamp(row.get("JoinTime")),
        extra=extra,
    )


def invitation_from_invite_info(
    row: Mapping[str, object], *, provider: str, partner_id: str, now: datetime
) -> Invitation:
    """GetUnassociatedCustomer ``InviteInfo[]`` (A.4.6). A link is valid 72 hours from ``GmtCreate``
    (when it was last sent): past that it is EXPIRED, whatever ``Status`` says."""
    sent = parse_timestamp(row.get("GmtCreate"))
    expires = sent + INVITATION_VALIDITY if sent is not None else None
    status = INVITATION_STATUSES.get(_key(row.get("Status")), InvitationStatus.UNKNOWN)
    if status is not InvitationStatus.ASSOCIATED and expires is not None and now >= expires:
        status = InvitationStatus.EXPIRED
    return Invitation(
        provider=provider,
        partner_id=partner_id,
        native_id=_key(row.get("InviteId")),
        status=status,
        email=_text(row.get("Email")),
        nickname=_text(row.get("AccountNickname")),
        created_at=sent,
        expires_at=expires,
        extra={"Status": row["Status"]} if row.get("Status") is not None else {},
    )


def order_from_row(
    row: Mapping[str, object], *, provider: str, partner_id: str, currency: str, reseller: bool = False
) -> Order:
    """GetCustomerOrderList / GetSubPartnerOrderList ``Data[]`` (A.5.2, A.5.3)."""
    extra = {
        name: row[name]
        for name in (
            "PayType",
            "CustomerClassification",
            "CustomerAccount",
            "SubPartnerName",
            "RamAccountForCustomerManagers",
        )
        if row.get(name) not in (None, "", [])
    }
    discounted = money(row.get("DiscountedPrice"), currency)
    if discounted is not None:
        extra["DiscountedPrice"] = str(discounted.amount)
    return Order(
        provider=provider,
        partner_id=partner_id,
        native_id=_key(row.get("OrderId")),
        customer_id=None if reseller else _id(row.get("CustomerUid")),
        status=ORDER_STATUSES.get(_key(row.get("OrderStatus")), OrderStatus.UNKNOWN),
        order_type=ORDER_TYPES.get(_key(row.get("OrderType")).upper(), OrderType.UNKNOWN),
        product_code=_text(row.get("ProductCode")),
        product_name=_text(row.get("ProductName")),
        list_price=money(row.get("Price"), currency),
        amount_due=money(row.get("AmountDue"), currency),
        discount=money(row.get("AmountDiscount"), currency),
        voucher_amount=money(row.get("DeductedAmountByCoupons"), currency),
        created_at=parse_timestamp(row.get("CreatedAt")),
        paid_at=parse_timestamp(row.get("PaidAt")),
        project_id=_id(row.get("ProjectId")),
        reseller_id=_id(row.get("SubPartnerUid")) if reseller else None,
        extra=extra,
    )


def note_from_row(row: Mapping[str, object], customer_id: str) -> Note:
    """CustomerNoteList ``Data.Data[]`` (A.5.5); ``TouchDate`` is a ms timestamp in a string."""
    return Note(
        native_id=_key(row.get("NoteId")),
        customer_id=customer_id,
        content=_key(row.get("NoteContent")),
        contact_name=_text(row.get("ContactName")),
        contact_information=_text(row.get("ContactInformation")),
        creator=_text(row.get("CreatorName")) or _text(row.get("Creator")),
        created_at=parse_timestamp(row.get("GmtCreate")),
        touched_at=parse_timestamp(row.get("TouchDate")),
    )


def region_from_country(code: object) -> Region:
    """ListCountries ``Data[]`` (A.4.2) holds codes only: the code is also the name."""
    text = _key(code).upper()
    return Region(code=text, name=text, level=RegionLevel.COUNTRY)


#: An invitee has no UID until it registers: its customer id is the invitation's, with this prefix.
INVITATION_PREFIX = "invitation-"
_INVITEE_STATUSES = {
    InvitationStatus.PENDING: CustomerStatus.INVITED,
    InvitationStatus.EXPIRED: CustomerStatus.INVITATION_EXPIRED,
}


def customer_from_invitation(invitation: Invitation, status: Mapping[str, object] | None = None) -> Customer:
    """An invited customer that has not registered yet (GetUnassociatedCustomer), as a ``Customer``.

    ``status`` is the invitation's GetInviteStatus ``InviteStatusList`` (A.4.4): GetUnassociatedCustomer
    does not list the ``SubAccountType`` the invitation was sent with, GetInviteStatus does; its ``Cid``
    (the filing, A.4.2) is kept in ``extra``. The upstream keeps no ``CustomerBd`` for an invitee."""
    extra: dict[str, object] = {"InviteId": invitation.native_id, **invitation.extra}
    sub_type = None
    if status is not None:
        sub_type = status.get("SubAccountType")
        if _key(sub_type):
            extra["SubAccountType"] = _key(sub_type)
        if cid := _id(status.get("Cid")):
            extra["Cid"] = cid  # 64-bit (A.6.4)
    return Customer(
        provider=invitation.provider,
        partner_id=invitation.partner_id,
        native_id=f"{INVITATION_PREFIX}{invitation.native_id}",
        name=invitation.nickname or invitation.email or invitation.native_id,
        account_type=account_type(sub_type),
        status=_INVITEE_STATUSES.get(invitation.status, CustomerStatus.UNKNOWN),
        email=invitation.email,
        invitation_expires_at=invitation.expires_at,
        real_name_verified=False,  # not registered, so not verified yet
        invitation_id=invitation.native_id,
        extra=extra,
    )
