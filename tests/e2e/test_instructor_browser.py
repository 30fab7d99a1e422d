"""The instructor's flow in real headless Chromium: launch -> home -> review with the keyboard
and the mouse -> save and next -> the outcomes in the queue; axe on every page, screenshots
at 1280 and 375 px, nothing scrolls sideways on a phone."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from lms_plugin.db import db
from lms_plugin.services import grades
from tests.support.axe import axe_violations
from tests.support.content_keys import L1M1, module
from tests.support.learners import api_launch, submit_quiz
from tests.support.outages import database_refuses_connections
from tests.support.reviews import submitted

pytestmark = pytest.mark.e2e


def instructor_launch(chromium: Browser, tool, platform, width: int) -> Page:
    """An instructor opening the tool's link from the course, as the LMS launches it."""
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{tool.url}/lti/login?{urlencode(platform.login_params('teacher-1'))}")
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/instructor/"))
    return page


def roster_sync(tool, status: str, *, done: int, total: int) -> None:
    """A roster sync of the launched course in this state, as the instructor's button records
    it, in place of the first sync the instructor's launch started (no worker runs it here)."""
    context_id = tool.rows("SELECT id FROM lti_context")[0][0]
    tool.rows(f"DELETE FROM job_run WHERE context_id = {context_id} RETURNING id")
    tool.rows(
        "INSERT INTO job_run (kind, context_id, status, done, total, created_at) VALUES "
        f"('roster_sync', {context_id}, '{status}', {done}, {total}, CURRENT_TIMESTAMP) "
        "RETURNING id"
    )


def fits(page: Page, width: int) -> None:
    scrolled = page.evaluate("() => document.documentElement.scrollWidth")
    assert scrolled <= width, f"{page.url} scrolls sideways at {width} px ({scrolled}px)"


def test_launch_home_review_save_and_next_then_the_queue(chromium, tool, platform, tmp_path):
    submitted(tool, platform, user="a1")
    submitted(tool, platform, user="a2")
    criteria = module(L1M1).assignment.criteria
    page = instructor_launch(chromium, tool, platform, 1280)

    expect(page.get_by_role("heading", level=1)).to_have_text("ISP Certificate course-101")
    expect(page.get_by_test_id("home-reviews")).to_contain_text("2 submissions waiting")
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "home-1280.png"), full_page=True)
    # The switch to the learner's view, and back.
    page.get_by_role("link", name="View as learner").click()
    expect(page.get_by_test_id("view-as")).to_contain_text("as a learner sees it")
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "view-as-learner-1280.png"))
    page.get_by_role("link", name="Back to the instructor home").click()
    expect(page.get_by_test_id("home-reviews")).to_be_visible()

    page.get_by_role("link", name="Review the oldest").click()
    expect(page.get_by_test_id("learner")).to_contain_text("Learner a1")
    assert axe_violations(page) == []
    # The keyboard: Tab reaches a criterion, 1-4 choose its level, n saves and opens the next.
    page.get_by_test_id("criterion").first.locator("input").first.focus()
    for index, fieldset in enumerate(page.get_by_test_id("criterion").all()):
        if index:
            page.keyboard.press("Tab")  # on to the next criterion's levels
            if page.evaluate("document.activeElement.tagName") == "SUMMARY":
                page.keyboard.press("Tab")  # past the last one's scoring notes
        level = "3" if index else "1"
        page.keyboard.press(level)
        expect(fieldset.locator(f'input[value="{level}"]')).to_be_checked()
        expect(fieldset.locator(f'input[value="{level}"]')).to_be_focused()
    expect(page.get_by_test_id("tally")).to_contain_text(
        "Below the pass rule: " + criteria[0].title
    )
    page.get_by_test_id("criterion").first.locator('input[value="1"]').focus()
    page.keyboard.press("4")
    total = 3 * (len(criteria) - 1) + 4
    expect(page.get_by_test_id("tally")).to_contain_text(f"Total {total} of {4 * len(criteria)}")
    expect(page.get_by_test_id("tally")).to_contain_text("Meets the pass rule.")
    page.get_by_label("Feedback for the learner").fill("Clear role map.")
    page.get_by_label("Pass", exact=True).focus()
    page.keyboard.press("Space")
    page.screenshot(path=str(tmp_path / "review-1280.png"), full_page=True)
    page.keyboard.press("n")

    expect(page.get_by_test_id("saved")).to_contain_text("Saved: Learner a1, round 1")
    expect(page.get_by_test_id("saved")).to_contain_text("Passed")
    expect(page.get_by_test_id("learner")).to_contain_text("Learner a2")
    assert axe_violations(page) == []
    # The mouse: a click on a cell chooses it.
    # Every criterion at Developing (2): at the level, under the mean (the browser's sentences
    # mirror domain/rubric.py).
    fieldsets = page.get_by_test_id("criterion").all()
    fieldsets[0].locator("label.cell").nth(1).click()
    expect(page.get_by_test_id("tally")).to_contain_text(
        f"a mean of 3.0 needs a total of {3 * len(criteria)} or more."
    )
    for fieldset in fieldsets[1:]:
        fieldset.locator("label.cell").nth(1).click()
    expect(page.get_by_test_id("tally")).to_contain_text(
        f"Total {2 * len(criteria)} of {4 * len(criteria)} (50%), mean 2.0."
    )
    expect(page.get_by_test_id("tally")).to_contain_text(
        "Below the pass rule: the mean 2.0 is under 3.0."
    )
    # Grader support, folded beside the criteria that have it.
    support = page.get_by_test_id("grader-support").first
    support.locator("summary").click()
    expect(support.locator("dl.exemplars dt")).to_have_count(4)
    page.get_by_text("Revise and resubmit").click()
    page.get_by_role("button", name="Save and next").click()

    expect(page.get_by_test_id("saved")).to_contain_text(
        "No other assignment is waiting for review."
    )
    outcomes = page.get_by_test_id("outcome")
    expect(outcomes).to_have_text(["Revision requested (50%)", "Passed (81.25%)"])
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "queue-1280.png"), full_page=True)
    assert tool.rows("SELECT status FROM assignment_submission ORDER BY id") == [
        ("passed",),
        ("revise",),
    ]
    # A reviewed round opens read only: who reviewed it, the levels chosen, the feedback.
    page.get_by_role("link", name="Open Learner a1, round 1").click()
    expect(page.get_by_test_id("reviewed")).to_contain_text("Reviewed by Theo Teacher")
    expect(page.locator(".cell-chosen")).to_have_count(len(criteria))
    expect(page.get_by_text("Clear role map.")).to_be_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "reviewed-1280.png"), full_page=True)


