"""Long-running processes freeze what they made at startup, out of the collector's full passes
(lms_plugin/process_gc.py): gunicorn's workers once the app is loaded, Celery's processes."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from lms_plugin.process_gc import FULL_COLLECTION_THRESHOLD, prepare_collector


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()  # the rest of the suite runs as it did
    gc.set_threshold(*thresholds)


def test_freezing_moves_every_live_object_out_of_full_collections(unfrozen):
    kept = [{"n": n} for n in range(1000)]
    assert gc.get_freeze_count() == 0
    frozen = prepare_collector()
    assert frozen >= len(kept) and gc.get_freeze_count() > 0
    assert all(not any(o is x for o in gc.get_objects()) for x in kept[:3])  # not walked


def test_full_collections_are_spaced_and_young_ones_are_not(unfrozen):
    young, middle, _ = gc.get_threshold()
    prepare_collector()
    assert gc.get_threshold() == (young, middle, FULL_COLLECTION_THRESHOLD)


def test_a_gunicorn_worker_freezes_once_it_has_loaded_the_app(unfrozen, monkeypatch, tmp_path):
    # Imported with no metrics folder set, gunicorn_conf makes one and sets it for the process
    # (the arbiter's job): every later test would then read metrics from that folder.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    from lms_plugin import gunicorn_conf

    gunicorn_conf.post_worker_init(worker=None)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[2] == FULL_COLLECTION_THRESHOLD


def test_celery_processes_freeze_at_their_start(tmp_path):
    """In a process of its own: loading the Celery app configures logging and metrics."""
    script = (
        "import gc\n"
        "from celery.signals import worker_init, worker_process_init\n"
        "import worker.celery_app\n"
        "worker_init.send(sender=None)\n"
        "main = gc.get_freeze_count()\n"
        "gc.unfreeze()\n"
        "worker_process_init.send(sender=None)\n"
        "print(main, gc.get_freeze_count(), gc.get_threshold()[2])\n"
    )
    env = {**os.environ, "LMS_INSTANCE_DIR": str(tmp_path), "LMS_ENV": "development"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    main, pool, full = map(int, done.stdout.split()[-3:])
    assert main > 10_000 and pool > 10_000  # the loaded tool, frozen in each kind of process
    assert full == FULL_COLLECTION_THRESHOLD
