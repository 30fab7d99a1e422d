"""The reflective practice log over real HTTP: it gates module completion (249 words is a
draft, 250 completes the module, and then the level's award), the Level 2 learning-from-failure
entry is graded by an instructor under its rubric, learners and other courses see nothing of
anyone else's log, and bad input is a clear 4xx."""

from __future__ import annotations

import re

import pytest

from lms_plugin.services import grades
from lms_plugin.services.practice_log_facts import learner_log_facts, log_facts
from tests.support.awards import complete_level, launched, write_passed_work
from tests.support.cohort import read_grid
from tests.support.content_keys import L1M1, catalogue, module
from tests.support.learners import FRENCH, api_launch
from tests.support.practice_log import FAILURE_SECTIONS, entry_form
from tests.support.reviews import instructor

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}
L2M5 = "l2-m5-sustaining-spreading-capacity"


def _pass_without_log(tool, context_id, user_id, slugs):
    """Quiz and assignment passed in these modules, no log entry, grades folded."""
    from lms_plugin.db import db

    with tool.app.app_context():
        session = db.session()
        work = write_passed_work(
            session, context_id, user_id, [module(s) for s in slugs], log=False
        )
        grades.refresh_grades(session, work)
        session.commit()


def _complete(tool, user_id, slug):
    rows = tool.rows(
        f"SELECT complete FROM grade WHERE user_id = {int(user_id)} AND module_slug = '{slug}'"
    )
    return rows[0][0] if rows else None


def _post(browser, tool, path, data):
    return browser.post(tool.url + path, data=data, headers=HTML, allow_redirects=False)


def test_the_entry_gates_completion_249_words_is_a_draft_250_completes(tool, platform):
    context_id, user_id = launched(tool, platform, "learner-1", "course-101")
    _pass_without_log(tool, context_id, user_id, [L1M1])
    assert _complete(tool, user_id, L1M1) is False  # quiz and assignment passed, no entry
    learner = api_launch(tool, platform)
    page = learner.get(tool.url + f"/modules/{L1M1}", headers=HTML).text
    assert "Write your practice log entry for this module" in page

    draft = _post(learner, tool, f"/modules/{L1M1}/practice-log", entry_form(249))
    assert draft.status_code == 303
    assert tool.rows("SELECT status, word_count FROM practice_log_entry") == [("draft", 249)]
    assert _complete(tool, user_id, L1M1) is False
    page = learner.get(tool.url + f"/modules/{L1M1}", headers=HTML).text
    assert "Your entry is a draft (249 words)" in page

    done = _post(learner, tool, f"/modules/{L1M1}/practice-log", entry_form(250))
    assert done.status_code == 303
    assert tool.rows("SELECT status, word_count FROM practice_log_entry") == [("complete", 250)]
    assert _complete(tool, user_id, L1M1) is True
    page = learner.get(tool.url + f"/modules/{L1M1}", headers=HTML).text
    assert "Your entry for this module is complete." in page and "<strong>Complete</strong>" in page


def test_the_overview_sends_the_learner_to_the_missing_entry_not_to_their_instructor(
    tool, platform
):
    context_id, user_id = launched(tool, platform, "learner-1", "course-101")
    _pass_without_log(tool, context_id, user_id, [L1M1])
    learner = api_launch(tool, platform)
    page = learner.get(tool.url + "/programs", headers=HTML).text
    step = re.search(r'data-testid="next-step" data-kind="(\w+)"', page)
    assert step is not None and step.group(1) == "log"
    assert "Write your practice log entry for Level 1, Module 1." in page
    chip = '<span class="status status-action" data-testid="log-to-write">Practice log entry to'
    assert chip + " write" in page  # not "In progress: 4 of 4 lessons read, quiz passed"
    assert "ask your instructor" not in page
    assert f'href="/modules/{L1M1}/practice-log"' in page
    assert learner.get(tool.url + f"/modules/{L1M1}/practice-log", headers=HTML).ok


