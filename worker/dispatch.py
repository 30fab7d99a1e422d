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


def _send(settings: Settings, name: str, *args: object) -> None:
    _client(settings).send_task(name, args=list(args))


def ping(settings: Settings, token: str) -> None:
    _send(settings, "system.ping", token)


def touch(settings: Settings, token: str) -> None:
    _send(settings, "system.touch", token)


def grade_attempt(settings: Settings, attempt_id: int) -> None:
    _send(settings, "grading.grade_attempt", attempt_id)


def finalize_review(settings: Settings, review_id: int) -> None:
    _send(settings, "grading.finalize_review", review_id)


def publish_score(settings: Settings, outbox_id: int) -> None:
    _send(settings, "lti.publish_score", outbox_id)


def sync_roster(settings: Settings, job_id: int) -> None:
    _send(settings, "lti.sync_roster", job_id)


def broker_reachable(settings: Settings) -> None:
    """Raise if the broker cannot be reached (used by ``lms-plugin check``)."""
    with _client(settings).connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=5)
