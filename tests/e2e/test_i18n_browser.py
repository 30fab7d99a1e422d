"""The interface's language in Chromium: a learner picks French in the header, the page is French
(``<html lang="fr">``, the header's words) and passes axe-core; English comes back the same way.
And the main pages of a learner and of an instructor, launched in English and in French (the
launch's locale claim), each with 0 serious or critical axe-core violations."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, expect

from lms_plugin.db import db
from lms_plugin.services import grades
from tests.e2e.test_player_browser import CUSTOM, open_launch
from tests.support.axe import axe_violations
from tests.support.content_keys import L1M1
from tests.support.learners import api_launch, submit_quiz
from tests.support.reviews import submitted

pytestmark = pytest.mark.e2e


def test_a_learner_switches_to_french_and_back(chromium: Browser, tool, platform, tmp_path):
    page, _ = open_launch(chromium, tool, platform, width=375)
    module_url = page.url

    page.get_by_role("button", name="Language: Français").click()

    page.wait_for_load_state("load")
    assert page.url == module_url  # back on the same page
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    expect(page.get_by_test_id("role")).to_have_text("Apprenant")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_attached()
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "module-fr-375.png"), full_page=True)

    page.get_by_role("button", name="Langue : English").click()

    page.wait_for_load_state("load")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    expect(page.get_by_test_id("role")).to_have_text("Learner")


LOCALE = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
LEARNER_PAGES = ("/programs", f"/modules/{L1M1}", "/attempt", "/my-credentials/", "/modules/nope")
INSTRUCTOR_PAGES = (
    "/instructor/",
    "/instructor/cohort",
    "/instructor/cohort/competencies",
    "/review",
    "/instructor/gradebook",
)


def launched(chromium: Browser, tool, platform, user: str, locale: str) -> Page:
    """A browser launched by ``user`` with this ``launch_presentation.locale``."""
    context = chromium.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    page = context.new_page()
    hint = json.dumps({CUSTOM: {"module": L1M1}, LOCALE: {"locale": locale}})
    query = urlencode(platform.login_params(user, lti_message_hint=hint))
    page.goto(f"{tool.url}/lti/login?{query}")
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/(modules|instructor)/"))
    return page


def visit(page: Page, url: str, language: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.documentElement.lang") == language, url
    found = axe_violations(page)
    assert found == [], f"{url} ({language}): {[v['id'] for v in found]}"


@pytest.mark.parametrize(("locale", "language"), [("en-US", "en"), ("fr-CA", "fr")])
def test_the_main_pages_pass_axe_in_both_languages(chromium, tool, platform, locale, language):
    learner = api_launch(tool, platform)
    attempt = submit_quiz(learner, tool)
    with tool.app.app_context():
        grades.grade_submitted(db.session())
    submission = submitted(tool, platform, user="learner-2")

    page = launched(chromium, tool, platform, "learner-1", locale)
    for path in LEARNER_PAGES:
        visit(page, tool.url + path.replace("/attempt", f"/attempts/{attempt}"), language)
    page.context.close()

    page = launched(chromium, tool, platform, "teacher-1", locale)
    for path in INSTRUCTOR_PAGES:
        visit(
            page, tool.url + path.replace("/review", f"/instructor/reviews/{submission}"), language
        )
    page.context.close()
