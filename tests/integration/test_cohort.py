"""Cohort progress and the NRPS roster sync, over real HTTP against the test LMS."""

from __future__ import annotations

import threading

import pytest
import redis
from sqlalchemy import insert

from lms_plugin.db import db
from lms_plugin.lti.clients import nrps_client
from lms_plugin.services import roster
from tests.support.cohort import read_grid
from tests.support.content_keys import L1M1, module
from tests.support.learners import api_launch

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def test_a_learner_who_launched_is_never_shown_as_never_launched(tool, platform):
    """Issue 14 §5: launching counts, even before any lesson is opened."""
    active = api_launch(tool, platform, user="ana")
    active.get(tool.url + f"/modules/{L1M1}/lessons/{module(L1M1).lessons[0].slug}", headers=HTML)
    api_launch(tool, platform, user="ben")
    tool.rows(
        "DELETE FROM lesson_view WHERE user_id = (SELECT id FROM lti_user WHERE sub = 'ben')"
        " RETURNING id"
    )
    teacher = api_launch(tool, platform, user="teacher-1")

    page = teacher.get(tool.url + "/instructor/cohort", headers=HTML)

    assert page.status_code == 200
    grid = read_grid(page.text)
    for name in ("Learner ana", "Learner ben"):
        assert grid[name].tags == [] and grid[name].last == "under an hour ago", name
    assert grid["Learner ana"].cells["1.1"][0] == "in_progress"
    assert grid["Learner ben"].cells["1.1"][0] == "not_started"


def test_learners_cannot_see_the_cohort(tool, platform):
    learner = api_launch(tool, platform)
    assert learner.get(tool.url + "/instructor/cohort", headers=HTML).status_code == 403


def test_roster_sync_adds_members_and_drops_inactive_ones(tool, platform):
    teacher = api_launch(tool, platform, user="teacher-1")
    platform.add_user("carl", "Carl Never-Launched", platform.users["learner-1"].roles)
    platform.roster_extra = [{"user_id": "gone-1", "roles": ["Learner"], "status": "Inactive"}]
    try:
        result = _sync_roster(tool)
    finally:
        platform.roster_extra = []
        del platform.users["carl"]
    members = len(platform.users) + 1
    assert result == ("done", {"members": members + 1, "active": members}, members + 1, members + 1)
    page = teacher.get(tool.url + "/instructor/cohort", headers=HTML).text
    assert "Carl Never-Launched" in page and "gone-1" not in page
    assert tool.rows(
        "SELECT count(*) FROM membership m JOIN lti_user u ON u.id = m.user_id "
        "WHERE u.sub = 'gone-1'"
    ) == [(0,)]


def test_roster_entries_of_the_wrong_shape_are_skipped_or_shortened(tool, platform):
    """An LMS's roster with an over-long or numeric user_id, a very long name and email: the
    sync finishes (no database error to retry forever) with what can be kept."""
    api_launch(tool, platform, user="teacher-1")
    platform.roster_extra = [
        {"user_id": "u" * 300, "roles": ["Learner"]},
        {"user_id": 42, "roles": ["Learner"]},
        {"user_id": "long-name", "roles": ["Learner"], "name": "N" * 2000, "email": "e" * 2000},
    ]
    try:
        result = _sync_roster(tool)
    finally:
        platform.roster_extra = []
    members = len(platform.users) + 1  # the platform's users and long-name
    assert result == ("done", {"members": members, "active": members}, members, members)
    assert tool.rows("SELECT length(name), email FROM lti_user WHERE sub = 'long-name'") == [
        (500, None)
    ]


def _sync_roster(tool) -> tuple[object, ...]:
    """Run the roster sync of the course in this process (the worker calls the same service)."""
    context_id = tool.rows("SELECT id FROM lti_context")[0][0]
    with tool.app.app_context():
        job = roster.start_roster_sync(db.session(), context_id).job
        app = tool.app

        def roster_for(registration):
            return nrps_client(
                registration,
                session=db.session(),
                store=app.extensions["lms_store"],
                http=app.extensions["lms_http"],
                timeout=5,
                require_https=False,
            )

        done = roster.sync_roster(db.session(), job.id, roster_for)
        return (done.status, done.result, done.done, done.total)


def test_sync_button_queues_the_job_and_shows_it(tool, platform, broker_url):
    teacher = api_launch(tool, platform, user="teacher-1")
    form = teacher.get(tool.url + "/instructor/cohort", headers=HTML).text
    assert "Sync the roster from the LMS" in form
    response = teacher.post(
        tool.url + "/instructor/roster/sync", headers=HTML, allow_redirects=False
    )
    assert response.status_code == 303
    assert tool.rows("SELECT kind, status FROM job_run") == [("roster_sync", "running")]
    assert redis.Redis.from_url(broker_url).llen("lms") == 1
    job_id = tool.rows("SELECT id FROM job_run")[0][0]
    status = teacher.get(
        tool.url + f"/instructor/jobs/{job_id}", headers={"Accept": "application/json"}
    ).json()
    assert status["status"] == "running"
    assert (
        "Last roster sync: running"
        in teacher.get(tool.url + "/instructor/cohort", headers=HTML).text
    )


def test_course_without_the_roster_service_is_told_so(tool, platform):
    teacher = api_launch(tool, platform, user="teacher-1", claims={NRPS: None})
    response = teacher.post(tool.url + "/instructor/roster/sync", headers=HTML)
    assert response.status_code == 422 and "roster service" in response.text


