"""Inside the LMS frame, in real Chromium under the tool's real CSP: the pages post
``lti.frameResize`` with their content's height as it grows and shrinks, so the LMS can fit its
iframe; and times are shown in the reader's time zone (static/frame.js)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import requests
from babel.dates import format_date
from playwright.sync_api import Browser, Frame, Page, expect

from tests.support.content_keys import L1M1
from tests.support.credential_http import credential_of, issue

pytestmark = pytest.mark.e2e
CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"

RECORD = """
window.__resizes = [];
window.addEventListener("message", function (e) {
  if (e.data && e.data.subject === "lti.frameResize") {
    window.__resizes.push({height: e.data.height, origin: e.origin});
  }
});
"""


def course_page(chromium: Browser, tool, platform) -> tuple[Page, Frame]:
    """The test LMS's course page with the tool launched in its iframe (cookies work: the LMS
    and the tool are on the same site), recording the messages the tool posts to it."""
    page = chromium.new_context(viewport={"width": 1100, "height": 900}).new_page()
    page.add_init_script(RECORD)
    login = f"{tool.url}/lti/login?" + urlencode(platform.login_params("learner-1"))
    in_tool = re.compile(re.escape(tool.url) + r"/(\?|$)")  # the overview, after the launch
    with page.expect_event("framenavigated", lambda f: bool(in_tool.search(f.url))) as landed:
        page.goto(f"{platform.url}/course?" + urlencode({"login": login}))
    frame = landed.value
    frame.wait_for_selector("h1")
    return page, frame


def wait_for_height(page: Page, test: str, height: int) -> None:
    page.wait_for_function(
        f"h => window.__resizes.length && window.__resizes.at(-1).height {test} h",
        arg=height,
        timeout=10_000,
    )


def test_the_page_asks_the_lms_to_fit_its_iframe_as_the_content_grows_and_shrinks(
    chromium, tool, platform
):
    page, frame = course_page(chromium, tool, platform)
    measure = "() => Math.ceil(document.documentElement.getBoundingClientRect().height)"
    first = frame.evaluate(measure)
    assert first > 300  # the certificate overview, not an empty frame
    wait_for_height(page, "===", first)
    assert page.evaluate("window.__resizes.at(-1).origin") == tool.url

    frame.evaluate(
        "() => { const d = document.createElement('div'); d.id = 'tall';"
        " d.style.height = '1500px'; document.querySelector('main').append(d); }"
    )
    wait_for_height(page, ">=", first + 1500)
    grown = page.evaluate("window.__resizes.at(-1).height")

    # The LMS does what Canvas does: the iframe takes the height asked for, and then nothing
    # inside scrolls; the measure is the content's, so the new frame size asks for nothing new.
    page.evaluate(f"document.getElementById('tool').height = {grown}")
    frame.wait_for_function(f"() => window.innerHeight === {grown}")
    assert frame.evaluate("document.documentElement.scrollHeight") <= grown
    assert frame.evaluate(measure) == grown

    frame.evaluate("() => document.getElementById('tall').remove()")
    wait_for_height(page, "===", first)  # shrinking is asked for too


def test_a_page_opened_outside_an_lms_posts_nothing(chromium, tool, platform):
    credential_id = issue(tool, platform)
    page = chromium.new_context().new_page()
    page.add_init_script(RECORD)
    page.goto(f"{tool.url}/credentials/{credential_id}")
    page.wait_for_selector("h1")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.evaluate("window.__resizes") == []


EVENING_UTC = "2026-12-05 20:30:00+00"  # already 6 December in Tokyo, still 5th in Los Angeles


@pytest.mark.parametrize(
    ("zone", "locale", "day", "offset"),
    [
        ("Asia/Tokyo", "en-US", "December 6, 2026", "GMT+9"),
        ("America/Los_Angeles", "en-US", "December 5, 2026", "PST"),
        ("Europe/London", "en-GB", "5 December 2026", "GMT"),  # the reader's English
        ("UTC", "fr-FR", "5 décembre 2026", "UTC"),  # a French browser: the French page
    ],
)
def test_times_are_shown_in_the_readers_time_zone(
    chromium, tool, platform, zone, locale, day, offset
):
    credential_id = issue(tool, platform)
    tool.rows(f"UPDATE award SET issued_at = '{EVENING_UTC}' RETURNING id")
    url = f"{tool.url}/credentials/{credential_id}"
    served = requests.get(url, timeout=10).text  # what a browser without scripts shows
    assert re.search(
        r'<time datetime="2026-12-05T20:30:00\+00:00" data-local="date">December 5, 2026<', served
    )
    valid_from = datetime.fromisoformat(credential_of(tool, credential_id)["validFrom"])
    assert re.search(r'valid since <time datetime="[^"]+" data-local="date">', served)

    page = chromium.new_context(timezone_id=zone, locale=locale).new_page()
    page.goto(url)
    earned = page.locator(".earned time[data-local=date]")
    page.wait_for_function(
        "() => document.querySelector('time[data-local=date]').dataset.localised"
    )
    assert earned.inner_text() == day
    assert offset in (earned.get_attribute("title") or "")
    # The check's "valid since" is the same kind of date, written the same way in the same zone.
    since = page.get_by_test_id("check").locator("time[data-local=date]")
    expect(since).to_have_text(
        format_date(valid_from.astimezone(ZoneInfo(zone)), "long", locale=locale.replace("-", "_"))
    )
    checked = page.locator("time[data-local=time]").inner_text()
    assert re.fullmatch(r"\d{1,2}:\d{2}(\s?[AP]M)?", checked), checked  # not "HH:MM UTC"


def test_the_assignment_says_when_the_draft_was_saved_in_the_readers_time_zone(
    chromium, tool, platform
):
    context = chromium.new_context(timezone_id="Asia/Tokyo", locale="en-US")
    page = context.new_page()
    hint = json.dumps({CUSTOM: {"module": L1M1}})
    page.goto(f"{tool.url}/lti/login?" + urlencode(platform.login_params(lti_message_hint=hint)))
    with page.expect_navigation():  # loaded: the deferred editor script listens before we type
        page.get_by_role("link", name="Open the assignment").click()
    page.get_by_label(re.compile("Your answer")).fill("My role map.")
    expect(page.locator("#autosave")).to_contain_text("Draft saved", timeout=10_000)
    [(saved_at,)] = tool.rows("SELECT saved_at FROM assignment_draft")
    tokyo = saved_at.astimezone(ZoneInfo("Asia/Tokyo"))
    shown = f"{tokyo:%-I:%M} {tokyo:%p}"
    assert page.locator("#autosave").inner_text().replace("\u202f", " ") == f"Draft saved {shown}"

    page.reload()  # now from the server: a <time> the page shows in Tokyo time
    saved = page.locator("#autosave time[data-local=datetime]")
    expect(saved).to_have_attribute("data-localised", re.compile("."))
    assert saved.inner_text().replace("\u202f", " ").endswith(shown)
    assert f"{tokyo:%b} {tokyo.day}, {tokyo.year}" in saved.inner_text()
