"""Grading on a real Celery worker process, scores in the test LMS gradebook — never lost.

Web (in-process HTTP server) and worker (a separate process) share PostgreSQL and a Redis
broker, as in production. Faults are real: SIGKILL, a Redis restart, an LMS answering 429/500.
"""

from __future__ import annotations

import os
import signal
import subprocess
import uuid

import pytest
from sqlalchemy import text

from tests.support.content_keys import L1M1
from tests.support.gradebook import submit_assignment
from tests.support.learners import ags_claim, api_launch, submit_quiz
from tests.support.processes import free_port
from tests.support.worker import celery_worker, settings_env, wait_for

pytestmark = pytest.mark.e2e


def worker_env(tool, **overrides: str) -> dict[str, str]:
    return settings_env(tool.app.extensions["lms_settings"], sweep_seconds="2", **overrides)


def learners_submit(tool, platform, count: int, prefix: str = "l") -> list[int]:
    ids = []
    for n in range(count):
        browser = api_launch(tool, platform, user=f"{prefix}{n}", claims=ags_claim(platform))
        ids.append(submit_quiz(browser, tool))
    return ids


def graded(tool) -> int:
    return tool.rows("SELECT count(*) FROM quiz_attempt WHERE status = 'graded'")[0][0]


def sent(tool) -> int:
    return tool.rows("SELECT count(*) FROM score_outbox WHERE status = 'sent'")[0][0]


def waiting_for_a_lock(tool) -> int:
    return tool.rows(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )[0][0]


def scores_by_user(platform) -> dict[str, int]:
    counts: dict[str, int] = {}
    for score in platform.scores:
        counts[score["user"]] = counts.get(score["user"], 0) + 1
    return counts


def test_quiz_submitted_graded_and_recorded_by_the_lms(tool, platform, tmp_path):
    platform.reset_ags()
    with celery_worker(worker_env(tool), tmp_path / "worker.log"):
        browser = api_launch(tool, platform, claims=ags_claim(platform))
        attempt_id = submit_quiz(browser, tool)
        wait_for(lambda: sent(tool) == 1, 30, lambda: (tmp_path / "worker.log").read_text())
        page = browser.get(tool.url + f"/modules/{L1M1}", headers={"Accept": "text/html"}).text
        submit_assignment(browser, tool)  # rings the grading drain: "needs grading"
        wait_for(lambda: sent(tool) == 2, 30, lambda: (tmp_path / "worker.log").read_text())

    attempt = browser.get(tool.url + f"/api/v1/attempts/{attempt_id}").json()
    assert attempt["status"] == "graded" and attempt["percent"] == 100.0
    score, waiting = platform.scores
    body = score["body"]
    assert body["userId"] == "learner-1"
    assert body["scoreMaximum"] == 100 and body["scoreGiven"] == 50.0  # quiz done, assignment not
    assert body["activityProgress"] == "InProgress" and body["gradingProgress"] == "FullyGraded"
    assert body["comment"] == (
        "Quiz 100% passed; assignment not submitted yet; practice log entry not submitted yet"
    )
    assert body["timestamp"].endswith("+00:00")
    lineitems = [e["item"] for e in platform.lineitems.values() if e["context_id"] == "course-101"]
    assert [li["resourceId"] for li in lineitems] == [L1M1]
    assert score["lineitem"] == waiting["lineitem"] == lineitems[0]["id"]
    assert "scoreGiven" not in waiting["body"]
    assert (waiting["body"]["gradingProgress"], waiting["body"]["activityProgress"]) == (
        "PendingManual",
        "Submitted",
    )
    assert waiting["body"]["comment"] == (
        "Quiz 100% passed; assignment waiting for review; practice log entry not submitted yet"
    )
    assert "in your LMS gradebook" in page