def test_beat_starts_the_roster_sync_of_courses_due_one(tool, platform, broker_url):
    from datetime import timedelta

    from worker import tasks
    from worker.config import celery_config

    # Courses offering NRPS, made by learners' launches (an instructor's page starts its sync)
    api_launch(tool, platform, user="learner-1")
    api_launch(tool, platform, user="learner-1", course="course-202")
    tool.rows("UPDATE lti_context SET nrps_url = NULL WHERE context_id = 'course-202' RETURNING id")
    queue = redis.Redis.from_url(broker_url)
    with tool.app.app_context():
        due = roster.rosters_due(db.session(), timedelta(hours=24))
        assert len(due) == 1  # course-202 offers no roster service
        assert tasks.sync_rosters.run() == 1  # a job and a message for the due course
        assert roster.rosters_due(db.session(), timedelta(hours=24)) == []
        assert tasks.sync_rosters.run() == 0  # synced within the last 24 hours
    assert tool.rows("SELECT kind, status, context_id FROM job_run") == [
        ("roster_sync", "running", due[0])
    ]
    assert queue.llen("lms") == 1
    tool.rows("UPDATE job_run SET created_at = now() - interval '25 hours' RETURNING id")
    with tool.app.app_context():
        assert roster.rosters_due(db.session(), timedelta(hours=24)) == due
    schedule = celery_config(tool.app.extensions["lms_settings"])["beat_schedule"]
    assert schedule["sync-rosters"] == {"task": "lti.sync_rosters", "schedule": 3600.0}


# --- one roster sync per course at a time (issue 12, finding 9) ----------------------------


def test_repeated_sync_clicks_join_the_running_job(tool, platform, broker_url):
    teacher = api_launch(tool, platform, user="teacher-1")
    for _ in range(3):
        response = teacher.post(
            tool.url + "/instructor/roster/sync", headers=HTML, allow_redirects=False
        )
        assert response.status_code == 303
    assert tool.rows("SELECT kind, status FROM job_run") == [("roster_sync", "running")]
    assert redis.Redis.from_url(broker_url).llen("lms") == 1  # one sync queued, not three
    page = teacher.get(tool.url + "/instructor/cohort", headers=HTML).text
    assert "Last roster sync: running" in page  # the joined job's progress


def test_two_concurrent_starts_make_one_job(tool, platform):
    api_launch(tool, platform, user="learner-1")  # no instructor page: no sync started
    context_id = tool.rows("SELECT id FROM lti_context")[0][0]

    def click() -> tuple[int, bool]:
        started = roster.start_roster_sync(db.session(), context_id)
        return started.job.id, started.new

    result, first_id = _while_another_start_is_uncommitted(tool, context_id, click)

    assert result == (first_id, False)  # the second start joined the first one's job
    assert tool.rows("SELECT id, status FROM job_run") == [(first_id, "running")]


def test_the_beat_joins_a_sync_started_meanwhile(tool, platform):
    api_launch(tool, platform, user="learner-1")  # no instructor page: no sync started
    context_id = tool.rows("SELECT id FROM lti_context")[0][0]

    def beat() -> list[int]:
        return roster.start_due_syncs(db.session(), every_hours=24)

    to_dispatch, first_id = _while_another_start_is_uncommitted(tool, context_id, beat)

    assert to_dispatch == []  # nothing new to queue: the course's sync is running already
    assert tool.rows("SELECT id, status FROM job_run") == [(first_id, "running")]


def _while_another_start_is_uncommitted(tool, context_id, call):
    """Run ``call`` in its own thread and session while another start has inserted its running
    job but not committed: ``call`` waits on the unique index, then sees the job committed.
    Returns what ``call`` returned and the other start's job id."""
    from lms_plugin.db.base import utcnow
    from lms_plugin.db.grading import JobRun
    from tests.support.worker import wait_for

    with tool.app.app_context():
        other = db.engine.connect()
    transaction = other.begin()
    first_id = other.execute(
        insert(JobRun)
        .values(kind="roster_sync", context_id=context_id, status="running", created_at=utcnow())
        .returning(JobRun.id)
    ).scalar_one()
    result: dict[str, object] = {}

    def run() -> None:
        with tool.app.app_context():
            result["value"] = call()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        wait_for(
            lambda: (
                tool.rows(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                == [(1,)]
            ),
            10,
            lambda: "the second start did not wait for the first one's insert",
        )
    finally:
        transaction.commit()
        other.close()
        thread.join(10)
    return result["value"], first_id


def test_an_abandoned_running_job_is_replaced(tool, platform, broker_url):
    teacher = api_launch(tool, platform, user="teacher-1")
    teacher.post(tool.url + "/instructor/roster/sync", headers=HTML)
    [(old_id,)] = tool.rows(
        "UPDATE job_run SET created_at = now() - interval '31 minutes' RETURNING id"
    )

    teacher.post(tool.url + "/instructor/roster/sync", headers=HTML)

    rows = tool.rows("SELECT id, status, result FROM job_run ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [(old_id, "failed"), (old_id + 1, "running")]
    assert "abandoned" in rows[0][2]["error"]
    assert redis.Redis.from_url(broker_url).llen("lms") == 2  # the new job was queued
    with tool.app.app_context():  # the old job's message, delivered late: nothing happens

        def no_lms(registration):
            raise AssertionError("a replaced job must not call the LMS")

        late = roster.sync_roster(db.session(), old_id, no_lms)
    assert (late.status, late.done) == ("failed", 0)
