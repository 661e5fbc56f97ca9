"""The overview's pending operations and recent events in a browser: a transfer whose reply was lost is listed while
it is pending and leaves the list once settled (the audit trail's PENDING entry of it stays: the list is of what is
pending now); its settlement shows among the recent events, live, and again after a reload (read from the graph:
the subscription streams from the moment it starts)."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.browser.console import huawei_resale_customers, shoot, sign_in
from tests.browser.test_notifications import settled_event
from tests.support.sites import Site

TRANSFER = """mutation($id: ID!, $key: String!) {
  transferFunds(customerId: $id, amount: {amount: "2.00", currency: "CNY"}, idempotencyKey: $key) {
    __typename ... on CustomerPayload { operation { operationId reconciled } }
    ... on UpstreamError { pending operationId }
  }
}"""
PENDING_IN_TRAIL = '{ auditLog(first: 100, filter: {outcome: "PENDING"}) { nodes { operationId } } }'


def test_pending_operations_are_those_pending_now(demo: Site, page: Page) -> None:
    site = demo
    customer = huawei_resale_customers(site)[-1]
    site.lose_next_reply("huaweicloud", "update_customer_account_amount", match=customer["nativeId"])
    key = f"k-{uuid.uuid4().hex}"
    first = site.ask(TRANSFER, "k-finance", id=customer["id"], key=key)["transferFunds"]
    assert (first["__typename"], first["pending"]) == ("UpstreamError", True), first
    operation_id = first["operationId"]

    sign_in(page, site, "k-admin", "overview")
    listed = page.get_by_test_id("pending-operation").and_(page.locator(f"[data-operation-id='{operation_id}']"))
    expect(listed).to_contain_text("transferFunds")
    shoot(page, site, "overview-pending")

    settled = site.ask(TRANSFER, "k-finance", id=customer["id"], key=key)["transferFunds"]
    while settled.get("pending"):  # the lost request lands within seconds; the records then settle it
        page.wait_for_timeout(200)
        settled = site.ask(TRANSFER, "k-finance", id=customer["id"], key=key)["transferFunds"]
    assert settled["operation"] == {"operationId": operation_id, "reconciled": True}, settled
    event = settled_event(site, operation_id)

    expect(listed).to_have_count(0)  # the settlement's event made the overview ask again
    recent = page.get_by_test_id("recent-event").and_(page.locator(f"[data-event-id='{event}']"))
    expect(recent).to_have_attribute("data-type", "operation.settled")
    assert operation_id in {e["operationId"] for e in site.ask(PENDING_IN_TRAIL)["auditLog"]["nodes"]}

    page.reload()  # a new subscription, from now on: the settlement is listed from the graph's recent events
    expect(page.get_by_test_id("signed-in-role")).to_be_visible()
    expect(recent).to_have_attribute("data-type", "operation.settled")
    section = page.locator("section[aria-labelledby='overview-pending']")
    expect(section.get_by_test_id("loading")).to_have_count(0)  # the list is in (it shows while it loads)
    expect(listed).to_have_count(0)
