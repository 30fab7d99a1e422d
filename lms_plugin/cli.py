"""The one CLI, ``lms-plugin``: run, worker, db, platform, deployments, keys, check.

Bad arguments print one line (``error: ...``) and exit with code 2; nothing is half-written,
because each command validates before it commits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask

from lms_plugin.domain.errors import InvalidInputError, NotFoundError
from lms_plugin.settings import SettingsError, load_settings


@contextmanager
def app_context() -> Iterator[Flask]:
    from lms_plugin.web.app import create_app

    app = create_app(load_settings())
    with app.app_context():
        yield app


def _session() -> Any:
    from lms_plugin.db import db

    return db.session


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """ISP certificate LTI 1.3 tool."""


# --- database -------------------------------------------------------------------------------
@cli.group()
def db() -> None:
    """Database schema (Alembic migrations are the only schema path)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply migrations, then make sure the tool has signing keys (idempotent)."""
    from flask_migrate import upgrade

    from lms_plugin.services.keys import ensure_keys

    with app_context():
        upgrade(revision=revision)
        ensure_keys(_session())
        click.echo(f"database at {revision}; signing keys ready")


@db.command("downgrade")
@click.option("--revision", default="-1", show_default=True)
def db_downgrade(revision: str) -> None:
    """Revert migrations."""
    from flask_migrate import downgrade

    with app_context():
        downgrade(revision=revision)


# --- platforms and deployments -------------------------------------------------------------
@cli.group()
def platform() -> None:
    """LMS platform registrations."""


@platform.command("add")
@click.option("--name", required=True)
@click.option(
    "--issuer", required=True, help="The platform's iss, e.g. https://canvas.instructure.com"
)
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True, help="OIDC authentication request URL")
@click.option("--token-url", required=True, help="OAuth2 access token URL")
@click.option("--jwks-url", required=True, help="The platform's public keyset URL")
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Repeat for several")
@click.option(
    "--product",
    type=click.Choice(["canvas", "moodle", "other"]),
    default="other",
    show_default=True,
)
def platform_add(
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    token_url: str,
    jwks_url: str,
    deployment_ids: tuple[str, ...],
    product: str,
) -> None:
    """Register an LMS platform and trust its deployment ids."""
    from lms_plugin.services.platforms import PlatformSpec, add_platform

    with app_context():
        reg = add_platform(
            _session(),
            PlatformSpec(
                name=name,
                issuer=issuer,
                client_id=client_id,
                auth_login_url=auth_login_url,
                auth_token_url=token_url,
                jwks_url=jwks_url,
                product=product,
                deployment_ids=deployment_ids,
            ),
        )
        click.echo(
            f"added platform {reg.id}: {reg.name} ({reg.issuer}, client {reg.client_id}) "
            f"with {len(deployment_ids)} active deployment(s)"
        )


@platform.command("list")
def platform_list() -> None:
    """List registered platforms."""
    from lms_plugin.services.platforms import list_platforms

    with app_context():
        rows = list_platforms(_session())
        if not rows:
            click.echo("no platforms registered")
        for reg in rows:
            deps = ", ".join(f"{d.deployment_id}[{d.status}]" for d in reg.deployments) or "-"
            click.echo(
                f"{reg.id}\t{reg.name}\t{reg.product}\t{reg.issuer}\tclient={reg.client_id}"
                f"\tjwks={reg.jwks_url}\tdeployments={deps}"
            )


@platform.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.confirmation_option(prompt="Remove the platform and all its course data?")
def platform_remove(issuer: str, client_id: str) -> None:
    """Remove a platform registration and everything recorded under it."""
    from lms_plugin.services.platforms import remove_platform

    with app_context():
        remove_platform(_session(), issuer, client_id)
        click.echo(f"removed {issuer} client {client_id}")


@cli.group()
def deployments() -> None:
    """Deployments of the tool inside registered platforms."""


@deployments.command("list")
@click.option("--pending", is_flag=True, help="Only deployments waiting for activation")
def deployments_list(pending: bool) -> None:
    from lms_plugin.services.platforms import list_deployments

    with app_context():
        rows = list_deployments(_session(), "pending" if pending else None)
        if not rows:
            click.echo("no deployments")
        for d in rows:
            click.echo(
                f"{d.deployment_id}\t{d.status}\t{d.registration.issuer}"
                f"\tclient={d.registration.client_id}"
            )


@deployments.command("activate")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--deployment-id", required=True)
def deployments_activate(issuer: str, client_id: str, deployment_id: str) -> None:
    """Trust a deployment (e.g. one recorded as pending by a launch)."""
    from lms_plugin.services.platforms import activate_deployment

    with app_context():
        activate_deployment(_session(), issuer, client_id, deployment_id)
        click.echo(f"deployment {deployment_id} is active")


# --- content -------------------------------------------------------------------------------
COURSES_DIR = Path(__file__).resolve().parents[1] / "courses"


@cli.group()
def content() -> None:
    """Certificate content in courses/ (data only)."""


@content.command("lint")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=COURSES_DIR,
    show_default=True,
)
def content_lint(root: Path) -> None:
    """Validate all content; print file:line: message for each problem, exit 1 on any."""
    from lms_plugin.domain.content.lint import lint_tree

    problems = lint_tree(root)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s)", err=True)
        raise SystemExit(1)
    click.echo("content ok")


@content.command("sync")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=COURSES_DIR,
    show_default=True,
)
def content_sync(root: Path) -> None:
    """Load content into the database by (slug, version); a changed module gets a new version."""
    with app_context():
        report = _sync(root)
        for line in report.created:
            click.echo(f"new     {line}")
        click.echo(f"{len(report.created)} new, {len(report.unchanged)} unchanged")


def _sync(root: Path) -> Any:
    from lms_plugin.domain.content.lint import load_checked_catalogue
    from lms_plugin.services.content import sync_content

    catalogue, problems = load_checked_catalogue(root)
    if catalogue is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("content has errors; nothing was synced (run content lint)")
    return sync_content(_session(), catalogue)


# --- keys ----------------------------------------------------------------------------------
@cli.group()
def keys() -> None:
    """The tool's signing keys."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Promote the next key to active, retire the old one, publish a new next key."""
    from lms_plugin.services.keys import rotate_keys

    with app_context():
        active, nxt = rotate_keys(_session())
        click.echo(f"active key {active}; next key {nxt}")


