"""Enqueue helpers the web calls AFTER its commit. Tasks are sent by name, with ids only.

Grading, score sending and issuing credentials are *drains*: the work is in the database
(submitted attempts, pending outbox rows, pending awards) and a message only rings a doorbell
that wakes a worker to drain it. A drain keeps its doorbell rung while it works, so a burst of
submissions costs a store write each (finding the bell rung), not a task each. When a batch
finds nothing, the drain lets go of the bell and looks once more: work committed before that
look is its own, work committed after it rings again. Score sending has two bells (two drains
may send at once: LMS calls wait on the network). A message lost with the broker leaves its bell
rung for at most DOORBELL_TTL seconds; the beat runs the drains on its own schedule meanwhile.
"""

from __future__ import annotations

from functools import lru_cache

from celery import Celery

from lms_plugin.kv import KeyValueStore
from lms_plugin.settings import Settings
from worker.config import celery_config
from worker.observability import request_headers

GRADE_SUBMITTED = "grading.grade_submitted"
PUBLISH_SCORES = "lti.publish_scores"
ISSUE_AWARDS = "badges.issue_awards"
DOORBELL_TTL = 60
# drains of each kind that may run at once
BELLS = {GRADE_SUBMITTED: 1, PUBLISH_SCORES: 2, ISSUE_AWARDS: 1}


@lru_cache(maxsize=4)
def _client(settings: Settings) -> Celery:
    client = Celery("lms-dispatch")
    client.conf.update(celery_config(settings))
    return client


def _send(settings: Settings, name: str, *args: object) -> None:
    # The request id of the web request (or task) queueing it: the task's log lines carry it.
    _client(settings).send_task(name, args=list(args), headers=request_headers())


def _bell(drain: str, slot: int) -> str:
    return f"doorbell:{drain}:{slot}"


def _ring(settings: Settings, store: KeyValueStore, drain: str) -> None:
    for slot in range(BELLS[drain]):
        if store.add(_bell(drain, slot), "1", DOORBELL_TTL):
            try:
                _send(settings, drain, slot)
            except Exception:
                store.delete(_bell(drain, slot))  # not sent: the next commit may ring again
                raise
            return
    # Every bell is rung: a drain is working or on its way, and will find this work.


def let_go(store: KeyValueStore, drain: str, slot: int) -> None:
    """A drain found nothing more: from now on, new work rings again."""
    store.delete(_bell(drain, slot))


def take_back(store: KeyValueStore, drain: str, slot: int) -> bool:
    """A drain that let go found more work after all: it keeps draining, unless someone rang
    meanwhile (then that drain is on its way)."""
    return store.add(_bell(drain, slot), "1", DOORBELL_TTL)


def hand_over(settings: Settings, store: KeyValueStore, drain: str, slot: int | None) -> None:
    """A long drain queues its successor (so other tasks get a turn), keeping its bell."""
    if slot is not None:
        store.set(_bell(drain, slot), "1", DOORBELL_TTL)
    _send(settings, drain, slot)


def ping(settings: Settings, token: str) -> None:
    _send(settings, "system.ping", token)


def touch(settings: Settings, token: str) -> None:
    _send(settings, "system.touch", token)


def grade_submitted(settings: Settings, store: KeyValueStore) -> None:
    """Attempts were submitted: wake a grading drain unless one is already working."""
    _ring(settings, store, GRADE_SUBMITTED)


def publish_scores(settings: Settings, store: KeyValueStore) -> None:
    """Scores were queued in the outbox: wake a sending drain unless enough are working."""
    _ring(settings, store, PUBLISH_SCORES)


def issue_awards(settings: Settings, store: KeyValueStore) -> None:
    """Levels were completed (awards are pending): wake the badges drain."""
    _ring(settings, store, ISSUE_AWARDS)


def finalize_review(settings: Settings, review_id: int) -> None:
    _send(settings, "grading.finalize_review", review_id)


def sync_roster(settings: Settings, job_id: int) -> None:
    _send(settings, "lti.sync_roster", job_id)


def broker_reachable(settings: Settings) -> None:
    """Raise if the broker cannot be reached (used by ``lms-plugin check``)."""
    with _client(settings).connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=5)
