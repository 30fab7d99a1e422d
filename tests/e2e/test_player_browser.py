"""The module player in real headless Chromium: a full module, keyboard use, 320 px, axe-core."""

from __future__ import annotations

import io
import json
import re
import statistics
from urllib.parse import urlencode

import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, expect

from lms_plugin.db import db
from lms_plugin.services import grades
from tests.support.axe import axe_violations
from tests.support.content_keys import L1M1, module, right_answer
from tests.support.outages import database_refuses_connections
from tests.support.words import broken_words

pytestmark = pytest.mark.e2e

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"


def open_launch(
    chromium: Browser,
    tool,
    platform,
    *,
    width: int = 1024,
    mod: str = L1M1,
    login_hint: str = "learner-1",
) -> tuple[Page, list[str]]:
    """A page inside a fresh browser context, launched from the LMS at the module link."""
    context = chromium.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    hint = json.dumps({CUSTOM: {"module": mod}})
    query = urlencode(platform.login_params(login_hint, lti_message_hint=hint))
    page.goto(f"{tool.url}/lti/login?{query}")
    # A learner lands on the module; the course's staff on their instructor home.
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/(modules|instructor)/"))
    return page, requested


def test_full_module_in_the_browser(chromium, tool, platform):
    mod = module(L1M1)
    page, requested = open_launch(chromium, tool, platform)
    expect(page.get_by_role("heading", level=1)).to_have_text(mod.title)
    expect(page.get_by_test_id("user")).to_have_text("Lena Learner")
    assert axe_violations(page) == []

    for lesson in mod.lessons:  # read every lesson through the links
        page.get_by_role("link", name=lesson.title).first.click()
        expect(page.locator("article.lesson h1")).to_have_text(lesson.title)
        page.get_by_role("link", name="Module overview").click()
    expect(
        page.get_by_text(f"{len(mod.lessons)} of {len(mod.lessons)} lessons read")
    ).to_be_visible()

    page.get_by_role("button", name="Start attempt 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz — attempt 1")
    assert axe_violations(page) == []
    for fieldset in page.locator("fieldset.item").all():
        answer_item(page, fieldset)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_test_id("grading")).to_contain_text("submitted and being graded")
    stored = tool.rows("SELECT status, answers FROM quiz_attempt")
    assert stored[0][0] == "submitted" and len(stored[0][1]) == mod.quiz.draw

    page.get_by_role("link", name="Back to the module").click()
    with page.expect_navigation():  # loaded: the deferred editor script listens before we type
        page.get_by_role("link", name="Open the assignment").click()
    assert axe_violations(page) == []
    status = page.locator("#autosave")
    separator = "s => getComputedStyle(s, '::before').content"
    expect(status.locator("..")).to_have_text(re.compile(r"^0 words of \d+$"))  # nothing dangles
    assert status.evaluate(separator) == "none"
    editor = page.get_by_label(re.compile("Your answer"))
    editor.fill("## My role map\n\nI support <b>others</b> to implement. <script>x()</script>")
    expect(page.locator("#wordcount")).to_contain_text("words of")
    expect(status).to_contain_text("Draft saved", timeout=10_000)
    assert status.evaluate(separator) == '" · "'
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-title")).to_be_visible()
    assert page.locator("#preview script").count() == 0
    expect(page.locator("#preview .preview-body h2")).to_have_text("My role map")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Submitted")
    assert tool.rows("SELECT round, status FROM assignment_submission") == [(1, "submitted")]
    assert tool.rows("SELECT text FROM assignment_draft")[0][0].endswith("<script>x()</script>")

    foreign = [u for u in requested if not u.startswith((tool.url, platform.url))]
    assert foreign == [], foreign


def answer_item(page: Page, fieldset) -> None:
    """Answer one question with the key from the content files, as a person would."""
    item_id = fieldset.get_attribute("id").removeprefix("item-")
    item = module(L1M1).item(item_id)
    answer = right_answer(item)
    name = f"q-{item_id}"
    if item.type == "single_choice":
        fieldset.locator(f'input[name="{name}"][value="{answer}"]').check()
    elif item.type == "multi_select":
        for choice in answer:
            fieldset.locator(f'input[name="{name}"][value="{choice}"]').check()
    elif item.type == "ordering":
        for position, entry in enumerate(answer, start=1):
            fieldset.locator(f'select[name="{name}-{entry}"]').select_option(str(position))
    elif item.type == "matching":
        for left, right in answer.items():
            fieldset.locator(f'select[name="{name}-{left}"]').select_option(right)
    else:
        fieldset.locator(f'input[name="{name}"]').fill(str(answer))


def test_keyboard_only_skip_link_and_quiz(chromium, tool, platform):
    page, _ = open_launch(chromium, tool, platform)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    start = page.get_by_role("button", name="Start attempt 1")
    for _ in range(60):  # Tab until the start button has focus, then press Enter
        page.keyboard.press("Tab")
        if start.evaluate("b => b === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz — attempt 1")
    first_radio = page.locator("input[type=radio]").first
    first_radio.focus()
    page.keyboard.press("Space")
    expect(first_radio).to_be_checked()


