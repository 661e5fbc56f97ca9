"""Notifications in the browser: a change the gateway records as an event (issue #13; here the settlement of a
transfer whose reply was lost, an ``operation.settled`` a webhook receiver gets too) reaches the open console
through its subscription (graphql-transport-ws), without a reload; and the latest events from before signing in
(``recentEvents``) are listed first, the live ones on top of them."""

from __future__ import annotations

import time
import uuid
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.console import huawei_resale_customers, shoot, sign_in
from tests.support.sites import Site

TRANSFER = """mutation($id: ID!, $key: String!) {
  transferFunds(customerId: $id, amount: {amount: "5.00", currency: "CNY"}, idempotencyKey: $key) {
    __typename ... on CustomerPayload { operation { operationId reconciled } } ... on UpstreamError { pending }
  }
}"""
RECENT = "{ recentEvents(first: 50) { id type data } }"


def settle_a_lost_transfer(site: Site, customer: dict[str, Any]) -> str:
    """A transfer whose reply is lost, asked again with its key until settled; its operation id."""
    site.lose_next_reply("huaweicloud", "update_customer_account_amount", match=customer["nativeId"])
    key = f"k-{uuid.uuid4().hex}"
    deadline = time.monotonic() + 20
    while (answer := site.ask(TRANSFER, "k-finance", id=customer["id"], key=key)["transferFunds"]).get("pending"):
        assert time.monotonic() < deadline, "the transfer was never settled"
        time.sleep(0.2)
    assert answer["__typename"] == "CustomerPayload", answer
    assert answer["operation"]["reconciled"] is True, answer
    operation_id: str = answer["operation"]["operationId"]
    return operation_id


def settled_event(site: Site, operation_id: str) -> str:
    """The id of the ``operation.settled`` event of ``operation_id``, as the graph lists it."""
    events = site.ask(RECENT)["recentEvents"]
    [found] = [e["id"] for e in events if e["type"] == "operation.settled" and e["data"]["operationId"] == operation_id]
    event_id: str = found
    return event_id


def test_events_before_sign_in_are_listed_and_a_settled_transfer_appears_live(site: Site, page: Page) -> None:
    customer = huawei_resale_customers(site)[1]
    earlier = settled_event(site, settle_a_lost_transfer(site, customer))  # before anyone signed in

    sign_in(page, site, "k-admin", "notifications")
    expect(page.get_by_test_id("subscription-status")).to_have_attribute("data-status", "live")
    items = page.get_by_test_id("notification-item")
    expect(items.and_(page.locator(f"[data-event-id='{earlier}']"))).to_have_attribute("data-type", "operation.settled")
    site.wait_for_subscriptions(1)  # the gateway has the subscription: events from now on reach it

    live = settled_event(site, settle_a_lost_transfer(site, customer))

    item = items.and_(page.locator(f"[data-event-id='{live}']"))
    expect(item).to_have_attribute("data-type", "operation.settled")
    expect(item).to_contain_text("APPLIED")
    expect(item).to_contain_text(customer["nativeId"])
    ids: list[str] = items.evaluate_all("items => items.map(item => item.dataset.eventId)")
    assert ids.index(live) < ids.index(earlier), ids  # newest first: the live one on top of the history
    shoot(page, site, "notifications")