def test_the_cohort_grid_passes_the_module_only_with_its_entry_as_completion_does(tool, platform):
    context_id, user_id = launched(tool, platform, "learner-1", "course-101")
    _pass_without_log(tool, context_id, user_id, [L1M1])
    teacher = api_launch(tool, platform, user="teacher-1")
    drill = f"{tool.url}/instructor/cohort/learners/{user_id}/modules/{L1M1}"

    def states() -> tuple[str, str]:
        """The module's state in the grid (SQL) and on the learner's drill-down (Python)."""
        grid = read_grid(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)
        page = teacher.get(drill, headers=HTML).text
        shown = re.search(r'data-testid="state"><span aria-hidden="true">.</span> (\w[\w ]*)', page)
        assert shown is not None
        [row] = grid.values()
        return row.cells["1.1"][0], shown.group(1).strip()

    assert _complete(tool, user_id, L1M1) is False
    assert states() == ("in_progress", "In progress")  # was passed: no entry yet
    learner = api_launch(tool, platform)
    assert _post(learner, tool, f"/modules/{L1M1}/practice-log", entry_form(250)).status_code == 303
    assert states() == ("passed", "Passed")


def test_an_entry_missing_a_section_is_not_complete_and_a_complete_one_stays_so(tool, platform):
    learner = api_launch(tool, platform)
    form = entry_form(300)
    form["next"] = ""
    assert _post(learner, tool, f"/modules/{L1M1}/practice-log", form).status_code == 303
    assert tool.rows("SELECT status FROM practice_log_entry") == [("draft",)]
    _post(learner, tool, f"/modules/{L1M1}/practice-log", entry_form(260))
    shorter = _post(learner, tool, f"/modules/{L1M1}/practice-log", entry_form(120, word="cut"))
    assert shorter.status_code == 422 and "keep every section written" in shorter.text
    assert "cut cut" in shorter.text  # the text typed is shown again, not lost
    assert tool.rows("SELECT status, word_count FROM practice_log_entry") == [("complete", 260)]


def test_level_1_is_awarded_only_once_every_entry_is_complete(tool, platform):
    context_id, user_id = launched(tool, platform, "learner-1", "course-101")
    slugs = [m.slug for m in catalogue().program("isp-level-1").modules]
    _pass_without_log(tool, context_id, user_id, slugs)
    assert tool.rows("SELECT count(*) FROM award") == [(0,)]
    learner = api_launch(tool, platform)
    for n, slug in enumerate(slugs):
        assert tool.rows("SELECT count(*) FROM award") == [(0,)], f"awarded before {slug}"
        assert _post(learner, tool, f"/modules/{slug}/practice-log", entry_form(250 + n)).ok
    assert tool.rows("SELECT program_slug, status FROM award") == [("isp-level-1", "pending")]


def _level_2_learner(tool, platform, user="learner-1", course="course-101"):
    """Level 1 complete, Level 2's first four modules complete, L2-M5's quiz and capstone
    passed and its module entry complete: only the learning-from-failure entry is left."""
    context_id, user_id = complete_level(tool, platform, user=user, course=course)
    complete_level(tool, platform, "isp-level-2", user=user, course=course, skip=(L2M5,))
    _pass_without_log(tool, context_id, user_id, [L2M5])
    learner = api_launch(tool, platform, user=user, course=course)
    assert _post(learner, tool, f"/modules/{L2M5}/practice-log", entry_form(250)).ok
    return learner, user_id


def _failure(words):
    return entry_form(words, FAILURE_SECTIONS, word="failed")


def _rubric(level_of):
    from lms_plugin.services.practice_log_facts import log_spec

    return {f"c-{c.id}": str(level_of(n)) for n, c in enumerate(log_spec().failure.rubric.criteria)}


