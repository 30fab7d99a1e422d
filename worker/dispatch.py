"""Enqueue helpers the web calls AFTER its commit. Tasks are sent by name, with ids only."""

from __future__ import annotations

from functools import lru_cache

from celery import Celery

from lms_plugin.settings import Settings
from worker.config import celery_config


@lru_cache(maxsize=4)
def _client(settings: Settings) -> Celery:
    client = Celery("lms-dispatch")
    client.conf.update(celery_config(settings))
    return client


def ping(settings: Settings, token: str) -> None:
    _client(settings).send_task("system.ping", args=[token])


def broker_reachable(settings: Settings) -> None:
    """Raise if the broker cannot be reached (used by ``lms-plugin check``)."""
    with _client(settings).connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=5)
