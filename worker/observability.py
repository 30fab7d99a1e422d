"""Celery signals: a task's request id, log lines and metrics.

The web sends its request id as the message header ``lms_request_id`` (worker.dispatch); the
task runs with it in the logging context, so its log lines (and the tasks it queues in turn)
carry it. Each task's run time and outcome are counted, and one log line says it finished.

Logging is the tool's own (LMS_LOG_FORMAT; the level is the worker's ``--loglevel``): Celery's
``setup_logging`` signal has a receiver, so Celery leaves the root logger to it.

Metrics: each pool process writes to ``PROMETHEUS_MULTIPROC_DIR`` (required for the prefork
pool; the worker empties it when it starts: give each worker its own). With
LMS_WORKER_METRICS_BIND set, the worker's main process serves their sum at ``/metrics`` on that
address (worker.metrics_server), behind LMS_METRICS_TOKEN as the web's is.
"""

from __future__ import annotations

import logging
import os
import time
from contextvars import Token
from typing import Any

from celery.signals import (
    setup_logging,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_shutdown,
    worker_ready,
)

from lms_plugin import logging_setup, metrics
from lms_plugin.logging_setup import REQUEST_ID
from lms_plugin.settings import Settings

HEADER = "lms_request_id"
log = logging.getLogger("worker.tasks")
_running: dict[str, tuple[float, Token[str | None]]] = {}  # task id -> (start, context token)


def request_headers() -> dict[str, str]:
    """Message headers for a task queued now: the current request id, when there is one."""
    rid = REQUEST_ID.get()
    return {HEADER: rid} if rid else {}


def connect(settings: Settings) -> None:
    """Connect the receivers for a worker of these settings."""

    def logging_setup_(
        loglevel: int | str | None = None, logfile: str | None = None, **_: Any
    ) -> None:
        # The worker's --loglevel (lms-plugin worker passes INFO) and --logfile, as Celery's own
        # logging would have used them.
        logging_setup.configure(settings, loglevel, logfile)

    def started(**_: Any) -> None:
        metrics.clear_multiprocess_dir()
        if settings.worker_metrics_bind and not metrics.multiprocess_dir():
            logging.getLogger(__name__).warning(
                "PROMETHEUS_MULTIPROC_DIR is not set: /metrics shows the worker's main "
                "process only, not its pool processes' tasks"
            )

    def ready(**_: Any) -> None:
        if settings.worker_metrics_bind:
            from worker.metrics_server import serve

            serve(settings)

    setup_logging.connect(logging_setup_, weak=False)
    worker_init.connect(started, weak=False)
    worker_ready.connect(ready, weak=False)
    task_prerun.connect(_prerun, weak=False)
    task_postrun.connect(_postrun, weak=False)
    worker_process_shutdown.connect(_process_gone, weak=False)


def _prerun(task_id: str, task: Any, **_: Any) -> None:
    rid = getattr(task.request, HEADER, None)
    _running[task_id] = (time.perf_counter(), REQUEST_ID.set(rid if isinstance(rid, str) else None))


def _postrun(task_id: str, task: Any, state: str | None = None, **_: Any) -> None:
    started, token = _running.pop(task_id, (None, None))
    outcome = (state or "unknown").lower()
    metrics.TASKS.labels(task.name, outcome).inc()
    if started is not None:
        seconds = time.perf_counter() - started
        metrics.TASK_SECONDS.labels(task.name).observe(seconds)
        log.info(
            "task %s %s in %.3f s",
            task.name,
            outcome,
            seconds,
            extra={"task": task.name, "task_id": task_id, "outcome": outcome},
        )
    if token is not None:
        try:
            REQUEST_ID.reset(token)
        except ValueError:  # not the context it was set in (a thread pool)
            REQUEST_ID.set(None)


def _process_gone(**_: Any) -> None:
    metrics.process_dead(os.getpid())
