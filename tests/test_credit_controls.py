"""Credit controls of Aliyun credit customers through the graph, over the embedded demo's simulators: each control
is set, read back through `funds.controls` and through the customer's credit history, refused before any upstream
call where it must be, replayed by its key, and settled from the upstream's records when the reply is lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters._simkit.faults import Fault, FaultKind
from tests.support.mutations_demo import ALIYUN, HUAWEI, RECEIPT, REFUSALS, Demo, demo, key, partner_id

pytestmark = pytest.mark.anyio

CONTROLS = "funds { controls { warningThreshold newPurchasesBanned shutdownPolicy payAsYouGoFrozen } }"
NODE = f"query($id: ID!) {{ node(id: $id) {{ ... on Customer {{ nativeId {CONTROLS} }} }} }}"
HISTORY = """query($id: ID!, $kind: CreditRecordKind!) { node(id: $id) { ... on Customer {
  creditHistory(kind: $kind, first: 50) { totalCount nodes { kind occurredAt before after amount { amount currency }
  operator description } } } } }"""
CUSTOMERS = """query($f: CustomerFilterInput) { customers(first: 100, filter: $f) { nodes { id nativeId owner } } }"""


def mutation(name: str, argument: str, type_: str) -> str:
    return f"""mutation($id: ID!, $v: {type_}, $key: String!) {{
  {name}(customerId: $id, {argument}: $v, idempotencyKey: $key) {{
    __typename ... on CustomerPayload {{ {RECEIPT} customer {{ {CONTROLS} }} }} {REFUSALS}
  }}
}}"""


THRESHOLD = mutation("setWarningThreshold", "percent", "Int!")
BAN = mutation("setNewPurchaseBan", "banned", "Boolean!")
POLICY = mutation("setShutdownPolicy", "policy", "ShutdownPolicy!")
WRITE_OFF = mutation("setAutomaticWriteOff", "enabled", "Boolean!")


@pytest.fixture
async def gw() -> AsyncIterator[Demo]:
    async with demo() as running:
        yield running


async def customer(gw: Demo, cloud: str = ALIYUN, account_type: str = "CONSIGNMENT") -> dict[str, Any]:
    where = {"partnerIds": [partner_id(cloud)], "accountType": account_type, "status": "ASSOCIATED"}
    return (await gw.ask(CUSTOMERS, f=where))["customers"]["nodes"][0]


async def controls(gw: Demo, customer_id: str) -> dict[str, Any]:
    return (await gw.ask(NODE, id=customer_id))["node"]["funds"]["controls"]


async def history(gw: Demo, customer_id: str, kind: str) -> dict[str, Any]:
    return (await gw.ask(HISTORY, id=customer_id, kind=kind))["node"]["creditHistory"]


def upstream(gw: Demo, uid: str) -> Any:
    """The simulator's own record of an Aliyun customer."""
    (partner,) = gw.aliyun.state.partners.values()
    return next(a for a in partner.accounts if a.uid == int(uid))


async def test_controls_read_what_the_simulator_holds(gw: Demo) -> None:
    target = await customer(gw)
    account = upstream(gw, target["nativeId"])
    shown = await controls(gw, target["id"])
    assert shown["warningThreshold"] == int(account.alarm_threshold)
    assert shown["newPurchasesBanned"] == (account.new_buy_status == "ban")
    assert shown["payAsYouGoFrozen"] is bool(account.frozen)
    assert (
        shown["shutdownPolicy"]
        == {"1": "DELAY_STOP", "2": "NO_STOP", "3": "IMMEDIATE_STOP"}[str(account.shutdown_policy)]
    )


