"""Metrics and logs of the real processes: gunicorn's workers summed in one /metrics, a Celery
worker's own /metrics moving when a quiz is graded and its score sent (and an LMS call fails),
and JSON log lines whose request id follows a learner's request into the tasks it queued."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import requests

from tests.integration.test_metrics import moved, sample, samples, scrape
from tests.support.learners import ags_claim, api_launch, submit_quiz
from tests.support.processes import (
    cli,
    free_port,
    gunicorn,
    one_worker_held,
    process,
    tool_env,
    wait_http,
)
from tests.support.worker import celery_worker, settings_env, wait_for

pytestmark = pytest.mark.e2e

STATE_MISSING = sample("lms_launches_total", outcome="refused", reason="state_missing")


def test_gunicorn_workers_are_summed_whichever_answers(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = tool_env(instance_dir=str(tmp_path), public_url=url)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn_conf makes a folder of its own
    subprocess.run(cli("db", "upgrade"), env=env, check=True, capture_output=True, timeout=120)
    conf = ["-c", "python:lms_plugin.gunicorn_conf"]
    command = gunicorn(port, workers=2)
    log = tmp_path / "gunicorn.log"
    with process([*command[:3], *conf, *command[3:]], env, log):
        wait_http(url + "/healthz")
        # One launch held on one worker while the others go to the other, so both count some.
        others = 20
        with one_worker_held(port, "POST", "/lti/launch") as held:
            for _ in range(others):
                refused = requests.post(url + "/lti/launch", headers={"Connection": "close"})
                assert refused.status_code == 400
        assert held[0].startswith(b"HTTP/1.1 400 "), held
        sent = others + 1
        # Then one scrape held on one worker while another scrape goes to the other.
        with one_worker_held(port, "GET", "/metrics") as held_scrape:
            answers = [scrape(url)[STATE_MISSING]]
        answers.append(samples(held_scrape[0].partition(b"\r\n\r\n")[2].decode())[STATE_MISSING])
    served = set(re.findall(r"pid=<(\d+)> POST /lti/launch 400", log.read_text()))
    scrapers = set(re.findall(r"pid=<(\d+)> GET /metrics 200", log.read_text()))
    assert len(served) == 2, log.read_text()
    assert len(scrapers) == 2  # each worker answered, with both workers' launches
    assert answers == [sent, sent]


def test_worker_metrics_and_the_request_id_in_task_log_lines(tool, platform, tmp_path):
    metrics_port = free_port()
    env = settings_env(
        tool.app.extensions["lms_settings"],
        sweep_seconds="2",
        log_format="json",
        worker_metrics_bind=f"127.0.0.1:{metrics_port}",
    )
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "worker-metrics")
    worker_url = f"http://127.0.0.1:{metrics_port}"
    web_before = scrape(tool.url)
    platform.fail_next(500, 1)  # the first score is refused once, then sent on retry
    log = tmp_path / "worker.log"
    with celery_worker(env, log):
        wait_http(worker_url + "/metrics")
        worker_before = scrape(worker_url)
        browser = api_launch(tool, platform, claims=ags_claim(platform))
        browser.headers["X-Request-ID"] = "quiz-7f3a91"
        submit_quiz(browser, tool)
        wait_for(lambda: tool.count("score_outbox") == 1 and _sent(tool), 60, log.read_text)
        wait_for(lambda: _task_lines(log, "lti.publish_scores"), 30, log.read_text)
        worker_changes = moved(worker_before, scrape(worker_url))
    web_changes = moved(web_before, scrape(tool.url))

    assert worker_changes[sample("lms_scores_total", outcome="sent")] == 1
    assert worker_changes[sample("lms_scores_total", outcome="pending")] == 1  # the 500
    failed_call = sample(
        "lms_platform_call_failures_total", platform=platform.issuer, service="ags", status="500"
    )
    assert worker_changes[failed_call] == 1
    assert worker_changes["lms_graded_total"] == 1
    assert worker_changes["lms_grading_batch_duration_seconds_count"] == 1
    assert worker_changes["lms_grading_wait_seconds_count"] == 1  # this quiz, submit → graded
    assert worker_changes["lms_grading_wait_seconds_sum"] > 0
    grading = sample("lms_tasks_total", task="grading.grade_submitted", outcome="success")
    assert worker_changes[grading] >= 1
    assert (
        worker_changes[sample("lms_tasks_total", task="lti.publish_scores", outcome="retry")] == 1
    )
    assert web_changes[sample("lms_score_outbox_rows", state="sent")] == 1

    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert lines and all(
        {"ts", "level", "logger", "message", "request_id"} <= set(e) for e in lines
    )
    graded = _task_lines(log, "grading.grade_submitted")
    assert "quiz-7f3a91" in {e["request_id"] for e in graded}
    # ... and into the task the grading queued in turn (the score sender)
    assert "quiz-7f3a91" in {e["request_id"] for e in _task_lines(log, "lti.publish_scores")}


def _sent(tool) -> bool:
    return tool.rows("SELECT count(*) FROM score_outbox WHERE status = 'sent'")[0][0] == 1


def _task_lines(log, task: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return [e for e in lines if e.get("task") == task and e["logger"] == "worker.tasks"]
