"""LTI platform storage in real Chromium: the tool inside a course page of an LMS on another
site (127.0.0.2), so the tool's cookies in its iframe are third-party and its state cookie does
not come back. The login puts the state in the LMS's storage frame; the launch's page reads it
back there and confirms the launch (which only then is recorded) and the player opens, or it
refuses when the LMS cannot confirm it, and nothing is recorded."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Frame, Page, Response

from lms_plugin.db import db
from lms_plugin.services.platforms import PlatformSpec, add_platform
from lms_plugin.web import deps
from tests.support.axe import axe_violations
from tests.support.lti_platform import LmsPlatform

pytestmark = pytest.mark.e2e


def _lms(tool, host: str) -> Iterator[LmsPlatform]:
    lms = LmsPlatform(issuer=f"https://lms-{host}.example.edu", host=host, tool_url=tool.url)
    lms.start()
    with tool.app.app_context():
        add_platform(db.session(), deps.tenants(), PlatformSpec(**lms.registration_args()))
    yield lms
    lms.stop()


@pytest.fixture
def other_site_lms(tool) -> Iterator[LmsPlatform]:
    """An LMS on 127.0.0.2: another site than the tool on 127.0.0.1."""
    yield from _lms(tool, "127.0.0.2")


@pytest.fixture
def same_site_lms(tool) -> Iterator[LmsPlatform]:
    """An LMS on the tool's own site (127.0.0.1): the tool's cookies work in its iframe."""
    yield from _lms(tool, "127.0.0.1")


def _open_course(chromium: Browser, tool, lms: LmsPlatform) -> tuple[Page, list[tuple[str, int]]]:
    page = chromium.new_context(bypass_csp=True).new_page()  # to inject axe-core
    launches: list[tuple[str, int]] = []  # the launch and its confirmation, as answered

    def seen(response: Response) -> None:
        path = urlsplit(response.url).path
        if path.startswith("/lti/launch"):
            launches.append((path.removeprefix("/lti/launch") or "launch", response.status))

    page.on("response", seen)
    login = f"{tool.url}/lti/login?" + urlencode(
        lms.login_params(lti_storage_target="post_message_forwarding")
    )
    page.goto(f"{lms.url}/course?" + urlencode({"login": login}))
    return page, launches


def _tool_frame(page: Page, url: re.Pattern[str], timeout: float = 20) -> Frame:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            if url.search(frame.url):
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no frame at {url.pattern}: {[f.url for f in page.frames]}")


def test_launch_without_third_party_cookies_opens_through_platform_storage(
    chromium, tool, other_site_lms
):
    page, launches = _open_course(chromium, tool, other_site_lms)

    frame = _tool_frame(page, re.compile(re.escape(tool.url) + r"/(\?|modules|$)"))
    frame.wait_for_selector("[data-testid=user]")
    assert frame.inner_text("[data-testid=user]") == "Lena Learner"
    # The state cookie did not come back: the launch answered with the check page (200), not
    # the usual 303 to the player; the page confirmed it, and only that opened the player.
    assert launches == [("launch", 200), ("/continue", 303)]
    assert tool.count("lti_user") == 1


def test_lms_speaking_the_drafts_message_names_works_too(chromium, tool, other_site_lms):
    other_site_lms.storage_prefix = "org.imsglobal.lti."  # refuses lti.put_data / lti.get_data
    page, launches = _open_course(chromium, tool, other_site_lms)

    frame = _tool_frame(page, re.compile(re.escape(tool.url) + r"/(\?|modules|$)"))
    frame.wait_for_selector("[data-testid=user]")
    assert launches == [("launch", 200), ("/continue", 303)]


def test_launch_the_lms_cannot_confirm_is_not_opened(chromium, tool, other_site_lms):
    other_site_lms.storage_answers = False  # the storage frame has lost the state
    page, launches = _open_course(chromium, tool, other_site_lms)

    frame = _tool_frame(page, re.compile(re.escape(tool.url) + r"/lti/launch"))
    frame.wait_for_selector("#lti-storage-refused:not([hidden])")
    assert "could not be confirmed" in frame.inner_text("#lti-storage-refused")
    link = frame.get_attribute("#lti-storage-refused a", "href") or ""
    assert "lti1p3_new_window=1" in link
    assert axe_violations(frame) == []
    page.wait_for_timeout(500)
    assert not any("/modules" in f.url or "lh=" in f.url for f in page.frames)
    assert launches == [("launch", 200)]  # never confirmed
    assert tool.count("lti_user") == 0  # so nothing was recorded


def test_storage_frame_that_never_answers_leaves_the_cookie_to_do_it(chromium, tool, same_site_lms):
    same_site_lms.storage_silent = True
    page, launches = _open_course(chromium, tool, same_site_lms)

    frame = _tool_frame(page, re.compile(re.escape(tool.url) + r"/(\?|modules|$)"))
    frame.wait_for_selector("[data-testid=user]")
    assert launches == [("launch", 303)]  # the state cookie came back: no check page
