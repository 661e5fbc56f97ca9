"""Detection gaps that the end-to-end run (tests/test_notifications_e2e.py) found once the accounts kept their
default upstream limits (8 ``GetCreditInfo`` calls a second: an Aliyun poll could no longer read every customer's
funds within its deadline), each reproduced here in-process over the embedded demo:

* a customer whose funds could not be read at the baseline got ``customer.balance_low`` when they were first read,
  though nothing had changed (its first reading is its baseline; a customer new since the baseline still gets it);
* the funds read, a call per customer, used up the poll's deadline, so the vouchers and resellers' funds read after
  it were never read (``DEADLINE_EXCEEDED`` at every poll);
* each poll asked for the customers' funds in the same order, so those the limits cut off were never read, and
  never told low;
* an invitee that registered while a poll was listing (the calls of one list run at once) was reported as
  ``customer.created`` rather than ``customer.invitation_accepted``: its account listed while its invitation still
  was, or its invitation gone with no account yet (the account came a poll later, with nothing to match).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from gateway import deadline
from gateway.errors import ProviderError, UpstreamLimited
from gateway.events import Event
from gateway.models import Customer, Funds, Page
from tests.support.mutations_demo import ALIYUN, HUAWEI, HUAWEI_T2_DOMAIN, global_id, key, partner_id
from tests.test_detect import ALLOCATE, CREATE, EVENTS, ISSUE, PARENT_QUOTA, Running, gateway, gw, huawei_customer

__all__ = ["gw"]  # the fixture, from tests/test_detect.py

pytestmark = pytest.mark.anyio

FundsRead = Mapping[str, Funds | ProviderError]


def limited(account: str) -> UpstreamLimited:
    return UpstreamLimited("held back", limit="rate", provider="huaweicloud", partner_id=account, retry_after=0.1)


def types(events: list[Event]) -> list[str]:
    return [event.type for event in events]


async def invite(gw: Running) -> str:
    data = {
        "partnerId": partner_id(ALIYUN),
        "name": "杭州缺口测试有限公司",
        "accountType": "AGENCY",
        "email": "gap@e2e.cn",
    }
    invited = await gw.demo.one(CREATE, input=data, key=key())
    assert invited["__typename"] == "CreateCustomerPayload", invited
    invitation: str = invited["invitationId"]
    assert types(await gw.poll(ALIYUN)) == ["customer.created"]
    return invitation


async def register(gw: Running, invitation: str) -> str:
    answer = await gw.demo.control(gw.demo.aliyun, "POST", "/_simulator/register", {"invite_id": invitation})
    assert answer.status_code == 201, answer.text
    uid: str = answer.json()["uid"]
    return uid


async def test_funds_unread_at_the_baseline_are_a_baseline_when_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    async with gateway() as gw:
        simulator = gw.demo.huawei.simulator
        target = next(
            c
            for c in simulator.partners[0].customers
            if c.is_resale and c.amount > EVENTS.balance_floor + 1 and c.visible(simulator.clock())
        )
        paid = await gw.demo.control(
            gw.demo.huawei,
            "POST",
            "/_simulator/payment",
            {"customer_id": target.customer_id, "amount": str(target.amount - EVENTS.balance_floor + 1)},
        )
        assert paid.status_code == 200, paid.text  # low before anyone watched
        provider = gw.state["gateway"].provider(HUAWEI)
        read = provider.customer_funds

        async def without_target(ids: Sequence[str]) -> FundsRead:
            return {**(await read(ids)), target.customer_id: limited(HUAWEI)}

        with monkeypatch.context() as patched:
            patched.setattr(provider, "customer_funds", without_target)
            assert await gw.poll() == []  # the baseline, the target's funds unread
        assert await gw.poll(HUAWEI) == []  # first read: its baseline, not a change
        funds = await gw.store.snapshots(HUAWEI)
        assert funds[("funds", target.customer_id)].state["low"] is True


async def test_a_new_customer_whose_funds_are_read_a_poll_late_is_still_told_low(
    gw: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = await register(gw, await invite(gw))
    provider = gw.state["gateway"].provider(ALIYUN)
    read = provider.customer_funds

    async def without_it(ids: Sequence[str]) -> FundsRead:
        return {**(await read(ids)), uid: limited(ALIYUN)}

    with monkeypatch.context() as patched:
        patched.setattr(provider, "customer_funds", without_it)
        assert types(await gw.poll(ALIYUN)) == ["customer.invitation_accepted"]
        assert await gw.poll(ALIYUN) == []  # still unread
    (low,) = await gw.poll(ALIYUN)
    assert (low.type, low.subject) == ("customer.balance_low", f"customer/{ALIYUN}/{uid}")
    assert await gw.poll(ALIYUN) == []


async def test_a_funds_read_that_uses_the_polls_deadline_up_leaves_the_other_kinds_read(
    gw: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = huawei_customer(gw)
    face = {"quotaId": PARENT_QUOTA, "faceValue": {"amount": "12.00"}}
    issued = await gw.demo.one(ISSUE, id=global_id("Customer", HUAWEI, customer.customer_id), input=face, key=key())
    assert issued["__typename"] == "VoucherPayload", issued
    given = await gw.demo.one(ALLOCATE, id=global_id("Reseller", HUAWEI, HUAWEI_T2_DOMAIN), amount="5.00", key=key())
    assert given["__typename"] == "ResellerPayload", given
    provider = gw.state["gateway"].provider(HUAWEI)

    async def until_the_deadline(ids: Sequence[str]) -> FundsRead:
        """As the account's rate limit does with more calls than fit: waits, then refuses what is left."""
        current = deadline.current()
        assert current is not None
        await asyncio.sleep(max(0.0, current.at - asyncio.get_running_loop().time()) + 0.05)
        return {native: limited(HUAWEI) for native in ids}

    gw.detector.poll_deadline = 1.0
    with monkeypatch.context() as patched:
        patched.setattr(provider, "customer_funds", until_the_deadline)
        result = await gw.detector.poll(HUAWEI)
    assert (result.outcome, result.skipped) == ("ok", ())
    assert sorted(types(list(result.events))) == ["reseller.funds_changed", "voucher.issued"]