@keys.command("list")
def keys_list() -> None:
    from lms_plugin.db.models import ToolKey

    with app_context():
        for k in _session().query(ToolKey).order_by(ToolKey.id):
            click.echo(f"{k.kid}\t{k.state}\tcreated {k.created_at:%Y-%m-%d}")


# --- processes -----------------------------------------------------------------------------
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
def worker(concurrency: int, queues: str, beat: bool) -> None:
    """Run a Celery worker bound to the Flask app."""
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
        "--loglevel",
        "INFO",
    ]
    if beat:
        args.append("-B")
    os.execv(sys.executable, args)  # noqa: S606 - replaces this process with the worker


def _print_admin_info(public_url: str) -> None:
    base = public_url.rstrip("/")
    click.echo("\nRegister the tool in your LMS (LTI 1.3) with:")
    click.echo(f"  OpenID Connect login URL (initiate login): {base}/lti/login")
    click.echo(f"  Redirect / launch URL (target link URI):  {base}/lti/launch")
    click.echo(f"  Public keyset (JWKS) URL:                  {base}/lti/jwks")
    click.echo(
        "Then: lms-plugin platform add --name ... --issuer ... --client-id ... "
        "--auth-login-url ... --token-url ... --jwks-url ... --deployment-id ...\n"
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

    from worker import dispatch

    settings = load_settings()
    for name, value in settings.masked().items():
        click.echo(f"{name}={value}")
    failures = 0
    with app_context() as app:
        for label, probe in (
            ("database", lambda: _session().execute(text("SELECT 1"))),
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


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line errors and exit code 2 for anything the user can fix."""
    try:
        cli.main(args=argv, prog_name="lms-plugin", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        raise SystemExit(1) from None
    except click.UsageError as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        raise SystemExit(2) from None
    except (InvalidInputError, NotFoundError, SettingsError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        raise SystemExit(exc.exit_code) from None


if __name__ == "__main__":
    main()
