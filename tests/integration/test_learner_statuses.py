"""The learner side over real HTTP (issue 14 §5-§7): statuses that say what is happening, the
next step and where the learner left off, the quiz's live result and its feedback."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import requests

from lms_plugin.db import db
from lms_plugin.domain.quiz_feedback import key_lines
from lms_plugin.services import grades
from tests.support.content_keys import L1M1, answers_for, module
from tests.support.learners import api_launch, submit_quiz
from tests.support.practice_log import entry_form

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html"}


def page(browser: requests.Session, tool, path: str) -> str:
    """The page's visible text, one line (tags dropped)."""
    response = browser.get(tool.url + path, headers=HTML)
    assert response.status_code == 200, response.text[:500]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.text)).split())


def grade_everything(tool) -> int:
    """One grading drain batch, as the worker runs it."""
    with tool.app.app_context():
        return grades.grade_submitted(db.session()).attempts


def submit_wrong(browser: requests.Session, tool, mod: str = L1M1) -> int:
    """An attempt with every answer left blank (scores 0)."""
    attempt = browser.post(tool.url + f"/api/v1/modules/{mod}/attempts").json()
    done = browser.post(
        tool.url + f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": {}}
    )
    assert done.status_code == 200, done.text
    return int(attempt["id"])


def write_assignment(browser: requests.Session, tool, mod: str = L1M1) -> None:
    sent = browser.post(
        tool.url + f"/api/v1/modules/{mod}/assignment/submissions", json={"text": "My map."}
    )
    assert sent.status_code == 201, sent.text


def progress(browser: requests.Session, tool, mod: str = L1M1) -> dict[str, Any]:
    body: dict[str, Any] = browser.get(tool.url + "/api/v1/progress").json()
    return body["modules"][mod]  # type: ignore[no-any-return]


def test_a_pending_submission_waits_for_review_and_never_reads_as_a_failed_grade(tool, platform):
    browser = api_launch(tool, platform)
    write_assignment(browser, tool)

    status = progress(browser, tool)
    assert status["assignment_state"] == "waiting" and not status["assignment_passed"]
    assert any("waiting for review" in line for line in status["missing"])
    for path in (f"/modules/{L1M1}", "/programs", f"/modules/{L1M1}/assignment"):
        text = page(browser, tool, path)
        assert "waiting for review" in text.lower(), path
        assert "did not pass" not in text and "not passed" not in text, path


def test_a_quiz_being_graded_says_so_then_its_state_brings_the_score(tool, platform):
    browser = api_launch(tool, platform)
    attempt_id = submit_quiz(browser, tool)

    module_page = browser.get(tool.url + f"/modules/{L1M1}", headers=HTML).text
    assert "grading…" in module_page and "data-poll-url" in module_page
    attempt_page = browser.get(tool.url + f"/attempts/{attempt_id}", headers=HTML).text
    assert "Grading…" in attempt_page and "data-poll-url" in attempt_page
    assert "Quiz grading…" in page(browser, tool, "/programs")
    for path in (f"/modules/{L1M1}/state", f"/attempts/{attempt_id}/state", "/programs/state"):
        assert browser.get(tool.url + path).json() == {"pending": True}, path

    assert grade_everything(tool) == 1

    result = browser.get(tool.url + f"/attempts/{attempt_id}/state").json()
    assert result["pending"] is False and "Your score: 100%" in result["html"]
    assert "data-poll-url" not in result["html"]  # settled: the page stops polling
    state = browser.get(tool.url + f"/modules/{L1M1}/state").json()
    assert state["pending"] is False
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", state["html"])).split())
    assert "50 out of 100" in text  # the quiz is half of the module's grade
    assert "The mean of the quiz (100%) and the assignment (not submitted yet, counts 0)" in text
    # The attempt reads as the grade it makes: one way of writing a percent on the page.
    assert "Attempt 1 : 100%, passed" in text and "100.0%" not in text
    assert "It counts toward Level 1 (ISP Level 1" in text and "module 1 of 6" in text
    overview = browser.get(tool.url + "/programs/state").json()
    assert overview["pending"] is False and "Grade 50 out of 100" in overview["html"]


def test_the_next_step_follows_the_learner_and_the_module_says_where_they_left_off(tool, platform):
    browser = api_launch(tool, platform)
    lessons = module(L1M1).lessons
    first = f"Start lesson 1 of Level 1, Module 1: “{lessons[0].title}”"
    assert first in page(browser, tool, "/programs")

    for lesson in lessons[:2]:
        page(browser, tool, f"/modules/{L1M1}/lessons/{lesson.slug}")
    overview = browser.get(tool.url + "/programs", headers=HTML).text
    third = f"Continue lesson 3 of Level 1, Module 1: “{lessons[2].title}”"
    assert third in html.unescape(overview)
    assert f"/modules/{L1M1}/lessons/{lessons[2].slug}" in overview  # the button goes there
    assert f"You left off at “{lessons[1].title}”" in page(browser, tool, f"/modules/{L1M1}")

    for lesson in lessons[2:]:
        last = page(browser, tool, f"/modules/{L1M1}/lessons/{lesson.slug}")
    assert "Next: the quiz →" in last  # the last lesson leads on to the quiz
    assert "Take the quiz of Level 1, Module 1." in page(browser, tool, "/programs")

    submit_quiz(browser, tool)
    title = module(L1M1).assignment.title  # type: ignore[union-attr]
    assert (
        "Your quiz of Level 1, Module 1 is being graded — meanwhile, write the assignment of "
        f"Level 1, Module 1: “{title}”." in page(browser, tool, "/programs")
    )
    grade_everything(tool)
    write_assignment(browser, tool)
    text = page(browser, tool, "/programs")
    assert (
        "Your assignment of Level 1, Module 1 is waiting for review — meanwhile, write your "
        "practice log entry for Level 1, Module 1." in text  # not "nothing else is open"
    )
    written = browser.post(
        tool.url + f"/modules/{L1M1}/practice-log",
        data=entry_form(250),
        headers=HTML,
        allow_redirects=False,
    )
    assert written.status_code == 303
    text = page(browser, tool, "/programs")
    assert "Your assignment of Level 1, Module 1 is waiting for review." in text
    assert "Nothing else is open until then." in text  # Module 2 needs Module 1


