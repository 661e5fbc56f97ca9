"""The console's accessible basics in a browser: every input, select and text area on every screen (and in every write
form a screen opens) has an accessible name, as Chromium's accessibility tree computes it; the Customer screen's
transfer is done with the keyboard alone, and every control of that screen is reached by Tab and shows where the
focus is; status is said in words, never by colour alone."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.console import go, huawei_resale_customers, sign_in, walk_graph
from tests.support.sites import Site

#: Form controls as the accessibility tree names their roles (an aria snapshot line: ``- textbox "Amount (CNY)"``).
CONTROL_ROLES = ("textbox", "searchbox", "combobox", "listbox", "spinbutton", "checkbox", "radio", "slider", "switch")
UNNAMED = re.compile(rf"^\s*- ({'|'.join(CONTROL_ROLES)})(?! \")\b.*$", re.MULTILINE)

#: The DOM's side of the same question: controls with no label, aria-label or aria-labelledby text.
NAMELESS_JS = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((el) => {
  const text = (node) => (node?.textContent || '').trim()
  const labels = [...(el.labels || [])].map(text).join('')
  const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
  const labelledBy = by.map((id) => text(document.getElementById(id))).join('')
  return !(labels || (el.getAttribute('aria-label') || '').trim() || labelledBy)
}).map((el) => el.outerHTML.slice(0, 160))"""

#: Status badges, outcome states and counts that would say nothing without their colour (icons are aria-hidden).
COLOUR_ONLY_JS = """() => [
  ...document.querySelectorAll('.badge, .count, [data-testid=outcome-status]'),
].filter((el) => {
  const copy = el.cloneNode(true)
  copy.querySelectorAll('[aria-hidden=true]').forEach((n) => n.remove())
  return !copy.textContent.trim() && !(el.getAttribute('aria-label') || '').trim()
}).map((el) => el.outerHTML.slice(0, 160))"""

#: What the focused element is, and whether its focus can be seen: an outline of 2 px or more, or a box shadow.
FOCUSED_JS = """() => {
  const el = document.activeElement
  if (!el || el === document.body) return null
  const style = getComputedStyle(el)
  const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
  return {
    index: el.dataset.a11yIndex ?? null,
    hook: el.dataset.testid || el.id || el.tagName.toLowerCase() + ':' + (el.textContent || '').trim().slice(0, 30),
    visible: outlined || style.boxShadow !== 'none',
    inMain: Boolean(el.closest('main')),
  }
}"""

#: Every control of ``main`` a keyboard user must reach, numbered (``data-a11y-index``); hidden ones left out.
MARK_FOCUSABLE_JS = """() => {
  const selector = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]),'
    + ' textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])'
  const all = [...document.querySelector('main').querySelectorAll(selector)]
  const shown = all.filter((el) => el.getClientRects().length)
  shown.forEach((el, i) => (el.dataset.a11yIndex = String(i)))
  const hook = (el) => el.dataset.testid || el.id || el.tagName.toLowerCase() + ':' + el.textContent.trim().slice(0, 30)
  return shown.map(hook)
}"""


def settled(page: Page) -> None:
    """What the screen shows is in: no spinner left in ``main``."""
    expect(page.locator("main").get_by_test_id("loading")).to_have_count(0)


def names_problems(page: Page, where: str) -> list[str]:
    """Controls without an accessible name on the page as it is now (none: an empty list)."""
    snapshot = page.locator("body").aria_snapshot()
    unnamed = [f"{where}: unnamed in the accessibility tree: {m.group(0).strip()}" for m in UNNAMED.finditer(snapshot)]
    nameless = [f"{where}: no label: {html}" for html in page.evaluate(NAMELESS_JS)]
    colour = [f"{where}: said by colour alone: {html}" for html in page.evaluate(COLOUR_ONLY_JS)]
    return unnamed + nameless + colour


