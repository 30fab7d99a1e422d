"""Thin tasks named ``<area>.<verb>``: ids in, one service call, named retries.

Retried on infrastructure errors only (database connection, LMS 429/5xx via RetryLater);
everything is idempotent, so a duplicate delivery or a rerun after a killed worker is harmless.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from celery import shared_task
from prometheus_client import Counter, Histogram
from sqlalchemy.exc import DBAPIError, IntegrityError

from lms_plugin import metrics
from lms_plugin.db import db
from lms_plugin.db.grading import JobRun
from lms_plugin.lti.service_client import AgsError
from lms_plugin.services import awards, grades, keys, passback, reviews, roster
from worker import dispatch, ports
from worker.ports import ags_for, nrps_for, settings, store

INFRA_ERRORS = (DBAPIError, IntegrityError)  # lost connection, deadlock, a concurrent upsert
RETRY = {
    "autoretry_for": INFRA_ERRORS,
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 10,
}
DRAIN_BATCHES = 20  # a drain grades at most this many batches, then queues its successor
DRAIN_CLAIMS = 10  # a drain sends at most this many claims of scores, then the same
LINGER_SECONDS = 0.05  # after a partial batch of a stream


@shared_task(name="system.ping")  # type: ignore[untyped-decorator]
def ping(token: str) -> None:
    """Round trip check used by ``lms-plugin check --ping-worker``."""
    store().set("ping:" + token, "pong", 300)


@shared_task(name="system.touch")  # type: ignore[untyped-decorator]
def touch(token: str) -> None:
    """The benchmark's floor: a trivial task with one database write."""
    db.session.add(JobRun(kind="touch", status="done", result={"token": token}))
    db.session.commit()


@shared_task(name=dispatch.GRADE_SUBMITTED, **RETRY)  # type: ignore[untyped-decorator]
def grade_submitted(slot: int | None = None) -> int:
    """Drain: grade submitted attempts (and tell the gradebook of rounds newly waiting for
    review), a batch per transaction, until none waits; wake the score sender for the scores
    queued. Also run by the beat (no bell: ``slot`` None)."""

    def batch() -> int:
        graded = grades.grade_submitted(db.session())
        if graded.queued:
            dispatch.publish_scores(settings(), store())
        if graded.awards:
            dispatch.issue_awards(settings(), store())
        for waited in graded.waits:
            metrics.GRADING_WAIT_SECONDS.observe(waited)
        return graded.done

    if slot is None and reviews.fold_unfolded(db.session()):  # the beat: lost review tasks
        dispatch.publish_scores(settings(), store())
        _awards_made()
    step = _measured(batch, metrics.GRADING_SECONDS, metrics.GRADED)
    return _drain(dispatch.GRADE_SUBMITTED, slot, step, DRAIN_BATCHES, grades.BATCH)


@shared_task(name="grading.finalize_review", **RETRY)  # type: ignore[untyped-decorator]
def finalize_review(review_id: int) -> None:
    if reviews.finalize_review(db.session(), review_id):
        dispatch.publish_scores(settings(), store())
    _awards_made()  # a fold that queued no score (no gradebook column) may still complete a level


def _awards_made() -> None:
    """A folded review may have completed a level: wake the badges drain if an award waits."""
    if awards.any_due(db.session()):
        dispatch.issue_awards(settings(), store())


@shared_task(name=dispatch.ISSUE_AWARDS, **RETRY)  # type: ignore[untyped-decorator]
def issue_awards(slot: int | None = None) -> int:
    """Drain: issue due credentials (pending, or failed and due again), a batch per
    transaction, until none is due. Also run by the beat (no bell: ``slot`` None)."""
    issuer = ports.issuer()
    return _drain(
        dispatch.ISSUE_AWARDS,
        slot,
        _measured(
            lambda: awards.issue_due(db.session(), issuer), metrics.ISSUING_SECONDS, metrics.ISSUED
        ),
        DRAIN_BATCHES,
        awards.BATCH,
    )


@shared_task(
    name=dispatch.PUBLISH_SCORES,
    bind=True,
    max_retries=None,  # type: ignore[untyped-decorator]
    autoretry_for=INFRA_ERRORS,
    retry_backoff=True,
    retry_jitter=True,
)
def publish_scores(self: Any, slot: int | None = None) -> int:
    """Drain: send due outbox rows to their LMSs until none is due. When an LMS asks us to
    wait (429, 5xx), this drain lets go and runs again after the wait; the beat runs it too."""

    def claim() -> int:
        return passback.publish_due(db.session(), ags_for, store(), limit=passback.CLAIM)

    try:
        return _drain(dispatch.PUBLISH_SCORES, slot, claim, DRAIN_CLAIMS, passback.CLAIM)
    except passback.RetryLater as later:
        if slot is not None:
            dispatch.let_go(store(), dispatch.PUBLISH_SCORES, slot)
        raise self.retry(countdown=later.delay, args=[None]) from later


def _measured(step: Callable[[], int], seconds: Histogram, done: Counter) -> Callable[[], int]:
    """``step``, its batches that did something timed (grading and issuing latency)."""

    def measured() -> int:
        started = time.perf_counter()
        count = step()
        if count:
            seconds.observe(time.perf_counter() - started)
            done.inc(count)
        return count

    return measured


def _drain(name: str, slot: int | None, step: Callable[[], int], rounds: int, full: int) -> int:
    """Run ``step`` (one batch of at most ``full``: returns how much it did) until a batch does
    nothing, keeping this drain's bell rung meanwhile (see worker.dispatch); after ``rounds``,
    hand over. When batches show a stream of work arriving, it lingers a moment after a
    partial one, so the next is larger (a batch costs the same statements whatever its size);
    one submission at a time is never delayed."""
    total = 0
    for _ in range(rounds):
        done = step()
        total += done
        if done:
            if 1 < done < full:  # a stream, not one submission at a time
                time.sleep(LINGER_SECONDS)
            continue
        if slot is None:
            return total
        dispatch.let_go(store(), name, slot)
        done = step()  # committed before we let go: ours to do (their ring found the bell rung)
        total += done
        if not done or not dispatch.take_back(store(), name, slot):
            return total
    dispatch.hand_over(settings(), store(), name, slot)
    return total


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
