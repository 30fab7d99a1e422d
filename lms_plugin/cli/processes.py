"""Process commands: run (web + worker + beat, the embedded default), worker, check."""

from __future__ import annotations

import os
import sys
import time
import uuid
from typing import Any

import click

from lms_plugin.cli.common import COURSES_DIR, app_context, cli, database_schema
from lms_plugin.cli.common import session as _session
from lms_plugin.cli.content import sync as _sync
from lms_plugin.cli.hints import typed_command
from lms_plugin.cli.ports import require_free
from lms_plugin.cli.public_url_probe import require_own_keyset
from lms_plugin.cli.together import run_together
from lms_plugin.domain.tool_urls import (
    SET_PUBLIC_URL,
    ToolUrls,
    is_loopback_url,
    unreachable_from,
)
from lms_plugin.settings import Settings, load_settings

CELERY_APP = "worker.celery_app:celery"
DEFAULT_PUBLIC_URL = Settings().public_url  # what another shell, without LMS_PUBLIC_URL, uses
WILDCARDS = ("", "0.0.0.0", "::")  # noqa: S104 - hosts meaning every address, compared only


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--web-workers", default=2, show_default=True, type=int)
@click.option("--no-worker", is_flag=True, help="Do not start a Celery worker beside the web")
def run(host: str, port: int, web_workers: int, no_worker: bool) -> None:
    """Migrate, make keys, then run the web, a Celery worker and the beat until Ctrl-C.

    They stop together: on SIGTERM or Ctrl-C within 10 s, and when one of them exits (then with
    a non-zero code). Production runs gunicorn, celery worker and celery beat on their own.
    Without LMS_PUBLIC_URL, the tool's public URL is http://<host>:<port>.
    """
    from flask_migrate import upgrade

    from lms_plugin.services.keys import ensure_keys
    from lms_plugin.services.platforms import list_platforms

    require_free(host, port, "stop what serves there, or choose another with --port N")
    derived = not os.environ.get("LMS_PUBLIC_URL")
    if derived:  # the web and the worker read it from the environment they inherit
        os.environ["LMS_PUBLIC_URL"] = public_url_for(host, port)
    settings = load_settings()
    with app_context(schema=False):
        upgrade()
        ensure_keys(_session())
        report = _sync(COURSES_DIR)
        click.echo(f"content: {len(report.created)} new, {len(report.unchanged)} unchanged")
        registered = bool(list_platforms(_session()))
    click.echo(
        admin_info(settings.public_url, typed_command(), derived=derived, registered=registered)
    )
    if derived and host in WILDCARDS:
        click.echo(
            f"Listening on every address of this machine: an LMS elsewhere reaches it at another "
            f"URL than {settings.public_url}; set LMS_PUBLIC_URL to that URL.\n"
        )
    commands = {"web": web_command(host, port, web_workers)}
    if not no_worker:
        # The beat runs the drains every LMS_SWEEP_SECONDS, so a lost message is still swept.
        commands["worker"] = celery_worker_args(beat=True)
    raise SystemExit(run_together(commands))


def public_url_for(host: str, port: int) -> str:
    """The URL a browser on this machine reaches ``host:port`` at (a wildcard is loopback)."""
    shown = "127.0.0.1" if host in WILDCARDS else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def web_command(host: str, port: int, workers: int, log_level: str = "info") -> list[str]:
    """gunicorn serving the tool (python -m gunicorn, this interpreter)."""
    web = [sys.executable, "-m", "gunicorn", "-c", "python:lms_plugin.gunicorn_conf"]
    web += ["-w", str(workers), "-b", f"{host}:{port}", "--log-level", log_level]
    # gunicorn's own grace (30 s by default) must end inside run's 10 s promise
    return [*web, "--graceful-timeout", "5", "lms_plugin.wsgi:app"]


@cli.command()
@click.option("--concurrency", default=2, show_default=True, type=int)
@click.option("--queues", default="grading,lms,badges,default", show_default=True)
@click.option("--beat", is_flag=True, help="Also run the periodic scheduler in this process")
@click.option("--name", default="lms@%h", show_default=True, help="Celery node name")
@click.option("--schedule", default=None, help="Where beat keeps its schedule file")
def worker(concurrency: int, queues: str, beat: bool, name: str, schedule: str | None) -> None:
    """Become a Celery worker bound to the Flask app (signals and exit code are Celery's own).

    Nothing here restarts it: whatever started it (compose's restart policy, systemd,
    ``lms-plugin run``) sees it exit, and the beat's drains pick up work it left unfinished.
    """
    load_settings()  # a setting to fix is one line here, not a traceback from Celery
    args = celery_worker_args(concurrency, queues, name, beat=beat, schedule=schedule)
    sys.stdout.flush()
    os.execv(sys.executable, args)  # noqa: S606 - our own interpreter, a fixed argument list


def celery_worker_args(
    concurrency: int = 2,
    queues: str = "grading,lms,badges,default",
    name: str = "lms@%h",
    *,
    beat: bool = False,
    schedule: str | None = None,
    log_level: str = "INFO",
    quiet: bool = False,
) -> list[str]:
    """The ``celery worker`` command line (``python -m celery``, this interpreter); ``quiet``
    leaves out Celery's banner."""
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        CELERY_APP,
        *(["--quiet"] if quiet else []),
        "worker",
        "-Q",
        queues,
        "-c",
        str(concurrency),
        "-n",
        name,
        "--loglevel",
        log_level,
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        args.append("-B")  # beat inside the worker: celery's own mode for a single machine
        if schedule:
            args += ["-s", schedule]
    return args