def _graded_attempt(browser: requests.Session, tool, attempt_id: int) -> dict[str, Any]:
    body: dict[str, Any] = browser.get(tool.url + f"/api/v1/attempts/{attempt_id}").json()
    assert body["status"] == "graded"
    return body


def test_feedback_shows_the_learners_answers_and_the_key_only_once_it_cannot_help(tool, platform):
    browser = api_launch(tool, platform)
    failed = submit_wrong(browser, tool)
    grade_everything(tool)

    body = _graded_attempt(browser, tool, failed)
    assert body["correct_answers_shown"] is False and body["attempts_left"] == 2
    assert all(f["correct_answer"] is None for f in body["feedback"])
    assert {f["verdict"] for f in body["feedback"]} == {"unanswered"}
    # an explanation says why the key is right: hidden with the key; what it checks instead
    assert all(f["explanation"] is None and f["checks"] for f in body["feedback"])
    attempt_page = page(browser, tool, f"/attempts/{failed}")
    assert "not passed this time" in attempt_page and "2 attempts left of 3" in attempt_page
    assert "Try again" in attempt_page and "Correct answer" not in attempt_page
    assert "The correct answers and their explanations are shown once you pass" in attempt_page
    assert "Explanation:" not in attempt_page and "Your answer: no answer given." in attempt_page
    assert attempt_page.count("What this question checks:") == module(L1M1).quiz.draw

    passed = submit_quiz(browser, tool)
    grade_everything(tool)
    body = _graded_attempt(browser, tool, passed)
    assert body["correct_answers_shown"] is True and body["attempts_left"] == 1
    mod = module(L1M1)
    assert {f["verdict"] for f in body["feedback"]} == {"correct"}
    for shown in body["feedback"]:
        item = mod.item(shown["item_id"])
        assert item is not None and shown["correct_answer"] == list(key_lines(item))
    # the cooldown after two attempts: when the next one opens, no "try again" yet
    assert body["next_attempt_at"] is not None
    attempt_page = browser.get(tool.url + f"/attempts/{passed}", headers=HTML).text
    assert "Your next attempt opens <time datetime=" in attempt_page
    assert "Try again" not in attempt_page
    assert "Correct answer:" not in attempt_page  # every answer right: the key adds nothing
    # the first attempt now shows its key under every blank answer: the quiz is passed
    assert _graded_attempt(browser, tool, failed)["correct_answers_shown"] is True
    earlier = page(browser, tool, f"/attempts/{failed}")
    assert earlier.count("Correct answer:") == mod.quiz.draw
    assert earlier.count("Explanation:") == mod.quiz.draw
    assert "What this question checks:" not in earlier


def test_the_key_stays_hidden_in_the_page_while_attempts_remain(tool, platform):
    browser = api_launch(tool, platform)
    attempt = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    keys = answers_for(L1M1, [i["id"] for i in attempt["items"]])
    first_id = attempt["items"][0]["id"]
    answers = {first_id: keys[first_id]}  # one right answer, the rest blank: not passed
    browser.post(tool.url + f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": answers})
    grade_everything(tool)

    body = _graded_attempt(browser, tool, attempt["id"])
    verdicts = [f["verdict"] for f in body["feedback"]]
    assert verdicts[0] == "correct" and set(verdicts[1:]) == {"unanswered"}
    assert body["feedback"][0]["your_answer"] and body["feedback"][0]["correct_answer"] is None
    # the explanation of a right answer teaches; those of the others would hand out their keys
    mod = module(L1M1)
    shown = [f["explanation"] for f in body["feedback"]]
    assert shown[0] == mod.item(first_id).feedback and set(shown[1:]) == {None}
    objectives = {o.id: o.text for o in mod.objectives}
    for f in body["feedback"]:
        assert f["checks"] == [objectives[o] for o in mod.item(f["item_id"]).objectives]
    attempt_page = browser.get(tool.url + f"/attempts/{attempt['id']}", headers=HTML).text
    assert attempt_page.count('data-testid="explanation"') == 1
    assert attempt_page.count('data-testid="checks"') == len(verdicts) - 1
    for f in body["feedback"]:  # a plain run of each explanation's text, as rendered
        text = max(re.split(r"[*_`\[\]()\n]", mod.item(f["item_id"]).feedback), key=len)
        rendered = html.escape(text.strip()[:40], quote=False) in attempt_page
        assert rendered is (f["verdict"] == "correct")


def test_state_endpoints_are_the_learners_own(tool, platform):
    owner = api_launch(tool, platform)
    attempt_id = submit_quiz(owner, tool)
    other = api_launch(tool, platform, user="learner-2")
    assert other.get(tool.url + f"/attempts/{attempt_id}/state").status_code == 404
    theirs = other.get(tool.url + f"/modules/{L1M1}/state").json()
    assert theirs["pending"] is False and "grading…" not in theirs["html"]
    anonymous = requests.get(tool.url + f"/attempts/{attempt_id}/state", headers=HTML)
    assert anonymous.status_code == 401