@pytest.mark.parametrize("path", ["module", "attempt", "assignment", "overview", "lesson"])
def test_pages_fit_320px_and_pass_axe(chromium, tool, platform, path):
    page, _ = open_launch(chromium, tool, platform, width=320)
    mod = module(L1M1)
    if path == "attempt":
        page.get_by_role("button", name="Start attempt 1").click()
    elif path == "assignment":
        page.get_by_role("link", name="Open the assignment").click()
    elif path == "overview":
        page.get_by_role("link", name="Certificate").click()
    elif path == "lesson":
        page.get_by_role("link", name=mod.lessons[0].title).first.click()
    page.wait_for_load_state()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"{path} scrolls sideways at 320 px ({width}px)"
    assert axe_violations(page) == []


def test_level_2_module_shows_the_lock_and_what_is_missing(chromium, tool, platform):
    level2 = next(iter(p for p in module.__globals__["catalogue"]().programs if p.level == 2))
    page, _ = open_launch(chromium, tool, platform, mod=level2.modules[0].slug)
    expect(page.get_by_role("heading", name="This module is locked")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Pass the quiz")
    assert page.get_by_role("button", name=re.compile("Start attempt")).count() == 0
    assert axe_violations(page) == []


def test_deep_linking_picker_in_the_browser_posts_back_to_the_lms(chromium, tool, platform):
    context = chromium.new_context(viewport={"width": 800, "height": 900}, bypass_csp=True)
    page = context.new_page()
    claim = "https://purl.imsglobal.org/spec/lti/claim/"
    hint = json.dumps(
        {
            claim + "message_type": "LtiDeepLinkingRequest",
            claim + "resource_link": None,
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": platform.url + "/dl/return",
                "accept_types": ["ltiResourceLink"],
                "accept_multiple": True,
            },
        }
    )
    page.goto(
        f"{tool.url}/lti/login?"
        + urlencode(platform.login_params("teacher-1", lti_message_hint=hint))
    )
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/deep-link"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add modules to your course")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add to course").click()  # nothing ticked yet
    expect(page.get_by_role("alert")).to_have_text("Choose at least one module.")
    assert axe_violations(page) == []
    page.get_by_label(re.compile(module(L1M1).title)).check()
    with page.expect_request(platform.url + "/dl/return") as returned:
        page.get_by_role("button", name="Add to course").click()
    assert "JWT=" in (returned.value.post_data or "")
    context.close()


@pytest.mark.parametrize("path", ["/instructor/", "/instructor/cohort"])
def test_instructor_pages_pass_axe_at_320px(chromium, tool, platform, path):
    page, _ = open_launch(chromium, tool, platform, width=320, login_hint="teacher-1")
    page.goto(tool.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert axe_violations(page) == []
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"{path} scrolls sideways at 320 px ({width}px)"


def _lesson_tables_on_a_phone(chromium, tool, platform) -> tuple[Page, Locator]:
    """The first M1 lesson with Markdown tables, at 320 px: the page and its tables' boxes."""
    page, _ = open_launch(chromium, tool, platform, width=320)
    lesson = next(les for les in module(L1M1).lessons if "|---" in les.markdown)
    page.get_by_role("link", name=lesson.title).first.click()
    page.wait_for_load_state()
    boxes = page.locator(".lesson .table-scroll")
    expect(boxes.first).to_be_visible()
    return page, boxes


def test_a_lesson_table_keeps_its_words_whole_on_a_phone(chromium, tool, platform):
    """At 320 px a wide table scrolls in its own box, which the keyboard can reach, instead of
    breaking its words ("Meas|ure", "Pro|cto|r") or the page's width."""
    page, boxes = _lesson_tables_on_a_phone(chromium, tool, platform)
    for n in range(boxes.count()):
        box = boxes.nth(n)
        assert broken_words(box) == [], f"table {n + 1} breaks words"
        assert box.get_attribute("tabindex") == "0"
    assert any(
        boxes.nth(n).evaluate("b => b.scrollWidth > b.clientWidth") for n in range(boxes.count())
    ), "no table is wider than a phone: the check checks nothing"
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"the lesson scrolls sideways at 320 px ({width}px)"
    assert axe_violations(page) == []


def _edge_shades(box: Locator, strip: int = 4) -> tuple[float, float]:
    """How dark the box's left and right edges look on screen (0 white, 255 black): the median
    of a few pixels' columns, which a cell border or a letter does not move."""
    image = Image.open(io.BytesIO(box.screenshot())).convert("L")
    width, height = image.size

    def shade(left: int) -> float:
        pixels = [image.getpixel((x, y)) for x in range(left, left + strip) for y in range(height)]
        return 255 - statistics.median(pixels)

    return shade(0), shade(width - strip)


def test_a_table_wider_than_a_phone_shows_a_shadow_where_there_is_more(chromium, tool, platform):
    """Nothing else says that a table scrolls: the edge with more table beyond it is shaded."""
    _, boxes = _lesson_tables_on_a_phone(chromium, tool, platform)
    wide = next(
        boxes.nth(n)
        for n in range(boxes.count())
        if boxes.nth(n).evaluate("b => b.scrollWidth > b.clientWidth + 40")
    )
    wide.scroll_into_view_if_needed()

    left, right = _edge_shades(wide)
    assert right > left + 20, f"at the start: left {left}, right {right}"
    wide.evaluate("b => { b.scrollLeft = b.scrollWidth }")
    left, right = _edge_shades(wide)
    assert left > right + 20, f"at the end: left {left}, right {right}"


@pytest.mark.parametrize("width", [375, 1280])
def test_try_again_and_its_hint_never_wrap_around_each_other(chromium, tool, platform, width):
    """Under a graded attempt, "Try again" and the line beside it: side by side where they fit,
    the line whole under the button on a phone, never a sentence wrapped around the button."""
    page, _ = open_launch(chromium, tool, platform, width=width)
    page.get_by_role("button", name="Start attempt 1").click()
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_test_id("grading")).to_be_visible()
    with tool.app.app_context():
        assert grades.grade_submitted(db.session()).attempts == 1
    page.reload()
    button = page.get_by_role("button", name="Try again")
    hint = page.get_by_text("New questions are drawn from the pool.")
    expect(hint).to_be_visible()
    assert hint.evaluate("e => e.getClientRects().length") == 1, "the hint wraps as a line"
    button_box, hint_box = button.bounding_box(), hint.bounding_box()
    assert button_box is not None and hint_box is not None
    beside = hint_box["x"] >= button_box["x"] + button_box["width"]
    below = hint_box["y"] >= button_box["y"] + button_box["height"]
    assert beside if width == 1280 else below, (width, button_box, hint_box)
    expect(page.get_by_test_id("checks").first).to_be_visible()  # keys hidden: what each checks
    assert axe_violations(page) == []


