"""The tool as it is deployed: gunicorn with several workers, a Celery worker process, and
`lms-plugin run` (the embedded default) starting and stopping them as one."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.support.launch_flow import full_launch
from tests.support.learners import ags_claim, api_launch, submit_quiz
from tests.support.lti_platform import LmsPlatform
from tests.support.processes import (
    cli,
    free_port,
    gunicorn,
    marked_tree,
    prepare_tool,
    process,
    process_tree,
    tool_env,
    wait_http,
)
from tests.support.worker import wait_for

pytestmark = pytest.mark.e2e


def test_login_on_one_gunicorn_and_launch_on_another_on_postgres_and_redis(
    tmp_path, pg_url, redis_url
):
    """Two web machines behind one public URL: a launch's login may reach one and its id_token
    post the other. Which worker of one gunicorn takes a connection is up to the kernel, so the
    test picks the machine for each request itself, in both directions."""
    ports = free_port(), free_port()
    url = f"http://127.0.0.1:{ports[0]}"
    env = tool_env(
        instance_dir=str(tmp_path),
        database_url=pg_url,
        cache_url=redis_url,
        broker_url=redis_url,
        cache_prefix=f"e2e:{uuid.uuid4().hex[:6]}:",
        public_url=url,
        secret_key="e2e-" + uuid.uuid4().hex,
    )
    lms = LmsPlatform(tool_url=url).start()
    try:
        engine = create_engine(pg_url)
        with engine.begin() as conn:  # the session database may hold other tests' platforms,
            # and keys sealed with another test's secret (one database, one secret)
            for table in ("registration", "tool_key", "issuer_key"):
                if conn.execute(text(f"SELECT to_regclass('{table}')")).scalar() is not None:
                    conn.execute(text(f"TRUNCATE {table} CASCADE"))
        engine.dispose()
        up = subprocess.run(
            cli("db", "upgrade"), env=env, capture_output=True, timeout=120, text=True
        )
        assert up.returncode == 0, up.stdout + up.stderr
        prepare_tool(env, lms)
        logs = tmp_path / "web-a.log", tmp_path / "web-b.log"
        origins = [f"http://127.0.0.1:{port}" for port in ports]
        with (
            process(gunicorn(ports[0], workers=2), env, logs[0]),
            process(gunicorn(ports[1], workers=2), env, logs[1]),
        ):
            for origin in origins:
                wait_http(origin + "/healthz")
            for n in range(6):
                login_at, launch_at = origins[n % 2], origins[1 - n % 2]
                with requests.Session() as browser:
                    response = full_launch(browser, login_at, lms, post_to=launch_at)
                    assert response.status_code == 200, response.text
                    assert response.url.startswith(launch_at)
                    assert browser.get(login_at + "/api/v1/me").status_code == 200
        for log in logs:
            served = re.findall(
                r"pid=<\d+> (GET /lti/login 302|POST /lti/launch 303)", log.read_text()
            )
            assert served.count("GET /lti/login 302") == 3, log.read_text()
            assert served.count("POST /lti/launch 303") == 3, log.read_text()
    finally:
        lms.stop()


def test_embedded_default_runs_web_and_a_real_worker(tmp_path):
    """The README's run command: SQLite + file-system broker, web and worker as processes."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = tool_env(instance_dir=str(tmp_path), public_url=url)
    with process(cli("run", "--port", str(port)), env, tmp_path / "run.log") as run:
        wait_http(url + "/healthz", timeout=60)
        assert requests.get(url + "/lti/jwks", timeout=5).json()["keys"]
        check = subprocess.run(
            cli("check", "--ping-worker"), env=env, capture_output=True, text=True, timeout=90
        )
        assert run.poll() is None
    out = (tmp_path / "run.log").read_text()
    assert check.returncode == 0, check.stdout + check.stderr + out
    assert "worker: ok" in check.stdout and "LMS_BROKER_URL=filesystem://" in check.stdout
    assert f"{url}/lti/login" in out and f"{url}/lti/jwks" in out
    assert "-m lms_plugin.cli platform register-url" in out  # by URL, as this CLI was typed


def test_embedded_default_grades_a_quiz_and_sends_the_score(tmp_path):
    """SQLite + the file-system broker, web and worker as separate processes, end to end."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = tool_env(instance_dir=str(tmp_path), public_url=url, sweep_seconds="2")
    lms = LmsPlatform(tool_url=url).start()
    try:
        with process(cli("run", "--port", str(port)), env, tmp_path / "run.log"):
            wait_http(url + "/healthz", timeout=60)
            prepare_tool(env, lms)
            browser = api_launch(SimpleNamespace(url=url), lms, claims=ags_claim(lms))
            attempt_id = submit_quiz(browser, SimpleNamespace(url=url))
            wait_for(
                lambda: len(lms.scores) == 1, 60, lambda: (tmp_path / "run.log").read_text()[-3000:]
            )
            attempt = browser.get(url + f"/api/v1/attempts/{attempt_id}").json()
    finally:
        lms.stop()
    assert attempt["status"] == "graded" and attempt["percent"] == 100.0
    assert lms.scores[0]["body"]["gradingProgress"] == "FullyGraded"
    assert (tmp_path / "broker").is_dir()  # the embedded broker, not Redis


STOP_SECONDS = 10  # run's promise: web, worker and beat all gone within this of a stop


def _wait_until_up(url: str, log: Path) -> None:
    """The web answers, the worker takes tasks and the beat has started."""
    wait_http(url + "/healthz", timeout=90)
    wait_for(
        lambda: all(s in log.read_text(errors="replace") for s in ("ready.", "beat: Starting")),
        60,
        lambda: log.read_text(errors="replace")[-3000:],
    )


def _stopped_within_deadline(run: subprocess.Popen[bytes], mark: str, signalled: float) -> int:
    """run's exit code, once run and every process it started are gone (by the deadline)."""
    code = run.wait(timeout=STOP_SECONDS)
    left = STOP_SECONDS - (time.monotonic() - signalled)
    wait_for(lambda: not marked_tree(mark), max(left, 0.1), lambda: f"left: {marked_tree(mark)}")
    return code