def test_worker_killed_mid_batch_every_grade_exists_exactly_once(tool, platform, tmp_path):
    platform.reset_ags()
    ids = learners_submit(tool, platform, 12)
    log = tmp_path / "worker.log"
    with tool.app.app_context():
        from lms_plugin.db import db

        holder = db.engine.connect()
    try:
        # Hold the outbox: the drain grades its batch, then waits for the lock mid-transaction.
        holder.execute(text("LOCK TABLE score_outbox IN EXCLUSIVE MODE"))
        with celery_worker(worker_env(tool), log, concurrency=2) as first:
            wait_for(lambda: waiting_for_a_lock(tool) >= 1, 60, log.read_text)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    finally:
        holder.rollback()
        holder.close()
    done_before_restart = graded(tool)
    with celery_worker(worker_env(tool), tmp_path / "worker2.log", beat=True):
        wait_for(
            lambda: graded(tool) == len(ids) and sent(tool) == len(ids),
            120,
            lambda: (tmp_path / "worker2.log").read_text()[-3000:],
        )

    assert done_before_restart < len(ids)
    outbox = tool.rows(
        "SELECT user_id, status, timestamp, score_given, tries FROM score_outbox "
        "ORDER BY user_id, id"
    )
    assert tool.rows("SELECT count(*), count(DISTINCT user_id) FROM grade")[0] == (12, 12), outbox
    assert set(scores_by_user(platform).values()) == {1}, (outbox, platform.scores)
    assert len(scores_by_user(platform)) == 12


def test_lms_answering_429_and_500_for_a_while_then_every_score_arrives_once(
    tool, platform, tmp_path
):
    platform.reset_ags()
    platform.fail_next(429, 2, retry_after=1)
    learners_submit(tool, platform, 4)
    with celery_worker(worker_env(tool), tmp_path / "worker.log", beat=True):
        wait_for(
            lambda: (
                tool.rows(
                    "SELECT count(*) FROM score_outbox WHERE tries > 0 AND status = 'pending'"
                )[0][0]
                >= 1
            ),
            30,
        )
        platform.fail_next(500, 2)
        wait_for(
            lambda: sent(tool) == 4, 120, lambda: (tmp_path / "worker.log").read_text()[-3000:]
        )

    assert scores_by_user(platform) == {f"l{n}": 1 for n in range(4)}
    # While the LMS failed, one score at a time asked it again (backing off); the others
    # waited with it instead of each hammering the LMS.
    tries = sorted(row[0] for row in tool.rows("SELECT tries FROM score_outbox"))
    assert tries == [1, 1, 1, 5], tries


def test_not_gradable_is_classified_and_shown_not_retried(tool, platform, tmp_path):
    platform.reset_ags()
    platform.fail_next(404, 1)
    learners_submit(tool, platform, 1)
    with celery_worker(worker_env(tool), tmp_path / "worker.log"):
        wait_for(
            lambda: (
                tool.rows("SELECT count(*) FROM score_outbox WHERE status = 'failed'")[0][0] == 1
            ),
            30,
        )
    assert tool.rows("SELECT classification, tries FROM score_outbox") == [("not_gradable", 1)]
    assert platform.scores == []


def test_redis_restart_during_a_batch_loses_nothing(tool, platform, tmp_path):
    platform.reset_ags()
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    server = _redis_server(port, tmp_path)
    try:
        env = worker_env(tool, broker_url=broker)
        with celery_worker(env, tmp_path / "worker.log", beat=True):
            # The web enqueues on this broker too: swap the app's dispatcher target.
            ids = _submit_with_broker(tool, platform, broker, 8)
            wait_for(lambda: graded(tool) >= 1, 60)
            server.terminate()
            server.wait()
            server = _redis_server(port, tmp_path)  # empty: the queue is lost
            wait_for(
                lambda: graded(tool) == len(ids) and sent(tool) == len(ids),
                120,
                lambda: (tmp_path / "worker.log").read_text()[-3000:],
            )
    finally:
        server.terminate()
        server.wait()
    assert len(scores_by_user(platform)) == 8 and set(scores_by_user(platform).values()) == {1}


