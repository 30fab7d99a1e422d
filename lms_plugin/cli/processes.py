"""Process commands: run (web + worker), worker, check."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from typing import Any

import click

from lms_plugin.cli.common import COURSES_DIR, app_context, cli
from lms_plugin.cli.common import session as _session
from lms_plugin.cli.content import sync as _sync
from lms_plugin.settings import load_settings


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--web-workers", default=2, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start a Celery worker beside the web")
def run(host: str, port: int, web_workers: int, no_worker: bool) -> None:
    """Migrate, make keys, then run the web (gunicorn) and a Celery worker until Ctrl-C."""
    from flask_migrate import upgrade

    from lms_plugin.services.keys import ensure_keys

    settings = load_settings()
    with app_context():
        upgrade()
        ensure_keys(_session())
        report = _sync(COURSES_DIR)
        click.echo(f"content: {len(report.created)} new, {len(report.unchanged)} unchanged")
    _print_admin_info(settings.public_url)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                str(web_workers),
                "-b",
                f"{host}:{port}",
                "lms_plugin.wsgi:app",
            ]
        )
    ]
    if not no_worker:
        procs.append(subprocess.Popen([sys.executable, "-m", "lms_plugin.cli", "worker"]))
    _supervise(procs)


@cli.command()
@click.option("--concurrency", default=2, show_default=True, type=int)
@click.option("--queues", default="grading,lms,badges,default", show_default=True)
@click.option("--beat", is_flag=True, help="Also run the periodic scheduler in this process")
@click.option("--name", default="lms@%h", show_default=True, help="Celery node name")
@click.option("--schedule", default=None, help="Where beat keeps its schedule file")
def worker(concurrency: int, queues: str, beat: bool, name: str, schedule: str | None) -> None:
    """Run a Celery worker bound to the Flask app, restarted if it ever dies.

    Celery's worker can exit on an unrecoverable broker error (seen with kombu when Redis
    restarts while messages are unacknowledged); nothing is lost, because the beat's drains pick up
    unfinished work, but the worker must come back on its own.
    """
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "worker.celery_app:celery",
        "worker",
        "-Q",
        queues,
        "-c",
        str(concurrency),
        "-n",
        name,
        "--loglevel",
        "INFO",
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        args.append("-B")
        if schedule:
            args += ["-s", schedule]
    raise SystemExit(_keep_running(args))


def _keep_running(args: list[str]) -> int:
    """Run ``args``; restart it with backoff when it exits on its own, stop on SIGTERM/SIGINT."""
    stopping = False
    child: subprocess.Popen[bytes] | None = None

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delay = 1.0
    while True:
        started = time.monotonic()
        child = subprocess.Popen(args)
        code = child.wait()
        if stopping or code == 0:
            return code
        if time.monotonic() - started > 60:
            delay = 1.0  # it ran for a while: a fresh failure, not a crash loop
        click.echo(f"worker exited with code {code}; restarting in {delay:g} s", err=True)
        time.sleep(delay)
        delay = min(delay * 2, 30.0)


def _print_admin_info(public_url: str) -> None:
    base = public_url.rstrip("/")
    click.echo("\nRegister the tool in your LMS (LTI 1.3) with:")
    click.echo(f"  OpenID Connect login URL (initiate login): {base}/lti/login")
    click.echo(f"  Redirect / launch URL (target link URI):  {base}/lti/launch")
    click.echo(f"  Deep linking (content selection) URL:      {base}/lti/launch")
    click.echo(f"  Public keyset (JWKS) URL:                  {base}/lti/jwks")
    click.echo(
        "Then: lms-plugin platform add --name ... --issuer ... --client-id ... "
        "--auth-login-url ... --token-url ... --jwks-url ... --deployment-id ..."
    )
    click.echo(
        "Or, where the LMS registers tools by URL (LTI Dynamic Registration: Moodle, Canvas):\n"
        "  lms-plugin platform register-url   (prints a one-time URL to paste into the LMS)\n"
    )


def _supervise(procs: list[subprocess.Popen[bytes]]) -> None:
    def stop(*_: object) -> None:
        for p in procs:
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for p in procs:
            p.wait(timeout=30)


@cli.command()
@click.option(
    "--ping-worker", is_flag=True, help="Also send a task and wait for a worker to run it"
)
def check(ping_worker: bool) -> None:
    """Show effective settings (secrets masked) and check DB, broker and cache."""
    from sqlalchemy import text

    from lms_plugin.services.keys import jwks
    from worker import dispatch

    settings = load_settings()
    for name, value in settings.masked().items():
        click.echo(f"{name}={value}")
    failures = 0
    with app_context() as app:
        for label, probe in (
            ("database", lambda: _session().execute(text("SELECT 1"))),
            ("signing keys", lambda: jwks(_session())),  # sealed: they open with the secret
            ("cache", lambda: app.extensions["lms_store"].ping()),
            ("broker", lambda: dispatch.broker_reachable(settings)),
        ):
            failures += _probe(label, probe)
        if ping_worker:
            token = uuid.uuid4().hex
            dispatch.ping(settings, token)
            deadline = time.time() + 30
            store = app.extensions["lms_store"]
            while time.time() < deadline and store.get("ping:" + token) is None:
                time.sleep(0.2)
            failures += _probe("worker", lambda: _require(store.get("ping:" + token)))
    if failures:
        raise SystemExit(1)


def _require(value: object) -> None:
    if value is None:
        raise RuntimeError("no worker answered within 30 s")


def _probe(label: str, probe: Any) -> int:
    try:
        probe()
    except Exception as exc:  # any failure is reported, not raised: this is a diagnostic
        click.echo(f"{label}: FAILED ({exc.__class__.__name__}: {exc})")
        return 1
    click.echo(f"{label}: ok")
    return 0
