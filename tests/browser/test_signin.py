"""Signing in through OIDC in a browser: the console's authorization code flow with PKCE (S256) against a test
issuer on loopback (tests/support/oidc.py), the gateway verifying the issuer's tokens (``[auth.jwt]``)."""

from __future__ import annotations

from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import PERSON
from tests.browser.console import shoot
from tests.support.sites import CLIENT_ID, Site


def test_oidc_sign_in_with_pkce(demo: Site, page: Page) -> None:
    issuer = demo.issuer
    assert issuer is not None
    tokens = len(issuer.exchanges)
    sent: list[str] = []

    def graph_request(request: Request) -> None:
        if request.url.startswith(f"{demo.url}/graphql"):
            sent.append(request.headers.get("authorization", ""))

    page.on("request", graph_request)
    page.goto(f"{demo.console}/#/customers")
    shoot(page, demo, "signin")
    page.get_by_test_id("signin-oidc").click()

    role = page.get_by_test_id("signed-in-role")
    expect(role).to_have_attribute("data-role", PERSON.role)
    expect(role).to_contain_text(f"jwt:{PERSON.subject}")
    expect(page).to_have_url(f"{demo.console}/#/customers")  # back where the person was, the code gone from the URL
    expect(page.get_by_test_id("customer-row").first).to_be_visible()

    asked = issuer.authorizations[-1]
    assert (asked["client_id"], asked["code_challenge_method"]) == (CLIENT_ID, "S256")
    assert asked["redirect_uri"] == f"{demo.console}/"
    assert [(e.ok, e.code_challenge_method) for e in issuer.exchanges[tokens:]] == [(True, "S256")]
    assert sent
    assert all(header.startswith("Bearer ey") for header in sent)  # the issuer's JWT, nothing else
    token = sent[-1].removeprefix("Bearer ")
    assert token not in page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")  # this tab's only
