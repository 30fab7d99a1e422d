"""Enqueue helpers the web calls AFTER its commit. Tasks are sent by name, with ids only.

Grading and score sending are *drains*: the work is in the database (submitted attempts,
pending outbox rows) and a message only rings a doorbell that wakes a worker to drain it. A
doorbell already rung is not rung again until a worker answers it (removes the mark, then
drains), so a burst of submissions costs a store write each, not a task each, and whatever is
committed after the answer rings again. A message lost with the broker leaves the mark for at
most DOORBELL_TTL seconds; the beat drains on its own schedule meanwhile.
"""

from __future__ import annotations

from functools import lru_cache

from celery import Celery

from lms_plugin.kv import KeyValueStore
from lms_plugin.settings import Settings
from worker.config import celery_config

GRADE_SUBMITTED = "grading.grade_submitted"
PUBLISH_SCORES = "lti.publish_scores"
DOORBELL_TTL = 60


@lru_cache(maxsize=4)
def _client(settings: Settings) -> Celery:
    client = Celery("lms-dispatch")
    client.conf.update(celery_config(settings))
    return client


def _send(settings: Settings, name: str, *args: object) -> None:
    _client(settings).send_task(name, args=list(args))


def _ring(settings: Settings, store: KeyValueStore, drain: str) -> None:
    key = "doorbell:" + drain
    if store.add(key, "1", DOORBELL_TTL):
        try:
            _send(settings, drain)
        except Exception:
            store.delete(key)  # not sent: the next commit may ring again
            raise


def answer(store: KeyValueStore, drain: str) -> None:
    """A drain starts: from now on, new work rings again."""
    store.delete("doorbell:" + drain)


def ping(settings: Settings, token: str) -> None:
    _send(settings, "system.ping", token)


def touch(settings: Settings, token: str) -> None:
    _send(settings, "system.touch", token)


def grade_submitted(settings: Settings, store: KeyValueStore) -> None:
    """Attempts were submitted: wake a grading drain unless one is already called."""
    _ring(settings, store, GRADE_SUBMITTED)


def publish_scores(settings: Settings, store: KeyValueStore) -> None:
    """Scores were queued in the outbox: wake a sending drain unless one is already called."""
    _ring(settings, store, PUBLISH_SCORES)


def finalize_review(settings: Settings, review_id: int) -> None:
    _send(settings, "grading.finalize_review", review_id)


def sync_roster(settings: Settings, job_id: int) -> None:
    _send(settings, "lti.sync_roster", job_id)


def broker_reachable(settings: Settings) -> None:
    """Raise if the broker cannot be reached (used by ``lms-plugin check``)."""
    with _client(settings).connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=5)
