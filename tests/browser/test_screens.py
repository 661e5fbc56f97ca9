"""Every screen of the console opens in a browser, with no script error and nothing fetched from another host (the
``page`` fixture checks both), and is kept as a screenshot; switching the language changes the labels."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.console import go, shoot, sign_in
from tests.support.sites import Site

SCREENS = ("overview", "customers", "invite", "resellers", "projects", "notifications", "audit")
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_screen_opens_and_is_kept_as_a_screenshot(demo: Site, page: Page) -> None:
    sign_in(page, demo, "k-admin", "overview")
    for screen in SCREENS:
        if screen != "overview":
            go(page, screen)
        expect(page.locator("main h1").first).to_be_visible()
        main = page.locator("main")
        expect(main.get_by_test_id("loading")).to_have_count(0)  # what it shows is in, not a spinner
        expect(main.get_by_test_id("error")).to_have_count(0)
        shoot(page, demo, screen)


def labels(page: Page) -> dict[str, str]:
    return {screen: page.get_by_test_id(f"nav-{screen}").inner_text().strip() for screen in SCREENS}


def test_switching_the_language_changes_the_labels(demo: Site, page: Page) -> None:
    page.goto(f"{demo.console}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")  # Chinese by default
    expect(page.get_by_test_id("signin-submit")).to_have_text(CJK)
    sign_in(page, demo, "k-admin")
    chinese = labels(page)
    assert all(CJK.search(label) for label in chinese.values()), chinese

    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = labels(page)
    assert all(not CJK.search(label) and label for label in english.values()), english
    assert english["customers"] == "Customers"
    go(page, "customers")
    expect(page.locator("main h1").first).to_have_text("Customers")
    shoot(page, demo, "customers-en")

    page.reload()  # the choice is kept
    expect(page.get_by_test_id("signed-in-role")).to_be_visible()
    assert labels(page) == english
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    assert labels(page) == chinese
