"""gunicorn settings for the tool.

Run as ``gunicorn -c python:lms_plugin.gunicorn_conf lms_plugin.wsgi:app``.

The settings are checked once, in the arbiter, before any worker is forked: a setting that cannot
work (production without a real secret, say) is said in one line and gunicorn exits 1. Checked
only in the workers, each of them would fail, and gunicorn's arbiter halts with a traceback.

Metrics: every worker writes its Prometheus values to ``PROMETHEUS_MULTIPROC_DIR`` and /metrics
sums them, whichever worker answers. When the variable is not set, a private temporary folder
is made here, before any worker (or a ``--preload``ed app) imports prometheus-client, and
removed when gunicorn exits. The arbiter empties the folder when it starts and drops a dead
worker's live values (``child_exit``).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import Any

from lms_plugin.settings import SettingsError, load_settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"  # lms_plugin.metrics.MULTIPROC_ENV
_made_dir: str | None = None
if not os.environ.get(MULTIPROC_ENV):
    _made_dir = tempfile.mkdtemp(prefix="lms-metrics-")
    os.environ[MULTIPROC_ENV] = _made_dir


def on_starting(server: Any) -> None:
    """gunicorn's hook, run in the arbiter before the first worker starts."""
    try:
        load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    from lms_plugin import metrics

    metrics.clear_multiprocess_dir()  # no values of an earlier run


def post_worker_init(worker: Any) -> None:
    """gunicorn's hook, in a worker that has loaded the app: its startup objects frozen, out of
    the garbage collector's full collections, and those spaced (lms_plugin.process_gc)."""
    from lms_plugin.process_gc import prepare_collector

    prepare_collector()


def child_exit(server: Any, worker: Any) -> None:
    """gunicorn's hook, in the arbiter, when a worker has exited."""
    from lms_plugin import metrics

    metrics.process_dead(worker.pid)


def on_exit(server: Any) -> None:
    if _made_dir:
        shutil.rmtree(_made_dir, ignore_errors=True)
