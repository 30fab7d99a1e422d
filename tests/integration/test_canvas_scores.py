"""Scores to a Canvas registration, over real HTTP against the test LMS answering as Canvas:
the https://canvas.instructure.com/lti/submission extension makes a new submission only when
the learner hands in work to review (else every grade change would be a new attempt), and
Canvas's 400 for a score older than the one it holds is recorded as sent, as Moodle's 409."""

from __future__ import annotations

import pytest

from tests.support.content_keys import L1M1
from tests.support.gradebook import drain, launch_link, review, submit_assignment
from tests.support.learners import submit_quiz

pytestmark = pytest.mark.integration

CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"


@pytest.fixture
def canvas(platform, tool):
    platform.reset_ags()
    platform.score_timestamps = "canvas"
    tool.rows("UPDATE registration SET product = 'canvas' RETURNING id")
    yield platform
    platform.reset_ags()


def sent(lms) -> list[dict]:
    return [record["body"] for record in lms.scores]


def test_handing_in_is_a_new_submission_and_grading_it_is_not(tool, canvas):
    link = canvas.place_link(custom={"module": L1M1}, title="Module 1")
    learner = launch_link(tool, canvas, link)
    submit_quiz(learner, tool)
    submission = submit_assignment(learner, tool)
    drain(tool)
    review(tool, submission, level=4, decision="pass")
    drain(tool)

    bodies = sent(canvas)
    waiting = [b for b in bodies if b["gradingProgress"] == "PendingManual"]
    graded = [b for b in bodies if b["gradingProgress"] == "FullyGraded"]
    assert waiting and graded, bodies
    assert all(b[CANVAS_SUBMISSION] == {"new_submission": True} for b in waiting)
    assert all(b[CANVAS_SUBMISSION] == {"new_submission": False} for b in graded)


def test_other_platforms_get_no_canvas_extension(tool, platform):
    platform.reset_ags()
    link = platform.place_link(custom={"module": L1M1}, title="Module 1")
    submit_quiz(launch_link(tool, platform, link), tool)
    drain(tool)
    assert sent(platform) and all(CANVAS_SUBMISSION not in b for b in sent(platform))


def test_a_score_canvas_holds_a_newer_one_of_is_not_reported_as_failed(tool, canvas):
    activity = canvas.place_link(title="ISP Certificate")
    submit_quiz(launch_link(tool, canvas, activity), tool)
    drain(tool)
    # A score dated before the one Canvas holds (a row sent again long after): Canvas answers 400.
    tool.rows(
        "UPDATE score_outbox SET status = 'pending', next_attempt_at = now(),"
        " timestamp = timestamp - interval '1 hour' RETURNING id"
    )

    drain(tool)

    assert len(canvas.scores) == 1 and len(canvas.refused_scores) == 1
    assert tool.rows("SELECT status, classification FROM score_outbox") == [
        ("sent", "lms_has_newer")
    ]
