"""The console in a real browser: Debian's Chromium, headless, driven by Playwright (its wheel carries the driver;
no browser is ever downloaded: ``make setup`` installs ``/usr/bin/chromium`` from Debian's packages).

One browser for all of these tests, a fresh context (cookies, storage) and page per test. Each page is watched:
a request to anything but loopback (the console must work offline: no CDN, no fonts from afar) or an uncaught
script error fails the test. Screenshots go to ``build/screenshots/`` (``shoot``), one per screen and deployment.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.console import SCREENSHOTS, launch
from tests.support.oidc import Issuer, Person, serve_issuer
from tests.support.sites import AUDIENCE, CLIENT_ID, Site, demo_site, simulators_site

#: How long a page may take to show what a step waits for (a loaded two-core machine; most take milliseconds).
STEP_MS = 15_000
expect.set_options(timeout=STEP_MS)
#: The person the test issuer signs in (an admin: every screen).
PERSON = Person("u-zhang", "admin", name="张伟")


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium, once for the package. Playwright gives it a fresh temporary profile (user-data dir) and
    removes it afterwards. The screenshots of an earlier run are cleared: those in the folder are this run's."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def issuer() -> Iterator[Issuer]:
    with serve_issuer(CLIENT_ID, AUDIENCE, PERSON) as running:
        yield running


@pytest.fixture(scope="package")
def demo(issuer: Issuer) -> Iterator[Site]:
    with demo_site(issuer) as site:
        yield site


@pytest.fixture(scope="package")
def simulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with simulators_site(tmp_path_factory.mktemp("console-simulators")) as site:
        yield site


@pytest.fixture(scope="package", params=["demo", "simulators"])
def site(request: pytest.FixtureRequest) -> Site:
    """Each deployment in turn: the tests that take ``site`` run against both."""
    chosen: Site = request.getfixturevalue(request.param)
    return chosen


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, service_workers="block")
    context.set_default_timeout(STEP_MS)
    remote: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: remote.append(request.url) if not _local(request.url) else None)
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()
    assert remote == [], f"the console reached beyond this machine: {remote}"
    assert errors == [], f"uncaught script errors: {errors}"


def _local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    host = parts.hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")
