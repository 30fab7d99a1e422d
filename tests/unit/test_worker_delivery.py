"""The delivery guarantees the worker's Celery settings give, on either broker: a task's message
is acknowledged after it has run, put back when its worker dies, one message prefetched at a
time, and a task running when the broker connection drops is let finish (Celery 6 changes that
default; a cancelled drain would hide the score rows it leased until the lease ran out)."""

from __future__ import annotations

import pytest

from lms_plugin.settings import load_settings
from worker.config import celery_config


@pytest.mark.parametrize("broker", [None, "redis://127.0.0.1:6379/9"])
def test_tasks_are_acknowledged_late_and_let_finish(tmp_path, broker):
    env = {"LMS_INSTANCE_DIR": str(tmp_path)} | ({"LMS_BROKER_URL": broker} if broker else {})
    config = celery_config(load_settings(env))

    assert config["task_acks_late"] is True
    assert config["task_reject_on_worker_lost"] is True
    assert config["worker_prefetch_multiplier"] == 1
    assert config["worker_cancel_long_running_tasks_on_connection_loss"] is False
