"""Submission Review (LTI Submission Review Service 1.0) over real HTTP: from the LMS gradebook
an instructor lands on the learner's submission and its review page, a learner on their own
work and feedback; another learner, or a learner of another course, is refused; every check of
a resource link launch still applies. The line items the tool creates advertise it."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from lms_plugin.lti.ags import AgsClient
from tests.support.content_keys import L1M1
from tests.support.launch_flow import full_launch, start_login
from tests.support.lti_platform import CLAIM, LEARNER
from tests.support.reviews import submitted

pytestmark = pytest.mark.integration

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
REVIEW = "LtiSubmissionReviewRequest"


def review_claims(platform, for_user: str, *, module: str | None = L1M1, **extra: Any):
    """What the gradebook sends when someone opens a learner's entry in the column of L1M1."""
    placement = platform.place_link(custom={"module": module} if module else None)
    claims: dict[str, Any] = {
        CLAIM + "message_type": REVIEW,
        "resource_link_id": placement.link_id,
        CLAIM + "for_user": {"user_id": for_user, "roles": [LEARNER]},
        AGS: {
            "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
            "lineitem": placement.lineitem,
        },
    }
    claims.update(extra)
    return claims


def review_launch(tool, platform, user: str, claims: dict[str, Any]) -> requests.Response:
    browser = requests.Session()
    browser.headers["Accept"] = "application/json, text/html;q=0.9"
    return full_launch(browser, tool.url, platform, login_hint=user, claims=claims)


def test_instructor_lands_on_the_learners_submission(tool, platform):
    submission = submitted(tool, platform)

    response = review_launch(tool, platform, "teacher-1", review_claims(platform, "learner-1"))

    assert response.status_code == 200, response.text
    assert f"/instructor/reviews/{submission}" in response.url
    assert "My role map" in response.text  # the learner's work, beside the rubric


def test_instructor_lands_on_the_learner_when_nothing_was_submitted(tool, platform):
    submitted(tool, platform, user="learner-2")  # someone else's work is not opened
    full_launch(requests.Session(), tool.url, platform)  # learner-1 is a member, no submission

    response = review_launch(tool, platform, "teacher-1", review_claims(platform, "learner-1"))

    assert response.status_code == 200, response.text
    assert f"/modules/{L1M1}" in response.url and "/cohort/learners/" in response.url


def test_learner_lands_on_their_own_work_and_feedback(tool, platform):
    submitted(tool, platform)

    response = review_launch(tool, platform, "learner-1", review_claims(platform, "learner-1"))

    assert response.status_code == 200, response.text
    assert f"/modules/{L1M1}/assignment" in response.url
    assert "My role map" in response.text


def test_a_learner_is_refused_another_learners_work(tool, platform):
    submitted(tool, platform, user="learner-2")
    users = tool.count("lti_user")

    response = review_launch(tool, platform, "learner-1", review_claims(platform, "learner-2"))

    assert response.status_code == 403
    assert response.json()["error"] == "review_not_yours"
    assert "lms_session" not in response.cookies  # no session was started
    assert tool.count("lti_user") == users + 1  # only the launching learner is recorded


def test_an_instructor_of_another_course_is_refused(tool, platform):
    submitted(tool, platform)  # learner-1's work in course-101
    claims = review_claims(platform, "learner-1", context_id="course-202")

    response = review_launch(tool, platform, "teacher-1", claims)

    assert response.status_code == 404
    assert response.json()["error"] == "review_learner_unknown"


@pytest.mark.parametrize(
    "change, code",
    [
        ({CLAIM + "for_user": None}, "for_user_missing"),
        ({CLAIM + "for_user": {"name": "Lena"}}, "for_user_missing"),
        (
            {AGS: {"scope": [], "lineitems": "https://lms.example.edu/li"}},
            "review_lineitem_missing",
        ),
        ({CLAIM + "target_link_uri": "https://evil.example/launch"}, "target_link_foreign"),
        ({CLAIM + "resource_link": None}, "resource_link_missing"),
        ({CLAIM + "version": "1.1"}, "version_unsupported"),
    ],
)
def test_every_launch_check_still_applies(tool, platform, browser, change, code):
    auth = start_login(browser, tool.url, platform, login_hint="teacher-1")
    claims = platform.claims(
        nonce=auth["nonce"],
        user=platform.users["teacher-1"],
        **{**review_claims(platform, "learner-1"), **change},
    )
    response = browser.post(
        tool.url + "/lti/launch",
        data={"state": auth["state"], "id_token": platform.id_token(claims)},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == code
    assert tool.count("lti_user") == 0


def test_a_learners_review_token_cannot_be_replayed(tool, platform, browser):
    auth = start_login(browser, tool.url, platform)
    claims = platform.claims(nonce=auth["nonce"], **review_claims(platform, "learner-1"))
    token = platform.id_token(claims)
    first = browser.post(tool.url + "/lti/launch", data={"state": auth["state"], "id_token": token})
    again = browser.post(tool.url + "/lti/launch", data={"state": auth["state"], "id_token": token})
    assert first.status_code == 200
    assert again.status_code == 400 and again.json()["error"] == "state_unknown"


def test_line_items_the_tool_creates_advertise_submission_review(tool, platform):
    with tool.app.app_context():
        from lms_plugin.db import db
        from lms_plugin.db.models import Registration
        from lms_plugin.lti.clients import ags_client
        from lms_plugin.web import deps

        registration = db.session.query(Registration).one()
        client: AgsClient = ags_client(
            registration,
            session=db.session(),
            store=deps.store(),
            http=requests.Session(),
            timeout=5,
            require_https=False,
        )
        from lms_plugin.domain.submission_review import submission_review

        url = client.create_lineitem(
            platform.lineitems_url(),
            label="Module 1",
            score_maximum=100,
            resource_id=L1M1,
            tag="isp-module-grade",
            resource_link_id=None,
            submission_review=submission_review(L1M1),
        )
    created = next(e["item"] for e in platform.lineitems.values() if e["item"]["id"] == url)
    assert created["submissionReview"]["custom"] == {"module": L1M1}
    assert "Submitted" in created["submissionReview"]["reviewableStatus"]
