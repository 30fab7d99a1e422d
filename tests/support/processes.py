"""Start the tool's real processes (gunicorn, celery, lms-plugin run) for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis
import requests

from tests.support.lti_platform import LmsPlatform


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tool_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({f"LMS_{k.upper()}": v for k, v in settings.items()})
    return env


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except (requests.ConnectionError, requests.Timeout):  # not listening, or still booting
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            args, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


TREE_MARK = "E2E_PROCESS_TREE"  # inherited by every descendant, however it was started


def marked_tree(pid_mark: str) -> list[int]:
    """Live processes whose environment carries ``pid_mark`` (zombies have none to read)."""
    needle = f"{TREE_MARK}={pid_mark}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or a kernel thread
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


@contextmanager
def process_tree(
    args: list[str], env: dict[str, str], log: Path
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``process``, with a mark that finds its whole tree even where children start their own
    sessions (as ``lms-plugin run`` does); whatever is left of it is SIGKILLed afterwards."""
    mark = uuid.uuid4().hex
    with process(args, {**env, TREE_MARK: mark}, log) as proc:
        try:
            yield proc, mark
        finally:
            for pid in marked_tree(mark):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def gunicorn(port: int, workers: int = 2) -> list[str]:
    """gunicorn with an access log that names the worker pid serving each request."""
    *command, app = gunicorn_quiet(port, workers)
    return [
        *command,
        "--access-logfile",
        "-",
        "--access-logformat",
        "pid=%(p)s %(m)s %(U)s %(s)s",
        app,
    ]


@contextmanager
def one_worker_held(port: int, method: str, path: str) -> Iterator[list[bytes]]:
    """Hold one sync worker of the gunicorn on `port` on a request whose headers are not yet
    finished, so that the requests made meanwhile go to the other workers; on leaving, finish
    it: the held worker answers, and the answer is appended to the yielded list.

    The kernel hands queued connections to accept() in order, so once any later request has
    been answered, the held one has a worker of its own."""
    answer: list[bytes] = []
    with socket.create_connection(("127.0.0.1", port), timeout=20) as held:
        held.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n".encode()
        )
        yield answer
        held.sendall(b"\r\n")
        answer.append(b"".join(iter(lambda: held.recv(65536), b"")))


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "lms_plugin.cli", *args]


def gunicorn_quiet(port: int, workers: int = 2) -> list[str]:
    """gunicorn without an access log (for benchmarks)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "lms_plugin.wsgi:app",
    ]


def gunicorn_deployed(port: int, workers: int = 2) -> list[str]:
    """gunicorn as docker-compose.yml runs it (``lms_plugin.gunicorn_conf``: the settings checked
    once, metrics summed across workers, each worker's garbage collector prepared), without an
    access log (for benchmarks)."""
    *command, app = gunicorn_quiet(port, workers)
    return [*command[:3], "-c", "python:lms_plugin.gunicorn_conf", *command[3:], app]


def prepare_tool(env: dict[str, str], lms: LmsPlatform) -> None:
    """What an admin does once: migrate, load the content, register the LMS (through the CLI)."""
    for step in (("db", "upgrade"), ("content", "sync")):
        subprocess.run(cli(*step), env=env, check=True, capture_output=True, timeout=180)
    reg = lms.registration_args()
    result = subprocess.run(
        cli(
            "platform",
            "add",
            "--name",
            reg["name"],
            "--issuer",
            reg["issuer"],
            "--client-id",
            reg["client_id"],
            "--auth-login-url",
            reg["auth_login_url"],
            "--token-url",
            reg["auth_token_url"],
            "--jwks-url",
            reg["jwks_url"],
            "--deployment-id",
            lms.deployment_id,
        ),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


@contextmanager
def scratch_database(admin_url: str, prefix: str = "lms_scratch_") -> Iterator[str]:
    """A new PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    name = prefix + uuid.uuid4().hex[:8]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def forget_prefix(redis_url: str, prefix: str) -> None:
    """Delete every key under ``prefix`` (a run's own cache), scanning in large steps so the
    cost does not grow with whatever else the Redis holds."""
    client = redis.Redis.from_url(redis_url)
    try:
        batch: list[bytes] = []
        for key in client.scan_iter(prefix + "*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
    finally:
        client.close()
