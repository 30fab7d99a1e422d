"""Instructor review over real HTTP: only their own course, rubric rules, feedback to learners."""

from __future__ import annotations

import html
import json
import re

import pytest
import redis

from lms_plugin.db import db
from lms_plugin.services import review_queue
from tests.support.content_keys import L1M1, module
from tests.support.learners import api_launch
from tests.support.reviews import instructor, rubric_form, submitted

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}


def test_queue_lists_only_this_course(tool, platform):
    submitted(tool, platform, user="a1", course="course-101")
    submitted(tool, platform, user="b1", course="course-B")
    page = instructor(tool, platform).get(tool.url + "/instructor/reviews", headers=HTML)
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
    messages = redis.Redis.from_url(broker_url).lrange("grading", 0, -1)
    tasks = [json.loads(m)["headers"]["task"] for m in messages]
    # grading.finalize_review, sent after the commit (beside the drain's bell the submission rang)
    assert tasks.count("grading.finalize_review") == 1


def test_cannot_pass_below_the_required_level_and_the_form_keeps_its_values(tool, platform):
    submission = submitted(tool, platform)
    response = instructor(tool, platform).post(
        tool.url + f"/instructor/reviews/{submission}",
        headers=HTML,
        data=rubric_form(1, "pass", feedback="Keep this text"),
    )
    assert response.status_code == 422
    assert "below the required level" in response.text and "Keep this text" in response.text
    # named as the reviewer reads them on the page, not by their ids in the content
    assert "level: “Role clarity: what I do and do not do”, “Anchor project scoped" in (
        html.unescape(response.text)
    )
    assert "c1, c2" not in response.text
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


@pytest.mark.parametrize(
    "decision, editable", [(None, False), ("pass", False), ("fail", False), ("revise", True)]
)
def test_the_editor_shows_only_while_a_round_can_be_submitted(tool, platform, decision, editable):
    # Waiting, passed or not passed, a round cannot be sent again (the server says 409): the
    # page shows it as it was sent, read-only, not an editor whose "Submit" would be refused.
    submission = submitted(tool, platform, text="My **role map**, as sent.")
    if decision:
        instructor(tool, platform).post(
            tool.url + f"/instructor/reviews/{submission}",
            data=rubric_form(2 if decision == "revise" else 3, decision),
            headers=HTML,
        )
    page = api_launch(tool, platform).get(tool.url + f"/modules/{L1M1}/assignment", headers=HTML)

    assert page.status_code == 200
    assert ('name="action" value="submit"' in page.text) is editable
    assert ("<textarea" in page.text) is editable
    sent = re.search(r'data-testid="submitted-round">(.*?)</section>', page.text, re.S)
    assert (sent is None) is editable
    if sent:
        assert "Your submission (round 1)" in sent[1] and "<strong>role map</strong>" in sent[1]
        waiting = "It can no longer be changed" in sent[1]
        assert waiting is (decision is None)


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
    page = teacher.get(tool.url + "/instructor/gradebook?show=problems", headers=HTML).text
    assert "Failed: not_gradable" in page and "line item was deleted" in page
    queued = redis.Redis.from_url(broker_url).llen("lms")  # the course's first roster sync

    resent = teacher.post(
        tool.url + "/instructor/scores/resend",
        headers=HTML,
        data={"outbox_id": str(outbox_id)},
        allow_redirects=False,
    )

    assert resent.status_code == 303 and "/instructor/gradebook" in resent.headers["Location"]
    assert tool.rows("SELECT status FROM score_outbox") == [("pending",)]
    assert redis.Redis.from_url(broker_url).llen("lms") == queued + 1  # lti.publish_score
    learner_page = learner.get(tool.url + f"/modules/{L1M1}", headers=HTML).text
    assert "being sent to your LMS gradebook" in learner_page


def test_the_review_page_shows_who_when_earlier_rounds_and_the_rule(tool, platform):
    first = submitted(tool, platform)
    teacher = instructor(tool, platform)
    teacher.post(
        tool.url + f"/instructor/reviews/{first}",
        data=rubric_form(2, "revise", "Name the data sources."),
        headers=HTML,
    )
    learner = api_launch(tool, platform)
    again = learner.post(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/submissions", json={"text": "Round two."}
    )
    [(submitted_at,)] = tool.rows(
        f"SELECT submitted_at FROM assignment_submission WHERE id = {again.json()['id']}"
    )

    page = teacher.get(tool.url + f"/instructor/reviews/{again.json()['id']}", headers=HTML).text

    assert 'data-testid="learner">Lena Learner <span class="meta">learner-1@example.edu' in page
    assert f'datetime="{submitted_at.isoformat(timespec="seconds")}' in page
    assert "Round two." in page and "Round</dt><dd>2 of 3" in page
    limit = f"{module(L1M1).assignment.word_limit:,}"  # a limit, not a target to reach
    assert f"(2 words; the limit is {limit})" in page
    earlier = page.split('data-testid="earlier-round"')[1].split("</details>")[0]
    assert "Revision requested" in earlier and "Name the data sources." in earlier
    assert "Theo Teacher" in earlier and "2 Developing" in earlier
    assert "To pass, every criterion needs Developing (2) or above, and the mean" in page
    criteria = len(module(L1M1).assignment.criteria)
    assert f"Total 0 of {4 * criteria} (0%); {criteria} criteria still to score." in page


