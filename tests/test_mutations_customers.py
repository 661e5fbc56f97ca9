"""Customer mutations through the GraphQL API over both real simulators (the embedded demo), each with its
error paths: create or invite, verification codes, invitations, freeze, credit lines, funds, notes,
assignment. State changes are read back through queries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.support.mutations_demo import (
    ALIYUN,
    HUAWEI,
    RECEIPT,
    REFUSALS,
    SALES_OWNER,
    Demo,
    demo,
    global_id,
    key,
    partner_id,
)

pytestmark = pytest.mark.anyio

CREATE = f"""mutation($input: CreateCustomerInput!, $key: String!) {{
  createCustomer(input: $input, idempotencyKey: $key) {{
    __typename
    ... on CreateCustomerPayload {{ {RECEIPT} customerId invitationId registrationUrl }}
    {REFUSALS}
  }}
}}"""
SEND_CODE = f"""mutation($partner: ID!, $phone: String!, $key: String!) {{
  sendVerificationCode(partnerId: $partner, phone: $phone, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS}
  }}
}}"""
RESEND = f"""mutation($partner: ID!, $invitation: String!, $key: String!) {{
  resendInvitation(partnerId: $partner, invitationId: $invitation, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} }} {REFUSALS}
  }}
}}"""
ALIYUN_FIELDS = "id nativeId status owner accountType balance { amount } creditLine { amount }"
HUAWEI_FIELDS = "id nativeId status owner accountType balance { amount }"
FREEZE = f"""mutation($id: ID!, $frozen: Boolean!, $key: String!) {{
  setCustomerFrozen(customerId: $id, frozen: $frozen, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} customer {{ {ALIYUN_FIELDS} }} }} {REFUSALS}
  }}
}}"""


def money_mutation(name: str, fields: str) -> str:
    return f"""mutation($id: ID!, $amount: Decimal!, $key: String!) {{
  {name}(customerId: $id, amount: {{amount: $amount, currency: "CNY"}}, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} customer {{ {fields} }} }} {REFUSALS}
  }}
}}"""


CREDIT = money_mutation("setCreditLine", ALIYUN_FIELDS)
TRANSFER, RECLAIM = (money_mutation(n, HUAWEI_FIELDS) for n in ("transferFunds", "reclaimFunds"))
NOTE = f"""mutation($id: ID!, $input: NoteInput!, $key: String!) {{
  addNote(customerId: $id, input: $input, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} customer {{ notes(first: 50) {{ nodes {{ nativeId content }} }} }} }}
    {REFUSALS}
  }}
}}"""
ASSIGN = """mutation($id: ID!, $owner: String!) {
  assignCustomer(customerId: $id, owner: $owner) {
    __typename ... on AssignmentPayload { customer { id owner } }
    ... on RuleViolationError { reason field } ... on InvalidInputError { field }
  }
}"""
CUSTOMERS = """query($filter: CustomerFilterInput) {
  customers(first: 100, filter: $filter) {
    nodes { id provider nativeId name kind accountType status owner invitationExpiresAt }
  }
}"""
ALIYUN_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Customer {{ {ALIYUN_FIELDS} }} }} }}"
HUAWEI_NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Customer {{ {HUAWEI_FIELDS} }} }} }}"
ALLOCATABLE = """{ partners(provider: "huaweicloud") { nodes { balances { kind amount { amount } } } } }"""


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running_demo:
        yield running_demo


async def customers(gw: Demo, api_key: str = "k-admin", **where: Any) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gw.ask(CUSTOMERS, api_key, filter=where))["customers"]["nodes"]
    return nodes


async def pick(gw: Demo, account_id: str, account_type: str, *, owner: str | None = None) -> dict[str, Any]:
    """A seeded customer of ``account_type`` (and owner, if given), associated."""
    found = await customers(gw, partnerIds=[partner_id(account_id)], accountType=account_type, status="ASSOCIATED")
    return next(c for c in found if owner is None or c["owner"] == owner)


async def allocatable(gw: Demo) -> Decimal:
    (partner,) = (await gw.ask(ALLOCATABLE))["partners"]["nodes"]
    return next(Decimal(b["amount"]["amount"]) for b in partner["balances"] if b["kind"] == "ALLOCATABLE")


def aliyun_writes(gw: Demo) -> int:
    return sum(gw.calls(ALIYUN, action) for action in ("CreateCustomer", "InviteSubAccount"))


# -- createCustomer and sendVerificationCode ---------------------------------------------------------------


async def test_huawei_customer_with_a_phone_needs_the_sms_code_and_appears_once_associated(gw: Demo) -> None:
    phone, partner = "13712345678", partner_id(HUAWEI)
    sent = await gw.one(SEND_CODE, partner=partner, phone=phone, key=key())
    assert sent["__typename"] == "CustomerPayload"
    assert sent["operation"]["details"] == {"valid_minutes": "10"}
    assert sent["operation"]["requestId"]
    assert gw.calls(HUAWEI, "send_verification_message_code") == 1
    read = await gw.control(gw.huawei, "GET", f"/_simulator/verification-codes?mobile_phone={phone}")
    assert read.status_code == 200
    code = read.json()["verification_code"]

    wrong = "000000" if code != "000000" else "111111"
    base = {"partnerId": partner, "name": "Pg Phone Co", "accountType": "RESALE", "phone": phone}
    refused = await gw.one(CREATE, input={**base, "verificationCode": wrong, "accountName": "pg_phone_co"}, key=key())
    assert refused["__typename"] == "UpstreamError"
    assert (refused["reason"], refused["upstreamCode"]) == ("INVALID_VERIFICATION_CODE", "CBC.99006003")
    assert refused["requestId"]
    missing = await gw.one(CREATE, input={**base, "accountName": "pg_phone_co"}, key=key())
    assert (missing["__typename"], missing["field"]) == ("InvalidInputError", "input.verificationCode")
    assert gw.calls(HUAWEI, "create_sub_customer") == 1  # the code-less attempt sent nothing

    created = await gw.one(CREATE, input={**base, "verificationCode": code, "accountName": "pg_phone_co"}, key=key())
    assert created["__typename"] == "CreateCustomerPayload", created
    domain_id = created["customerId"]
    assert domain_id
    assert created["operation"]["upstreamIds"] == [domain_id]
    assert created["invitationId"] is None
    where = {"partnerIds": [partner], "search": domain_id}
    assert await customers(gw, **where) == []  # not associated yet (the simulator's association delay)

    simulator = gw.huawei.simulator
    shifted = simulator.association_delay + timedelta(seconds=1)
    simulator.clock = lambda: datetime.now(UTC) + shifted  # the docs' injectable clock, moved past the delay
    [customer] = await customers(gw, **where)
    assert (customer["nativeId"], customer["accountType"], customer["status"]) == (domain_id, "RESALE", "ASSOCIATED")
    assert simulator.verification_code(phone) is None  # the code was used up


async def test_aliyun_customer_is_invited_then_registers(gw: Demo) -> None:
    name = "杭州网关测试科技有限公司"
    data = {"partnerId": partner_id(ALIYUN), "name": name, "accountType": "CONSIGNMENT", "email": "ops@pg-test.cn"}
    invited = await gw.one(CREATE, input=data, key=key())
    assert invited["__typename"] == "CreateCustomerPayload", invited
    invitation = invited["invitationId"]
    assert invitation
    assert invitation.isdigit()
    assert invited["registrationUrl"]
    assert invited["customerId"]  # the filing's CID
    assert invited["operation"]["upstreamIds"] == [invitation]
    assert (gw.calls(ALIYUN, "CreateCustomer"), gw.calls(ALIYUN, "InviteSubAccount")) == (1, 1)

    [pending] = await customers(gw, partnerIds=[partner_id(ALIYUN)], search=name)
    assert pending["status"] == "INVITED"
    assert pending["invitationExpiresAt"]

    registered = await gw.control(gw.aliyun, "POST", "/_simulator/register", {"invite_id": invitation})
    assert registered.status_code == 201, registered.text
    [customer] = await customers(gw, partnerIds=[partner_id(ALIYUN)], search=name)
    assert (customer["status"], customer["nativeId"]) == ("ASSOCIATED", registered.json()["uid"])
    assert customer["accountType"] == "CONSIGNMENT"

    no_email = await gw.one(CREATE, input={**data, "email": None, "name": "无邮箱公司"}, key=key())
    assert (no_email["__typename"], no_email["field"]) == ("InvalidInputError", "input.email")


async def test_aliyun_filing_limits_are_checked_before_any_upstream_write(gw: Demo) -> None:
    partner = partner_id(ALIYUN)
    person = {"partnerId": partner, "name": "周个人", "accountType": "AGENCY", "kind": "INDIVIDUAL"}
    first = await gw.one(CREATE, input={**person, "email": "zhou1@pg-test.cn"}, key=key())
    assert first["__typename"] == "CreateCustomerPayload", first
    sent = aliyun_writes(gw)
    second = await gw.one(CREATE, input={**person, "email": "zhou2@pg-test.cn"}, key=key())
    assert (second["__typename"], second["reason"], second["field"]) == (
        "RuleViolationError",
        "FILING_LIMIT_EXCEEDED",
        "input.name",
    )
    assert aliyun_writes(gw) == sent

    # A salesperson cannot see another owner's customer, but the limit still counts it.
    seeded = await customers(gw, partnerIds=[partner], status="ASSOCIATED")
    person_of_other = next(c for c in seeded if c["kind"] == "INDIVIDUAL" and c["owner"] != SALES_OWNER)
    again = {**person, "name": person_of_other["name"], "email": "again@pg-test.cn"}
    by_sales = await gw.one(CREATE, "k-sales", input=again, key=key())
    assert (by_sales["__typename"], by_sales["reason"]) == ("RuleViolationError", "FILING_LIMIT_EXCEEDED")
    assert aliyun_writes(gw) == sent

    firm = {"partnerId": partner, "name": "深圳五账号有限公司", "accountType": "CONSIGNMENT", "kind": "ENTERPRISE"}
    for n in range(5):
        filed = await gw.one(CREATE, input={**firm, "email": f"acct{n}@five.cn"}, key=key())
        assert filed["__typename"] == "CreateCustomerPayload", (n, filed)
    assert len(await customers(gw, partnerIds=[partner], search=firm["name"])) == 5
    sent = aliyun_writes(gw)
    sixth = await gw.one(CREATE, input={**firm, "email": "acct5@five.cn"}, key=key())
    assert (sixth["__typename"], sixth["reason"]) == ("RuleViolationError", "FILING_LIMIT_EXCEEDED")
    assert aliyun_writes(gw) == sent


async def test_aliyun_sends_no_verification_codes(gw: Demo) -> None:
    answer = await gw.one(SEND_CODE, partner=partner_id(ALIYUN), phone="13712345678", key=key())
    assert answer == {"__typename": "UnsupportedError", "provider": "aliyun"}
    assert gw.requests(ALIYUN) == 0


# -- resendInvitation ----------------------------------------------------------------------------------------


async def test_an_expired_invitation_is_renewed_and_an_unknown_one_refused(gw: Demo) -> None:
    partner = partner_id(ALIYUN)
    name = "过期邀请测试有限公司"
    invited = await gw.one(
        CREATE,
        input={"partnerId": partner, "name": name, "accountType": "AGENCY", "email": "late@pg-test.cn"},
        key=key(),
    )
    invitation = invited["invitationId"]
    moved = await gw.control(gw.aliyun, "POST", "/_simulator/clock", {"advance_hours": 73})
    assert moved.json()["offset_seconds"] == 73 * 3600
    [expired] = await customers(gw, partnerIds=[partner], search=name)
    assert expired["status"] == "INVITATION_EXPIRED"
    register = await gw.control(gw.aliyun, "POST", "/_simulator/register", {"invite_id": invitation})
    assert register.status_code == 410  # an expired link cannot be used

    renewed = await gw.one(RESEND, partner=partner, invitation=invitation, key=key())
    assert renewed["__typename"] == "CustomerPayload", renewed
    assert renewed["operation"]["upstreamIds"] == [invitation]
    assert gw.calls(ALIYUN, "ResendEmail") == 1
    [again] = await customers(gw, partnerIds=[partner], search=name)
    assert again["status"] == "INVITED"
    assert again["invitationExpiresAt"] > expired["invitationExpiresAt"]

    unknown = await gw.one(RESEND, partner=partner, invitation="9399999999999999", key=key())
    assert (unknown["__typename"], unknown["reason"], unknown["upstreamCode"]) == ("UpstreamError", "NOT_FOUND", "3060")
    assert unknown["requestId"]
    malformed = await gw.one(RESEND, partner=partner, invitation="not-an-id", key=key())
    assert (malformed["__typename"], malformed["field"]) == ("InvalidInputError", "invitationId")
    huawei = await gw.one(RESEND, partner=partner_id(HUAWEI), invitation=invitation, key=key())
    assert huawei == {"__typename": "UnsupportedError", "provider": "huaweicloud"}


# -- setCustomerFrozen and setCreditLine ---------------------------------------------------------------------


async def test_a_frozen_customer_gets_no_credit_until_thawed(gw: Demo) -> None:
    customer = await pick(gw, ALIYUN, "CONSIGNMENT")
    frozen = await gw.one(FREEZE, id=customer["id"], frozen=True, key=key())
    assert frozen["__typename"] == "CustomerPayload", frozen
    assert frozen["operation"]["details"] == {"customerId": customer["nativeId"], "frozen": "true"}

    refused = await gw.one(CREDIT, id=customer["id"], amount="8000.00", key=key())
    assert refused["__typename"] in ("UpstreamError", "RuleViolationError")
    assert refused["reason"] == "FROZEN"

    thawed = await gw.one(FREEZE, id=customer["id"], frozen=False, key=key())
    assert thawed["operation"]["details"] == {"customerId": customer["nativeId"], "frozen": "false"}
    granted = await gw.one(CREDIT, id=customer["id"], amount="8000.00", key=key())
    assert granted["__typename"] == "CustomerPayload", granted
    assert Decimal(granted["customer"]["creditLine"]["amount"]) == Decimal("8000.00")
    huawei = await pick(gw, HUAWEI, "RESALE")
    unsupported = await gw.one(FREEZE, id=huawei["id"], frozen=True, key=key())
    assert unsupported == {"__typename": "UnsupportedError", "provider": "huaweicloud"}


async def test_credit_lines_only_for_aliyun_consignment_customers(gw: Demo) -> None:
    consignment = await pick(gw, ALIYUN, "CONSIGNMENT")
    granted = await gw.one(CREDIT, "k-finance", id=consignment["id"], amount="12345.67", key=key())
    assert granted["__typename"] == "CustomerPayload", granted
    assert granted["operation"]["details"]["creditLine"] == "12345.67"
    read = (await gw.ask(ALIYUN_NODE, id=consignment["id"]))["node"]
    assert Decimal(read["creditLine"]["amount"]) == Decimal("12345.67")
    sent = gw.calls(ALIYUN, "SetCreditLine")
    assert sent == 1

    agency = await pick(gw, ALIYUN, "AGENCY")
    refused = await gw.one(CREDIT, "k-finance", id=agency["id"], amount="100.00", key=key())
    assert (refused["__typename"], refused["reason"], refused["field"]) == (
        "RuleViolationError",
        "ACCOUNT_TYPE_NOT_ALLOWED",
        "customerId",
    )
    sales = await gw.one(CREDIT, "k-sales", id=consignment["id"], amount="1.00", key=key())
    assert (sales["__typename"], sales["reason"]) == ("RuleViolationError", "ROLE_NOT_ALLOWED")
    precise = await gw.one(CREDIT, "k-finance", id=consignment["id"], amount="1.005", key=key())
    assert (precise["reason"], precise["field"]) == ("INVALID_INPUT", "amount")
    assert gw.calls(ALIYUN, "SetCreditLine") == sent  # none of the refusals reached the upstream

    huawei = await pick(gw, HUAWEI, "RESALE")
    unsupported = await gw.one(CREDIT, "k-finance", id=huawei["id"], amount="100.00", key=key())
    assert unsupported == {"__typename": "UnsupportedError", "provider": "huaweicloud"}


# -- transferFunds and reclaimFunds --------------------------------------------------------------------------


async def test_funds_move_to_and_from_a_huawei_resale_customer(gw: Demo) -> None:
    picked = await pick(gw, HUAWEI, "RESALE")
    customer = (await gw.ask(HUAWEI_NODE, id=picked["id"]))["node"]
    before = Decimal(customer["balance"]["amount"]) if customer["balance"] else Decimal(0)
    pool = await allocatable(gw)

    sent = await gw.one(TRANSFER, "k-finance", id=customer["id"], amount="100.00", key=key())
    assert sent["__typename"] == "CustomerPayload", sent
    assert sent["operation"]["upstreamIds"]
    assert sent["operation"]["requestId"]
    assert Decimal(sent["customer"]["balance"]["amount"]) == before + 100
    assert await allocatable(gw) == pool - 100

    back = await gw.one(RECLAIM, "k-admin", id=customer["id"], amount="40.50", key=key())
    assert back["__typename"] == "CustomerPayload", back
    assert Decimal(back["customer"]["balance"]["amount"]) == before + Decimal("59.50")
    assert await allocatable(gw) == pool - Decimal("59.50")

    too_much = str(before + 1000)
    refused = await gw.one(RECLAIM, "k-finance", id=customer["id"], amount=too_much, key=key())
    assert refused["__typename"] == "UpstreamError"
    assert (refused["reason"], refused["upstreamCode"], refused["upstreamProvider"]) == (
        "INSUFFICIENT_FUNDS",
        "CBC.99006001",
        "huaweicloud",
    )
    assert refused["requestId"]
    assert refused["retryable"] is False
    assert Decimal((await gw.ask(HUAWEI_NODE, id=customer["id"]))["node"]["balance"]["amount"]) == before + Decimal(
        "59.50"
    )


@pytest.mark.parametrize(
    ("api_key", "account_type", "amount", "reason", "field"),
    [
        ("k-finance", "ADVISORY", "10.00", "ACCOUNT_TYPE_NOT_ALLOWED", "customerId"),
        ("k-sales", "RESALE", "10.00", "ROLE_NOT_ALLOWED", None),
        ("k-finance", "RESALE", "0", "INVALID_INPUT", "amount"),
        ("k-finance", "RESALE", "1.234", "INVALID_INPUT", "amount"),
        ("k-finance", "RESALE", "-5.00", "INVALID_INPUT", "amount"),
    ],
)
async def test_money_rules_refuse_before_any_upstream_write(
    gw: Demo, api_key: str, account_type: str, amount: str, reason: str, field: str | None
) -> None:
    customer = await pick(gw, HUAWEI, account_type)
    for document in (TRANSFER, RECLAIM):
        refused = await gw.one(document, api_key, id=customer["id"], amount=amount, key=key())
        assert (refused["__typename"], refused["reason"], refused["field"]) == ("RuleViolationError", reason, field)
    writes = ("update_customer_account_amount", "reclaim_to_partner_account")
    assert sum(gw.calls(HUAWEI, w) for w in writes) == 0


# -- addNote -------------------------------------------------------------------------------------------------


async def test_a_note_is_added_to_an_aliyun_customer_and_listed(gw: Demo) -> None:
    customer = await pick(gw, ALIYUN, "AGENCY", owner=SALES_OWNER)
    note = {"content": "季度复盘：续费意向强", "contactName": "李经理", "contactInformation": "13800001111"}
    added = await gw.one(NOTE, "k-sales", id=customer["id"], input=note, key=key())
    assert added["__typename"] == "CustomerPayload", added
    [note_id] = added["operation"]["upstreamIds"]
    listed = added["customer"]["notes"]["nodes"]
    assert {"nativeId": note_id, "content": note["content"]} in listed
    empty = await gw.one(NOTE, id=customer["id"], input={"content": "  "}, key=key())
    assert (empty["__typename"], empty["field"]) == ("InvalidInputError", "input.content")
    other = await pick(gw, ALIYUN, "AGENCY", owner="李强")
    hidden = await gw.one(NOTE, "k-sales", id=other["id"], input=note, key=key())
    assert (hidden["__typename"], hidden["reason"]) == ("RuleViolationError", "NOT_FOUND")
    huawei = await pick(gw, HUAWEI, "RESALE")
    unsupported = await gw.one(NOTE, id=huawei["id"], input=note, key=key())
    assert unsupported == {"__typename": "UnsupportedError", "provider": "huaweicloud"}
    assert gw.calls(ALIYUN, "CustomerNoteCreate") == 1


# -- assignCustomer ------------------------------------------------------------------------------------------


async def test_an_admin_assigns_a_customer_to_a_salesperson(gw: Demo) -> None:
    target = await pick(gw, HUAWEI, "RESALE")
    assert target["owner"] != SALES_OWNER
    assert (await gw.ask(HUAWEI_NODE, "k-sales", id=target["id"]))["node"] is None
    for api_key in ("k-finance", "k-sales"):
        refused = await gw.one(ASSIGN, api_key, id=target["id"], owner=SALES_OWNER)
        assert (refused["__typename"], refused["reason"]) == ("RuleViolationError", "ROLE_NOT_ALLOWED")

    assigned = await gw.one(ASSIGN, id=target["id"], owner=SALES_OWNER)
    assert assigned == {"__typename": "AssignmentPayload", "customer": {"id": target["id"], "owner": SALES_OWNER}}
    seen = (await gw.ask(HUAWEI_NODE, "k-sales", id=target["id"]))["node"]
    assert seen["owner"] == SALES_OWNER
    mine = await customers(gw, "k-sales")
    assert target["id"] in {c["id"] for c in mine}
    assert {c["owner"] for c in mine} == {SALES_OWNER}

    blank = await gw.one(ASSIGN, id=target["id"], owner=" ")
    assert (blank["__typename"], blank["reason"], blank["field"]) == ("RuleViolationError", "INVALID_INPUT", "owner")
    unknown = global_id("Customer", HUAWEI, "00000000000000000000000000000000")
    missing = await gw.one(ASSIGN, id=unknown, owner=SALES_OWNER)
    assert (missing["__typename"], missing["reason"]) == ("RuleViolationError", "NOT_FOUND")
