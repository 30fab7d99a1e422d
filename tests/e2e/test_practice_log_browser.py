"""The practice log and the self-assessment in real headless Chromium, with axe-core: write an
entry from the module page until it completes, read it on "My practice log", rate the 15
competencies and see the before/after table, and the instructors' cohort summary."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_player_browser import open_launch
from tests.support.awards import complete_level
from tests.support.axe import axe_violations
from tests.support.content_keys import L1M1
from tests.support.practice_log import entry_form

pytestmark = pytest.mark.e2e


def _go(page: Page, path: str) -> None:
    """Another page of the launch (the launch handle rides in the query string)."""
    base = page.url.split("/modules/")[0].split("/instructor/")[0]
    query = page.url.split("?", 1)[1] if "?" in page.url else ""
    page.goto(f"{base}{path}?{query}")


def test_log_entry_and_log_page_in_the_browser(chromium, tool, platform):
    page, _ = open_launch(chromium, tool, platform)
    expect(page.get_by_test_id("module-log")).to_contain_text("Write your practice log entry")
    page.get_by_role("link", name="Open the practice log entry").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Practice log entry")
    assert axe_violations(page) == []

    short = entry_form(249, word="noted")
    for section, text in short.items():
        page.locator(f"#s-{section}").fill(text)
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_test_id("entry-state")).to_have_text("Draft: not complete yet.")
    page.locator("#s-next").fill(short["next"] + " more")  # the 250th word
    page.get_by_role("button", name="Save entry").click()
    expect(page.get_by_test_id("notice")).to_have_text("Saved. Your entry is complete.")
    expect(page.get_by_test_id("word-count")).to_contain_text("250 words")

    page.get_by_role("link", name="My practice log").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My practice log")
    entry = page.locator(f'[data-module="{L1M1}"]')
    expect(entry.get_by_test_id("log-state")).to_contain_text("Entry: complete")
    expect(entry).to_contain_text("noted noted")
    assert axe_violations(page) == []


def _rate(page: Page, label: str) -> None:
    form = page.get_by_test_id("self-assessment-form")
    expect(form).to_have_count(1)
    for fieldset in form.get_by_test_id("competency").all():
        fieldset.get_by_label(label).check()
    form.get_by_role("button").click()


def test_self_assessment_before_and_after_in_the_browser(chromium, tool, platform):
    page, _ = open_launch(chromium, tool, platform)
    _go(page, "/self-assessment")
    expect(page.get_by_role("heading", level=1)).to_have_text("My competency self-assessment")
    assert axe_violations(page) == []
    _rate(page, "2 Emerging")  # the start of Level 1 is the only point open
    expect(page.get_by_test_id("notice")).to_contain_text("Start of Level 1")
    expect(page.get_by_test_id("before-after")).to_be_visible()

    complete_level(tool, platform)  # the end of Level 1 opens
    page.reload()
    _rate(page, "3 Practicing")
    table = page.get_by_test_id("before-after")
    expect(table.locator("thead")).to_contain_text("End of Level 1")
    expect(table.locator('tr[data-competency="CE-1"] [data-testid="change"]')).to_have_text("+1")
    assert axe_violations(page) == []


def test_cohort_self_assessment_summary_in_the_browser(chromium, tool, platform):
    learner, _ = open_launch(chromium, tool, platform)
    _go(learner, "/self-assessment")
    _rate(learner, "4 Guiding others")
    expect(learner.get_by_test_id("before-after")).to_be_visible()

    page, _ = open_launch(chromium, tool, platform, login_hint="teacher-1")
    _go(page, "/instructor/cohort/competencies")
    page.get_by_test_id("self-assessment-link").click()
    summary = page.get_by_test_id("self-assessment-summary")
    expect(summary.locator('tr[data-competency="SC-4"]')).to_contain_text("4.00")
    expect(page.get_by_test_id("taken")).to_contain_text("Start of Level 1: 1 of")
    assert axe_violations(page) == []
