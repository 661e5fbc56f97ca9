"""Money in the browser: a transfer whose reply the upstream loses is shown pending (nothing guessed), then, checked
again with the same idempotency key, settled from the upstream's records; and the money moved exactly once."""

from __future__ import annotations

import time
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.browser.console import huawei_resale_customers, shoot, sign_in
from tests.support.sites import Site

AMOUNT = Decimal("12.34")
BALANCE = "query($id: ID!) { node(id: $id) { ... on Customer { balance { amount currency } } } }"
SETTLE_WITHIN = 20.0


def balance(site: Site, customer_id: str) -> Decimal:
    found = site.ask(BALANCE, id=customer_id)["node"]["balance"]
    return Decimal(found["amount"]) if found else Decimal(0)


def test_a_lost_reply_shows_pending_then_the_settled_outcome_and_moves_money_once(site: Site, page: Page) -> None:
    customer = huawei_resale_customers(site)[0]
    before = balance(site, customer["id"])
    site.lose_next_reply("huaweicloud", "update_customer_account_amount", match=customer["nativeId"])

    sign_in(page, site, "k-finance", f"customers/{customer['id']}")
    expect(page.get_by_test_id("customer-detail")).to_have_attribute("data-customer-id", customer["id"])
    expect(page.locator("main").get_by_test_id("loading")).to_have_count(0)  # the whole page is in: its reads are done
    shoot(page, site, "customer")
    page.get_by_test_id("action-transfer").click()
    page.get_by_test_id("transfer-amount").fill(str(AMOUNT))
    page.get_by_test_id("transfer-submit").click()

    form = page.get_by_test_id("transfer-form")  # its outcome (the page lists open operations too)
    status = form.get_by_test_id("outcome-status")
    expect(status).to_have_attribute("data-state", "pending")  # applied upstream, but the gateway cannot know yet
    key = form.get_by_test_id("idempotency-key").inner_text()
    shoot(page, site, "transfer-pending")
    assert site.faults("huaweicloud") == [], "the lost reply was injected, and used up"

    deadline = time.monotonic() + SETTLE_WITHIN
    while (state := status.get_attribute("data-state")) != "settled":
        assert state == "pending", f"the transfer came out {state}"
        assert time.monotonic() < deadline, "the transfer was never settled"
        time.sleep(0.25)  # the upstream's records show it once the reply could no longer land
        form.get_by_test_id("check-again").click()
        expect(form.get_by_test_id("outcome").get_by_test_id("loading")).to_have_count(0)  # that check's answer is in
    expect(status).to_have_attribute("data-state", "settled")
    assert form.get_by_test_id("idempotency-key").inner_text() == key  # every check re-asked with the same key
    shoot(page, site, "transfer-settled")

    assert balance(site, customer["id"]) == before + AMOUNT  # once: not lost, not doubled