def test_worker_survives_the_broker_going_away_while_a_task_runs(tool, platform, tmp_path):
    """Scores being sent (the LMS answering slowly) when Redis restarts, three times: the worker
    reconnects and goes on. Celery 5.7.0's worker died here ("Unrecoverable error" closing the
    lost connection with a task's message unacknowledged) in one restart out of two or three,
    and then nothing was graded or sent any more."""
    platform.reset_ags()
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    server = _redis_server(port, tmp_path)
    log = tmp_path / "worker.log"
    ids: list[int] = []
    try:
        with celery_worker(worker_env(tool, broker_url=broker), log, beat=True) as proc:
            for restart in range(1, 4):
                gate = platform.hold_scores()
                ids += _submit_with_broker(tool, platform, broker, 2)
                wait_for(  # a task in flight
                    platform.score_arrived.is_set, 60, lambda n=restart: _stage(n, "score", log)
                )
                server.terminate()
                server.wait()
                server = _redis_server(port, tmp_path)
                wait_for(
                    lambda n=restart: _broker_losses(log) >= n,
                    30,
                    lambda n=restart: _stage(n, "broker loss", log),
                )
                gate.set()
                wait_for(
                    lambda n=2 * restart: sent(tool) == n,
                    60,
                    lambda n=restart: _stage(n, f"sent {sent(tool)} of {2 * n}", log),
                )
                assert proc.poll() is None, log.read_text()[-3000:]
        assert "Unrecoverable error" not in log.read_text()
    finally:
        platform.reset_ags()  # opens the gate
        server.terminate()
        server.wait()
    assert sent(tool) == 6


def _stage(restart: int, waiting_for: str, log) -> str:
    """What a timed-out wait of the broker test waited for, with the worker's log."""
    return f"restart {restart}: waiting for {waiting_for}\n{log.read_text()[-4000:]}"


def _broker_losses(log) -> int:
    return log.read_text().count("Connection to broker lost")


def _redis_server(port: int, folder) -> subprocess.Popen[bytes]:
    """A Redis of the test's own that keeps nothing on disk: restarted, it is empty."""
    args = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    server = subprocess.Popen(
        [*args, "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL
    )
    wait_for(lambda: _redis_up(port), 10)
    return server


def _redis_up(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(port=port).ping())
    except redis.RedisError:
        return False


def _submit_with_broker(tool, platform, broker: str, count: int) -> list[int]:
    import dataclasses

    settings = tool.app.extensions["lms_settings"]
    tool.app.extensions["lms_settings"] = dataclasses.replace(settings, broker_url=broker)
    try:
        return learners_submit(tool, platform, count, prefix=f"r{uuid.uuid4().hex[:4]}-")
    finally:
        tool.app.extensions["lms_settings"] = settings


def test_duplicate_task_delivery_makes_no_duplicate_rows_or_scores(tool, platform, tmp_path):
    """The drain messages delivered again and again, to two worker processes at once."""
    from worker import dispatch

    platform.reset_ags()
    ids = learners_submit(tool, platform, 6)
    client = dispatch._client(tool.app.extensions["lms_settings"])
    for _ in range(4):  # as a broker redelivering, past the doorbell
        client.send_task(dispatch.GRADE_SUBMITTED)
        client.send_task(dispatch.PUBLISH_SCORES)
    log = tmp_path / "worker.log"
    with celery_worker(worker_env(tool), log, concurrency=2):
        wait_for(lambda: sent(tool) == len(ids), 30, log.read_text)
        for _ in range(4):  # and again once everything is done
            client.send_task(dispatch.GRADE_SUBMITTED)
            client.send_task(dispatch.PUBLISH_SCORES)
        wait_for(lambda: log.read_text().count("succeeded") >= 17, 30, log.read_text)

    assert tool.rows("SELECT count(*) FROM grade")[0][0] == len(ids)
    assert tool.rows("SELECT count(*), count(DISTINCT user_id) FROM score_outbox")[0] == (6, 6)
    assert set(scores_by_user(platform).values()) == {1} and len(platform.scores) == len(ids)


def test_roster_sync_runs_on_the_worker_and_reports_progress(tool, platform, tmp_path):
    teacher = api_launch(tool, platform, user="teacher-1")
    with celery_worker(worker_env(tool), tmp_path / "worker.log"):
        response = teacher.post(
            tool.url + "/instructor/roster/sync",
            headers={"Accept": "text/html"},
            allow_redirects=False,
        )
        assert response.status_code == 303
        wait_for(
            lambda: tool.rows("SELECT status FROM job_run")[0][0] == "done",
            30,
            lambda: (tmp_path / "worker.log").read_text()[-3000:],
        )
    done, total = tool.rows("SELECT done, total FROM job_run")[0]
    assert done == total == len(platform.users)
    assert tool.rows("SELECT count(*) FROM membership")[0][0] == len(platform.users)
