"""Thin tasks named ``<area>.<verb>``: ids in, one service call, named retries.

Retried on infrastructure errors only (database connection, LMS 429/5xx via RetryLater);
everything is idempotent, so a duplicate delivery or a rerun after a killed worker is harmless.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from sqlalchemy.exc import DBAPIError, IntegrityError

from lms_plugin.db import db
from lms_plugin.db.grading import JobRun
from lms_plugin.lti.service_client import AgsError
from lms_plugin.services import grades, keys, passback, reviews, roster
from worker import dispatch
from worker.ports import ags_for, nrps_for, settings, store

INFRA_ERRORS = (DBAPIError, IntegrityError)  # lost connection, deadlock, a concurrent upsert
RETRY = {
    "autoretry_for": INFRA_ERRORS,
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(name="system.ping")  # type: ignore[untyped-decorator]
def ping(token: str) -> None:
    """Round trip check used by ``lms-plugin check --ping-worker``."""
    store().set("ping:" + token, "pong", 300)


@shared_task(name="system.touch")  # type: ignore[untyped-decorator]
def touch(token: str) -> None:
    """The benchmark's floor: a trivial task with one database write."""
    db.session.add(JobRun(kind="touch", status="done", result={"token": token}))
    db.session.commit()


@shared_task(name="grading.grade_attempt", **RETRY)  # type: ignore[untyped-decorator]
def grade_attempt(attempt_id: int) -> None:
    _publish_all(grades.grade_attempt(db.session(), attempt_id))


@shared_task(name="grading.finalize_review", **RETRY)  # type: ignore[untyped-decorator]
def finalize_review(review_id: int) -> None:
    _publish_all(reviews.finalize_review(db.session(), review_id))


@shared_task(
    name="lti.publish_score",
    bind=True,
    max_retries=None,  # type: ignore[untyped-decorator]
    autoretry_for=INFRA_ERRORS,
    retry_backoff=True,
    retry_jitter=True,
)
def publish_score(self: Any, outbox_id: int) -> str:
    try:
        return passback.publish(db.session(), outbox_id, ags_for)
    except passback.RetryLater as later:
        raise self.retry(countdown=later.delay) from later


@shared_task(name="lti.sync_roster", **RETRY)  # type: ignore[untyped-decorator]
def sync_roster(job_id: int) -> None:
    """Pull the course roster from the LMS (NRPS) into memberships; progress on the job row."""
    try:
        roster.sync_roster(db.session(), job_id, nrps_for)
    except AgsError as exc:  # the LMS refused or failed: tell the instructor on the job
        db.session.rollback()
        roster.fail_job(db.session(), job_id, f"{exc.classification}: {exc}")
        if exc.retryable:
            raise


@shared_task(name="lti.sweep_outbox")  # type: ignore[untyped-decorator]
def sweep_outbox() -> int:
    """Periodic: re-send what the outbox still holds (lost messages, a Redis restart)."""
    return _publish_all(passback.due_rows(db.session()))


@shared_task(name="lti.sync_rosters")  # type: ignore[untyped-decorator]
def sync_rosters() -> int:
    """Periodic: start the roster sync of every course due one (LMS_ROSTER_SYNC_HOURS)."""
    jobs = roster.start_due_syncs(db.session(), settings().roster_sync_hours)
    for job_id in jobs:
        dispatch.sync_roster(settings(), job_id)
    return len(jobs)


@shared_task(name="lti.rotate_keys")  # type: ignore[untyped-decorator]
def rotate_keys() -> bool:
    """Periodic: rotate our signing keys once the active one is LMS_KEY_ROTATION_DAYS old."""
    return keys.rotate_if_due(db.session(), settings().key_rotation_days)


@shared_task(name="grading.sweep")  # type: ignore[untyped-decorator]
def sweep_grading() -> int:
    """Periodic: grade attempts still waiting (a message lost with a broker restart)."""
    ids = grades.stale_submissions(db.session(), older_than_seconds=settings().sweep_seconds)
    for attempt_id in ids:
        dispatch.grade_attempt(settings(), attempt_id)
    return len(ids)


def _publish_all(outbox_ids: list[int]) -> int:
    for outbox_id in outbox_ids:
        dispatch.publish_score(settings(), outbox_id)
    return len(outbox_ids)