async def test_each_control_is_set_read_back_and_logged(gw: Demo) -> None:
    target = await customer(gw)
    bans = (await history(gw, target["id"], "PURCHASE_CONTROL"))["totalCount"]
    policies = (await history(gw, target["id"], "SHUTDOWN_POLICY"))["totalCount"]

    set_ = await gw.one(THRESHOLD, "k-finance", id=target["id"], v=35, key=key())
    assert set_["__typename"] == "CustomerPayload", set_
    assert set_["customer"]["funds"]["controls"]["warningThreshold"] == 35
    assert set_["operation"]["details"] == {"customerId": target["nativeId"], "warningThreshold": "35"}

    banned = await gw.one(BAN, id=target["id"], v=True, key=key())
    assert banned["customer"]["funds"]["controls"]["newPurchasesBanned"] is True
    logged = await history(gw, target["id"], "PURCHASE_CONTROL")
    assert logged["totalCount"] == bans + 1
    assert logged["nodes"][0]["after"] == "ban"

    lifted = await gw.one(BAN, id=target["id"], v=False, key=key())
    assert lifted["customer"]["funds"]["controls"]["newPurchasesBanned"] is False

    policy = await gw.one(POLICY, id=target["id"], v="NO_STOP", key=key())
    assert policy["customer"]["funds"]["controls"]["shutdownPolicy"] == "NO_STOP"
    logged = await history(gw, target["id"], "SHUTDOWN_POLICY")
    assert logged["totalCount"] == policies + 1
    assert logged["nodes"][0]["after"] in ("NO_STOP", "2")

    enabled = await gw.one(WRITE_OFF, id=target["id"], v=True, key=key())
    assert enabled["__typename"] == "CustomerPayload", enabled
    newest = (await history(gw, target["id"], "AUTOMATIC_WRITE_OFF"))["nodes"][0]
    assert newest["after"] == "enabled"
    assert gw.calls(ALIYUN, "AutomaticWriteOff") == 1


async def test_a_credit_line_change_shows_in_the_credit_line_history(gw: Demo) -> None:
    target = await customer(gw)
    before = await history(gw, target["id"], "CREDIT_LINE")
    change = """mutation($id: ID!, $key: String!) { setCreditLine(customerId: $id,
      amount: {amount: "4321.00", currency: "CNY"}, idempotencyKey: $key) { __typename } }"""
    assert (await gw.one(change, id=target["id"], key=key()))["__typename"] == "CustomerPayload"
    after = await history(gw, target["id"], "CREDIT_LINE")
    assert after["totalCount"] == before["totalCount"] + 1
    newest = after["nodes"][0]
    assert newest["after"] is not None
    assert float(newest["after"]) == 4321.0
    assert newest["amount"]["currency"] == "CNY"


async def test_a_repeated_key_is_a_no_op_and_another_value_under_it_conflicts(gw: Demo) -> None:
    target = await customer(gw)
    idempotency_key = key()
    first = await gw.one(THRESHOLD, id=target["id"], v=60, key=idempotency_key)
    again = await gw.one(THRESHOLD, id=target["id"], v=60, key=idempotency_key)
    assert (first["operation"]["replayed"], again["operation"]["replayed"]) == (False, True)
    assert first["operation"]["operationId"] == again["operation"]["operationId"]
    other = await gw.one(THRESHOLD, id=target["id"], v=61, key=idempotency_key)
    assert other["__typename"] == "IdempotencyConflictError"
    stolen = await gw.one(THRESHOLD, "k-finance", id=target["id"], v=60, key=idempotency_key)
    assert (
        stolen["__typename"] != "CustomerPayload"
        or stolen["operation"]["operationId"] != first["operation"]["operationId"]
    )  # another principal's key never replays the first one's outcome
    assert gw.calls(ALIYUN, "SetWarningThreshold") == 1 + (stolen["__typename"] == "CustomerPayload")


async def test_refusals_come_before_any_upstream_call(gw: Demo) -> None:
    target = await customer(gw)
    for bad in (0, 101, -5):
        refused = await gw.one(THRESHOLD, id=target["id"], v=bad, key=key())
        assert (refused["__typename"], refused["field"]) == ("InvalidInputError", "percent"), refused
    sales = await gw.one(BAN, "k-sales", id=target["id"], v=True, key=key())
    assert (sales["__typename"], sales["reason"]) == ("RuleViolationError", "ROLE_NOT_ALLOWED")
    agency = await customer(gw, ALIYUN, "AGENCY")
    wrong_type = await gw.one(POLICY, id=agency["id"], v="NO_STOP", key=key())
    assert (wrong_type["__typename"], wrong_type["reason"]) == ("RuleViolationError", "ACCOUNT_TYPE_NOT_ALLOWED")
    huawei = await customer(gw, HUAWEI, "RESALE")
    unsupported = await gw.one(WRITE_OFF, id=huawei["id"], v=True, key=key())
    assert unsupported == {"__typename": "UnsupportedError", "provider": "huaweicloud"}
    sent = sum(
        gw.calls(ALIYUN, a)
        for a in ("SetWarningThreshold", "EditNewBuyStatus", "EditZeroCreditShutdown", "AutomaticWriteOff")
    )
    assert sent == 0


