"""What the production image runs, as real processes: the compose commands refuse to start
without a real secret (one line, non-zero exit), the compose healthchecks tell a live worker and
beat from dead ones, and the package installed outside a checkout finds its data folders."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

from tests.support.processes import cli, free_port, process_tree, tool_env
from tests.support.worker import wait_for

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
BIN = str(Path(sys.executable).parent)  # where the image has gunicorn, celery, lms-plugin
SECRET_ERROR = "error: LMS_SECRET_KEY: production needs a random secret of at least 32 characters"


def _image_env(**settings: str) -> dict[str, str]:
    """The image's environment: LMS_ENV=production (Dockerfile), its console scripts on PATH."""
    env = tool_env(env="production", **settings)
    env["PATH"] = BIN + os.pathsep + env["PATH"]
    env["HOSTNAME"] = socket.gethostname()  # Docker sets it in every container
    return env


def _command(service: str) -> list[str]:
    command = list(COMPOSE[service]["command"])
    if "-b" in command:  # gunicorn: this machine's loopback, a free port
        command[command.index("-b") + 1] = f"127.0.0.1:{free_port()}"
    return command


def _healthcheck(service: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    kind, *test = COMPOSE[service]["healthcheck"]["test"]
    # compose turns $$ into $; CMD-SHELL runs through the container's sh
    args = ["sh", "-c", test[0].replace("$$", "$")] if kind == "CMD-SHELL" else test
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(lambda: _command("web"), id="web-gunicorn"),
        pytest.param(lambda: _command("worker"), id="worker-celery"),
        pytest.param(lambda: _command("worker-lms"), id="worker-lms-celery"),
        pytest.param(lambda: _command("beat"), id="beat-celery"),
        pytest.param(lambda: _command("migrate"), id="migrate-cli"),
        pytest.param(lambda: cli("worker"), id="lms-plugin-worker"),
        pytest.param(lambda: cli("run", "--port", str(free_port())), id="lms-plugin-run"),
    ],
)
def test_every_entry_point_refuses_production_without_a_secret_in_one_line(tmp_path, args):
    """The same settings check everywhere, said once: no traceback, no restart loop."""
    result = subprocess.run(
        args(),
        env=_image_env(instance_dir=str(tmp_path)),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=90,  # a worker that restarted itself on the error would never return
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    errors = [line for line in output.splitlines() if "LMS_SECRET_KEY" in line]
    assert errors and all(line.startswith(SECRET_ERROR) for line in errors), output
    assert "Traceback" not in output, output


def _production(tmp_path: Path, pg_url: str, broker_url: str, **more: str) -> dict[str, str]:
    return _image_env(
        secret_key="production-" + uuid.uuid4().hex * 2,
        public_url="https://isp.example.edu",
        database_url=pg_url,
        broker_url=broker_url,
        cache_url=broker_url,
        cache_prefix=f"image:{uuid.uuid4().hex[:6]}:",
        instance_dir=str(tmp_path),
        **more,
    )


@pytest.mark.parametrize("service", ["worker", "worker-lms"])
def test_worker_healthcheck_pings_the_compose_worker(tmp_path, pg_url, broker_url, service):
    env = _production(tmp_path, pg_url, broker_url)
    log = tmp_path / "worker.log"
    with process_tree(_command(service), env, log) as (worker, _):
        wait_for(lambda: "ready." in log.read_text(), 60, log.read_text)
        alive = _healthcheck(service, env)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert alive.returncode == 0, alive.stdout + alive.stderr
    assert "pong" in alive.stdout
    assert _healthcheck(service, env).returncode != 0  # its node no longer answers


def test_beat_healthcheck_follows_the_compose_beat(tmp_path, pg_url, broker_url):
    env = _production(tmp_path, pg_url, broker_url, sweep_seconds="1")
    heartbeat = tmp_path / "beat.heartbeat"
    before = _healthcheck("beat", env)
    log = tmp_path / "beat.log"
    with process_tree(_command("beat"), env, log) as (beat, _):
        wait_for(heartbeat.exists, 60, log.read_text)
        alive = _healthcheck("beat", env)
        stale = time.time() - 600
        os.utime(heartbeat, (stale, stale))
        # the next due task it sends brings the heartbeat back
        wait_for(lambda: heartbeat.stat().st_mtime > stale + 60, 30, log.read_text)
        # each drain is sent in its turn: wait for the grading one (outbox may come first)
        wait_for(lambda: "Sending due task drain-grading" in log.read_text(), 30, log.read_text)
        beat.send_signal(signal.SIGTERM)
        beat.wait(timeout=30)
    os.utime(heartbeat, (stale, stale))  # a beat that stopped sending, ten minutes ago
    dead = _healthcheck("beat", env)
    assert before.returncode == 1 and "has not started" in before.stderr
    assert alive.returncode == 0, alive.stderr
    assert "Sending due task drain-grading" in log.read_text()
    assert (tmp_path / "celerybeat-schedule").exists() or list(tmp_path.glob("celerybeat-*"))
    assert dead.returncode == 1 and "the beat sends nothing" in dead.stderr


def test_the_installed_package_reads_courses_and_migrations_from_its_working_directory(
    tmp_path,
):
    """As in the image: the wheel's packages in site-packages, data folders in WORKDIR."""
    site, workdir = tmp_path / "site", tmp_path / "app"
    for package in ("lms_plugin", "worker"):
        shutil.copytree(
            ROOT / package, site / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    workdir.mkdir()
    for folder in ("courses", "migrations"):
        (workdir / folder).symlink_to(ROOT / folder)
    env = tool_env(instance_dir=str(tmp_path / "instance"))
    env["PYTHONPATH"] = str(site)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=180,
        )

    where = run("-c", "import lms_plugin.cli.common as c; print(c.__file__)")
    assert where.stdout.strip().startswith(str(site)), where.stdout + where.stderr
    upgrade = run("-m", "lms_plugin.cli", "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    synced = run("-m", "lms_plugin.cli", "content", "sync")
    assert synced.returncode == 0, synced.stderr
    assert re.search(r"^[1-9]\d* new, 0 unchanged$", synced.stdout, re.MULTILINE), synced.stdout