def test_the_learning_from_failure_entry_is_graded_under_its_rubric(tool, platform):
    learner, user_id = _level_2_learner(tool, platform)
    path = f"/modules/{L2M5}/practice-log/failure"
    assert _complete(tool, user_id, L2M5) is False
    short = _post(learner, tool, path, {**_failure(100), "action": "submit"})
    assert short.status_code == 422 and "at least 250 words" in short.text
    assert _post(learner, tool, path, {**_failure(100), "action": "save"}).status_code == 303
    assert _post(learner, tool, path, {**_failure(260), "action": "submit"}).status_code == 303
    assert tool.rows("SELECT status, round FROM practice_log_entry WHERE kind = 'failure'") == [
        ("submitted", 1)
    ]
    again = _post(learner, tool, path, {**_failure(270), "action": "submit"})
    assert again.status_code == 409  # waiting for review: not editable

    teacher = instructor(tool, platform)
    queue = teacher.get(tool.url + "/instructor/practice-log/failures", headers=HTML)
    assert "Lena Learner" in queue.text
    [(entry_id,)] = tool.rows("SELECT id FROM practice_log_entry WHERE kind = 'failure'")
    review = f"/instructor/practice-log/failures/{entry_id}"
    assert "failed failed" in teacher.get(tool.url + review, headers=HTML).text
    # The pass rule's mean is written as the reader's language writes numbers.
    french = api_launch(tool, platform, user="teacher-1", claims=FRENCH)
    rule = " ".join(french.get(tool.url + review, headers=HTML).text.split())
    assert "la moyenne des critères 3,0 ou plus" in rule
    partial = _rubric(lambda n: 3)
    partial.pop(next(iter(partial)))
    missing = _post(teacher, tool, review, partial)
    assert missing.status_code == 400 and "Score every criterion" in missing.text

    # every criterion at Developing (2) meets the minimum level, not the mean of 3.0: revise
    assert _post(teacher, tool, review, {**_rubric(lambda n: 2), "feedback": "Dig deeper."}).ok
    assert tool.rows("SELECT passed, percent FROM practice_log_review") == [(False, 50.0)]
    assert _complete(tool, user_id, L2M5) is False
    page = learner.get(tool.url + path, headers=HTML).text
    assert "Dig deeper." in page and "revise and resubmit" in page
    assert _post(learner, tool, path, {**_failure(280), "action": "submit"}).status_code == 303

    # a 4 lifts the mean over 3.0 with one criterion at 2: it passes; the module and Level 2 too
    assert _post(teacher, tool, review, _rubric(lambda n: 4 if n < 3 else 2)).ok
    assert tool.rows("SELECT round, passed FROM practice_log_review ORDER BY round") == [
        (1, False),
        (2, True),
    ]
    assert _complete(tool, user_id, L2M5) is True
    assert ("isp-level-2",) in tool.rows("SELECT program_slug FROM award")
    assert _post(teacher, tool, review, _rubric(lambda n: 4)).status_code == 409


def test_the_instructor_home_says_a_learning_from_failure_entry_waits(tool, platform):
    learner, _user_id = _level_2_learner(tool, platform)
    teacher = instructor(tool, platform)
    home = teacher.get(tool.url + "/instructor/", headers=HTML).text
    assert "Nothing waits for you." in home and 'data-testid="home-failures"' not in home

    path = f"/modules/{L2M5}/practice-log/failure"
    assert _post(learner, tool, path, {**_failure(260), "action": "submit"}).status_code == 303
    home = teacher.get(tool.url + "/instructor/", headers=HTML).text
    assert "Nothing waits for you." not in home  # it said so with the entry waiting
    assert "1 learning-from-failure entry (practice log) waits for your review" in home
    assert 'href="/instructor/practice-log/failures"' in home
    queue = teacher.get(tool.url + "/instructor/reviews", headers=HTML).text
    assert '<strong data-testid="failures-waiting">1 waiting for review</strong>' in queue
    # No assignment waits: the empty queue says so, not that nothing waits at all.
    empty = re.search(r'<p data-testid="queue-empty">(.*?)</p>', queue, re.S)
    assert empty and "No assignment is waiting for review." in empty[1]
    assert "1 learning-from-failure entry is waiting." in empty[1]
    assert "Nothing is waiting for review." not in queue


def test_learners_and_other_courses_never_see_an_entry(tool, platform):
    learner, user_id = _level_2_learner(tool, platform)
    secret = entry_form(250, word="secretword")
    assert _post(learner, tool, f"/modules/{L1M1}/practice-log", secret).status_code == 303
    path = f"/modules/{L2M5}/practice-log/failure"
    assert _post(learner, tool, path, {**_failure(260), "action": "submit"}).status_code == 303
    [(entry_id,)] = tool.rows("SELECT id FROM practice_log_entry WHERE kind = 'failure'")

    other = api_launch(tool, platform, user="learner-2")
    assert "secretword" not in other.get(tool.url + "/practice-log", headers=HTML).text
    assert "secretword" not in other.get(tool.url + f"/modules/{L1M1}/practice-log").text
    review = f"/instructor/practice-log/failures/{entry_id}"
    assert other.get(tool.url + review, headers=HTML).status_code == 403

    own = instructor(tool, platform)
    drill = f"/instructor/cohort/learners/{user_id}/modules/{L1M1}"
    assert "secretword" in own.get(tool.url + drill, headers=HTML).text
    elsewhere = instructor(tool, platform, course="course-B")
    assert elsewhere.get(tool.url + review, headers=HTML).status_code == 404
    queue = elsewhere.get(tool.url + "/instructor/practice-log/failures", headers=HTML).text
    assert "Lena Learner" not in queue
    assert "secretword" not in elsewhere.get(tool.url + drill, headers=HTML).text