@pytest.mark.parametrize("where", ["home", "review", "queue", "gradebook"])
def test_instructor_pages_at_375px(chromium, tool, platform, tmp_path, where):
    submission = submitted(tool, platform)
    if where == "gradebook":  # a graded quiz: a grade for the table to list
        submit_quiz(api_launch(tool, platform, user="q1"), tool)
        with tool.app.app_context():
            grades.grade_submitted(db.session())
    page = instructor_launch(chromium, tool, platform, 375)
    path = {
        "home": "/instructor/",
        "review": f"/instructor/reviews/{submission}",
        "queue": "/instructor/reviews?status=all",
        "gradebook": "/instructor/gradebook",
    }[where]
    page.goto(tool.url + path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    fits(page, 375)
    if where == "gradebook":  # each grade's status shows under its learner, labelled
        status = page.get_by_test_id("sync").first
        expect(status).to_be_visible()
        box = status.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 375, box
        assert status.evaluate("td => getComputedStyle(td, '::before').content").startswith(
            '"In the LMS gradebook'
        )
    if where == "queue":  # each row opens from what a phone shows of it, not off to the right
        row = page.get_by_role("link", name=re.compile(r"^Review .+, round 1$"))
        box = row.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 375, box
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"{where}-375.png"), full_page=True)


TABLE = """Part 3: Baseline self-assessment

| Competency | Rating | Example |
|---|---|---|
| Co-learning | 3 | Ran a joint review of visit records with two supervisors in March. |
| Brokering | 2 | Connected one team with the training centre; follow-up was slow. |
| Growing and sustaining relationships | 3 | Monthly check-ins with each supervisor since January. |
"""


@pytest.mark.parametrize("width", [1280, 375, 320])  # 320: WCAG 2.2's reflow width
def test_a_submitted_table_keeps_its_header_words_whole(chromium, tool, platform, tmp_path, width):
    """The table scrolls in its own region; the page around it never scrolls sideways."""
    submission = submitted(tool, platform, text=TABLE)
    page = instructor_launch(chromium, tool, platform, width)
    page.goto(f"{tool.url}/instructor/reviews/{submission}")

    headers = page.locator(".submitted-text th")
    expect(headers).to_have_text(["Competency", "Rating", "Example"])
    lines = headers.evaluate_all(
        """ths => ths.map(th => {
            const range = document.createRange();
            range.selectNodeContents(th);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
        })"""
    )
    assert lines == [1, 1, 1], f"a header word broke across lines at {width} px: {lines}"
    fits(page, width)
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"table-{width}.png"), full_page=True)


