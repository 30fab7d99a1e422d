"""Level credentials issued by a real Celery worker process: a learner completes Level 1 through
the HTTP API and an instructor's reviews, and exactly one credential is issued within seconds;
a worker SIGKILLed mid-issue and the drain message delivered twice still make one."""

from __future__ import annotations

import os
import signal

import pytest
from sqlalchemy import text

from lms_plugin.services import verification
from tests.support.awards import award_rows, complete_level, issuer
from tests.support.content_keys import catalogue
from tests.support.learners import api_launch, submit_quiz
from tests.support.node_verifier import node_verify
from tests.support.practice_log import entry_form
from tests.support.worker import celery_worker, settings_env, wait_for

pytestmark = pytest.mark.e2e


def worker_env(tool) -> dict[str, str]:
    return settings_env(tool.app.extensions["lms_settings"], sweep_seconds="2")


def passing_review(module) -> dict[str, str]:
    criteria = module.assignment.criteria
    return {**{f"c-{c.id}": "4" for c in criteria}, "feedback": "Well done.", "decision": "pass"}


def attempt_status(tool, attempt_id: int) -> str:
    return tool.rows(f"SELECT status FROM quiz_attempt WHERE id = {attempt_id}")[0][0]


def issued_count(tool) -> int:
    return tool.rows("SELECT count(*) FROM award WHERE status = 'issued'")[0][0]


def test_completing_level_1_over_http_issues_one_credential_within_seconds(
    tool, platform, tmp_path
):
    log = tmp_path / "worker.log"
    program = catalogue().program("isp-level-1")
    assert program is not None
    learner = api_launch(tool, platform, user="graduate")
    teacher = api_launch(tool, platform, user="teacher-1")
    with celery_worker(worker_env(tool), log):
        for module in program.modules:
            attempt_id = submit_quiz(learner, tool, module.slug)
            submitted = learner.post(
                tool.url + f"/api/v1/modules/{module.slug}/assignment/submissions",
                json={"text": f"My work for {module.title}."},
            )
            assert submitted.status_code == 201, submitted.text
            reviewed = teacher.post(
                tool.url + f"/instructor/reviews/{submitted.json()['id']}",
                data=passing_review(module),
                headers={"Accept": "text/html"},
                allow_redirects=False,
            )
            assert reviewed.status_code == 303, reviewed.text
            wait_for(lambda a=attempt_id: attempt_status(tool, a) == "graded", 30, log.read_text)
            entry = learner.post(  # the practice log entry completes the module
                tool.url + f"/modules/{module.slug}/practice-log",
                data=entry_form(250),
                headers={"Accept": "text/html"},
                allow_redirects=False,
            )
            assert entry.status_code == 303, entry.text
        # The last grade completes the level: the badges drain is rung, not the beat's sweep.
        wait_for(lambda: issued_count(tool) == 1, 10, lambda: log.read_text()[-3000:])

    [(credential_id, program_slug, status, *_)] = award_rows(tool)
    assert (program_slug, status) == ("isp-level-1", "issued")
    [(credential, jwt)] = tool.rows("SELECT credential, credential_jwt FROM award")
    from lms_plugin.db import db

    with tool.app.app_context():
        for form in (credential, jwt):
            verdict = verification.verify(db.session(), issuer(tool), form)
            assert verdict.valid, verdict
    assert credential["id"].endswith(credential_id)
    assert len(credential["evidence"]) == len(program.modules)
    assert "badges.issue_awards" in log.read_text()


def waiting_for_a_lock(tool) -> int:
    return tool.rows(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )[0][0]


def test_worker_killed_mid_issue_and_the_message_twice_still_make_one(tool, platform, tmp_path):
    from lms_plugin.db import db
    from worker import dispatch

    complete_level(tool, platform)  # a pending award, no message sent
    client = dispatch._client(tool.app.extensions["lms_settings"])
    log = tmp_path / "worker.log"
    with tool.app.app_context():
        holder = db.engine.connect()
    try:
        # The drain claims the award, then waits to open a status list mid-transaction.
        holder.execute(text("LOCK TABLE status_list IN EXCLUSIVE MODE"))
        client.send_task(dispatch.ISSUE_AWARDS)
        with celery_worker(worker_env(tool), log) as first:
            wait_for(lambda: waiting_for_a_lock(tool) >= 1, 60, log.read_text)
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    finally:
        holder.rollback()
        holder.close()
    assert [row[2] for row in award_rows(tool)] == ["pending"]
    assert tool.rows("SELECT count(*) FROM status_list") == [(0,)]

    client.send_task(dispatch.ISSUE_AWARDS)
    client.send_task(dispatch.ISSUE_AWARDS)  # delivered twice
    second = tmp_path / "worker2.log"
    with celery_worker(worker_env(tool), second):
        wait_for(lambda: issued_count(tool) == 1, 30, lambda: second.read_text()[-3000:])
        wait_for(
            lambda: second.read_text().count("badges.issue_awards") >= 4,  # received + succeeded
            30,
            lambda: second.read_text()[-3000:],
        )

    assert [row[2] for row in award_rows(tool)] == ["issued"]
    assert tool.rows("SELECT count(*), count(status_index) FROM award") == [(1, 1)]
    assert tool.rows("SELECT count(*) FROM status_list") == [(1,)]
    [(credential,)] = tool.rows("SELECT credential FROM award")
    with tool.app.app_context():
        from lms_plugin.services.issuer_keys import issuer_profile_document
        from lms_plugin.services.status_lists import status_list_document

        [(list_id,)] = tool.rows("SELECT id FROM status_list")
        documents = {
            issuer(tool).urls.issuer(): issuer_profile_document(db.session(), issuer(tool)),
            issuer(tool).urls.status_list(list_id): status_list_document(
                db.session(), list_id, issuer(tool).urls
            ),
        }
    answer = node_verify(credential, documents)
    assert answer["verified"] is True and answer["status"][0]["status"] is False, answer