def tab_to(page: Page, test_id: str, limit: int = 80) -> list[dict[str, Any]]:
    """Press Tab until the element with ``test_id`` has the focus; each stop on the way (hook, focus visible)."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED_JS)
        if stop is not None:
            stops.append(stop)
            if stop["hook"] == test_id:
                return stops
    raise AssertionError(f"{test_id} was not reached by Tab: {[s['hook'] for s in stops]}")


def test_the_transfer_is_done_by_keyboard_and_every_control_shows_its_focus(demo: Site, page: Page) -> None:
    customer = huawei_resale_customers(demo)[-2]
    sign_in(page, demo, "k-finance", f"customers/{customer['id']}")
    expect(page.get_by_test_id("customer-detail")).to_have_attribute("data-customer-id", customer["id"])
    settled(page)

    page.locator("main").focus()  # where a new screen puts the focus: Tab goes on from there
    stops = tab_to(page, "action-transfer")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("transfer-form")).to_be_visible()
    stops += tab_to(page, "transfer-amount")
    page.keyboard.type("0.01")
    page.keyboard.press("Tab")
    submit = page.evaluate(FOCUSED_JS)
    assert submit["hook"] == "transfer-submit", submit  # the amount, then its submit: nothing in between
    stops.append(submit)
    page.keyboard.press("Enter")
    form = page.get_by_test_id("transfer-form")
    expect(form.get_by_test_id("outcome-status")).to_have_attribute("data-state", "settled")
    expect(form.get_by_test_id("outcome-status")).to_contain_text("SETTLED")  # in words, not only green
    assert [s["hook"] for s in stops if not s["visible"]] == [], "focus not visible on these"

    # Every control of the screen, the transfer form and its outcome open, in Tab order, each with visible focus.
    controls = page.evaluate(MARK_FOCUSABLE_JS)
    assert "transfer-amount" in controls
    assert "check-again" not in controls  # settled: nothing left to check
    page.locator("main").focus()
    reached: dict[str, dict[str, Any]] = {}
    for _ in range(len(controls) * 2 + 20):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED_JS)
        if stop is not None and stop["inMain"] and stop["index"] is not None:
            reached.setdefault(stop["index"], stop)
        if len(reached) == len(controls):
            break
    missed = [hook for i, hook in enumerate(controls) if str(i) not in reached]
    assert missed == [], f"not reachable by Tab: {missed}"
    assert [s["hook"] for s in reached.values() if not s["visible"]] == [], "focus not visible on these"
    assert names_problems(page, "customer") == []


def test_every_control_on_every_screen_has_an_accessible_name(demo: Site, page: Page) -> None:
    problems: list[str] = []
    page.goto(f"{demo.console}/#/overview")
    expect(page.get_by_test_id("signin-apikey")).to_be_visible()
    problems += names_problems(page, "sign-in")
    sign_in(page, demo, "k-admin", "customers")
    settled(page)
    problems += names_problems(page, "customers")

    # A customer of each cloud, with each write form its actions open.
    for provider, account_type in (("huaweicloud", "RESALE"), ("aliyun", "CONSIGNMENT")):
        customer = walk_graph(demo, provider=provider, accountType=account_type, status="ASSOCIATED")[0]
        page.goto(f"{demo.console}/#/customers/{customer['id']}")
        expect(page.get_by_test_id("customer-detail")).to_have_attribute("data-customer-id", customer["id"])
        settled(page)
        actions = page.locator("[data-testid^='action-']")
        for test_id in actions.evaluate_all("buttons => buttons.map(b => b.dataset.testid)"):
            page.get_by_test_id(test_id).click()
            settled(page)
            problems += names_problems(page, f"customer ({provider}) {test_id}")
        go(page, "customers")
        settled(page)

    go(page, "invite")
    settled(page)
    for option in page.get_by_test_id("invite-partner").locator("option").all():
        page.get_by_test_id("invite-partner").select_option(option.get_attribute("value"))
        problems += names_problems(page, f"invite ({option.inner_text()})")

    go(page, "resellers")
    settled(page)
    page.get_by_test_id("reseller-manage").first.click()
    settled(page)
    for test_id in ("action-allocate", "action-reclaim-funds", "action-grant-quota", "action-invite-reseller"):
        if page.get_by_test_id(test_id).count():
            page.get_by_test_id(test_id).first.click()
            settled(page)
            problems += names_problems(page, f"resellers {test_id}")

    go(page, "projects")
    settled(page)
    page.get_by_test_id("action-file-project").click()
    page.get_by_test_id("project-customer-search").fill("张")
    page.get_by_test_id("project-customer-search").press("Enter")
    expect(page.get_by_test_id("file-project-name")).to_be_visible()
    if page.get_by_test_id("project-lost").count():
        page.get_by_test_id("project-lost").first.click()
    problems += names_problems(page, "projects")

    go(page, "notifications")
    problems += names_problems(page, "notifications")
    go(page, "audit")
    settled(page)
    problems += names_problems(page, "audit log")
    page.get_by_test_id("tab-webhooks").click()
    settled(page)
    problems += names_problems(page, "webhook deliveries")
    go(page, "overview")
    settled(page)
    problems += names_problems(page, "overview")
    assert problems == []