def test_the_roster_sync_progress_waits_out_a_database_outage_and_shows_the_end(
    chromium, tool, platform
):
    """While the sync runs, the page polls its progress. PostgreSQL stops taking connections for
    a while: the polls get the tool's 503, and the page waits it out, then shows the end. It
    reloaded on the 503's JSON into the error page, and polled no more."""
    page = instructor_launch(chromium, tool, platform, 1280)
    roster_sync(tool, "running", done=1, total=3)
    page.goto(tool.url + "/instructor/cohort")
    expect(page.locator("#job[data-status=running]")).to_be_visible()
    answers: list[int] = []
    page.on("response", lambda r: answers.append(r.status) if "/jobs/" in r.url else None)
    with database_refuses_connections(tool):
        page.wait_for_timeout(4000)  # the page polls every 1.5 s: they meet the outage
    assert 503 in answers, answers
    expect(page.locator("#job[data-status=running]")).to_be_visible()  # still the page
    tool.rows("UPDATE job_run SET status = 'done', done = 3 RETURNING id")
    expect(page.locator("#job")).to_contain_text("Last roster sync: done", timeout=15_000)


def test_a_queued_roster_sync_is_followed_until_it_ends(chromium, tool, platform):
    """A sync still waiting for a worker when the page opens is followed as a running one is: the
    page polls and shows the end by itself. It showed "queued" until the instructor reloaded."""
    page = instructor_launch(chromium, tool, platform, 1280)
    roster_sync(tool, "queued", done=0, total=0)
    page.goto(tool.url + "/instructor/cohort")
    expect(page.locator("#job[data-status=queued]")).to_contain_text("Last roster sync: queued")
    page.wait_for_timeout(2000)  # a poll or more while it waits: the page stays
    expect(page.locator("#job[data-status=queued]")).to_be_visible()
    tool.rows("UPDATE job_run SET status = 'running', done = 1, total = 3 RETURNING id")
    expect(page.locator("#job")).to_contain_text("1", timeout=15_000)
    tool.rows("UPDATE job_run SET status = 'done', done = 3 RETURNING id")
    expect(page.locator("#job")).to_contain_text("Last roster sync: done", timeout=15_000)


def test_a_sync_that_does_not_move_is_polled_less_and_less(chromium, tool, platform):
    """A sync queued with no worker free: the open page asks for its status further and further
    apart (up to every 15 s), not every 1.5 s for as long as the tab stays open. A minute of the
    page's time runs on Playwright's clock; the status requests are real."""
    page = instructor_launch(chromium, tool, platform, 1280)
    roster_sync(tool, "queued", done=0, total=0)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/jobs/" in r.url else None)
    page.clock.install()
    page.goto(tool.url + "/instructor/cohort")
    expect(page.locator("#job[data-status=queued]")).to_be_visible()
    for _ in range(60):  # a minute of the page's time, a second at a time
        page.clock.run_for(1000)
        page.wait_for_timeout(50)  # the answer of a poll that went out arrives
    assert 4 <= len(polls) <= 12, len(polls)  # every 1.5 s, it was 30 or more
    expect(page.locator("#job[data-status=queued]")).to_be_visible()


def test_the_home_follows_the_courses_first_roster_sync_to_who_never_launched(
    chromium, tool, platform
):
    """The instructor's launch starts the course's first roster sync; the home says it runs,
    follows it (static/jobs.js) and, once the worker is done, shows the count by itself."""
    from tests.integration.test_cohort import _sync_roster

    api_launch(tool, platform, user="learner-1")
    platform.roster_extra = [{"user_id": "r-1", "roles": ["Learner"], "status": "Active"}]
    try:
        page = instructor_launch(chromium, tool, platform, 1280)
        note = page.get_by_test_id("roster-unknown")
        expect(note).to_contain_text("The roster's first sync is running")
        page.wait_for_timeout(2000)  # a poll or more while the job waits for a worker
        expect(note).to_be_visible()
        assert _sync_roster(tool)[0] == "done"  # the worker's run, in this process
    finally:
        platform.roster_extra = []
    expect(note).to_have_count(0, timeout=15_000)  # the page reloaded by itself
    never = page.locator("dt", has_text="Never launched").locator("xpath=following-sibling::dd")
    [(count,)] = tool.rows(
        "SELECT count(*) FROM membership WHERE access = 'learner' AND launched_at IS NULL"
    )
    assert count >= 1  # r-1 at least (the test LMS's roster also lists earlier tests' users)
    expect(never).to_have_text(str(count))
    assert axe_violations(page) == []
