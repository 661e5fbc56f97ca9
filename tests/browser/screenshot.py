"""Refresh ``docs/console.png``, the README's screenshot: the console's overview on the embedded demo, in English,
signed in as an admin, taken by Debian's Chromium. Run ``make screenshot`` (not part of the tests: the picture
changes with the demo's dates, and a test run must not rewrite a committed file)."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from gateway.app import create_app
from gateway.auth import ApiKey, Role, hash_key
from gateway.config import EventsConfig, GatewayConfig, demo_config
from gateway.registry import Registry
from gateway.store import MEMORY_URL
from tests.browser.console import launch
from tests.support.servers import live_server

TARGET = Path(__file__).resolve().parents[2] / "docs" / "console.png"
KEY = "k-readme-admin"
#: ECharts draws its charts in an animation of about one second.
SETTLE_MS = 1500


def main(target: Path = TARGET) -> int:
    registry = Registry.discover()
    demo = demo_config(registry)
    config = GatewayConfig(
        accounts=demo.accounts,
        simulated=demo.simulated,
        api_keys=(ApiKey("zhang.wei", hash_key(KEY), Role.ADMIN),),
        store_url=MEMORY_URL,
        events=EventsConfig(enabled=False),
    )
    with live_server(create_app(config, registry)) as url, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"{url}/console/#/overview")
        page.get_by_test_id("lang-switch").click()  # Chinese by default; English for the README's readers
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.get_by_test_id("signin-apikey").fill(KEY)
        page.get_by_test_id("signin-submit").click()
        expect(page.get_by_test_id("signed-in-role")).to_be_visible()
        expect(page.locator("main").get_by_test_id("loading")).to_have_count(0, timeout=60_000)
        page.wait_for_timeout(SETTLE_MS)
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target))
        browser.close()
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