def test_a_name_the_lms_did_not_share_is_said(tool, platform):
    platform.add_user("anon-1", "unused", platform.users["learner-1"].roles)
    learner = api_launch(tool, platform, user="anon-1", claims={"name": None, "email": None})
    done = learner.post(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/submissions", json={"text": "Mine."}
    )
    page = instructor(tool, platform).get(
        tool.url + f"/instructor/reviews/{done.json()['id']}", headers=HTML
    )
    assert "Learner anon-1 (the LMS did not share a name)" in page.text


def test_save_and_next_walks_the_waiting_ones_then_the_queue_shows_the_outcomes(tool, platform):
    first = submitted(tool, platform, user="a1")
    second = submitted(tool, platform, user="a2")
    other = submitted(tool, platform, user="b1", course="course-B")  # never "next" here
    teacher = instructor(tool, platform)

    saved = teacher.post(
        tool.url + f"/instructor/reviews/{first}",
        data={**rubric_form(3, "pass"), "then": "next"},
        headers=HTML,
        allow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["Location"].startswith(f"/instructor/reviews/{second}?")
    assert f"saved={first}" in saved.headers["Location"]
    following = teacher.get(tool.url + saved.headers["Location"], headers=HTML).text
    assert "Saved: Learner a1, round 1 — " in following and "Passed" in following
    assert "Learner a2" in following

    last = teacher.post(
        tool.url + f"/instructor/reviews/{second}",
        data={**rubric_form(2, "revise", "More detail."), "then": "next"},
        headers=HTML,
        allow_redirects=False,
    )
    assert last.headers["Location"].startswith("/instructor/reviews?")  # nothing else waits
    queue = teacher.get(tool.url + last.headers["Location"], headers=HTML).text
    assert "No other assignment is waiting for review." in queue
    outcomes = re.findall(r'data-testid="outcome">(.*?)</td>', queue)
    assert [_text(o) for o in outcomes] == ["Revision requested (50%)", "Passed (75%)"]
    assert "Theo Teacher" in queue
    passed = teacher.get(tool.url + "/instructor/reviews?status=passed", headers=HTML).text
    assert "Learner a1" in passed and "Learner a2" not in passed
    waiting = teacher.get(tool.url + "/instructor/reviews", headers=HTML).text
    assert "No assignment is waiting for review." in waiting and "Learner b1" not in waiting
    assert tool.rows(f"SELECT status FROM assignment_submission WHERE id = {other}") == [
        ("submitted",)
    ]


def test_save_and_back_to_the_queue(tool, platform):
    first = submitted(tool, platform, user="a1")
    submitted(tool, platform, user="a2")
    saved = instructor(tool, platform).post(
        tool.url + f"/instructor/reviews/{first}",
        data={**rubric_form(4, "pass"), "then": "queue"},
        headers=HTML,
        allow_redirects=False,
    )
    location = saved.headers["Location"]
    assert location.startswith("/instructor/reviews?") and "status=reviewed" in location


def test_another_courses_submission_cannot_be_reviewed_nor_named(tool, platform):
    other = submitted(tool, platform, user="b1", course="course-B")
    mine = submitted(tool, platform, user="a1")
    teacher = instructor(tool, platform)

    saved = teacher.post(
        tool.url + f"/instructor/reviews/{other}", data=rubric_form(3, "pass"), headers=HTML
    )
    named = teacher.get(tool.url + f"/instructor/reviews/{mine}?saved={other}", headers=HTML)
    queue = teacher.get(tool.url + f"/instructor/reviews?saved={other}", headers=HTML)

    assert saved.status_code == 404
    assert tool.rows("SELECT count(*) FROM review") == [(0,)]
    assert named.status_code == 200 and "Learner b1" not in named.text
    assert queue.status_code == 200 and "Learner b1" not in queue.text


def test_an_outcome_must_be_chosen_and_the_levels_stay_chosen(tool, platform):
    submission = submitted(tool, platform)
    form = rubric_form(3, "")
    response = instructor(tool, platform).post(
        tool.url + f"/instructor/reviews/{submission}", data=form, headers=HTML
    )
    assert response.status_code == 422 and "Choose an outcome" in response.text
    criteria = module(L1M1).assignment.criteria
    assert response.text.count('value="3" required checked') == len(criteria)
    assert f"Total {3 * len(criteria)} of {4 * len(criteria)} (75%), mean 3.0." in response.text
    assert "Meets the pass rule." in response.text


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_queue_is_paged_and_a_page_past_the_last_shows_the_last(tool, platform):
    for user in ("a1", "a2", "a3"):
        submitted(tool, platform, user=user)
    [(context_id,)] = tool.rows("SELECT DISTINCT context_id FROM assignment_submission")
    with tool.app.app_context():
        session = db.session()
        second = review_queue.review_queue(session, context_id, "submitted", per_page=2, page=2)
        beyond = review_queue.review_queue(session, context_id, "all", per_page=2, page=10**18)
    assert [e.learner_name for e in second.entries] == ["Learner a3"]
    assert (second.page, second.pages, beyond.page) == (2, 2, 2)
    page = instructor(tool, platform).get(
        tool.url + "/instructor/reviews?page=99999999999999999999999", headers=HTML
    )
    assert page.status_code == 200 and "Learner a1" in page.text
