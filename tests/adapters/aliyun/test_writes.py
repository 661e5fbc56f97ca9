"""AliyunProvider.execute against the simulator in-process: each write's effect is visible through a read,
each refusal keeps its class, reason, upstream code and request id, and bad input sends nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from adapters.aliyun import AliyunProvider
from adapters.aliyun._mapping_business import INVITATION_PREFIX
from adapters.aliyun.simulator import AgencySimulator, EndAccount, PartnerState, SimulatedClock
from gateway.errors import InvalidInput, ProviderError, ProviderForbidden, Reason, UnsupportedByProvider
from gateway.models import AccountType, CustomerKind, CustomerStatus, Money, VoucherStatus
from gateway.provider import Capability
from gateway.writes import (
    AddNote,
    AllocateResellerFunds,
    CreateCustomer,
    GrantVoucherQuota,
    Intent,
    InviteReseller,
    IssueVoucher,
    ReclaimFunds,
    ReclaimResellerFunds,
    ReclaimVoucher,
    ReclaimVoucherQuota,
    ResendInvitation,
    SendVerificationCode,
    SetCreditLine,
    SetCustomerFrozen,
    TransferFunds,
)
from tests.adapters.aliyun.conftest import DISTRIBUTOR, RESELLER, CountingTransport, account_for, credentials_for

pytestmark = pytest.mark.anyio


def state(simulator: AgencySimulator, partner: object = DISTRIBUTOR) -> PartnerState:
    return simulator.state.partners[partner.access_key_id]  # type: ignore[attr-defined]


def customer(simulator: AgencySimulator, user_type: int = 2) -> EndAccount:
    return next(a for a in state(simulator).accounts if a.user_type == user_type and not a.frozen)


def cny(amount: str) -> Money:
    return Money(Decimal(amount), "CNY")


def assert_refused(
    error: ProviderError, transport: CountingTransport, cls: type[ProviderError], reason: Reason, code: str
) -> None:
    assert type(error) is cls
    assert error.reason is reason
    assert error.upstream_code == code
    assert error.request_id is not None
    assert error.request_id == transport.request_ids[-1]  # the id of the answer that refused
    assert error.extensions()["reason"] == reason.value


# -- customers ---------------------------------------------------------------------------------------------


async def test_create_customer_files_and_invites(
    provider: AliyunProvider, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    intent = CreateCustomer(
        name="杭州测试科技有限公司",
        account_type=AccountType.CONSIGNMENT,
        email="new.customer@example.com",
        owner="王芳",
        credit_line=cny("1000.5"),
    )
    receipt = await provider.execute(intent)
    assert transport.actions()[-2:] == ["CreateCustomer", "InviteSubAccount"]
    (invite_id,) = receipt.upstream_ids
    invitation = state(simulator).invitation(int(invite_id))
    assert invitation is not None
    assert invitation.email == "new.customer@example.com"
    assert (invitation.sub_account_type, invitation.customer_bd) == (2, "王芳")
    assert (invitation.credit_line, invitation.new_buy_status, invitation.shutdown_policy) == (
        Decimal("1000.50"),
        "normal",
        "3",
    )
    assert receipt.details["customerId"] == str(invitation.cid)
    assert state(simulator).filing(int(receipt.details["customerId"])) is not None
    assert receipt.details["registrationUrl"] == invitation.reg_url
    assert receipt.details["days"] == "3"
    assert receipt.request_id == transport.request_ids[-1]
    row = receipt.details["customerNativeId"]
    assert row == f"{INVITATION_PREFIX}{invite_id}"
    invitee = (await provider.get_customers([row]))[row]
    assert invitee.status is CustomerStatus.INVITED
    assert invitee.account_type is AccountType.CONSIGNMENT  # as given, from the first moment
    assert invitee.extra["Cid"] == receipt.details["customerId"]
    listed = {c.native_id: c for c in (await provider.list_customers(0, 1000)).items}
    assert listed[row].account_type is AccountType.CONSIGNMENT
    account = simulator.register(invite_id)
    found = await provider.get_customers([str(account.uid)])
    assert found[str(account.uid)].name == intent.name
    assert found[str(account.uid)].account_type is AccountType.CONSIGNMENT
    assert found[str(account.uid)].owner == "王芳"  # registered: the upstream now shows its CustomerBd
    assert row not in {c.native_id for c in (await provider.list_customers(0, 1000)).items}  # the row is gone


async def test_agency_customer_and_default_credit(provider: AliyunProvider, simulator: AgencySimulator) -> None:
    intent = CreateCustomer(name="Agency Co", account_type=AccountType.AGENCY, email="agency@example.com")
    receipt = await provider.execute(intent)
    invitation = state(simulator).invitation(int(receipt.upstream_ids[0]))
    assert invitation is not None
    assert (invitation.sub_account_type, invitation.credit_line) == (1, Decimal("0.00"))


async def test_a_second_account_reuses_the_filing_until_the_limit(
    provider: AliyunProvider, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    first = await provider.execute(
        CreateCustomer(
            name="张三丰", account_type=AccountType.AGENCY, customer_kind=CustomerKind.INDIVIDUAL, email="a@example.com"
        )
    )
    filings = len(state(simulator).filings)
    with pytest.raises(ProviderError) as caught:
        await provider.execute(
            CreateCustomer(
                name="张三丰",
                account_type=AccountType.AGENCY,
                customer_kind=CustomerKind.INDIVIDUAL,
                email="b@example.com",
            )
        )
    assert transport.actions()[-1] == "InviteSubAccount"
    assert "CreateCustomer" not in transport.actions()[-4:]  # the individual's filing was reused
    assert len(state(simulator).filings) == filings
    assert_refused(caught.value, transport, ProviderError, Reason.FILING_LIMIT_EXCEEDED, "FilingLimitExceeded")
    # an enterprise keeps up to 5 accounts under one filing
    ids = []
    for n in range(5):
        receipt = await provider.execute(
            CreateCustomer(name="五账号有限公司", account_type=AccountType.AGENCY, email=f"e{n}@example.com")
        )
        ids.append(receipt.details["customerId"])
    assert len(set(ids)) == 1
    with pytest.raises(ProviderError) as caught:
        await provider.execute(
            CreateCustomer(name="五账号有限公司", account_type=AccountType.AGENCY, email="e5@example.com")
        )
    assert caught.value.reason is Reason.FILING_LIMIT_EXCEEDED
    assert first.upstream_ids


async def test_create_customer_refusals(
    provider: AliyunProvider, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    with pytest.raises(ProviderError) as caught:
        await provider.execute(CreateCustomer(name="X", account_type=AccountType.AGENCY, email="taken01@example.cn"))
    assert_refused(
        caught.value, transport, ProviderError, Reason.CUSTOMER_OF_ANOTHER_PARTNER, "AccountBelongsToAnotherPartner"
    )
    other = state(simulator, RESELLER).accounts[0].email
    with pytest.raises(ProviderError) as caught:
        await provider.execute(CreateCustomer(name="Y", account_type=AccountType.AGENCY, email=other))
    assert caught.value.reason is Reason.CUSTOMER_OF_ANOTHER_PARTNER
    own = customer(simulator).email
    with pytest.raises(ProviderError) as caught:
        await provider.execute(CreateCustomer(name="Z", account_type=AccountType.AGENCY, email=own))
    assert_refused(caught.value, transport, ProviderError, Reason.ALREADY_EXISTS, "AccountAlreadyAssociated")


@pytest.mark.parametrize(
    ("intent", "field"),
    [
        (CreateCustomer(name="A", account_type=AccountType.AGENCY), "email"),
        (CreateCustomer(name="A", account_type=AccountType.AGENCY, email="not-an-email"), "email"),
        (CreateCustomer(name="A", account_type=AccountType.RESALE, email="a@example.com"), "accountType"),
        (CreateCustomer(name="名" * 51, account_type=AccountType.AGENCY, email="a@example.com"), "name"),
        (
            CreateCustomer(name="A", account_type=AccountType.AGENCY, email="a@example.com", credit_line=cny("-1")),
            "creditLine",
        ),
        (InviteReseller(name="T2", email="t2@example.com", credit_line=Money(Decimal("5"), "USD")), "creditLine"),
        (SetCreditLine(customer_id="123", amount=cny("-0.01")), "amount"),
        (SetCreditLine(customer_id="123", amount=cny("1.234")), "amount"),
        (SetCreditLine(customer_id="123", amount=Money(Decimal("10"), "USD")), "amount"),
        (SetCreditLine(customer_id="abc", amount=cny("10")), "customerId"),
        (SetCustomerFrozen(customer_id="", frozen=True), "customerId"),
        (AddNote(customer_id="123", content="  "), "content"),
        (IssueVoucher(customer_id="123"), "templateId"),
        (IssueVoucher(customer_id="123", template_id="1", face_value=cny("10")), "faceValue"),
        (ReclaimVoucher(voucher_id="v-1"), "voucherId"),
        (ResendInvitation(invitation_id="x"), "invitationId"),
    ],
)
async def test_bad_input_is_refused_before_any_request(
    provider: AliyunProvider, transport: CountingTransport, intent: Intent, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await provider.execute(intent)
    assert caught.value.field == field
    assert transport.requests == []


# -- resellers and invitations -----------------------------------------------------------------------------


async def test_invite_reseller(provider: AliyunProvider, simulator: AgencySimulator) -> None:
    receipt = await provider.execute(InviteReseller(name="二级伙伴有限公司", email="t2@example.com", nation="sg"))
    invitation = state(simulator).invitation(int(receipt.upstream_ids[0]))
    assert invitation is not None
    assert (invitation.reseller, invitation.register_nation, invitation.sub_account_type) == (True, "SG", 5)
    assert receipt.details["registrationUrl"] == invitation.reg_url
    pending = (await provider.client.get_unassociated_customer(1, 50))["InviteInfoList"]["InviteInfo"]
    assert receipt.upstream_ids[0] in {str(row["InviteId"]) for row in pending}


async def test_reseller_key_cannot_invite_a_reseller(http: httpx.AsyncClient, transport: CountingTransport) -> None:
    reseller = AliyunProvider(account_for(RESELLER), credentials_for(RESELLER), http)
    assert Capability.INVITE_RESELLER not in reseller.capabilities
    with pytest.raises(ProviderForbidden) as caught:
        await reseller.execute(InviteReseller(name="T2", email="t2@example.com"))
    assert_refused(caught.value, transport, ProviderForbidden, Reason.ROLE_NOT_ALLOWED, "Forbidden.NotDistributor")


async def test_resend_invitation(
    provider: AliyunProvider, simulator: AgencySimulator, clock: SimulatedClock, transport: CountingTransport
) -> None:
    expired = next(i for i in state(simulator).invitations if i.expires_at < clock())
    receipt = await provider.execute(ResendInvitation(invitation_id=str(expired.invite_id)))
    assert receipt.upstream_ids == (str(expired.invite_id),)
    assert expired.sent_at == clock()
    row = f"{INVITATION_PREFIX}{expired.invite_id}"
    assert (await provider.get_customers([row]))[row].status is CustomerStatus.INVITED  # the link is renewed
    with pytest.raises(ProviderError) as caught:
        await provider.execute(ResendInvitation(invitation_id="42"))
    assert_refused(caught.value, transport, ProviderError, Reason.NOT_FOUND, "3060")
    simulator.register(expired.invite_id)
    with pytest.raises(ProviderError) as caught:
        await provider.execute(ResendInvitation(invitation_id=str(expired.invite_id)))
    assert_refused(caught.value, transport, ProviderError, Reason.INVITATION_EXPIRED, "3061")


async def test_resending_too_often(
    provider: AliyunProvider, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    pending = ResendInvitation(invitation_id=str(state(simulator).invitations[0].invite_id))
    sent = len(state(simulator).emails_sent)  # e-mails the simulator counts in this 5-minute window
    for _ in range(10 - sent):  # 10 e-mails per 5 minutes per partner
        await provider.execute(pending)
    with pytest.raises(ProviderError) as caught:
        await provider.execute(pending)
    assert_refused(caught.value, transport, ProviderError, Reason.TOO_FREQUENT, "3058")


# -- credit ------------------------------------------------------------------------------------------------


async def test_freeze_credit_line_and_thaw(
    provider: AliyunProvider, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    target = customer(simulator)
    uid = str(target.uid)
    receipt = await provider.execute(SetCustomerFrozen(customer_id=uid, frozen=True))
    assert receipt.upstream_ids == ()
    assert (await provider.customer_funds([uid]))[uid].extra["PAYGFreezeStatus"] == "freeze"
    with pytest.raises(ProviderError) as caught:
        await provider.execute(SetCreditLine(customer_id=uid, amount=cny("10")))
    assert_refused(caught.value, transport, ProviderError, Reason.FROZEN, "3040")
    await provider.execute(SetCustomerFrozen(customer_id=uid, frozen=False))
    receipt = await provider.execute(SetCreditLine(customer_id=uid, amount=cny("12345.6")))
    assert receipt.details == {"customerId": uid, "creditLine": "12345.60"}
    funds = (await provider.customer_funds([uid]))[uid]
    assert funds.credit_line == cny("12345.60")
    assert funds.extra["PAYGFreezeStatus"] == "normal"


async def test_unknown_uid(provider: AliyunProvider, transport: CountingTransport) -> None:
    with pytest.raises(ProviderError) as caught:
        await provider.execute(SetCreditLine(customer_id="1200000000000001", amount=cny("1")))
    assert_refused(caught.value, transport, ProviderError, Reason.NOT_FOUND, "3029")


# -- notes and coupons -------------------------------------------------------------------------------------


async def test_add_note(provider: AliyunProvider, simulator: AgencySimulator) -> None:
    uid = str(customer(simulator).uid)
    receipt = await provider.execute(AddNote(customer_id=uid, content="续费沟通", contact_name="李雷"))
    (note_id,) = receipt.upstream_ids
    notes = {n.native_id: n for n in (await provider.list_notes(uid, 0, 100)).items}
    assert notes[note_id].content == "续费沟通"
    assert notes[note_id].contact_name == "李雷"


async def test_issue_and_reclaim_a_voucher(
    provider: AliyunProvider, simulator: AgencySimulator, transport: CountingTransport
) -> None:
    uid = str(customer(simulator).uid)
    template = str(state(simulator).templates[0].template_id)
    receipt = await provider.execute(IssueVoucher(customer_id=uid, template_id=template))
    (coupon_id,) = receipt.upstream_ids
    assert coupon_id == str(state(simulator).coupons[-1].coupon_id)
    vouchers = {v.native_id: v for v in (await provider.list_vouchers(0, 100, customer_id=uid)).items}
    assert vouchers[coupon_id].status is VoucherStatus.AVAILABLE
    assert vouchers[coupon_id].source_id == template
    receipt = await provider.execute(ReclaimVoucher(voucher_id=coupon_id, customer_id=uid))
    assert receipt.upstream_ids == (coupon_id,)
    assert (await provider.get_vouchers([coupon_id]))[coupon_id].status is VoucherStatus.RECLAIMED
    with pytest.raises(ProviderError) as caught:
        await provider.execute(ReclaimVoucher(voucher_id=coupon_id))
    assert_refused(caught.value, transport, ProviderError, Reason.INVALID_INPUT, "InvalidCouponStatus")
    with pytest.raises(ProviderError) as caught:
        await provider.execute(ReclaimVoucher(voucher_id="12345"))
    assert_refused(caught.value, transport, ProviderError, Reason.NOT_FOUND, "InvalidCouponId.NotFound")
    with pytest.raises(ProviderError) as caught:
        await provider.execute(IssueVoucher(customer_id=uid, template_id="12345"))
    assert_refused(caught.value, transport, ProviderError, Reason.NOT_FOUND, "InvalidCouponTemplateId.NotFound")


# -- what Aliyun has no API for ------------------------------------------------------------------------------

HUAWEI_ONLY: list[Intent] = [
    TransferFunds(customer_id="1", amount=cny("1")),
    ReclaimFunds(customer_id="1", amount=cny("1")),
    AllocateResellerFunds(reseller_id="1", amount=cny("1")),
    ReclaimResellerFunds(reseller_id="1", amount=cny("1")),
    GrantVoucherQuota(reseller_id="1", parent_quota_id="q", amount=cny("1")),
    ReclaimVoucherQuota(quota_id="q"),
    SendVerificationCode(phone="13800000000"),
]


@pytest.mark.parametrize("intent", HUAWEI_ONLY, ids=lambda intent: intent.kind)
async def test_huawei_only_intents_are_unsupported(
    provider: AliyunProvider, transport: CountingTransport, intent: Intent
) -> None:
    with pytest.raises(UnsupportedByProvider):
        await provider.execute(intent)
    with pytest.raises(UnsupportedByProvider):
        await provider.find_applied(intent, datetime.now(UTC), frozenset())
    assert transport.requests == []


async def test_write_capabilities(provider: AliyunProvider) -> None:
    assert {
        Capability.CREATE_CUSTOMER,
        Capability.RESEND_INVITATION,
        Capability.FREEZE_CUSTOMER,
        Capability.SET_CREDIT_LINE,
        Capability.ADD_NOTE,
        Capability.INVITE_RESELLER,
        Capability.ISSUE_VOUCHER,
        Capability.RECLAIM_VOUCHER,
    } <= provider.capabilities
    assert (
        not {
            Capability.TRANSFER_FUNDS,
            Capability.ALLOCATE_RESELLER_FUNDS,
            Capability.GRANT_VOUCHER_QUOTA,
            Capability.SEND_VERIFICATION_CODE,
        }
        & provider.capabilities
    )
