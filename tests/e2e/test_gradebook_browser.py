"""The gradebook columns page and the deep linking picker in real headless Chromium: an
instructor finds where scores go from the sync page, turns on a column for every module; axe on
every page, screenshots at 1280 and 375 px kept under the pytest temporary directory."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support.axe import axe_violations
from tests.support.gradebook import drain, launch_link
from tests.support.learners import submit_quiz

pytestmark = pytest.mark.e2e
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gradebook-screenshots", numbered=False)
    print(f"\nscreenshots in {folder}")
    return folder


def open_as_teacher(chromium: Browser, tool, platform, hint: dict, width: int = 1280) -> Page:
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    query = urlencode(platform.login_params("teacher-1", lti_message_hint=json.dumps(hint)))
    page.goto(f"{tool.url}/lti/login?{query}")
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/(instructor|deep-link)"))
    return page


@pytest.mark.parametrize("width", [1280, 375])
def test_an_instructor_finds_the_columns_and_adds_one_per_module(
    chromium, tool, platform, shots, width
):
    platform.reset_ags()
    activity = platform.place_link(title="ISP Certificate")
    submit_quiz(launch_link(tool, platform, activity), tool)
    drain(tool)
    hint = {"context_id": activity.context_id, "resource_link_id": activity.link_id}
    page = open_as_teacher(chromium, tool, platform, hint, width)

    page.get_by_role("link", name="Gradebook sync").first.click()
    page.get_by_role("link", name="Which columns receive scores").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gradebook columns")
    columns = page.get_by_test_id("gradebook-columns")
    expect(columns).to_contain_text("Progress through the whole certificate")
    expect(page.get_by_test_id("column-sync").first).to_contain_text("1 sent")
    expect(page.get_by_test_id("module-columns-off")).to_contain_text(
        "11 modules have no column of their own: their grades count in the certificate's"
    )
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(shots / f"gradebook-columns-{width}.png"), full_page=True)

    page.get_by_role("button", name="Add a column for every module").click()
    expect(page.get_by_test_id("filled")).to_have_text("1 score is on the way to the new columns.")
    expect(page.get_by_test_id("module-columns-on")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(shots / f"gradebook-columns-on-{width}.png"), full_page=True)
    page.context.close()
    platform.reset_ags()


def test_the_deep_linking_picker_offers_the_whole_certificate(chromium, tool, platform, shots):
    hint = {
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        CLAIM + "resource_link": None,
        DL + "deep_linking_settings": {
            "deep_link_return_url": platform.url + "/dl/return",
            "accept_types": ["ltiResourceLink"],
        },
    }
    page = open_as_teacher(chromium, tool, platform, hint)

    certificate = page.get_by_label(re.compile("ISP Certificate: every module, one activity"))
    expect(certificate).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(shots / "deep-link-picker-1280.png"), full_page=True)
    certificate.check()
    page.get_by_role("button", name="Add to course").click()
    page.wait_for_url(platform.url + "/dl/return")
    [link_id] = json.loads(page.inner_text("body"))
    assert platform.placements[("course-101", link_id)].custom == {}
    page.context.close()
    platform.reset_ags()
