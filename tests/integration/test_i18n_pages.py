"""Every page a launch reaches speaks the launch's language: a French launch (its
``launch_presentation.locale`` claim) gets the learner's and the instructor's pages in French,
and no sentence of the interface is left in English on them (course content stays English).

The leftover check is not a hand-picked list: every sentence of the catalogue (three words or
more, no placeholder, French different from English) that the same page shows in English must
be gone from the French page. A sentence the course content also uses (it stays English) proves
nothing either way and is left out."""

from __future__ import annotations

import html
import json
import re
from functools import cache

import pytest
import requests
from babel.messages.pofile import read_po

from lms_plugin.db import db
from lms_plugin.paths import PROJECT_ROOT
from lms_plugin.services import grades
from lms_plugin.web.i18n import TRANSLATIONS
from tests.support.awards import launched, write_passed_work
from tests.support.content_keys import L1M1, catalogue, module
from tests.support.credential_http import LD, issue
from tests.support.learners import FRENCH, api_launch, submit_quiz
from tests.support.reviews import submitted

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html"}


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
    assert re.search(r"Votre score\s*:\s*100\s%", html.unescape(result)), "French numbers"
    # "points" agrees with the maximum, as on each question's line ("0 sur 1 point"): a score of 1
    # read "1 points sur 10"
    assert "10 sur 10 points." in result
    # Counts French would make agree with the number ("1 leçons lues") are written as a label
    # and its figure.
    assert "Modules terminés\u00a0: 0 sur 6" in html.unescape(overview)
    _, module = both(tool, platform, "learner-1", f"/modules/{L1M1}")
    assert re.search(r"Leçons lues\u00a0: \d sur 3", html.unescape(module))


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
    waiting = catalogue().module(L1M1)[1].title  # the module its submission waits in
    assert f"<li>{html.escape(waiting)}\u00a0: 1</li>" in home  # French puts a space before ':'


def test_error_pages_are_french_for_a_french_launch(tool, platform):
    english, french = both(tool, platform, "learner-1", "/modules/no-such-module", 404)
    assert_french(english, french)
    assert "Ce que vous pouvez faire" in french and "Référence" in french


def test_refusals_without_a_number_come_in_the_launch_language_too(tool, platform):
    """Plain sentences raised in the code: a learner on an instructor page, an empty
    submission, one with a NUL character."""
    english, french = both(tool, platform, "learner-1", "/instructor/", 403)
    assert "This page is for instructors of the course." in visible(english)
    assert "Cette page est réservée aux enseignants du cours." in visible(french)

    learner = api_launch(tool, platform, claims=FRENCH)
    path = f"/api/v1/modules/{L1M1}/assignment/submissions"
    empty = learner.post(tool.url + path, json={"text": "   "}).json()
    assert empty["error"] == "empty_submission"
    assert empty["message"] == "La soumission est vide."
    nul = learner.post(tool.url + path, json={"text": "a\x00b"}).json()
    assert nul["message"].startswith("Le texte contient un caractère qui ne peut pas être")


def test_a_french_launch_is_english_outside_its_launch(tool, platform):
    """A public page (no launch names its reader) follows the browser, not what launched before
    (this browser says no language: English)."""
    api_launch(tool, platform, claims=FRENCH)
    page = requests.get(tool.url + "/credentials/verify", headers=HTML)
    assert page.status_code == 200 and '<html lang="en">' in page.text


def js_texts(page: str) -> dict:
    """The sentences a page hands its scripts (web/js_text.py's JSON data block)."""
    found = re.search(r'<script type="application/json" id="js-text">(.*?)</script>', page, re.S)
    assert found, "the page has no js-text block"
    return json.loads(found.group(1))


def test_the_scripts_sentences_come_in_the_launch_language(tool, platform):
    """The word counter, the autosave and the rubric's running total are written by scripts:
    the page hands them their sentences, translated, every one of them."""
    english, french = both(tool, platform, "learner-1", f"/modules/{L1M1}/assignment")
    assert_french(english, french)
    en, fr = js_texts(english), js_texts(french)
    assert fr["words"] == {
        "one": "%(num)d mot sur %(limit)s",
        "other": "%(num)d mots sur %(limit)s",
    }
    assert set(en) == set(fr) and all(en[key] != fr[key] for key in en), "untranslated"
    assert re.search(r"0 mot sur \d+", visible(french)), "the server's counter, French plural"

    submission = submitted(tool, platform, user="learner-2")
    english, french = both(tool, platform, "teacher-1", f"/instructor/reviews/{submission}")
    en, fr = js_texts(english), js_texts(french)
    assert fr["meets"] == "Satisfait la règle de réussite."
    assert set(en) == set(fr) and all(en[key] != fr[key] for key in en), "untranslated"
    assert "critères restent à noter" in visible(french)  # the server's own running total