def test_a_draft_that_did_not_reach_the_server_is_saved_again_by_itself(chromium, tool, platform):
    """The connection drops as the draft is sent (the browser's network, outside the tool): the
    editor says so, and saves it again without the learner typing another word."""
    page, _ = open_launch(chromium, tool, platform)
    with page.expect_navigation():  # loaded: the deferred editor script listens before we type
        page.goto(f"{tool.url}/modules/{L1M1}/assignment")
    dropped: list[str] = []

    def drop_the_first(route) -> None:
        if not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/assignment/draft", drop_the_first)
    page.get_by_label(re.compile("Your answer")).fill("Part 1: my role, written in one go.")
    status = page.locator("#autosave")
    expect(status).to_contain_text("Not saved (connection problem). Trying again in 10 seconds")
    expect(status).to_have_class(re.compile(r"\bunsaved\b"))  # in the warning colour
    expect(status).to_contain_text("Draft saved", timeout=20_000)
    expect(status).not_to_have_class(re.compile(r"\bunsaved\b"))
    assert axe_violations(page) == []
    assert len(dropped) == 1
    assert tool.rows("SELECT text FROM assignment_draft") == [
        ("Part 1: my role, written in one go.",)
    ]


def test_a_draft_the_tool_could_not_store_is_saved_after_its_retry_after(chromium, tool, platform):
    """PostgreSQL stops taking connections as the draft is sent: the tool answers 503 with
    Retry-After, the editor says when it tries again, and saves it then by itself."""
    page, _ = open_launch(chromium, tool, platform)
    with page.expect_navigation():  # loaded: the deferred editor script listens before we type
        page.goto(f"{tool.url}/modules/{L1M1}/assignment")
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if "/draft" in r.url else None)
    status = page.locator("#autosave")
    with database_refuses_connections(tool):
        page.get_by_label(re.compile("Your answer")).fill("Written while the database was away.")
        expect(status).to_contain_text(
            "Not saved yet: the tool could not store it just now. Trying again in 30 seconds"
        )
    assert answers == [503]
    expect(status).to_contain_text("Draft saved", timeout=45_000)  # no key pressed since
    assert tool.rows("SELECT text FROM assignment_draft") == [
        ("Written while the database was away.",)
    ]


def test_a_draft_refused_by_something_other_than_the_tool_says_what_it_knows(
    chromium, tool, platform
):
    """A proxy before the tool answers the draft's save with its own bare 404 (no JSON message):
    the editor says the save failed, with the status, and to keep the text. It said "Not saved:
    undefined"."""
    page, _ = open_launch(chromium, tool, platform)
    with page.expect_navigation():  # loaded: the deferred editor script listens before we type
        page.goto(f"{tool.url}/modules/{L1M1}/assignment")
    page.route("**/assignment/draft", lambda route: route.fulfill(status=404, body=""))
    page.get_by_label(re.compile("Your answer")).fill("Part 1: my role.")
    status = page.locator("#autosave")
    expect(status).to_contain_text("Not saved: the tool answered with an error (404)")
    expect(status).not_to_contain_text("undefined")
    expect(status).to_have_class(re.compile(r"\bunsaved\b"))
