"""The grading and score-sending drains on PostgreSQL, called directly: batches, concurrent
drains (SKIP LOCKED, leases), idempotence, and an LMS that asks us to wait."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lms_plugin.services import grades, passback
from tests.support.content_keys import L1M1
from tests.support.learners import ags_claim, api_launch, submit_quiz

pytestmark = pytest.mark.integration


def submit(tool, platform, users: list[str]) -> list[int]:
    return [
        submit_quiz(api_launch(tool, platform, user=u, claims=ags_claim(platform)), tool)
        for u in users
    ]


def drain_grading(tool, limit: int = grades.BATCH) -> grades.Graded:
    from lms_plugin.db import db

    with tool.app.app_context():
        return grades.grade_submitted(db.session(), limit)


def drain_scores(tool) -> int:
    from lms_plugin.db import db
    from worker.ports import ags_for, store

    with tool.app.app_context():
        return passback.publish_due(db.session(), ags_for, store())


def test_batches_grade_every_attempt_once_and_queue_one_score_each(tool, platform):
    submit(tool, platform, [f"b{n}" for n in range(5)])

    sizes = [drain_grading(tool, limit=2).attempts for _ in range(4)]

    assert sizes == [2, 2, 1, 0]
    assert tool.rows("SELECT count(*) FROM quiz_attempt WHERE status = 'graded'") == [(5,)]
    assert tool.rows("SELECT count(*), count(DISTINCT user_id) FROM grade") == [(5, 5)]
    assert tool.rows("SELECT count(*), count(DISTINCT user_id) FROM score_outbox") == [(5, 5)]
    assert drain_grading(tool) == grades.Graded(0, [])  # again: nothing changes


def test_two_attempts_of_one_learner_in_one_batch_make_one_grade_from_the_best(tool, platform):
    browser = api_launch(tool, platform, user="twice", claims=ags_claim(platform))
    first = browser.post(tool.url + f"/api/v1/modules/{L1M1}/attempts").json()
    done = browser.post(tool.url + f"/api/v1/attempts/{first['id']}/answers", json={"answers": {}})
    assert done.status_code == 200  # nothing answered: 0 %
    second = submit_quiz(browser, tool)  # every answer right

    graded = drain_grading(tool)

    assert graded.attempts == 2 and len(graded.queued) == 1
    percents = dict(tool.rows("SELECT id, percent FROM quiz_attempt"))
    assert percents == {first["id"]: 0.0, second: 100.0}
    assert tool.rows("SELECT quiz_percent FROM grade") == [(100.0,)]
    assert tool.rows("SELECT score_given FROM score_outbox") == [(50.0,)]


def test_an_attempt_another_worker_holds_is_skipped_not_waited_for(tool, platform):
    from lms_plugin.db import db

    held, free = submit(tool, platform, ["held", "free"])
    with tool.app.app_context():
        other = db.engine.connect()  # another worker, mid-transaction on one attempt
    try:
        other.execute(text(f"SELECT id FROM quiz_attempt WHERE id = {held} FOR UPDATE"))
        graded = drain_grading(tool)
    finally:
        other.rollback()
        other.close()
    assert graded.attempts == 1
    assert dict(tool.rows("SELECT id, status FROM quiz_attempt")) == {
        held: "submitted",
        free: "graded",
    }
    assert drain_grading(tool).attempts == 1  # once released, the next drain takes it


def test_leased_scores_are_not_sent_by_another_drain_until_the_lease_ends(tool, platform):
    from lms_plugin.db import db

    platform.reset_ags()
    submit(tool, platform, ["s1", "s2", "s3"])
    drain_grading(tool)
    with tool.app.app_context():
        leased = passback._claim(db.session(), passback.utcnow())  # a drain that then died
    assert len(leased) == 3

    assert drain_scores(tool) == 0 and platform.scores == []
    # The lease ends:
    tool.rows("UPDATE score_outbox SET next_attempt_at = now() - interval '1 s' RETURNING id")
    assert drain_scores(tool) == 3
    assert sorted(s["user"] for s in platform.scores) == ["s1", "s2", "s3"]
    assert tool.rows("SELECT DISTINCT status, tries FROM score_outbox") == [("sent", 1)]


def test_an_lms_asking_to_wait_gets_one_request_and_its_scores_wait_together(tool, platform):
    platform.reset_ags()
    submit(tool, platform, ["w1", "w2", "w3"])
    drain_grading(tool)
    platform.fail_next(429, 5, retry_after=30)

    with pytest.raises(passback.RetryLater) as waited:
        drain_scores(tool)

    assert 29 <= waited.value.delay <= 31
    rows = tool.rows(
        "SELECT status, tries, classification, "
        "round(extract(epoch FROM next_attempt_at - now())) FROM score_outbox ORDER BY tries"
    )
    assert [r[:3] for r in rows] == [
        ("pending", 0, None),
        ("pending", 0, None),
        ("pending", 1, "rate_limited"),
    ]
    assert {r[3] for r in rows} <= {29, 30}  # all due together, after the LMS's Retry-After
    assert len(platform._faults["ags"]) == 4  # one request only: the LMS was not hammered


def test_a_review_whose_task_was_lost_is_folded_by_the_beat(tool, platform):
    from lms_plugin.db import db
    from lms_plugin.services import reviews
    from tests.support.reviews import instructor, rubric_form, submitted

    submission = submitted(tool, platform)
    done = instructor(tool, platform).post(
        tool.url + f"/instructor/reviews/{submission}",
        data=rubric_form(3, "pass"),
        headers={"Accept": "text/html"},
        allow_redirects=False,
    )
    assert done.status_code == 303  # its grading.finalize_review message is never consumed
    assert tool.rows("SELECT folded_at IS NULL FROM review") == [(True,)]

    with tool.app.app_context():
        queued = reviews.fold_unfolded(db.session())
        again = reviews.fold_unfolded(db.session())

    assert len(queued) == 1 and again == []
    assert tool.rows("SELECT rubric_percent FROM grade") == [(75.0,)]
    assert tool.rows("SELECT folded_at IS NOT NULL FROM review") == [(True,)]