def test_a_locked_module_says_what_is_missing_in_french(tool, platform):
    """The domain's sentences (completion.py: what a locked level still needs) and numbers, as
    the refusal to start a Level 2 quiz says them."""
    level_2 = catalogue().programs[1].modules[0].slug
    path = f"/api/v1/modules/{level_2}/attempts"
    english = api_launch(tool, platform).post(tool.url + path).json()
    french = api_launch(tool, platform, claims=FRENCH).post(tool.url + path).json()

    assert english["error"] == french["error"] == "locked"
    assert "s\u2019ouvre une fois le niveau pr\u00e9c\u00e9dent termin\u00e9" in french["message"]
    assert len(french["missing"]) == len(english["missing"]) > 0
    quiz = "Réussir le quiz \\(aucune tentative pour l\u2019instant, il faut \\d+\\s%\\)"
    assert any(re.search(quiz, line) for line in french["missing"]), french["missing"]
    assert not any("Pass the quiz" in line for line in french["missing"])


def test_the_public_credential_page_follows_the_browser(tool, platform):
    """No launch: Accept-Language picks French (fr-CA), English without it; the credential
    itself stays as issued; ?lang= switches and a cookie keeps the choice."""
    credential_id = issue(tool, platform)
    path = f"/credentials/{credential_id}"
    french_browser = {**HTML, "Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}

    english = requests.get(tool.url + path, headers=HTML)
    french = requests.get(tool.url + path, headers=french_browser)

    assert_french(english.text, french.text)
    assert "Accept-Language" in french.headers["Vary"]
    text = visible(french.text)
    assert "Certificat numérique vérifié" in text and "Valide" in text
    assert re.search(r"Signé par .+, non révoqué, valide depuis le \d+ \w+ \d{4}", text)
    assert "Un apprenant de ISP Certificate course-101 a obtenu" in text  # no name shown
    assert "A learner of" not in text
    document = requests.get(tool.url + path, headers=LD).json()
    assert document["credentialSubject"]["achievement"]["name"] in text  # as issued
    assert requests.get(tool.url + path, headers={**LD, "Accept-Language": "fr-CA"}).json() == (
        document
    )
    assert 'hreflang="en"' in french.text and 'hreflang="fr"' in english.text
    for other in ("/credentials/verify", "/credentials/achievements/" + document_slug(document)):
        english_page = requests.get(tool.url + other, headers=HTML).text
        assert_french(english_page, requests.get(tool.url + other, headers=french_browser).text)

    browser = requests.Session()
    browser.headers.update(french_browser)
    switched = browser.get(tool.url + path + "?lang=en")
    assert '<html lang="en">' in switched.text
    assert '<html lang="en">' in browser.get(tool.url + "/credentials/verify").text  # kept
    assert '<html lang="fr">' in browser.get(tool.url + path + "?lang=fr").text


def document_slug(document: dict) -> str:
    """The level's slug from the credential's achievement id (.../achievements/<slug>)."""
    return str(document["credentialSubject"]["achievement"]["id"]).rstrip("/").rsplit("/", 1)[1]


def test_the_cohort_numbers_are_written_in_the_page_language(tool, platform):
    """The heatmap's cells and the histograms' bands come from the services' caches in one form;
    the page writes them in its own language (100 % and 90-100 % in French)."""
    learner = api_launch(tool, platform)
    submit_quiz(learner, tool)
    grade_everything(tool)

    english, french = both(tool, platform, "teacher-1", "/instructor/cohort")

    cell = re.compile(r'<td class="hm-c hm-\w+"><a [^>]+><span class="sr">[^<]+</span>([^<]*%)<')
    assert cell.findall(english) == ["100%"]
    assert cell.findall(french) == ["100\u00a0%"]
    assert '<th scope="col">90\u2013100%</th>' in english
    assert '<th scope="col">90\u2013100\u00a0%</th>' in french


def test_the_overview_says_in_french_what_a_locked_module_waits_for(tool, platform):
    english, french = both(tool, platform, "learner-1", "/programs")
    first = catalogue().programs[0].modules[0]

    assert f"Locked: opens once “{first.title}” is complete" in visible(english)
    shown = visible(french)  # (its no-break spaces read as spaces)
    assert f"Verrouillé : s\u2019ouvre une fois « {first.title} » terminé" in shown
    assert "Verrouillé : s\u2019ouvre une fois le niveau précédent terminé" in shown
    assert "opens once" not in shown


def test_refusals_that_carry_numbers_come_in_the_launch_language(tool, platform):
    """Sentences built around a number or a name, from the services and the domain."""
    limit = catalogue().module(L1M1)[1].assignment.word_limit
    path = f"/api/v1/modules/{L1M1}/assignment/submissions"
    body = {"text": "mot " * (limit + 1)}
    english = api_launch(tool, platform).post(tool.url + path, json=body).json()
    french = api_launch(tool, platform, claims=FRENCH).post(tool.url + path, json=body).json()

    assert english["error"] == french["error"] == "over_word_limit"
    assert english["message"].startswith(f"The submission has {limit + 1:,} words; the limit")
    assert french["message"] == (
        f"La soumission compte {limit + 1} mots\u00a0; la limite est de {limit}."
        " Votre brouillon est enregistré."
    )
    teacher = api_launch(tool, platform, user="teacher-1", claims=FRENCH)
    refused = teacher.get(tool.url + "/instructor/cohort?level=9", headers=HTML)
    assert refused.status_code == 400
    assert "Ce certificat n\u2019a pas de niveau 9." in html.unescape(refused.text)


def test_the_verify_page_refuses_in_the_browsers_language(tool):
    french_browser = {**HTML, "Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"}

    empty = requests.post(
        tool.url + "/credentials/verify", data={"credential": "  "}, headers=french_browser
    )

    assert empty.status_code == 400
    assert "Choisissez un fichier de certificat numérique" in html.unescape(empty.text)


def test_the_lesson_to_resume_is_quoted_the_french_way(tool, platform):
    """The module page's "Resume" link names the lesson in the page's quotation marks."""
    french = api_launch(tool, platform, claims=FRENCH)
    lesson = module(L1M1).lessons[1]
    get(french, tool, f"/modules/{L1M1}/lessons/{lesson.slug}")

    shown = visible(get(french, tool, f"/modules/{L1M1}"))

    assert f"Reprendre « {lesson.title} »" in shown  # (its no-break spaces read as spaces)
    assert f"“{lesson.title}”" not in shown


def test_the_practice_log_and_cohort_filters_refuse_in_french(tool, platform):
    """Refusals that name what was refused: a log section over its size, cohort filters."""
    from tests.support.practice_log import entry_form

    form = entry_form(250)
    first = next(iter(form))
    form[first] = "x" * 20_001
    learner = api_launch(tool, platform, claims=FRENCH)
    refused = learner.post(
        tool.url + f"/modules/{L1M1}/practice-log", data=form, headers=HTML, allow_redirects=False
    )
    assert refused.status_code == 422
    assert re.search(r"» dépasse 20\s000 caractères\s; raccourcissez-le\.", visible(refused.text))

    teacher = api_launch(tool, platform, user="teacher-1", claims=FRENCH)
    for query, sentence in (
        ("module=nope", "« nope » n\u2019est pas un module de ce certificat."),
        ("status=nope", "« nope » n\u2019est pas un état."),
        ("page=0", "Dans l\u2019adresse, « page » doit être un nombre entier de 1 à"),
        ("risk=2", "Dans l\u2019adresse, « risk » vaut 1 ou est omis."),
        ("sort=nope", "Triez par apprenant, dernière activité, modules réussis ou par un module."),
    ):
        page = teacher.get(tool.url + "/instructor/cohort?" + query, headers=HTML)
        assert page.status_code == 400, query
        assert sentence in visible(page.text), (query, visible(page.text)[:400])


def test_the_cohort_grid_tags_its_rows_in_the_page_language(tool, platform):
    """The grid's row words are built once per language in Python (web/cohort_html.py)."""
    from tests.support.cohort import read_grid, seed_cohort

    seed_cohort(tool, platform)
    teacher = api_launch(tool, platform, user="teacher-1", claims=FRENCH)

    page = get(teacher, tool, "/instructor/cohort")

    grid = read_grid(page)
    assert grid["Cara Failed"].tags == ["en difficulté"]
    assert "at risk" not in visible(page)
    credentials = re.findall(r'data-testid="credentials"><span class="meta">([^<]+)<', page)
    assert credentials and set(credentials) == {"aucun"}


def test_an_assignment_s_word_limit_is_written_as_the_language_writes_numbers(tool, platform):
    first, second, third = catalogue().programs[0].modules[:3]
    assert third.assignment is not None and third.assignment.word_limit >= 1000
    context_id, user_id = launched(tool, platform, "learner-1", "course-101")
    with tool.app.app_context():
        write_passed_work(db.session(), context_id, user_id, [first, second], log=False)
        db.session.commit()
    path = f"/modules/{third.slug}/assignment"
    english, french = both(tool, platform, "learner-1", path)
    limit = third.assignment.word_limit
    assert f"limit {limit:,} words)" in english and f"0 words of {limit:,}<" in english
    grouped = f"{limit:,}".replace(",", "\u202f")
    assert f"{grouped} mots au plus)" in html.unescape(french)
