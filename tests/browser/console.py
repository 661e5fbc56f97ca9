"""Steps a person takes in the console, by its test hooks (``data-testid``, agreed with the console: see
console/README.md), and the screenshots the run keeps (``build/screenshots/``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, Page, Playwright, expect

from tests.support.sites import Site

__all__ = [
    "ARGS",
    "CHROMIUM",
    "SCREENSHOTS",
    "go",
    "huawei_resale_customers",
    "launch",
    "row_ids",
    "shoot",
    "sign_in",
    "walk_graph",
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

WALK = """query($after: String, $filter: CustomerFilterInput) {
  customers(first: 100, after: $after, filter: $filter) {
    pageInfo { hasNextPage endCursor } nodes { id provider nativeId name owner accountType status }
  }
}"""


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, quiet (no background requests, updates or sync), with a fresh temporary
    profile that Playwright makes and removes. Never a browser Playwright downloads: ``make setup`` installs it."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make setup` installs Debian's chromium"
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


def sign_in(page: Page, site: Site, api_key: str, screen: str = "customers") -> None:
    """Open the console at ``screen`` and sign in with an API key (its development sign-in); wait until the shell
    shows. (Landing on the overview would start its reads over every customer of both clouds: a test that does
    not look at it does not pay for them.)"""
    page.goto(f"{site.console}/#/{screen}")
    page.get_by_test_id("signin-apikey").fill(api_key)
    page.get_by_test_id("signin-submit").click()
    expect(page.get_by_test_id("signed-in-role")).to_be_visible()
    expect(page.get_by_test_id(f"nav-{screen.split('/')[0]}")).to_have_attribute("aria-current", "page")


def go(page: Page, screen: str) -> None:
    """Follow the navigation to ``screen`` and wait until it is the current page."""
    link = page.get_by_test_id(f"nav-{screen}")
    link.click()
    expect(link).to_have_attribute("aria-current", "page")


def row_ids(rows: Locator) -> list[str]:
    ids: list[str] = rows.evaluate_all("rows => rows.map(row => row.dataset.customerId)")
    return ids


def walk_graph(site: Site, api_key: str = "k-admin", **filters: Any) -> list[dict[str, Any]]:
    """Every customer the graph lists for ``api_key``, in its order (what the table must show)."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = site.ask(WALK, api_key, after=after, filter=filters or None)["customers"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def huawei_resale_customers(site: Site) -> list[dict[str, Any]]:
    """Huawei resale customers in good standing: money can be transferred to them."""
    listed = walk_graph(site, accountType="RESALE", status="ASSOCIATED")
    chosen = [customer for customer in listed if customer["provider"] == "huaweicloud"]
    assert len(chosen) >= 2, listed
    return chosen


def shoot(page: Page, site: Site, screen: str) -> Path:
    """Keep a screenshot of what the page shows now: ``build/screenshots/<deployment>-<screen>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{site.name}-{screen}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