def test_one_learner_s_log_facts_are_theirs_in_that_course_only(tool, platform):
    """progress reads a learner's log with learner_log_facts (the learner's own rows), the
    grading drain with log_facts (a list of keys): the same facts, and nobody else's."""
    from lms_plugin.db import db

    here, mine = launched(tool, platform, "learner-1", "course-101")
    there, _ = launched(tool, platform, "learner-1", "course-B")
    _, theirs = launched(tool, platform, "learner-2", "course-101")
    with tool.app.app_context():
        session = db.session()
        write_passed_work(session, here, mine, [module(L1M1)])
        write_passed_work(session, there, mine, [module(L2M5)])  # their log in another course
        write_passed_work(session, here, theirs, [module(L2M5)])  # another learner's log here
        session.commit()
        slugs = [L1M1, L2M5, "l1-m2-no-such-entry"]
        facts = learner_log_facts(session, here, mine, slugs)
        keyed = log_facts(session, [(here, mine, slug) for slug in slugs])
        session.commit()
    assert {slug: f.entry for slug, f in facts.items()} == {
        L1M1: "complete",
        L2M5: "none",
        "l1-m2-no-such-entry": "none",
    }
    assert facts[L2M5].failure == "none"  # theirs passed; this learner wrote none here
    assert facts == {slug: keyed[(here, mine, slug)] for slug in slugs}


@pytest.mark.parametrize(
    ("path", "data", "status", "says"),
    [
        (f"/modules/{L1M1}/practice-log", {**entry_form(250), "extra": "x"}, 400, "Unknown"),
        (f"/modules/{L1M1}/practice-log", {"did": "x" * 20_001}, 422, "20,000 characters"),
        ("/modules/no-such-module/practice-log", entry_form(250), 404, "no module"),
        (f"/modules/{L1M1}/practice-log/failure", _failure(250), 404, "learning-from-failure"),
        (f"/modules/{L2M5}/practice-log", entry_form(250), 403, "opens once"),
    ],
)
def test_bad_input_is_a_clear_4xx(tool, platform, path, data, status, says):
    learner = api_launch(tool, platform)
    response = _post(learner, tool, path, data)
    assert response.status_code == status and says in response.text
    assert tool.rows("SELECT count(*) FROM practice_log_entry") == [(0,)]


def test_the_log_page_shows_every_module_and_its_state(tool, platform):
    learner = api_launch(tool, platform)
    _post(learner, tool, f"/modules/{L1M1}/practice-log", entry_form(250, word="insight"))
    page = learner.get(tool.url + "/practice-log", headers=HTML)
    assert page.status_code == 200 and "My practice log" in page.text
    assert page.text.count('data-testid="log-entry"') == sum(
        len(p.modules) for p in catalogue().programs
    )
    assert "insight insight" in page.text and "Entry: complete" in page.text


def test_the_log_page_links_only_entries_a_learner_can_open_and_says_when_the_rest_open(
    tool, platform
):
    """A fresh learner: Module 1's entry can be written; every other module is locked, and its
    entry says when it opens instead of linking to a refusal (403) page."""
    learner = api_launch(tool, platform)
    page = learner.get(tool.url + "/practice-log", headers=HTML).text
    links = set(re.findall(r'href="(/modules/[^"?]+/practice-log[^"?]*)', page))
    assert links == {f"/modules/{L1M1}/practice-log"}
    for link in links:
        assert learner.get(tool.url + link, headers=HTML).status_code == 200
    locked = re.findall(r'data-testid="log-locked">([^<]*)<', page)
    assert len(locked) == sum(len(p.modules) for p in catalogue().programs) - 1
    assert locked[0] == ("Locked: opens once “The ISP role and the implementation gap” is complete")
    assert locked[-1] == "Locked: opens once the earlier level is complete"
