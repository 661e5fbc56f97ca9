"""Official SDK (2022-12-16) against the simulator: filing, invitations, registration, expiry and resend
(CONTRACTS.md A.4.1-A.4.6, A.4.13; DOMAIN.md). State changes are read back through a second operation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alibabacloud_agency20221216 import models as m

from adapters.aliyun.simulator import COUNTRIES, FOREIGN_ACCOUNTS
from tests.adapters.aliyun.sdk import DISTRIBUTOR, REQUEST_ID, RESELLER, Upstream, running


@pytest.fixture
def up() -> Iterator[Upstream]:
    with running() as upstream:
        yield upstream


def create_customer(
    up: Upstream, name: str = "杭州示例科技有限公司", trade: str = "Internet", partner=DISTRIBUTOR
) -> int:
    request = m.CreateCustomerRequest(customer_name=name, customer_source="Partner", customer_trade=trade, nation="CN")
    body = up.v2022(partner).create_customer(request).body
    assert (body.code, body.success, body.data) == ("200", True, True)
    return int(body.message)  # the new CID comes back inside Message (A.4.2)


def account(
    cid: int, email: str, sub_type: str = "1", nickname: str = "Acme"
) -> m.InviteSubAccountRequestAccountInfoList:
    return m.InviteSubAccountRequestAccountInfoList(
        account_nickname=nickname,
        credit_line="1000",
        customer_id=str(cid),
        email_address=email,
        new_buy_status="normal",
        sub_account_type=sub_type,
        zero_credit_shutdown_policy="3",
        customer_bd="王芳",
    )


def invite(up: Upstream, *rows: m.InviteSubAccountRequestAccountInfoList, partner=DISTRIBUTOR) -> list:
    body = up.v2022(partner).invite_sub_account(m.InviteSubAccountRequest(account_info_list=list(rows))).body
    assert (body.code, body.success) == ("200", True)
    assert REQUEST_ID.match(body.request_id)
    return body.results.result


def test_list_countries(up: Upstream) -> None:
    body = up.v2022().list_countries().body
    assert (body.code, body.success) == ("200", True)
    assert body.data == list(COUNTRIES)
    assert "CN" in body.data


def test_create_customer_validates_nation(up: Upstream) -> None:
    request = m.CreateCustomerRequest(customer_name="x", customer_source="s", customer_trade="t", nation="XX")
    body = up.v2022().create_customer(request).body
    assert (body.code, body.success) == ("InvalidParameter.Nation", False)


def test_invite_register_then_listed_by_get_account_info(up: Upstream) -> None:
    cid = create_customer(up)
    (result,) = invite(up, account(cid, "new.customer@example.cn", nickname="示例客户"))
    assert (result.code, result.success) == ("200", True)
    invite_id = result.result.invite_id
    assert isinstance(invite_id, int)
    assert invite_id > 2**53
    assert result.result.days == 3
    assert str(invite_id) in result.result.reg_url

    status = (
        up.v2022()
        .get_invite_status(
            m.GetInviteStatusRequest(invite_status_list=[m.GetInviteStatusRequestInviteStatusList(invite_id=invite_id)])
        )
        .body
    )
    (item,) = status.data.invite_status
    assert (item.success, item.invite_status_list.status, item.invite_status_list.cid) == (True, 0, cid)

    pending = up.v2022().get_unassociated_customer(m.GetUnassociatedCustomerRequest(current_page=1, page_size=50))
    assert invite_id in [row.invite_id for row in pending.body.invite_info_list.invite_info]

    registered = up.control("POST", "register", {"invite_id": str(invite_id)})
    assert registered.status_code == 201, registered.text
    uid = int(registered.json()["uid"])

    found = up.v2022().get_account_info(m.GetAccountInfoRequest(current_page=1, page_size=1, uid=uid)).body
    (row,) = found.account_info_list.account_info
    assert (row.uid, row.cid, row.account_nickname, row.email) == (uid, cid, "示例客户", "new.customer@example.cn")
    assert (row.sub_account_type, row.customer_bd) == (1, "王芳")
    status = (
        up.v2022()
        .get_invite_status(
            m.GetInviteStatusRequest(invite_status_list=[m.GetInviteStatusRequestInviteStatusList(invite_id=invite_id)])
        )
        .body
    )
    assert (
        status.data.invite_status[0].invite_status_list.status,
        status.data.invite_status[0].invite_status_list.uid,
    ) == (1, uid)
    pending = up.v2022().get_unassociated_customer(m.GetUnassociatedCustomerRequest(current_page=1, page_size=50))
    assert invite_id not in [row.invite_id for row in pending.body.invite_info_list.invite_info]
    # The link is used up: registering again and resending both fail.
    assert up.control("POST", "register", {"invite_id": str(invite_id)}).status_code == 409
    resend = up.v2022().resend_email(m.ResendEmailRequest(invite_id=invite_id)).body
    assert (resend.code, resend.success) == ("3061", False)


def test_expired_invitation_is_reported_and_resend_renews_it(up: Upstream) -> None:
    cid = create_customer(up)
    (result,) = invite(up, account(cid, "late.customer@example.cn"))
    invite_id = result.result.invite_id
    up.control("POST", "clock", {"advance_hours": 73})  # past the 72-hour link

    request = m.GetInviteStatusRequest(
        invite_status_list=[m.GetInviteStatusRequestInviteStatusList(invite_id=invite_id)]
    )
    assert up.v2022().get_invite_status(request).body.data.invite_status[0].invite_status_list.status == 2
    pending = up.v2022().get_unassociated_customer(m.GetUnassociatedCustomerRequest(current_page=1, page_size=50))
    statuses = {row.invite_id: row.status for row in pending.body.invite_info_list.invite_info}
    assert statuses[invite_id] == 2
    refused = up.control("POST", "register", {"invite_id": str(invite_id)})
    assert (refused.status_code, refused.json()["code"]) == (410, "InvitationExpired")

    resend = up.v2022().resend_email(m.ResendEmailRequest(invite_id=invite_id)).body
    assert (resend.code, resend.success) == ("200", True)
    assert up.v2022().get_invite_status(request).body.data.invite_status[0].invite_status_list.status == 0
    assert up.control("POST", "register", {"invite_id": str(invite_id)}).status_code == 201


def test_resend_email_codes(up: Upstream) -> None:
    assert up.v2022().resend_email(m.ResendEmailRequest()).body.code == "3057"
    assert up.v2022().resend_email(m.ResendEmailRequest(invite_id=12345)).body.code == "3060"
    invitation = up.state().invitations[0]
    codes = [up.v2022().resend_email(m.ResendEmailRequest(invite_id=invitation.invite_id)).body.code for _ in range(11)]
    assert codes[:10] == ["200"] * 10
    assert codes[10] == "3058"  # 10 e-mails every 5 minutes
    up.control("POST", "clock", {"advance_seconds": 301})
    assert up.v2022().resend_email(m.ResendEmailRequest(invite_id=invitation.invite_id)).body.code == "200"


def test_get_invite_status_item_errors(up: Upstream) -> None:
    empty = up.v2022().get_invite_status(m.GetInviteStatusRequest()).body
    assert (empty.code, empty.success) == ("3057", False)
    unknown = m.GetInviteStatusRequestInviteStatusList(invite_id=1)
    body = up.v2022().get_invite_status(m.GetInviteStatusRequest(invite_status_list=[unknown])).body
    assert (body.code, body.data.invite_status[0].code, body.data.invite_status[0].success) == ("200", "3060", False)


def test_filing_limits(up: Upstream) -> None:
    person = create_customer(up, "张伟", trade="Individual")
    first, second = invite(up, account(person, "zw1@example.cn"), account(person, "zw2@example.cn"))
    assert first.success is True
    assert (second.code, second.success) == ("FilingLimitExceeded", False)

    company = create_customer(up)
    rows = [account(company, f"acme{n}@example.cn") for n in range(5)]
    assert [r.success for r in invite(up, *rows)] == [True] * 5
    (sixth,) = invite(up, account(company, "acme5@example.cn"))
    assert sixth.code == "FilingLimitExceeded"
    too_many = (
        up.v2022()
        .invite_sub_account(
            m.InviteSubAccountRequest(account_info_list=[account(company, f"x{n}@example.cn") for n in range(6)])
        )
        .body
    )
    assert (too_many.code, too_many.success) == ("InvalidParameter.AccountInfoList", False)


def test_another_partners_account_cannot_be_taken(up: Upstream) -> None:
    cid = create_customer(up)
    reseller_email = up.state(RESELLER).accounts[0].email
    taken, foreign, bad_cid = invite(
        up,
        account(cid, reseller_email),
        account(cid, next(iter(FOREIGN_ACCOUNTS))),
        account(123, "fresh@example.cn"),
    )
    assert (taken.code, foreign.code) == ("AccountBelongsToAnotherPartner", "AccountBelongsToAnotherPartner")
    assert bad_cid.code == "InvalidCustomerId.NotFound"
    # Registering an existing account that another partner holds is refused too.
    (ok,) = invite(up, account(cid, "linker@example.cn"))
    foreign_uid = next(iter(FOREIGN_ACCOUNTS.values()))
    refused = up.control("POST", "register", {"invite_id": str(ok.result.invite_id), "uid": str(foreign_uid)})
    assert (refused.status_code, refused.json()["code"]) == (409, "AccountBelongsToAnotherPartner")
    # A consignment account never is an existing account (DOMAIN.md).
    (consignment,) = invite(up, account(cid, "consign@example.cn", sub_type="2"))
    refused = up.control("POST", "register", {"invite_id": str(consignment.result.invite_id), "uid": "42"})
    assert refused.json()["code"] == "ConsignmentNeedsNewAccount"


def test_bad_items_are_refused_one_by_one(up: Upstream) -> None:
    cid = create_customer(up)
    bad_credit = account(cid, "a@example.cn")
    bad_credit.credit_line = "lots"
    bad_type = account(cid, "b@example.cn", sub_type="9")
    bad_email = account(cid, "not-an-email")
    long_name = account(cid, "c@example.cn", nickname="长" * 60)
    results = invite(up, bad_credit, bad_type, bad_email, long_name)
    assert [r.code for r in results] == [
        "3041",
        "InvalidParameter.SubAccountType",
        "InvalidParameter.EmailAddress",
        "3030",
    ]


def test_reseller_may_not_invite_t2_partners(up: Upstream) -> None:
    cid = create_customer(up, partner=RESELLER)
    (t2,) = invite(up, account(cid, "t2@example.cn", sub_type="5"), partner=RESELLER)
    assert (t2.code, t2.success) == ("Forbidden.NotDistributor", False)
    row = m.InviteSubResellerRequestAccountInfoList(account_nickname="二级", email_address="t2@example.cn")
    body = up.v2022(RESELLER).invite_sub_reseller(m.InviteSubResellerRequest(account_info_list=[row])).body
    assert (body.code, body.success) == ("Forbidden.NotDistributor", False)


def test_invite_sub_reseller_then_t2_listed(up: Upstream) -> None:
    row = m.InviteSubResellerRequestAccountInfoList(
        account_nickname="宁波二级云服务有限公司",
        credit_line="5000",
        email_address="t2.partner@example.cn",
        new_buy_status="normal",
        register_nation="CN",
        zero_credit_shutdown_policy="1",
    )
    body = up.v2022().invite_sub_reseller(m.InviteSubResellerRequest(account_info_list=[row])).body
    (result,) = body.results  # no Result wrapper here (A.4.13)
    assert (body.code, result.code, result.result.days) == ("200", "200", 3)
    uid = int(up.control("POST", "register", {"invite_id": str(result.result.invite_id)}).json()["uid"])
    t2 = up.v2022().get_account_info(m.GetAccountInfoRequest(current_page=1, page_size=20, user_type="3")).body
    assert uid in [r.uid for r in t2.account_info_list.account_info]
    from alibabacloud_agency20250227 import models as m25

    listed = up.v2025().get_sub_partner_list(m25.GetSubPartnerListRequest(page_no=1, page_size=100)).body
    assert str(uid) in [p.master_uid for p in listed.sub_partner_list]