def _celery_main(mark: str) -> int:
    """The Celery worker's main process in the tree: a celery process whose parent is not."""

    def cmdline(pid: int | str) -> bytes:
        return Path(f"/proc/{pid}/cmdline").read_bytes()

    for pid in marked_tree(mark):
        parent = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
        if b"celery" in cmdline(pid) and b"celery" not in cmdline(parent):
            return pid
    raise AssertionError("no celery worker in the tree")


def test_run_stops_web_worker_and_beat_on_sigterm_three_times_in_a_row(tmp_path):
    """Stopping used to leave Celery in warm shutdown and orphaned (2 of 3 stops)."""
    for attempt in range(3):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = tool_env(instance_dir=str(tmp_path), public_url=url)
        log = tmp_path / f"run{attempt}.log"
        with process_tree(cli("run", "--port", str(port)), env, log) as (run, mark):
            _wait_until_up(url, log)
            # run, gunicorn and its 2 workers, celery, its pool of 2 and the beat
            assert len(marked_tree(mark)) >= 8, marked_tree(mark)
            signalled = time.monotonic()
            run.send_signal(signal.SIGTERM)
            code = _stopped_within_deadline(run, mark, signalled)
        assert code == 0, log.read_text()[-3000:]


def test_run_stops_everything_on_ctrl_c(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = tool_env(instance_dir=str(tmp_path), public_url=url)
    log = tmp_path / "run.log"
    with process_tree(cli("run", "--port", str(port)), env, log) as (run, mark):
        _wait_until_up(url, log)
        signalled = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the foreground group
        code = _stopped_within_deadline(run, mark, signalled)
    assert code == 0, log.read_text()[-3000:]


def test_a_dead_worker_stops_run_and_everything_it_started(tmp_path):
    """A child that dies stops the whole, with a non-zero exit code: nothing restarts here."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = tool_env(instance_dir=str(tmp_path), public_url=url)
    log = tmp_path / "run.log"
    with process_tree(cli("run", "--port", str(port)), env, log) as (run, mark):
        _wait_until_up(url, log)
        signalled = time.monotonic()
        os.kill(_celery_main(mark), signal.SIGKILL)
        code = _stopped_within_deadline(run, mark, signalled)
    assert code != 0
    assert "worker exited with code -9; stopping the others" in log.read_text()


def test_run_sweeps_work_whose_message_was_lost(tmp_path):
    """run starts the beat: its drains grade and send what no message announced."""
    from lms_plugin.settings import load_settings
    from lms_plugin.web.app import create_app
    from worker import dispatch

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = tool_env(instance_dir=str(tmp_path), public_url=url, sweep_seconds="1")
    lms = LmsPlatform(tool_url=url).start()
    try:
        with process_tree(cli("run", "--port", str(port)), env, tmp_path / "run.log"):
            _wait_until_up(url, tmp_path / "run.log")
            prepare_tool(env, lms)
            # Ring every doorbell with messages sent to a broker folder no worker reads: lost.
            void = load_settings(
                {
                    **env,
                    "LMS_DATABASE_URL": load_settings(env).database_url,
                    "LMS_INSTANCE_DIR": str(tmp_path / "void"),
                }
            )
            store = create_app(void).extensions["lms_store"]
            dispatch.grade_submitted(void, store)
            for _ in dispatch.BELLS:
                dispatch.publish_scores(void, store)
            browser = api_launch(SimpleNamespace(url=url), lms, claims=ags_claim(lms))
            attempt_id = submit_quiz(browser, SimpleNamespace(url=url))  # finds its bell rung
            wait_for(
                lambda: len(lms.scores) == 1,
                30,  # well inside the lost bells' lifetime (dispatch.DOORBELL_TTL)
                lambda: (tmp_path / "run.log").read_text()[-3000:],
            )
            attempt = browser.get(url + f"/api/v1/attempts/{attempt_id}").json()
    finally:
        lms.stop()
    assert attempt["status"] == "graded"


def test_lms_plugin_worker_becomes_celery_and_stops_on_sigterm(tmp_path):
    """No supervisor between the platform and Celery: signals and exit code are Celery's."""
    env = tool_env(instance_dir=str(tmp_path))
    log = tmp_path / "worker.log"
    with process_tree(cli("worker", "--name", "exec@%h"), env, log) as (proc, mark):
        wait_for(lambda: "ready." in log.read_text(), 60, log.read_text)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert b"celery" in cmdline and b"worker" in cmdline  # the same pid, exec'd
        signalled = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = _stopped_within_deadline(proc, mark, signalled)
    assert code == 0
    assert "restarting" not in log.read_text()
