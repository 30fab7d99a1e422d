"""``lms-plugin demo``: the tool beside a practice LMS on 127.0.0.1, for trying it without one."""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from pathlib import Path
from typing import IO

import click

from lms_plugin.cli.common import COURSES_DIR, app_context, cli
from lms_plugin.cli.common import session as _session
from lms_plugin.cli.common import tenants as _tenants
from lms_plugin.cli.hints import VIA_SCRIPT, typed_command
from lms_plugin.cli.ports import require_free
from lms_plugin.cli.processes import celery_worker_args, web_command
from lms_plugin.cli.together import run_together
from lms_plugin.demo import course
from lms_plugin.demo.config import CONFIG_NAME, PracticeConfig, read_config, write_config

HOST = "127.0.0.1"  # the practice LMS signs anyone in who asks: it never listens beyond loopback
KEPT = {"LMS_LOG_LEVEL", VIA_SCRIPT}  # of the shell's LMS_* variables, what the demo keeps
SEEDED = {
    "not_started": "not started",
    "mid_level_1": "halfway through Level 1, at risk",
    "waiting_review": "waiting for review",
    "level_1_complete": "Level 1 complete, credential issued",
}


@cli.command()
@click.option("--port", default=5000, show_default=True, type=int, help="The tool's port")
@click.option("--lms-port", type=int, help="The practice LMS's port  [default: --port + 1]")
def demo(port: int, lms_port: int | None) -> None:
    """Run the tool beside a practice LMS with a sample course, on 127.0.0.1, until Ctrl-C.

    Launches from the practice LMS are real LTI 1.3 launches; its grades and roster go through
    AGS and NRPS. The course starts afresh at each start, in LMS_INSTANCE_DIR/demo (SQLite and
    the file-system broker, apart from the tool's own data). Refused with LMS_ENV=production.
    """
    if os.environ.get("LMS_ENV") == "production":
        raise click.ClickException(
            "demo does not run with LMS_ENV=production: it registers a practice LMS that signs "
            "anyone in. Try it on a development machine."
        )
    lms_port = port + 1 if lms_port is None else lms_port
    if lms_port == port:
        raise click.UsageError("--port and --lms-port must differ")
    for wanted in (port, lms_port):
        require_free(HOST, wanted, "choose others with --port N --lms-port M")
    instance = Path(os.environ.get("LMS_INSTANCE_DIR") or "instance").resolve()
    lock = _lock(instance)  # noqa: F841 - held until the demo ends
    folder = _fresh_folder(instance / "demo")
    tool_url, lms_url = f"http://{HOST}:{port}", f"http://{HOST}:{lms_port}"
    _demo_environment(folder, tool_url)
    config_path = write_config(folder, lms_url, tool_url)
    click.echo(f"Preparing the practice course in {folder} (afresh at each start)…")
    seeded = _prepare(read_config(config_path))
    _welcome(lms_url, tool_url, seeded)
    commands = {
        "practice-lms": practice_lms_command(lms_port, config_path),
        "web": web_command(HOST, port, 2, log_level="warning"),
        "worker": celery_worker_args(beat=True, log_level="WARNING", quiet=True),
    }
    raise SystemExit(run_together(commands))


def practice_lms_command(port: int, config_path: Path) -> list[str]:
    """gunicorn serving the practice LMS: one process (its gradebook is in memory), threads."""
    app = f"lms_plugin.demo.app:create_app({str(config_path)!r})"
    return [
        *(sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "8"),
        *("-b", f"{HOST}:{port}", "--log-level", "warning", "--graceful-timeout", "5", app),
    ]


def _lock(instance: Path) -> IO[str]:
    """One demo per instance folder: a second one would wipe the first one's course."""
    instance.mkdir(parents=True, exist_ok=True)
    handle = (instance / "demo.lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise click.ClickException(f"a demo is already running from {instance}") from None
    return handle


def _fresh_folder(folder: Path) -> Path:
    """The demo's folder, emptied; only a folder an earlier demo made is ever removed."""
    if folder.exists():
        if any(folder.iterdir()) and not (folder / CONFIG_NAME).exists():
            raise click.ClickException(
                f"{folder} exists and was not made by the demo: move it away, or set "
                "LMS_INSTANCE_DIR to another folder"
            )
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _demo_environment(folder: Path, tool_url: str) -> None:
    """Settings of the demo alone, whatever LMS_* the shell holds (its database, broker and
    URLs stay untouched); the processes started next inherit them."""
    for name in [n for n in os.environ if n.startswith("LMS_") and n not in KEPT]:
        del os.environ[name]
    os.environ.update(
        {
            "LMS_INSTANCE_DIR": str(folder),
            "LMS_PUBLIC_URL": tool_url,
            "LMS_SWEEP_SECONDS": "5",  # grades reach the practice gradebook within seconds
            "LMS_ROSTER_SYNC_HOURS": "0",  # the roster comes when the instructor syncs it
            "LMS_ISSUER_NAME": "ISP Certificate Program (demo)",
        }
    )


def _prepare(config: PracticeConfig) -> list[course.Person]:
    """Schema, keys and content, then the practice LMS registered and its course seeded."""
    from flask_migrate import upgrade

    from lms_plugin.demo.seed import register, seed_course
    from lms_plugin.domain.content.lint import load_checked_catalogue
    from lms_plugin.services.content import sync_content
    from lms_plugin.services.issuer_keys import ensure_issuer_keys, issuer_from_settings
    from lms_plugin.services.keys import ensure_keys

    catalogue, problems = load_checked_catalogue(COURSES_DIR)
    if catalogue is None:
        raise click.ClickException(f"courses/ has {len(problems)} problem(s): run content lint")
    with app_context(schema=False) as app:
        upgrade()
        ensure_keys(_session())
        ensure_issuer_keys(_session())
        sync_content(_session(), catalogue)
        deployment = register(_session(), _tenants(), config)
        competencies = {c.id: c for c in catalogue.competencies}
        issuer = issuer_from_settings(app.extensions["lms_settings"], competencies)
        return seed_course(_session(), config, deployment, issuer)


def _welcome(lms_url: str, tool_url: str, seeded: list[course.Person]) -> None:
    who = ", ".join(f"{p.given_name} ({SEEDED[p.stage]})" for p in seeded)
    click.echo(
        f"\nThe practice course is ready. Seeded learners: {who}.\n\n"
        f"  Open the practice LMS:  {lms_url}/\n"
        "  and pick who to be: the instructor, a new learner, one of the learners above, or the\n"
        "  LMS administrator (the tool's admin pages for this LMS).\n\n"
        f"The tool answers at {tool_url} (LTI login {tool_url}/lti/login, launch "
        f"{tool_url}/lti/launch, keys {tool_url}/lti/jwks).\n"
        f"Everything listens on {HOST} only. Ctrl-C stops it all; "
        f"`{typed_command()} demo` starts a fresh course.\n"
    )
