"""The tool as it is deployed: gunicorn with several workers, a Celery worker process."""

from __future__ import annotations

import re
import subprocess
import uuid
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
    prepare_tool,
    process,
    tool_env,
    wait_http,
)
from tests.support.worker import wait_for

pytestmark = pytest.mark.e2e


def test_launches_across_two_gunicorn_workers_on_postgres_and_redis(tmp_path, pg_url, redis_url):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
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
            # and keys sealed with the session tool's secret (one database, one secret)
            for table in ("registration", "tool_key"):
                if conn.execute(text(f"SELECT to_regclass('{table}')")).scalar() is not None:
                    conn.execute(text(f"TRUNCATE {table} CASCADE"))
        engine.dispose()
        subprocess.run(cli("db", "upgrade"), env=env, check=True, capture_output=True, timeout=120)
        prepare_tool(env, lms)
        with process(gunicorn(port, workers=2), env, tmp_path / "gunicorn.log"):
            wait_http(url + "/healthz")
            for _ in range(12):
                # A fresh connection each time so the two workers share the launches.
                with requests.Session() as browser:
                    browser.headers["Connection"] = "close"
                    response = full_launch(browser, url, lms)
                    assert response.status_code == 200, response.text
                    assert browser.get(url + "/api/v1/me").status_code == 200
        log = (tmp_path / "gunicorn.log").read_text()
        booted = set(re.findall(r"Booting worker with pid: (\d+)", log))
        served = re.findall(r"pid=<(\d+)> (?:GET /lti/login 302|POST /lti/launch 303)", log)
        assert len(booted) == 2 and set(served) == booted, log
        # login and launch of one launch served by different workers: state is shared
        pairs = list(zip(served[::2], served[1::2], strict=True))
        assert any(login != launch for login, launch in pairs), pairs
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
    assert "lms-plugin platform register-url" in out  # registering by URL, where the LMS can


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
