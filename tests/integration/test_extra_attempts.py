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


def test_the_question_statistics_page_allows_every_learner_out_of_attempts_one_more(tool, platform):
    """Two learners used every attempt without passing, a third still has attempts, and the
    course's instructor tried the quiz through "View as learner": only the two are listed, and
    one click gives each of them one attempt (the form sent twice still one each)."""
    for user in ("learner-1", "learner-2", "teacher-1"):
        use_every_attempt(tool, api_launch(tool, platform, user=user))
    learner_3 = api_launch(tool, platform, user="learner-3")
    assert learner_3.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").status_code == 201
    teacher = api_launch(tool, platform, user="teacher-1")
    teacher.headers["Accept"] = "text/html"
    page_url = f"{tool.url}/instructor/cohort/questions?module={L1M1}"
    page = teacher.get(page_url).text
    section = re.search(r'data-testid="out-of-attempts-list">(.*?)</ul>', page, re.S)
    assert section and re.findall(r">([^<>]+)</a>", section[1]) == [
        "Learner learner-2",
        "Lena Learner",  # learner-1, by name
    ]
    assert "2 learners have used every attempt at this quiz" in page
    assert 'href="#out-of-attempts" data-testid="out-of-attempts-link">2 learners out of' in page
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    assert sorted(k for k in form if k.startswith("learner-")) == [
        f"learner-{uid}"
        for (uid,) in tool.rows(
            "SELECT id FROM lti_user WHERE sub IN ('learner-1', 'learner-2') ORDER BY id"
        )
    ]
    post_url = f"{tool.url}/instructor/cohort/questions/extra-attempts"
    done = teacher.post(post_url, data=form)
    assert done.status_code == 200 and "2 learners may now make one more attempt" in done.text
    assert "No learner of this course is out of attempts at this quiz." in done.text
    assert teacher.post(post_url, data=form).ok  # sent twice: nothing more
    assert tool.rows(
        "SELECT u.sub, e.number FROM quiz_extra_attempt e JOIN lti_user u ON u.id = e.user_id"
        " ORDER BY u.sub"
    ) == [("learner-1", 1), ("learner-2", 1)]
    fourth = api_launch(tool, platform, user="learner-2").post(
        tool.url + f"/api/v1/modules/{L1M1}/attempts"
    )
    assert fourth.status_code == 201 and fourth.json()["number"] == 4

    bad = teacher.post(post_url, data={**form, "learner-x": "1"})
    assert bad.status_code == 400
    past_any_id = str(2**70)  # no row has such an id; the database must not be asked
    learner_field = next(k for k in form if k.startswith("learner-"))
    for field, value in ((f"learner-{past_any_id}", "1"), (learner_field, past_any_id)):
        too_large = teacher.post(post_url, data={**form, field: value})
        assert too_large.status_code == 400, (field, too_large.status_code)
    elsewhere = api_launch(tool, platform, user="teacher-1", course="course-202")
    other = elsewhere.post(post_url, data=form, headers=HTML, allow_redirects=False)
    assert other.status_code == 303 and "added=0" in other.headers["Location"]
    # another course's instructor: those learners are not in their course
    assert tool.rows("SELECT count(*) FROM quiz_extra_attempt") == [(2,)]
    assert api_launch(tool, platform).post(post_url, data=form).status_code == 403
