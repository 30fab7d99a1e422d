"""Every page a launch reaches speaks the launch's language: a French launch (its
``launch_presentation.locale`` claim) gets the learner's and the instructor's pages in French,
and no sentence of the interface is left in English on them (course content stays English).

The leftover check is not a hand-picked list: every sentence of the catalogue (three words or
more, no placeholder, French different from English) that the same page shows in English must
be gone from the French page. A sentence the course content also uses (it stays English) proves
nothing either way and is left out."""

from __future__ import annotations

import html
import re
from functools import cache

import pytest
import requests
from babel.messages.pofile import read_po

from lms_plugin.db import db
from lms_plugin.paths import PROJECT_ROOT
from lms_plugin.services import grades
from lms_plugin.web.i18n import TRANSLATIONS
from tests.support.content_keys import L1M1
from tests.support.learners import api_launch, submit_quiz
from tests.support.reviews import submitted

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html"}
FRENCH = {"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": "fr-FR"}}


def visible(page: str) -> str:
    """A page's text as read: tags and scripts dropped, entities decoded, spaces collapsed."""
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@cache
def content_text() -> str:
    """All of courses/ as one text (its words stay English on French pages)."""
    files = [*PROJECT_ROOT.glob("courses/**/*.yaml"), *PROJECT_ROOT.glob("courses/**/*.md")]
    return " ".join(" ".join(f.read_text(encoding="utf-8").split()) for f in files)


@cache
def sentences() -> dict[str, str]:
    """English sentence -> French, for the catalogue's plain sentences of three words or more."""
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="fr")
    found = {}
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or "%" in message.id:
            continue
        english = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", message.id)).split())
        french = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", message.string)).split())
        if len(english.split()) >= 3 and english != french and english not in content_text():
            found[english] = french
    return found


def get(browser: requests.Session, tool, path: str, status: int = 200) -> str:
    response = browser.get(tool.url + path, headers=HTML)
    assert response.status_code == status, response.text[:300]
    return response.text


def assert_french(english_page: str, french_page: str) -> None:
    """The French page says lang="fr" and keeps none of the English page's sentences."""
    assert '<html lang="fr">' in french_page and '<html lang="en">' in english_page
    english, french = visible(english_page), visible(french_page)
    shown = [s for s in sentences() if s in english]
    assert shown, "the English page shows no sentence of the catalogue: the check checks nothing"
    left = [s for s in shown if s in french]
    assert left == [], f"English left on the French page: {left}"


def both(tool, platform, user: str, path: str, status: int = 200, **launch) -> tuple[str, str]:
    """The same page for the same person, launched in English and in French."""
    english = api_launch(tool, platform, user=user, **launch)
    french = api_launch(tool, platform, user=user, claims=FRENCH, **launch)
    return get(english, tool, path, status), get(french, tool, path, status)


def grade_everything(tool) -> None:
    with tool.app.app_context():
        grades.grade_submitted(db.session())


def test_the_learner_pages_are_french_for_a_french_launch(tool, platform):
    learner = api_launch(tool, platform)
    attempt = submit_quiz(learner, tool)
    grade_everything(tool)
    for path in ("/programs", f"/modules/{L1M1}", f"/attempts/{attempt}", "/my-credentials/"):
        english, french = both(tool, platform, "learner-1", path)
        assert_french(english, french)
    _, overview = both(tool, platform, "learner-1", "/programs")
    assert "Votre prochaine étape" in overview and 'data-testid="role">Apprenant<' in overview
    _, result = both(tool, platform, "learner-1", f"/attempts/{attempt}")
    assert re.search(r"Votre score\s*:\s*100,0\s%", html.unescape(result)), "French numbers"


def test_the_instructor_pages_are_french_for_a_french_launch(tool, platform):
    submission = submitted(tool, platform)
    for path in (
        "/instructor/",
        "/instructor/cohort",
        "/instructor/cohort/competencies",
        "/instructor/reviews",
        f"/instructor/reviews/{submission}",
        "/instructor/gradebook",
    ):
        english, french = both(tool, platform, "teacher-1", path)
        assert_french(english, french)
    _, home = both(tool, platform, "teacher-1", "/instructor/")
    assert "Accueil enseignant" in home and 'data-testid="role">Enseignant<' in home


def test_error_pages_are_french_for_a_french_launch(tool, platform):
    english, french = both(tool, platform, "learner-1", "/modules/no-such-module", 404)
    assert_french(english, french)
    assert "Ce que vous pouvez faire" in french and "Référence" in french


def test_a_french_launch_is_english_outside_its_launch(tool, platform):
    """A public page (no launch names its reader) stays English whatever launched before."""
    api_launch(tool, platform, claims=FRENCH)
    page = requests.get(tool.url + "/credentials/verify", headers=HTML)
    assert page.status_code == 200 and '<html lang="en">' in page.text
