"""The Celery app bound to the Flask app: every task runs inside an app context.

Run with ``lms-plugin worker`` (or ``celery -A worker.celery_app worker``).
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init
from flask import Flask

from lms_plugin.db import db
from lms_plugin.web.app import create_app
from worker.config import celery_config


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(celery_config(app.extensions["lms_settings"]))
    celery.set_default()
    app.extensions["celery"] = celery
    celery.autodiscover_tasks(["worker"], related_name="tasks", force=True)
    return celery


flask_app = create_app()
celery = celery_init_app(flask_app)


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _fresh_connections(**_: Any) -> None:
    """Each forked pool process opens its own database connections (never the parent's)."""
    with flask_app.app_context():
        db.engine.dispose(close=False)
