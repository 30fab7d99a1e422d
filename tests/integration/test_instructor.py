"""Instructor review over real HTTP: only their own course, rubric rules, feedback to learners."""

from __future__ import annotations

import pytest
import redis

from tests.support.content_keys import L1M1, module
from tests.support.learners import api_launch
from tests.support.reviews import instructor, rubric_form, submitted

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}


def test_learners_never_reach_instructor_pages(tool, platform):
    learner = api_launch(tool, platform)
    for path in ("/instructor/", "/instructor/reviews/1"):
        response = learner.get(tool.url + path, headers=HTML)
        assert response.status_code == 403 and "for instructors" in response.text


def test_queue_lists_only_this_course(tool, platform):
    submitted(tool, platform, user="a1", course="course-101")
    submitted(tool, platform, user="b1", course="course-B")
    page = instructor(tool, platform).get(tool.url + "/instructor/", headers=HTML)
    assert page.status_code == 200
    assert "Learner a1" in page.text and "Learner b1" not in page.text


def test_other_course_submission_is_not_found(tool, platform):
    other = submitted(tool, platform, user="b1", course="course-B")
    response = instructor(tool, platform).get(
        tool.url + f"/instructor/reviews/{other}", headers=HTML
    )
    assert response.status_code == 404


def test_pass_records_review_and_queues_the_grade(tool, platform, broker_url):
    submission = submitted(tool, platform)
    teacher = instructor(tool, platform)
    page = teacher.get(tool.url + f"/instructor/reviews/{submission}", headers=HTML)
    assert "My role map" in page.text and module(L1M1).assignment.criteria[0].title in page.text

    done = teacher.post(
        tool.url + f"/instructor/reviews/{submission}",
        data=rubric_form(3, "pass"),
        headers=HTML,
        allow_redirects=False,
    )

    assert done.status_code == 303
    assert tool.rows("SELECT status FROM assignment_submission") == [("passed",)]
    assert tool.rows("SELECT decision, percent, passed FROM review") == [("pass", 75.0, True)]
    queued = redis.Redis.from_url(broker_url).llen("grading")
    assert queued == 1  # grading.finalize_review, sent after the commit


def test_cannot_pass_below_the_required_level_and_the_form_keeps_its_values(tool, platform):
    submission = submitted(tool, platform)
    response = instructor(tool, platform).post(
        tool.url + f"/instructor/reviews/{submission}",
        headers=HTML,
        data=rubric_form(1, "pass", feedback="Keep this text"),
    )
    assert response.status_code == 422
    assert "below the required level" in response.text and "Keep this text" in response.text
    assert tool.rows("SELECT status FROM assignment_submission") == [("submitted",)]


def test_missing_criterion_is_a_clear_400(tool, platform):
    submission = submitted(tool, platform)
    form = rubric_form(3, "pass")
    form.pop(next(k for k in form if k.startswith("c-")))
    response = instructor(tool, platform).post(
        tool.url + f"/instructor/reviews/{submission}", data=form, headers=HTML
    )
    assert response.status_code == 400 and "every criterion" in response.text


def test_revise_shows_feedback_to_the_learner_who_can_resubmit(tool, platform):
    submission = submitted(tool, platform)
    instructor(tool, platform).post(
        tool.url + f"/instructor/reviews/{submission}",
        data=rubric_form(2, "revise", "Add the data sources."),
        headers=HTML,
    )
    learner = api_launch(tool, platform)
    page = learner.get(tool.url + f"/modules/{L1M1}/assignment", headers=HTML).text
    assert "Please revise and resubmit." in page and "Add the data sources." in page
    again = learner.post(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/submissions",
        json={"text": "Revised with data."},
    )
    assert again.status_code == 201 and again.json()["round"] == 2


def test_reviewing_twice_is_a_conflict(tool, platform):
    submission = submitted(tool, platform)
    teacher = instructor(tool, platform)
    teacher.post(
        tool.url + f"/instructor/reviews/{submission}", data=rubric_form(3, "pass"), headers=HTML
    )
    second = teacher.post(
        tool.url + f"/instructor/reviews/{submission}", data=rubric_form(4, "pass"), headers=HTML
    )
    assert second.status_code == 409


def test_failed_score_is_shown_and_resend_requeues_it(tool, platform, broker_url):
    learner = api_launch(tool, platform)
    learner.post(tool.url + f"/api/v1/modules/{L1M1}/assignment/submissions", json={"text": "x"})
    user_id, context_id = tool.rows("SELECT user_id, context_id FROM assignment_submission")[0]
    tool.rows(
        f"INSERT INTO grade (context_id, user_id, module_slug, score, complete, updated_at)"
        f" VALUES ({context_id}, {user_id}, '{L1M1}', 0.5, false, now()) RETURNING id"
    )
    [(outbox_id,)] = tool.rows(
        "INSERT INTO score_outbox (context_id, user_id, module_slug, score_given, score_maximum,"
        " timestamp, status, tries, classification, last_error, next_attempt_at, created_at)"
        f" VALUES ({context_id}, {user_id}, '{L1M1}', 50, 100, now(), 'failed', 1,"
        " 'not_gradable', 'line item was deleted', now(), now()) RETURNING id"
    )
    teacher = instructor(tool, platform)
    page = teacher.get(tool.url + "/instructor/?status=all", headers=HTML).text
    assert "Failed: not_gradable" in page and "line item was deleted" in page

    resent = teacher.post(
        tool.url + "/instructor/scores/resend",
        headers=HTML,
        data={"outbox_id": str(outbox_id)},
        allow_redirects=False,
    )

    assert resent.status_code == 303
    assert tool.rows("SELECT status FROM score_outbox") == [("pending",)]
    assert redis.Redis.from_url(broker_url).llen("lms") == 1  # lti.publish_score queued
    learner_page = learner.get(tool.url + f"/modules/{L1M1}", headers=HTML).text
    assert "being sent to your LMS gradebook" in learner_page
