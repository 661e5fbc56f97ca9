"""The customer table in a browser, against the embedded demo and the standalone simulators: one table over both
clouds, paged with cursors, searched; a salesperson sees only their own customers."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.browser.console import row_ids, shoot, sign_in, walk_graph
from tests.support.sites import KEYS, Site

WAIT = 15.0


def shown(page: Page, expected: list[str]) -> list[str]:
    """The rows' customer ids once the table shows ``expected`` (or what it shows after ``WAIT`` seconds)."""
    rows = page.get_by_test_id("customer-row")
    deadline = time.monotonic() + WAIT
    while (ids := row_ids(rows)) != expected and time.monotonic() < deadline:
        time.sleep(0.05)
    return ids


def pages_of_the_table(page: Page, site: Site, everyone: list[str], screenshot: str) -> list[list[str]]:
    """Walk the table with its next-page button from the first page to the last; each page's row ids. The first
    page is kept as ``screenshot``."""
    expect(page.get_by_test_id("customers-total")).not_to_be_empty()
    size = len(page.get_by_test_id("customer-row").all())
    assert size > 0
    walked = []
    for start in range(0, len(everyone), size):
        if start:
            page.get_by_test_id("page-next").click()
        walked.append(shown(page, everyone[start : start + size]))
        if not start:
            shoot(page, site, screenshot)
    expect(page.get_by_test_id("page-next")).to_be_disabled()
    return walked


def test_the_table_shows_every_customer_of_both_clouds_page_by_page(site: Site, page: Page) -> None:
    everyone = walk_graph(site)
    ids = [customer["id"] for customer in everyone]
    sign_in(page, site, "k-admin")
    walked = pages_of_the_table(page, site, ids, "customers")
    assert [customer_id for shown_page in walked for customer_id in shown_page] == ids
    providers = {row.get_attribute("data-provider") for row in page.get_by_test_id("customer-row").all()}
    assert "huaweicloud" in providers  # the last page: the Huawei account's customers come after the Aliyun ones
    assert {customer["provider"] for customer in everyone} == {"aliyun", "huaweicloud"}


def test_search_finds_a_customer_of_either_cloud(demo: Site, page: Page) -> None:
    site = demo
    everyone = walk_graph(site)
    sign_in(page, site, "k-admin")
    for provider in ("huaweicloud", "aliyun"):
        wanted = next(c for c in everyone if c["provider"] == provider and c["status"] == "ASSOCIATED")
        expected = [c["id"] for c in walk_graph(site, search=wanted["name"])]
        assert wanted["id"] in expected
        page.get_by_test_id("customer-search").fill(wanted["name"])
        assert shown(page, expected) == expected
        rows = page.get_by_test_id("customer-row")
        expect(rows.filter(has_text=wanted["name"]).first).to_have_attribute("data-provider", provider)


def test_a_salesperson_sees_only_their_customers(site: Site, page: Page) -> None:
    _, _, owner = KEYS["k-sales"]
    theirs = walk_graph(site, "k-sales")
    everyone = walk_graph(site)
    assert theirs, "the sales key's owner has seeded customers"
    assert [c["id"] for c in theirs] == [c["id"] for c in everyone if c["owner"] == owner]
    assert len(theirs) < len(everyone)

    sign_in(page, site, "k-sales")
    expect(page.get_by_test_id("signed-in-role")).to_have_attribute("data-role", "sales")
    expect(page.get_by_test_id("nav-resellers")).to_have_count(0)  # no money screens
    expect(page.get_by_test_id("nav-audit")).to_have_count(0)
    walked = pages_of_the_table(page, site, [c["id"] for c in theirs], "customers-sales")
    assert [customer_id for shown_page in walked for customer_id in shown_page] == [c["id"] for c in theirs]

    # One of theirs opens, without money actions; another salesperson's customer, asked for by its address, does not.
    page.get_by_test_id("customer-row").first.get_by_role("link").click()
    expect(page.get_by_test_id("customer-detail")).to_have_attribute("data-customer-id", theirs[0]["id"])
    expect(page.get_by_test_id("no-money-actions")).to_be_visible()
    expect(page.get_by_test_id("action-transfer")).to_have_count(0)
    expect(page.get_by_test_id("action-reclaim")).to_have_count(0)
    hidden = next(c for c in everyone if c["owner"] not in (owner, None))
    page.goto(f"{site.console}/#/customers/{hidden['id']}")
    # Not found: the graph does not show it to them.
    expect(page.locator("main").get_by_test_id("error")).to_be_visible()
    expect(page.get_by_test_id("customer-detail")).to_have_count(0)