def admin_info(public_url: str, prog: str, *, derived: bool, registered: bool) -> str:
    """What ``run`` prints for the LMS admin: the tool's URLs and the next commands, as ``prog``
    (how the user reaches this CLI) types them."""
    urls = ToolUrls.at(public_url)
    base = urls.base
    # Another shell has no LMS_PUBLIC_URL: name it where the URL a command prints depends on it.
    env = f"LMS_PUBLIC_URL={base} " if derived and base != DEFAULT_PUBLIC_URL else ""
    lines = [
        "",
        "Register the tool in your LMS (LTI 1.3) with:",
        f"  OpenID Connect login URL (initiate login): {urls.login}",
        f"  Redirect / launch URL (target link URI):  {urls.launch}",
        f"  Deep linking (content selection) URL:      {urls.launch}",
        f"  Public keyset (JWKS) URL:                  {urls.jwks}",
        f"  Canvas developer key, Enter URL:           {urls.canvas}",
        f"Then: {env}{prog} platform add --product canvas|moodle|brightspace|blackboard|sakai|"
        "schoology --client-id ... --deployment-id ... [--lms-url ...] (docs/setup-*.md)",
        "Or, where the LMS registers tools by URL (LTI Dynamic Registration: Moodle, Brightspace):",
        f"  {env}{prog} platform register-url   (prints a one-time URL to paste into the LMS)",
        f"Administration pages: {base}/admin/ (sign in with the link {env}{prog} admin link "
        "prints)",
        "",
    ]
    if is_loopback_url(base):
        lines += [
            f"{base} is this computer's own address: only an LMS (and browsers) on this computer "
            f"reach it. For an LMS on another machine, {SET_PUBLIC_URL}.",
            "",
        ]
    if not registered:
        lines += [
            "No LMS is registered yet. To try the tool first with a practice LMS on this "
            "computer, stop this (Ctrl-C) and run:",
            f"  {prog} demo",
            "",
        ]
    return "\n".join(lines)


@cli.command()
@click.option(
    "--ping-worker", is_flag=True, help="Also send a task and wait for a worker to run it"
)
@click.option(
    "--public-url",
    "public_url",
    is_flag=True,
    help="Also fetch the tool's keyset at LMS_PUBLIC_URL, as an LMS does (the web must run)",
)
def check(ping_worker: bool, public_url: bool) -> None:
    """Show effective settings (secrets masked) and check DB, broker and cache."""
    from sqlalchemy import text

    from lms_plugin.services.issuer_keys import issuer_from_settings, issuer_key_report
    from lms_plugin.services.keys import jwks
    from worker import dispatch

    settings = load_settings()
    for name, value in settings.masked().items():
        click.echo(f"{name}={value}")
    issuer = issuer_from_settings(settings)
    click.echo(f"credential issuer: {issuer.name} <{issuer.url}>, profile {issuer.urls.issuer()}")
    failures = 0
    with app_context(schema=False) as app:
        failures += _probe("database", lambda: _session().execute(text("SELECT 1")))
        failures += _probe("database schema", lambda: database_schema().require_current())
        tables = not failures  # the keys (and the embedded cache) live in the database's tables
        probes: list[tuple[str, Any, bool]] = [
            ("signing keys", lambda: jwks(_session()), True),  # sealed: they open with the secret
            ("LMSs reach the tool", lambda: _platforms_reach(settings.public_url), True),
            ("issuer keys", lambda: click.echo(issuer_key_report(_session())), True),
            ("cache", lambda: app.extensions["lms_store"].ping(), not settings.cache_url),
            ("broker", lambda: dispatch.broker_reachable(settings), False),
        ]
        if public_url:
            reached = ("the tool at LMS_PUBLIC_URL", lambda: _serves_us(settings.public_url), True)
            probes.append(reached)
        for label, probe, needs_tables in probes:
            if needs_tables and not tables:
                click.echo(f"{label}: not checked (the database is not ready, above)")
                failures += 1
            else:
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


def _platforms_reach(public_url: str) -> None:
    """Refuse a loopback public URL that a registered LMS elsewhere is meant to reach: its
    server fetches the tool's keyset there before it takes a grade or a roster request."""
    from lms_plugin.services.platforms import list_platforms

    elsewhere = [
        reg.name
        for reg in list_platforms(_session())
        if unreachable_from(reg.auth_token_url, public_url)
    ]
    if elsewhere:
        raise RuntimeError(
            f"{', '.join(elsewhere)} cannot reach {public_url}, this computer's own address: "
            f"{SET_PUBLIC_URL}"
        )


def _serves_us(public_url: str) -> None:
    """The keyset at ``public_url`` is the one this tool's database holds."""
    from lms_plugin.services.keys import jwks

    require_own_keyset(public_url, {key["kid"] for key in jwks(_session())["keys"]})


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


from lms_plugin.cli import demo as _demo  # noqa: E402, F401  (its command is on cli)
