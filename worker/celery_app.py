"""The Celery app bound to the Flask app: every task runs inside an app context.

Run with ``celery -A worker.celery_app:celery worker`` (or ``lms-plugin worker``, which becomes
that command) and ``celery -A worker.celery_app:celery beat``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Celery, Task
from celery.signals import worker_init, worker_process_init
from flask import Flask

from lms_plugin.db import db
from lms_plugin.process_gc import prepare_collector
from lms_plugin.settings import SettingsError
from lms_plugin.web.app import create_app
from worker import health, observability
from worker.config import celery_config


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    settings = app.extensions["lms_settings"]
    celery.conf.update(celery_config(settings))
    # The beat's schedule file goes with the tool's other state, not into the working directory
    # (read-only for the image's user).
    celery.conf.beat_schedule_filename = str(
        Path(settings.instance_dir).resolve() / "celerybeat-schedule"
    )
    celery.set_default()
    app.extensions["celery"] = celery
    celery.autodiscover_tasks(["worker"], related_name="tasks", force=True)
    return celery


try:
    flask_app = create_app()
except SettingsError as exc:
    # One line that says what to set (celery would print a traceback of its app loading).
    raise SystemExit(f"error: {exc}") from None
celery = celery_init_app(flask_app)
health.watch_beat(flask_app.extensions["lms_settings"])
observability.connect(flask_app.extensions["lms_settings"])  # logs, request ids, metrics


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _fresh_connections(**_: Any) -> None:
    """Each forked pool process opens its own database connections (never the parent's)."""
    with flask_app.app_context():
        db.engine.dispose(close=False)


@worker_init.connect  # type: ignore[untyped-decorator]
@worker_process_init.connect  # type: ignore[untyped-decorator]
def _prepare_collector(**_: Any) -> None:
    """The main process (a solo pool runs tasks in it) before it forks its pool, and each pool
    process at its start: the loaded tool out of the collector's full passes, and those passes
    spaced (process_gc)."""
    prepare_collector()
