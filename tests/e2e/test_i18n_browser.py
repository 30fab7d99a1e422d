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
from tests.support.credential_http import issue
from tests.support.learners import api_launch, submit_quiz
from tests.support.reviews import submitted

pytestmark = pytest.mark.e2e


def test_a_learner_switches_to_french_and_back(chromium: Browser, tool, platform, tmp_path):
    page, _ = open_launch(chromium, tool, platform, width=375)
    module_url = page.url
    switch = page.get_by_role("button", name="Language: Français")
    # A quiet link at the header's end, not the page's primary button (whose rule for a form's
    # only submit button once won over it).
    look = "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).textDecorationLine]"
    assert switch.evaluate(look) == ["rgba(0, 0, 0, 0)", "underline"]

    switch.click()

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


def launched(
    chromium: Browser, tool, platform, user: str, locale: str, *, csp: bool = False
) -> Page:
    """A browser launched by ``user`` with this ``launch_presentation.locale``; with ``csp``,
    under the tool's real CSP (axe needs it bypassed: it injects a script)."""
    context = chromium.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=not csp)
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


def test_the_word_counter_and_autosave_speak_french(chromium, tool, platform):
    # Under the real CSP: the scripts read their sentences from the page's JSON data block,
    # which the CSP lets the page carry (it is not run).
    page = launched(chromium, tool, platform, "learner-1", "fr-CA", csp=True)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{tool.url}/modules/{L1M1}/assignment")
    page.wait_for_load_state("load")
    editor = page.locator("#text")

    editor.fill("Un")
    expect(page.locator("#wordcount")).to_have_text(re.compile(r"^1 mot sur \d+$"))
    editor.fill("Un deux trois")
    expect(page.locator("#wordcount")).to_have_text(re.compile(r"^3 mots sur \d+$"))
    expect(page.locator("#autosave")).to_contain_text("Brouillon enregistré", timeout=10_000)
    editor.fill("mot " * 1200)  # numbers as French writes them: 1 200 (a narrow space)
    expect(page.locator("#wordcount")).to_have_text(
        re.compile("^1\u202f200 mots sur \\d+ — au-delà de la limite$")
    )
    editor.fill("")
    expect(page.locator("#wordcount")).to_have_text(re.compile(r"^0 mot sur \d+$"))  # French: 0
    assert errors == []
    page.context.close()


def test_the_review_running_total_speaks_french(chromium, tool, platform):
    submission = submitted(tool, platform, user="learner-2")
    page = launched(chromium, tool, platform, "teacher-1", "fr-CA", csp=True)
    page.goto(f"{tool.url}/instructor/reviews/{submission}")
    page.wait_for_load_state("load")
    fieldsets = page.get_by_test_id("criterion").all()
    count = len(fieldsets)

    fieldsets[0].locator("label.cell").nth(2).click()  # Proficient (3)
    tally = page.get_by_test_id("tally")
    left = f"{count - 1} critère reste à noter" if count == 2 else f"{count - 1} critères restent"
    expect(tally).to_contain_text(f"Total 3 sur {4 * count}")
    expect(tally).to_contain_text("moyenne 3,0")
    expect(tally).to_contain_text(left)
    for fieldset in fieldsets[1:]:
        fieldset.locator("label.cell").nth(2).click()

    expect(tally).to_contain_text(f"Total {3 * count} sur {4 * count}")
    text = " ".join(tally.inner_text().split())
    assert re.search(r"\(75\s%\), moyenne 3,0\.", text), text
    assert "Satisfait la règle de réussite." in text or "Sous la règle de réussite" in text
    assert "Total" in text and " of " not in text and "mean" not in text
    page.context.close()


def test_the_public_credential_page_in_the_browsers_language(chromium, tool, platform):
    credential_id = issue(tool, platform)
    url = f"{tool.url}/credentials/{credential_id}"

    french = chromium.new_context(locale="fr-CA", bypass_csp=True).new_page()  # axe injects
    french.goto(url)
    assert french.evaluate("() => document.documentElement.lang") == "fr"
    expect(french.get_by_text("Certificat numérique vérifié · Open Badges 3.0")).to_be_visible()
    expect(french.get_by_test_id("check")).to_contain_text("Valide")
    found = axe_violations(french)
    assert found == [], [v["id"] for v in found]
    french.get_by_role("link", name="Langue : English").click()
    french.wait_for_load_state("load")
    assert french.evaluate("() => document.documentElement.lang") == "en"
    expect(french.get_by_test_id("check")).to_contain_text("Valid")
    french.context.close()

    english = chromium.new_context(locale="en-US").new_page()
    english.goto(url)
    assert english.evaluate("() => document.documentElement.lang") == "en"
    expect(english.get_by_text("Verified credential · Open Badges 3.0")).to_be_visible()
    english.context.close()
