"""The admin pages in real headless Chromium: signing in with a one-time link, each page
checked with axe, deployments activated and keys rotated with the mouse; an LMS administrator
reaching its platform's pages from the instructor home inside the launch."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from lms_plugin.services import admin_access
from lms_plugin.web import deps
from tests.support.app_settings import settings_changed
from tests.support.axe import axe_violations

pytestmark = pytest.mark.e2e
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def new_page(chromium: Browser, width: int = 1280) -> Page:
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    return context.new_page()


def fits(page: Page, width: int) -> None:
    scrolled = page.evaluate("() => document.documentElement.scrollWidth")
    assert scrolled <= width, f"{page.url} scrolls sideways at {width} px ({scrolled}px)"


def test_sign_in_with_a_link_then_every_admin_page(chromium, tool, platform, tmp_path):
    reg_id = tool.rows("SELECT id FROM registration")[0][0]
    tool.rows(
        f"INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
        f" VALUES ({reg_id}, 'deployment-2', 'pending', now()) RETURNING id"
    )
    with tool.app.app_context():
        token = admin_access.issue_link(deps.store(), 15)
    page = new_page(chromium)

    page.goto(tool.url + "/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the administration pages")
    assert axe_violations(page) == []
    page.goto(f"{tool.url}/admin/sign-in/{token}")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Platforms and deployments")
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "admin-home.png"), full_page=True)

    pending = page.locator('[data-deployment="deployment-2"]')
    expect(pending.get_by_test_id("status")).to_contain_text("Pending")
    pending.get_by_role("button", name="Activate").click()
    expect(page.get_by_test_id("done")).to_contain_text("is active")
    expect(pending.get_by_test_id("status")).to_contain_text("Active")

    page.get_by_role("link", name="Keys").click()
    assert axe_violations(page) == []
    active = page.locator('[data-testid="keys-lti"] [data-state="active"]').inner_text()
    page.get_by_test_id("rotate-lti").click()
    assert axe_violations(page) == []
    page.get_by_label("Yes, rotate these keys now").check()
    page.get_by_role("button", name="Rotate").click()
    expect(page.get_by_test_id("rotated")).to_be_visible()
    retired = page.locator('[data-testid="keys-lti"] [data-state="retired"]')
    expect(retired).to_contain_text(active.split()[0])

    # Many LMSs name a key by its RFC 7638 thumbprint: 43 characters with no place to break.
    thumbprint = {**platform.keys[0].jwk(), "kid": "j2GdU9xvXoAAVOh8zfaRdgERKCJwiclN5aYKIsyDS_Q"}
    platform.extra_jwks.append(thumbprint)
    try:
        with settings_changed(tool.app, allow_private_hosts=1):
            page.get_by_role("link", name="Platforms").click()
            page.get_by_test_id("diagnostics-link").click()
            expect(page.get_by_test_id("check-jwks")).to_have_attribute("data-ok", "yes")
            expect(page.get_by_test_id("check-token")).to_have_attribute("data-ok", "yes")
    finally:
        platform.extra_jwks.remove(thumbprint)
    keys = page.get_by_test_id("check-jwks")
    expect(keys).to_contain_text(thumbprint["kid"])
    assert keys.evaluate("card => card.scrollWidth <= card.clientWidth"), "a key id overflows"
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "admin-diagnostics.png"), full_page=True)

    phone = new_page(chromium, 375)
    phone.context.add_cookies(page.context.cookies())
    for path in ("/admin/", "/admin/keys", f"/admin/platforms/{reg_id}"):
        phone.goto(tool.url + path)
        fits(phone, 375)
        if path == "/admin/keys":  # a key's id wraps, so its state shows beside it
            state = phone.locator("[data-testid=key] .pill").first.bounding_box()
            assert state is not None and state["x"] < 375, state

    # The bar holds its links and "Sign out" on one line of link height, as the instructor's.
    bar = page.locator("nav.teach-nav ul").bounding_box()
    tab = page.get_by_role("link", name="Platforms").bounding_box()
    assert bar is not None and tab is not None and bar["height"] < tab["height"] + 24, bar
    sign_out = page.get_by_role("button", name="Sign out")
    assert sign_out.evaluate("b => getComputedStyle(b).backgroundColor") == "rgba(0, 0, 0, 0)"
    sign_out.click()
    expect(page.get_by_test_id("sign-in")).to_be_visible()
    page.goto(tool.url + "/admin/")
    expect(page.get_by_test_id("sign-in")).to_be_visible()


def test_an_lms_admin_goes_from_the_course_home_to_its_platform(chromium, tool, platform):
    roles = [LIS + "institution/person#Administrator", LIS + "membership#Instructor"]
    params = platform.login_params(
        "teacher-1", lti_message_hint=json.dumps({CLAIM + "roles": roles})
    )
    page = new_page(chromium)
    page.goto(f"{tool.url}/lti/login?{urlencode(params)}")
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/instructor/"))

    page.get_by_test_id("admin-link").click()
    expect(page.get_by_test_id("admin-who")).to_contain_text("this platform only")
    expect(page.get_by_test_id("platform")).to_have_count(1)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Keys").click()
    expect(page.get_by_test_id("rotate-lti")).to_have_count(0)  # keys serve every platform
    assert axe_violations(page) == []
    page.get_by_role("link", name="Back to the course").click()
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/instructor/"))


def test_failed_checks_keep_their_long_addresses_inside_their_cards(chromium, tool, platform):
    """A keyset and a token endpoint the tool cannot reach: each card says so with the address,
    in the tool's words, and a long address wraps inside its card (it ran out of the card)."""
    far = "/" + "mod/lti/" * 12
    reg_id = tool.rows(
        f"UPDATE registration SET jwks_url = 'http://127.0.0.1:9{far}certs.php',"
        f" auth_token_url = 'http://127.0.0.1:9{far}token.php' RETURNING id"
    )[0][0]
    with tool.app.app_context():
        token = admin_access.issue_link(deps.store(), 15)
    page = new_page(chromium, 1024)
    page.goto(f"{tool.url}/admin/sign-in/{token}")
    page.get_by_role("button", name="Sign in").click()
    with settings_changed(tool.app, allow_private_hosts=1):
        page.goto(f"{tool.url}/admin/platforms/{reg_id}")
    for card in ("check-jwks", "check-token"):
        found = page.get_by_test_id(card)
        expect(found).to_have_attribute("data-ok", "no")
        expect(found).to_contain_text("no connection could be made")
        assert found.evaluate("c => c.scrollWidth <= c.clientWidth"), f"{card} overflows"
    expect(page.get_by_test_id("check-token")).not_to_contain_text("ConnectionPool")
    assert axe_violations(page) == []
