"""Credentials in real headless Chromium: the learner's "My credentials" (issuing… then the
credential, by itself; the name switch), the public page at 375 px (screenshot, axe), the
verify form with a baked badge, the instructor's revoke form, and the PDF drawn by pdftoppm."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_player_browser import open_launch
from tests.support.awards import complete_level, drain
from tests.support.axe import axe_violations
from tests.support.credential_http import get, issue

pytestmark = pytest.mark.e2e


# The words of an element's text that the layout broke across two lines.
BROKEN_WORDS = """el => {
    const text = el.firstChild, broken = [];
    let at = 0;
    for (const word of text.textContent.split(" ")) {
        const range = document.createRange();
        range.setStart(text, at);
        range.setEnd(text, at + word.length);
        const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (lines.size > 1) { broken.push(word); }
        at += word.length + 1;
    }
    return broken;
}"""


def my_credentials(chromium: Browser, tool, platform, width: int = 1024) -> Page:
    """The learner's My credentials, reached from the certificate overview as a learner would."""
    page, _ = open_launch(chromium, tool, platform, width=width)
    page.get_by_role("link", name="Certificate").click()
    page.get_by_role("link", name="My credentials").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My credentials")
    return page


def public_page(chromium: Browser, url: str, width: int = 375) -> Page:
    """A stranger's browser (an employer) opening the credential's public page."""
    context = chromium.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.goto(url)
    return page


def test_learner_shows_their_name_and_an_employer_sees_a_valid_credential(
    chromium, tool, platform, tmp_path
):
    credential_id = issue(tool, platform)
    page = my_credentials(chromium, tool, platform, width=375)
    level_1 = page.get_by_test_id("credential-isp-level-1")
    expect(level_1).to_contain_text("Issued on")
    expect(level_1.get_by_test_id("name-choice")).to_contain_text("hidden")
    assert axe_violations(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(tmp_path / "my-credentials-375.png"), full_page=True)

    level_1.get_by_role("button", name="Show my name on the public page").click()

    expect(
        page.get_by_test_id("credential-isp-level-1").get_by_test_id("name-choice")
    ).to_contain_text("Your name is shown")
    url = page.get_by_role("link", name=re.compile("Open the public page")).first.get_attribute(
        "href"
    )
    assert url == f"{tool.url}/credentials/{credential_id}"

    employer = public_page(chromium, url)
    expect(employer.get_by_test_id("holder")).to_have_text("Lena Learner")
    expect(employer.get_by_test_id("check")).to_contain_text("Valid")
    expect(employer.get_by_test_id("check")).to_contain_text("not revoked")
    expect(employer.get_by_role("heading", level=1)).to_contain_text("ISP Level 1")
    width = employer.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"the public page scrolls sideways at 375 px ({width}px)"
    assert employer.locator(".site-name").evaluate(BROKEN_WORDS) == []  # "Certificat|e"
    assert employer.evaluate("() => document.querySelector('img.badge-art').naturalWidth") > 0
    assert axe_violations(employer) == []
    shot = tmp_path / "public-375.png"
    employer.screenshot(path=str(shot), full_page=True)
    with Image.open(shot) as image:
        assert image.size[0] == 375
    employer.get_by_text(
        re.compile("NIRN Implementation Support Practitioner Profile")
    ).first.click()
    assert axe_violations(employer) == []  # with a competency list open


def test_issuing_turns_into_the_credential_without_a_reload_by_the_learner(
    chromium, tool, platform
):
    complete_level(tool, platform)
    page = my_credentials(chromium, tool, platform)
    state = page.locator('[data-level="isp-level-1"]')
    expect(state).to_have_text("Issuing your credential…")
    assert axe_violations(page) == []

    drain(tool)  # the worker issues it; the page polls and shows it

    expect(page.locator('[data-level="isp-level-1"]')).to_contain_text("Issued on", timeout=15_000)
    expect(page.get_by_role("link", name=re.compile("Open the public page"))).to_be_visible()


def test_the_verify_form_checks_a_baked_badge(chromium, tool, platform, tmp_path):
    credential_id = issue(tool, platform)
    badge = tmp_path / "badge.png"
    badge.write_bytes(get(tool, f"/credentials/{credential_id}/badge.png").content)
    page = public_page(chromium, f"{tool.url}/credentials/verify")
    assert axe_violations(page) == []

    page.get_by_label("A credential file or badge image").set_input_files(str(badge))
    page.get_by_role("button", name="Check").click()

    expect(page.get_by_test_id("verdict")).to_contain_text("Valid")
    expect(page.get_by_test_id("verdict")).to_contain_text("ISP Level 1")
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "verify-375.png"), full_page=True)


def test_the_instructor_revokes_from_the_cohort_page(chromium, tool, platform, tmp_path):
    credential_id = issue(tool, platform)
    page, _ = open_launch(chromium, tool, platform, width=375, login_hint="teacher-1")
    page.goto(tool.url + "/instructor/cohort")
    cell = page.get_by_test_id("credentials").first
    cell.get_by_text("Revoke…").click()
    assert axe_violations(page) == []
    cell.get_by_label(re.compile("Why is it revoked")).fill("Issued to the wrong learner.")

    cell.get_by_role("button", name="Revoke this credential").click()

    expect(page.get_by_test_id("revoked-notice")).to_contain_text(credential_id)
    expect(page.get_by_test_id("credentials").first).to_contain_text("Issued to the wrong learner.")
    employer = public_page(chromium, f"{tool.url}/credentials/{credential_id}")
    expect(employer.get_by_test_id("check")).to_contain_text("Revoked")
    expect(employer.get_by_test_id("check")).to_contain_text("Issued to the wrong learner.")
    assert axe_violations(employer) == []
    employer.screenshot(path=str(tmp_path / "revoked-375.png"))
    page.screenshot(path=str(tmp_path / "cohort-375.png"), full_page=True)


def test_the_certificate_pdf_renders_as_one_page(tool, platform, tmp_path):
    credential_id = issue(tool, platform)
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(get(tool, f"/credentials/{credential_id}/certificate.pdf").content)

    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)

    [rendered] = sorted(Path(tmp_path).glob("page*.png"))
    with Image.open(rendered) as image:
        grey = image.convert("L")
    assert grey.size[0] > grey.size[1]  # A4 landscape
    dark = grey.point(lambda value: 255 if value < 128 else 0).histogram()[255]
    assert dark > grey.size[0] * grey.size[1] * 0.01  # drawn, not blank