async def test_a_history_is_the_principals_to_see(gw: Demo) -> None:
    target = await customer(gw)
    answer = await gw.client.post(
        "/graphql",
        json={"query": HISTORY, "variables": {"id": target["id"], "kind": "CREDIT_LINE"}},
        headers={"authorization": "Bearer k-sales-other"},
    )
    body = answer.json()
    node = body["data"]["node"]
    assert node is None or node.get("creditHistory") in (None, {"totalCount": 0, "nodes": []}), body
    huawei = await customer(gw, HUAWEI, "RESALE")
    reply = await gw.client.post(
        "/graphql",
        json={"query": HISTORY, "variables": {"id": huawei["id"], "kind": "CREDIT_LINE"}},
        headers={"authorization": "Bearer k-admin"},
    )
    codes = {e["extensions"]["code"] for e in reply.json()["errors"]}
    assert codes == {"UNSUPPORTED_BY_PROVIDER"}


@pytest.mark.parametrize(
    ("document", "value", "field", "expected"),
    [
        (THRESHOLD, 45, "warningThreshold", 45),
        (BAN, True, "newPurchasesBanned", True),
        (POLICY, "DELAY_STOP", "shutdownPolicy", "DELAY_STOP"),
    ],
)
async def test_a_lost_reply_is_settled_from_the_credit_info_once(
    gw: Demo, document: str, value: Any, field: str, expected: Any
) -> None:
    target = await customer(gw)
    action = {THRESHOLD: "SetWarningThreshold", BAN: "EditNewBuyStatus", POLICY: "EditZeroCreditShutdown"}[document]
    gw.aliyun.faults.add(Fault(FaultKind.AMBIGUOUS, action, remaining=1))
    idempotency_key = key()
    answer = await gw.one(document, id=target["id"], v=value, key=idempotency_key)
    for _ in range(50):  # pending until the reply can no longer land, then reconciled by the retry
        if answer["__typename"] == "CustomerPayload":
            break
        assert answer["pending"] is True, answer
        await asyncio.sleep(0.1)
        answer = await gw.one(document, id=target["id"], v=value, key=idempotency_key)
    assert answer["operation"]["reconciled"] is True, answer
    assert (await controls(gw, target["id"]))[field] == expected
    assert gw.calls(ALIYUN, action) == 1  # settled from the records, never sent again


async def test_a_lost_write_off_reply_is_settled_from_its_change_log(gw: Demo) -> None:
    target = await customer(gw)
    gw.aliyun.faults.add(Fault(FaultKind.AMBIGUOUS, "AutomaticWriteOff", remaining=1))
    idempotency_key = key()
    answer = await gw.one(WRITE_OFF, id=target["id"], v=True, key=idempotency_key)
    for _ in range(50):
        if answer["__typename"] == "CustomerPayload":
            break
        await asyncio.sleep(0.1)
        answer = await gw.one(WRITE_OFF, id=target["id"], v=True, key=idempotency_key)
    assert answer["operation"]["reconciled"] is True, answer
    assert gw.calls(ALIYUN, "AutomaticWriteOff") == 1


async def test_a_dropped_write_is_settled_as_not_applied(gw: Demo) -> None:
    target = await customer(gw)
    before = (await controls(gw, target["id"]))["warningThreshold"]
    percent = 13 if before != 13 else 14
    gw.aliyun.faults.add(Fault(FaultKind.DROP, "SetWarningThreshold", remaining=1))
    idempotency_key = key()
    answer = await gw.one(THRESHOLD, id=target["id"], v=percent, key=idempotency_key)
    for _ in range(50):
        if answer["__typename"] != "UpstreamError" or not answer["pending"]:
            break
        await asyncio.sleep(0.1)
        answer = await gw.one(THRESHOLD, id=target["id"], v=percent, key=idempotency_key)
    # Either the gateway knew it was never applied, or it settled so and the retry under the key sent it.
    shown = (await controls(gw, target["id"]))["warningThreshold"]
    assert shown in (before, percent)
    if answer["__typename"] == "CustomerPayload":
        assert shown == percent
    else:
        assert shown == before