async def test_funds_are_read_round_robin_so_none_waits_forever(gw: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    per_poll = 5
    provider = gw.state["gateway"].provider(HUAWEI)
    read = provider.customer_funds
    asked: list[list[str]] = []

    async def first_few(ids: Sequence[str]) -> FundsRead:
        """As the account's rate limit does with a poll's calls: the first few answered, the rest held back."""
        asked.append(list(ids))
        found = dict(await read(ids[:per_poll]))
        return {**found, **{native: limited(HUAWEI) for native in ids[per_poll:]}}

    funded = {key for kind, key in await gw.store.snapshots(HUAWEI) if kind == "funds" and key}
    with monkeypatch.context() as patched:
        patched.setattr(provider, "customer_funds", first_few)
        assert await gw.poll(HUAWEI) == []
        last = next(native for native in reversed(asked[0]) if native in funded)  # asked for last
        target = next(c for c in gw.demo.huawei.simulator.partners[0].customers if c.customer_id == last)
        paid = await gw.demo.control(
            gw.demo.huawei,
            "POST",
            "/_simulator/payment",
            {"customer_id": last, "amount": str(target.amount - EVENTS.balance_floor + 1)},
        )
        assert paid.status_code == 200, paid.text
        events: list[Event] = []
        for _ in range(math.ceil(len(asked[0]) / per_poll) + 1):
            events += await gw.poll(HUAWEI)
    assert [(e.type, e.subject) for e in events] == [("customer.balance_low", f"customer/{HUAWEI}/{last}")]
    assert all(sorted(order) == sorted(asked[0]) for order in asked)  # the same customers, in turn


async def test_an_invitee_registering_while_a_poll_lists_is_accepted_not_created(
    gw: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation = await invite(gw)
    uid = await register(gw, invitation)
    provider = gw.state["gateway"].provider(ALIYUN)
    with monkeypatch.context() as patched:
        # The accounts were listed before the invitee registered, the invitations after: neither row is there.
        patched.setattr(provider, "list_customers", listing_without(provider.list_customers, uid))
        assert await gw.poll(ALIYUN) == []
    accepted, low = await gw.poll(ALIYUN)
    assert (accepted.type, accepted.subject, accepted.data["invitationId"]) == (
        "customer.invitation_accepted",
        f"customer/{ALIYUN}/{uid}",
        invitation,
    )
    assert low.type == "customer.balance_low"
    assert await gw.poll(ALIYUN) == []
    assert not [key for kind, key in await gw.store.snapshots(ALIYUN) if kind == "customers" and invitation in key]


async def test_an_account_listed_while_its_invitation_still_is_is_accepted_at_the_next_listing(
    gw: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation = await invite(gw)
    provider = gw.state["gateway"].provider(ALIYUN)
    row = f"invitation-{invitation}"
    (invited,) = (await provider.get_customers([row])).values()
    uid = await register(gw, invitation)
    with monkeypatch.context() as patched:
        # The invitations were listed before the invitee registered, the accounts after: both rows are there.
        patched.setattr(provider, "list_customers", listing_with(provider.list_customers, invited))
        assert await gw.poll(ALIYUN) == []  # the new account waits for the next listing (its funds with it)
    accepted, low = await gw.poll(ALIYUN)
    assert (accepted.type, accepted.subject, accepted.data["invitationId"]) == (
        "customer.invitation_accepted",
        f"customer/{ALIYUN}/{uid}",
        invitation,
    )
    assert (low.type, low.subject) == ("customer.balance_low", accepted.subject)
    assert await gw.poll(ALIYUN) == []


async def test_an_invitation_gone_with_no_account_is_forgotten_after_one_more_listing(
    gw: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    invitation = await invite(gw)
    provider = gw.state["gateway"].provider(ALIYUN)
    row = f"invitation-{invitation}"
    with monkeypatch.context() as patched:
        patched.setattr(provider, "list_customers", listing_without(provider.list_customers, row))
        assert await gw.poll(ALIYUN) == []
        assert ("customers", row) in await gw.store.snapshots(ALIYUN)  # kept: its account may be listed next
        assert await gw.poll(ALIYUN) == []
        assert ("customers", row) not in await gw.store.snapshots(ALIYUN)


def listing_without(list_customers: Any, left_out: str) -> Any:
    """A customer listing that leaves one customer out (as if read at another moment), in one page."""
    return listing_of(list_customers, lambda rows: [c for c in rows if c.native_id != left_out])


def listing_with(list_customers: Any, added: Customer) -> Any:
    """A customer listing with one more row (as read at another moment)."""
    return listing_of(list_customers, lambda rows: [*rows, added])


def listing_of(list_customers: Any, change: Callable[[list[Customer]], list[Customer]]) -> Any:
    async def listing(offset: int, limit: int) -> Page[Customer]:
        rows: list[Customer] = []
        while True:
            page = await list_customers(len(rows), 100)
            rows += page.items
            if not page.items or len(rows) >= page.total:
                break
        kept = tuple(change(rows))
        return Page(kept[offset : offset + limit], len(kept))

    return listing
