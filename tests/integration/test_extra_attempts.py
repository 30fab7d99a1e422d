"""An instructor allows a learner who used every quiz attempt one more, over real HTTP: the
learner was told to ask their instructor, and the instructor can now answer. Once per form
sent, in the instructor's own course only, never by a learner."""

from __future__ import annotations

import re

import pytest
import requests

from lms_plugin.db import db
from lms_plugin.services import grades
from tests.support.content_keys import L1M1
from tests.support.learners import api_launch

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}


def grade(tool) -> None:
    """What the grading worker does with the attempts sent."""
    with tool.app.app_context():
        grades.grade_submitted(db.session())


def use_every_attempt(tool, learner: requests.Session) -> None:
    """Three attempts sent empty and graded (the cooldown after the second moved into the past)."""
    for _number in (1, 2, 3):
        attempt = learner.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
        assert attempt.status_code == 201, attempt.text
        sent = learner.post(
            tool.url + f"/api/v1/attempts/{attempt.json()['id']}/answers", json={"answers": {}}
        )
        assert sent.ok, sent.text
        grade(tool)
        tool.rows(
            "UPDATE quiz_attempt SET submitted_at = submitted_at - interval '3 days' RETURNING id"
        )


def learner_page(tool, platform, user_id: int, *, course: str = "course-101") -> tuple:
    teacher = api_launch(tool, platform, user="teacher-1", course=course)
    url = f"{tool.url}/instructor/cohort/learners/{user_id}/modules/{L1M1}"
    return teacher, url


def test_an_instructor_allows_one_more_attempt_once_and_the_learner_can_take_it(tool, platform):
    learner = api_launch(tool, platform)
    use_every_attempt(tool, learner)
    refused = learner.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
    assert refused.status_code == 409 and refused.json()["error"] == "attempts_exhausted"
    before = learner.get(tool.url + f"/modules/{L1M1}", headers=HTML).text
    assert "ask your instructor what comes next" in before

    [(user_id,)] = tool.rows("SELECT id FROM lti_user WHERE sub = 'learner-1'")
    teacher, url = learner_page(tool, platform, user_id)
    page = teacher.get(url, headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="extra-attempt-form"' in page.text
    assert "has used every attempt without reaching the pass mark" in page.text
    number = re.search(r'name="number" value="(\d+)"', page.text).group(1)  # type: ignore[union-attr]
    assert number == "1"

    done = teacher.post(url + "/extra-attempt", data={"number": number}, headers=HTML)
    assert done.status_code == 200 and done.url.split("?")[0] == url
    assert "may now make 4 attempts in all" in done.text
    assert "Attempt added by" in done.text and "1 attempt left." in done.text
    assert "Quiz attempts (3 of 4; pass mark 80%)" in done.text
    again = teacher.post(url + "/extra-attempt", data={"number": number}, headers=HTML)
    assert again.status_code == 200  # the form sent twice: still one
    assert tool.rows("SELECT number FROM quiz_extra_attempt") == [(1,)]
    [(by,)] = tool.rows("SELECT granted_by FROM quiz_extra_attempt")
    assert tool.rows(f"SELECT sub FROM lti_user WHERE id = {by}") == [("teacher-1",)]

    module = learner.get(tool.url + f"/modules/{L1M1}", headers=HTML).text
    assert "Your instructor allowed you 1 more attempt." in module
    assert "Try again: attempt 4" in module and "1 of 4 attempt left" in module
    fourth = learner.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
    assert fourth.status_code == 201 and fourth.json()["number"] == 4
    learner.post(tool.url + f"/api/v1/attempts/{fourth.json()['id']}/answers", json={"answers": {}})
    tool.rows(
        "UPDATE quiz_attempt SET submitted_at = submitted_at - interval '3 days' RETURNING id"
    )
    fifth = learner.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
    assert fifth.status_code == 409 and fifth.json()["error"] == "attempts_exhausted"
    assert "all 4 attempts" in fifth.json()["message"]


def test_only_the_learners_own_instructors_add_attempts(tool, platform):
    learner = api_launch(tool, platform)
    use_every_attempt(tool, learner)
    [(user_id,)] = tool.rows("SELECT id FROM lti_user WHERE sub = 'learner-1'")
    path = f"/instructor/cohort/learners/{user_id}/modules/{L1M1}/extra-attempt"

    other_course, _ = learner_page(tool, platform, user_id, course="course-202")
    assert other_course.post(tool.url + path, data={"number": "1"}).status_code == 404
    assert learner.post(tool.url + path, data={"number": "1"}).status_code == 403
    teacher, _ = learner_page(tool, platform, user_id)
    assert teacher.post(tool.url + path, data={"number": "one"}).status_code == 400
    assert teacher.post(tool.url + path, data={"number": "²"}).status_code == 400  # not int()
    nobody = path.replace(f"/learners/{user_id}/", "/learners/99999/")
    assert teacher.post(tool.url + nobody, data={"number": "1"}).status_code == 404
    no_module = path.replace(L1M1, "no-such-module")
    assert teacher.post(tool.url + no_module, data={"number": "1"}).status_code == 404
    assert tool.rows("SELECT count(*) FROM quiz_extra_attempt") == [(0,)]


def test_no_form_once_the_quiz_is_passed_or_before_any_attempt(tool, platform):
    learner = api_launch(tool, platform)
    [(user_id,)] = tool.rows("SELECT id FROM lti_user WHERE sub = 'learner-1'")
    teacher, url = learner_page(tool, platform, user_id)
    assert 'data-testid="extra-attempt-form"' not in teacher.get(url, headers=HTML).text
    learner.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
    tool.rows("UPDATE quiz_attempt SET status = 'graded', percent = 100.0 RETURNING id")
    assert 'data-testid="extra-attempt-form"' not in teacher.get(url, headers=HTML).text
