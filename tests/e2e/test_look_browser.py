"""The look of the main pages, at 375 px (a phone, or a narrow LMS column) and 1280 px, with a
deployment's theme: each page fits its width, passes axe-core, shows the institution and the
accent, and is kept as a screenshot under the pytest temporary directory to be looked at."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from lms_plugin.db import db
from lms_plugin.services.theming import ThemeChange, set_theme
from tests.e2e.test_player_browser import open_launch
from tests.support.axe import axe_violations
from tests.support.credential_http import issue
from tests.support.reviews import submitted

pytestmark = pytest.mark.e2e

WIDTHS = [375, 1280]
NAME = "Northwind University"
ACCENT = "#7a1f5c"
ACCENT_RGB = "rgb(122, 31, 92)"
LOGO = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 132 40">
  <rect x="2" y="4" width="32" height="32" rx="6" fill="#7a1f5c"/>
  <path d="M10 28V12l8 10 8-10v16" fill="none" stroke="#fff" stroke-width="3"/>
  <text x="40" y="26" font-family="Georgia, serif" font-size="15" fill="#1b1f24">Northwind</text>
</svg>"""


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots are kept (printed, to be opened after the run)."""
    folder = tmp_path_factory.mktemp("screenshots", numbered=False)
    print(f"\nscreenshots in {folder}")
    return folder


@pytest.fixture
def themed(tool, platform):
    with tool.app.app_context():
        set_theme(
            db.session(),
            platform.issuer,
            platform.client_id,
            platform.deployment_id,
            ThemeChange(name=NAME, accent=ACCENT, logo=LOGO),
        )


def check(page: Page, name: str, width: int, shots: Path, *, themed: bool = True) -> None:
    """What every page must show and pass, then its full-page screenshot."""
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{name} scrolls sideways at {width} px ({scroll} px): {wide(page)}"
    assert axe_violations(page) == [], name
    if themed:
        expect(page.get_by_test_id("institution")).to_have_text(NAME)
        logo = page.get_by_test_id("brand-logo")
        assert logo.evaluate("img => img.complete && img.naturalWidth > 0"), name
        top = page.locator("header.top").evaluate("e => getComputedStyle(e).borderTopColor")
        assert top == ACCENT_RGB, name
    page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)


def wide(page: Page) -> list[str]:
    """The outermost elements that stick out to the right of the page (to say which)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
          .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth
                    && e.parentElement.getBoundingClientRect().right
                       <= document.documentElement.clientWidth)
          .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_learner_pages(chromium: Browser, tool, platform, themed, shots, width):
    page, _ = open_launch(chromium, tool, platform, width=width)
    check(page, "module", width, shots)
    start = page.get_by_role("button", name="Start attempt 1")
    assert start.evaluate("b => getComputedStyle(b).backgroundColor") == ACCENT_RGB
    page.get_by_role("link", name=re.compile(r"^Certificate$")).first.click()
    check(page, "overview", width, shots)
    page.go_back()
    page.get_by_role("button", name="Start attempt 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz — attempt 1")
    check(page, "quiz-attempt", width, shots)
    page.goto(tool.url + "/instructor/")  # not for learners: the error page, in the theme
    check(page, "error-403", width, shots)


@pytest.mark.parametrize("width", WIDTHS)
def test_instructor_pages(chromium: Browser, tool, platform, themed, shots, width):
    submission = submitted(tool, platform)
    context = chromium.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{tool.url}/lti/login?" + urlencode(platform.login_params("teacher-1")))
    page.wait_for_url(lambda url: url.startswith(tool.url) and "/lti/" not in url)
    for name, path in [
        ("instructor-home", "/instructor/"),
        ("cohort", "/instructor/cohort"),
        ("questions", "/instructor/cohort/questions"),
        ("review", f"/instructor/reviews/{submission}"),
    ]:
        page.goto(tool.url + path)
        check(page, name, width, shots)
    page.get_by_test_id("view-as-learner").click()
    check(page, "overview-as-instructor", width, shots)


@pytest.mark.parametrize("width", WIDTHS)
def test_public_credential_page(chromium: Browser, tool, platform, shots, width):
    credential_id = issue(tool, platform)
    context = chromium.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{tool.url}/credentials/{credential_id}")
    check(page, "credential-public", width, shots, themed=False)
    context.close()
