"""A learner in real headless Chromium (issue 14 §5-§7): launch → quiz → "Grading…" turning into
the score and the feedback by itself (no reload) → the next step on the overview, which takes
them to the assignment. axe-core on every page; screenshots at 375 and 1280 px kept in the
test's directory (and looked at when the pages change)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from lms_plugin.db import db
from lms_plugin.services import grades
from tests.e2e.test_player_browser import answer_item, open_launch
from tests.support.axe import axe_violations
from tests.support.content_keys import L1M1, module

pytestmark = pytest.mark.e2e

SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots" / "learner"


def grade_now(tool) -> int:
    """The grading drain, as the worker runs it (the page is not told: it polls)."""
    with tool.app.app_context():
        return grades.grade_submitted(db.session()).attempts


def shoot(page: Page, name: str, width: int) -> Path:
    """A full-page screenshot at ``width``; the page must not scroll sideways."""
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{name} scrolls sideways at {width} px ({scroll}px)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    with Image.open(path) as image:
        assert image.size[0] == width
    return path


def take_the_quiz(page: Page) -> str:
    """Start attempt 1 from the module page, leave question 1 blank and answer the others
    right (90%: passed), submit; the attempt's URL."""
    page.get_by_role("button", name="Start attempt 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz — attempt 1")
    for fieldset in page.locator("fieldset.item").all()[1:]:
        answer_item(page, fieldset)
    page.get_by_role("button", name="Submit answers").click()
    return page.url


def test_quiz_result_arrives_by_itself_then_the_next_step_leads_on(chromium, tool, platform):
    page, _ = open_launch(chromium, tool, platform, width=1280)
    attempt_url = take_the_quiz(page)
    expect(page.get_by_test_id("grading")).to_contain_text("Grading…")
    assert axe_violations(page) == []
    shoot(page, "attempt-grading", 1280)
    page.evaluate("() => { window.stillTheSamePage = true; }")

    assert grade_now(tool) == 1

    score = page.get_by_role("heading", name=re.compile("Your score"))
    expect(score).to_have_text("Your score: 90%", timeout=20_000)
    assert page.evaluate("() => window.stillTheSamePage") is True  # no reload
    assert page.url == attempt_url
    expect(page.locator("[data-live-note]")).to_have_text("Your score: 90%")
    expect(page.get_by_test_id("result")).to_have_count(module(L1M1).quiz.draw)
    blank = page.locator('[data-testid="result"][data-verdict="unanswered"]')
    expect(blank).to_have_count(1)
    expect(blank).to_contain_text("Question 1: not answered")
    expect(blank.get_by_test_id("your-answer")).to_have_text("Your answer: no answer given.")
    # passed: the key is shown where the answer was not right, and only there
    expect(page.get_by_test_id("correct-answer")).to_have_count(1)
    expect(blank.get_by_test_id("correct-answer")).to_contain_text("Correct answer:")
    expect(page.get_by_test_id("attempts-left")).to_have_text("2 attempts left of 3.")
    assert page.locator("[data-poll-url]").count() == 0  # settled: polling stopped
    assert axe_violations(page) == []
    shoot(page, "attempt-result", 1280)

    page.get_by_role("link", name="Back to the module").click()
    expect(page.get_by_test_id("grade-text")).to_have_text("45 out of 100")
    expect(page.get_by_test_id("module-grade")).to_contain_text("counts toward Level 1")
    assert axe_violations(page) == []
    shoot(page, "module", 1280)

    page.get_by_role("link", name="Certificate").click()
    step = page.get_by_test_id("next-step")
    title = module(L1M1).assignment.title  # type: ignore[union-attr]
    expect(step).to_contain_text(f"Write the assignment of Level 1, Module 1: “{title}”.")
    assert axe_violations(page) == []
    shoot(page, "overview", 1280)
    step.get_by_role("link", name="Open the assignment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_the_pages_at_375_px(chromium, tool, platform):
    page, _ = open_launch(chromium, tool, platform, width=375)
    take_the_quiz(page)
    expect(page.get_by_test_id("grading")).to_be_visible()
    shoot(page, "attempt-grading", 375)
    grade_now(tool)
    expect(page.get_by_role("heading", name=re.compile("Your score"))).to_be_visible(timeout=20_000)
    assert axe_violations(page) == []
    shoot(page, "attempt-result", 375)
    page.get_by_role("link", name="Back to the module").click()
    expect(page.get_by_test_id("module-grade")).to_be_visible()
    shoot(page, "module", 375)
    page.get_by_role("link", name="Certificate").click()
    expect(page.get_by_test_id("next-step")).to_be_visible()
    assert axe_violations(page) == []
    shoot(page, "overview", 375)


def test_the_overview_updates_itself_while_a_quiz_is_graded(chromium, tool, platform):
    page, _ = open_launch(chromium, tool, platform, width=1024)
    take_the_quiz(page)
    page.get_by_role("link", name="Certificate").click()
    first = page.locator(f'li[data-module="{L1M1}"]')
    expect(first).to_contain_text("Quiz grading…")
    expect(page.get_by_test_id("next-text")).to_contain_text("is being graded")

    grade_now(tool)

    expect(first).to_contain_text("Grade 45 out of 100", timeout=20_000)
    expect(page.get_by_test_id("next-text")).to_contain_text(
        "Write the assignment of Level 1, Module 1"
    )
    assert axe_violations(page) == []


@pytest.mark.parametrize("width", [375, 1280])
def test_an_error_page_says_what_to_do_with_a_way_back(chromium, tool, platform, width):
    page, _ = open_launch(chromium, tool, platform, width=width)
    page.goto(tool.url + "/modules/no-such-module")
    expect(page.get_by_role("heading", level=1)).to_contain_text("no module 'no-such-module'")
    expect(page.get_by_test_id("what-to-do")).to_contain_text("open the activity again")
    expect(page.get_by_test_id("reference")).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    assert axe_violations(page) == []
    shoot(page, "error-404", width)
    page.get_by_role("link", name="Back to the certificate overview").click()
    expect(page.get_by_test_id("next-step")).to_be_visible()
