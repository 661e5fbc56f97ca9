"""Resending invitations in bulk (DOMAIN.md: "Expired invitations can be re-sent, singly or in bulk") through
the GraphQL API over the real Aliyun simulator: each item with its own customer, key and outcome, through the
single resend's write path; a repeated key replays its item; one refused item stops none; the list is bounded;
every principal, and another principal's keys; each outcome read back from the upstream's state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from adapters._simkit.faults import Fault, FaultKind
from gateway.session._writes import RESEND_BATCH_LIMIT
from tests.support.mutations_demo import (
    ALIYUN,
    HUAWEI,
    OTHER_OWNER,
    SALES_OWNER,
    Demo,
    demo,
    global_id,
    key,
    partner_id,
)

pytestmark = pytest.mark.anyio

REFUSAL = """... on MutationError { code message }
  ... on RuleViolationError { reason field } ... on InvalidInputError { field } ... on IdempotencyConflictError { key }
  ... on UnsupportedError { provider } ... on UpstreamError { reason upstreamCode retryable pending operationId }"""
BULK = f"""mutation($items: [ResendInvitationItem!]!) {{ resendInvitations(items: $items) {{
  __typename
  ... on ResendInvitationsPayload {{ applied pending refused items {{
    customerId idempotencyKey status operation {{ operationId replayed reconciled upstreamIds }}
    refusal {{ __typename {REFUSAL} }} customer {{ id status invitationId invitationExpiresAt owner }} }} }}
  ... on InvalidInputError {{ message field }}
}} }}"""
CUSTOMERS = """query($filter: CustomerFilterInput) { customers(first: 100, filter: $filter) {
  nodes { id nativeId status owner invitationId invitationExpiresAt } } }"""
CREATE = """mutation($input: CreateCustomerInput!, $key: String!) {
  createCustomer(input: $input, idempotencyKey: $key) {
    __typename ... on CreateCustomerPayload { invitationId customer { id } } } }"""
AUDIT = """{ auditLog(first: 50, filter: {operation: "resendInvitation"}) { nodes { principal outcome errorCode } } }"""


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running_demo:
        yield running_demo


async def listed(gw: Demo, api_key: str = "k-admin", **where: Any) -> list[dict[str, Any]]:
    where = {"partnerIds": [partner_id(ALIYUN)], **where}
    nodes: list[dict[str, Any]] = (await gw.ask(CUSTOMERS, api_key, filter=where))["customers"]["nodes"]
    return nodes


async def expire_all(gw: Demo) -> list[dict[str, Any]]:
    """Every open invitation of the Aliyun demo, its link expired (the clock 73 hours on)."""
    gw.aliyun.state.advance(timedelta(hours=73))
    expired = await listed(gw, status="INVITATION_EXPIRED")
    assert len(expired) >= 5, expired
    return expired


async def invite(gw: Demo, api_key: str, tag: str) -> str:
    """A new invitation, by ``api_key`` (a sales key's is its own): the invitee's customer id."""
    data = {"partnerId": partner_id(ALIYUN), "name": f"批量重发{tag}有限公司", "accountType": "AGENCY"}
    made = await gw.one(CREATE, api_key, input={**data, "email": f"bulk-{tag}@pg-test.cn"}, key=key())
    assert made["__typename"] == "CreateCustomerPayload", made
    return str(made["customer"]["id"])


def item(customer_id: str, item_key: str | None = None) -> dict[str, str]:
    return {"customerId": customer_id, "idempotencyKey": key() if item_key is None else item_key}


async def test_each_item_is_resent_or_refused_on_its_own_and_read_back(gw: Demo) -> None:
    expired = await expire_all(gw)
    registered = (await listed(gw, status="ASSOCIATED"))[0]
    huawei = global_id("Customer", HUAWEI, "not-an-invitation")
    items = [
        item(expired[0]["id"]),
        item(registered["id"]),  # a registered customer: no invitation to resend
        item("not-a-global-id"),
        item(expired[1]["id"]),
        item(huawei),  # Huawei has no invitation API (X.3): not an open invitation of that account either
        {"customerId": expired[2]["id"], "idempotencyKey": ""},  # a malformed key
    ]
    answer = await gw.one(BULK, items=items)
    assert answer["__typename"] == "ResendInvitationsPayload", answer
    assert (answer["applied"], answer["pending"], answer["refused"]) == (2, 0, 4)
    out = answer["items"]
    assert [o["customerId"] for o in out] == [i["customerId"] for i in items]
    assert [o["idempotencyKey"] for o in out] == [i["idempotencyKey"] for i in items]
    assert [o["status"] for o in out] == ["APPLIED", "REFUSED", "REFUSED", "APPLIED", "REFUSED", "REFUSED"]
    for done, row in ((out[0], expired[0]), (out[3], expired[1])):
        assert done["operation"]["upstreamIds"] == [row["invitationId"]]
        assert done["operation"]["replayed"] is False
        assert done["refusal"] is None
        assert (done["customer"]["id"], done["customer"]["status"]) == (row["id"], "INVITED")
        assert done["customer"]["invitationExpiresAt"] > row["invitationExpiresAt"]
    assert (out[1]["refusal"]["reason"], out[1]["refusal"]["field"]) == ("NOT_FOUND", "items[1].customerId")
    assert (out[2]["refusal"]["__typename"], out[2]["refusal"]["field"]) == ("InvalidInputError", "items[2].customerId")
    assert (out[4]["refusal"]["reason"], out[4]["refusal"]["field"]) == ("NOT_FOUND", "items[4].customerId")
    assert (out[5]["refusal"]["__typename"], out[5]["refusal"]["field"]) == (
        "InvalidInputError",
        "items[5].idempotencyKey",
    )
    assert all(o["operation"] is None and o["customer"] is None for o in out if o["status"] == "REFUSED")
    assert gw.calls(ALIYUN, "ResendEmail") == 2
    # Read back: the two are open again, the third still expired.
    now = {c["id"]: c["status"] for c in await listed(gw)}
    assert (now[expired[0]["id"]], now[expired[1]["id"]], now[expired[2]["id"]]) == (
        "INVITED",
        "INVITED",
        "INVITATION_EXPIRED",
    )


async def test_a_repeated_item_key_replays_that_item_and_another_customer_under_it_conflicts(gw: Demo) -> None:
    expired = await expire_all(gw)
    items = [item(expired[0]["id"]), item(expired[1]["id"]), item(expired[2]["id"])]
    first = await gw.one(BULK, items=items)
    assert [o["status"] for o in first["items"]] == ["APPLIED"] * 3
    assert gw.calls(ALIYUN, "ResendEmail") == 3

    # The same items again, and a new one: the three are replays (nothing sent), the new one goes out.
    again = await gw.one(BULK, items=[*items, item(expired[3]["id"])])
    assert [o["status"] for o in again["items"]] == ["APPLIED"] * 4
    assert [o["operation"]["replayed"] for o in again["items"]] == [True, True, True, False]
    ids = [o["operation"]["operationId"] for o in first["items"]]
    assert [o["operation"]["operationId"] for o in again["items"][:3]] == ids
    assert gw.calls(ALIYUN, "ResendEmail") == 4
    # One item's key used for another customer: that item conflicts; the item after it still goes out.
    swapped = [item(expired[4]["id"], items[0]["idempotencyKey"]), item(expired[4]["id"])]
    mixed = await gw.one(BULK, items=swapped)
    assert [o["status"] for o in mixed["items"]] == ["REFUSED", "APPLIED"]
    assert mixed["items"][0]["refusal"] == {
        "__typename": "IdempotencyConflictError",
        "code": "IDEMPOTENCY_CONFLICT",
        "message": mixed["items"][0]["refusal"]["message"],
        "key": items[0]["idempotencyKey"],
    }
    assert gw.calls(ALIYUN, "ResendEmail") == 5
    # The single resend with an item's key and the same invitation is the same operation: a replay.
    single = """mutation($partner: ID!, $invitation: String!, $key: String!) {
      resendInvitation(partnerId: $partner, invitationId: $invitation, idempotencyKey: $key) {
        ... on CustomerPayload { operation { operationId replayed } } } }"""
    replayed = await gw.one(
        single, partner=partner_id(ALIYUN), invitation=expired[1]["invitationId"], key=items[1]["idempotencyKey"]
    )
    assert replayed["operation"] == {"operationId": ids[1], "replayed": True}
    assert gw.calls(ALIYUN, "ResendEmail") == 5


async def test_the_upstreams_email_limit_refuses_the_items_past_it_and_no_others(gw: Demo) -> None:
    expired = await expire_all(gw)
    for n in range(12 - len(expired)):  # more open invitations than the 10 e-mails in 5 minutes (A.4.5)
        await invite(gw, "k-admin", f"限额{n}")
        gw.aliyun.state.advance(timedelta(minutes=5))
    gw.aliyun.state.advance(timedelta(hours=73))
    expired = await listed(gw, status="INVITATION_EXPIRED")
    assert len(expired) == 12
    items = [item(row["id"]) for row in expired]
    answer = await gw.one(BULK, items=items)
    statuses = [o["status"] for o in answer["items"]]
    assert statuses == ["APPLIED"] * 10 + ["REFUSED"] * 2
    for refused in answer["items"][10:]:
        assert refused["refusal"]["reason"] == "TOO_FREQUENT"
        assert (refused["refusal"]["upstreamCode"], refused["refusal"]["retryable"]) == ("3058", False)
    # Five minutes on, the same two items (their own keys) go out: a definite refusal is replayed, a new key sends.
    gw.aliyun.state.advance(timedelta(minutes=5))
    retried = await gw.one(BULK, items=[*items[10:], *(item(row["id"]) for row in expired[10:])])
    assert [o["status"] for o in retried["items"]] == ["REFUSED", "REFUSED", "APPLIED", "APPLIED"]
    assert len(await listed(gw, status="INVITATION_EXPIRED")) == 0


async def test_an_item_whose_outcome_is_unknown_is_pending_and_settled_with_its_key(gw: Demo) -> None:
    expired = await expire_all(gw)
    lost = expired[1]["invitationId"]
    gw.aliyun.faults.add(Fault(FaultKind.DROP, "ResendEmail", remaining=1, match=f"InviteId={lost}"))  # type: ignore[attr-defined]
    items = [item(expired[0]["id"]), item(expired[1]["id"]), item(expired[2]["id"])]
    answer = await gw.one(BULK, items=items)
    assert [o["status"] for o in answer["items"]] == ["APPLIED", "PENDING", "APPLIED"]
    pending = answer["items"][1]["refusal"]
    assert (pending["__typename"], pending["pending"]) == ("UpstreamError", True)
    assert pending["operationId"]
    assert answer["pending"] == 1
    await asyncio.sleep(1.2)  # past the demo's settle window (tests/support/mutations_demo.py): not applied
    again = await gw.one(BULK, items=items)
    assert [o["status"] for o in again["items"]] == ["APPLIED"] * 3
    assert [o["operation"]["replayed"] for o in again["items"]] == [True, False, True]
    statuses = {c["id"]: c["status"] for c in await listed(gw)}
    assert {statuses[i["customerId"]] for i in items} == {"INVITED"}


async def test_the_list_is_bounded_and_not_empty(gw: Demo) -> None:
    expired = await expire_all(gw)
    too_many = [item(expired[0]["id"]) for _ in range(RESEND_BATCH_LIMIT + 1)]
    answer = await gw.one(BULK, items=too_many)
    assert (answer["__typename"], answer["field"]) == ("InvalidInputError", "items")
    assert str(RESEND_BATCH_LIMIT) in answer["message"]
    empty = await gw.one(BULK, items=[])
    assert (empty["__typename"], empty["field"]) == ("InvalidInputError", "items")
    assert gw.calls(ALIYUN, "ResendEmail") == 0
    exactly = await gw.one(BULK, items=[item(row["id"]) for row in expired[:1]] * 1)
    assert exactly["applied"] == 1


async def test_every_principal_and_another_principals_keys(gw: Demo) -> None:
    own = await invite(gw, "k-sales", "王芳")
    theirs = await invite(gw, "k-sales-other", "李强")
    admins = await invite(gw, "k-admin", "管理员")
    gw.aliyun.state.advance(timedelta(hours=73))
    owners = {c["id"]: c["owner"] for c in await listed(gw, status="INVITATION_EXPIRED")}
    assert (owners[own], owners[theirs]) == (SALES_OWNER, OTHER_OWNER)

    # A sales key: its own invitation goes out; another owner's is NOT_FOUND, like a missing one, and shows nothing.
    sales_items = [item(own), item(theirs), item(admins)]
    sales = await gw.one(BULK, "k-sales", items=sales_items)
    assert [o["status"] for o in sales["items"]] == ["APPLIED", "REFUSED", "REFUSED"]
    assert {o["refusal"]["reason"] for o in sales["items"][1:]} == {"NOT_FOUND"}
    assert OTHER_OWNER not in str(sales)
    assert sales["items"][0]["customer"]["owner"] == SALES_OWNER
    assert gw.calls(ALIYUN, "ResendEmail") == 1

    # Finance and the admin resend the others; the admin's key sent by finance is finance's own new item.
    gw.aliyun.state.advance(timedelta(hours=73))
    admin_key = key()
    admin = await gw.one(BULK, "k-admin", items=[item(theirs, admin_key)])
    assert admin["items"][0]["status"] == "APPLIED"
    finance = await gw.one(BULK, "k-finance", items=[item(theirs, admin_key), item(admins)])
    assert [o["status"] for o in finance["items"]] == ["APPLIED", "APPLIED"]
    first = finance["items"][0]["operation"]
    assert first["replayed"] is False
    assert first["operationId"] != admin["items"][0]["operation"]["operationId"]
    # The other salesperson with the admin's key, on its own invitation: its own write, not the admin's outcome.
    other = await gw.one(BULK, "k-sales-other", items=[item(theirs, admin_key)])
    assert other["items"][0]["status"] == "APPLIED"
    assert other["items"][0]["operation"]["replayed"] is False
    # The sales key with the admin's key on another owner's invitation: refused, not the admin's outcome.
    stolen = await gw.one(BULK, "k-sales", items=[item(theirs, admin_key)])
    assert stolen["items"][0]["status"] == "REFUSED"
    assert stolen["items"][0]["refusal"]["reason"] == "NOT_FOUND"
    assert gw.calls(ALIYUN, "ResendEmail") == 5

    audit = [(n["principal"], n["outcome"]) for n in (await gw.ask(AUDIT))["auditLog"]["nodes"]]
    assert audit == [
        ("wang.fang", "REJECTED"),
        ("li.qiang", "SUCCEEDED"),
        ("finance", "SUCCEEDED"),
        ("finance", "SUCCEEDED"),
        ("admin", "SUCCEEDED"),
        ("wang.fang", "REJECTED"),
        ("wang.fang", "REJECTED"),
        ("wang.fang", "SUCCEEDED"),
    ]
