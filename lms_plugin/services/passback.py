"""Send queued scores to the LMS gradebook (LTI AGS 2.0), and decide what happens on failure.

429, 5xx and network errors leave the row pending and ask the caller to retry later (with
backoff); 401 is refreshed once inside the AGS client; any other 4xx is classified on the row
(not gradable, scope missing, ...) and shown to people instead of being retried in a loop.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Executable, Row, Table, bindparam, select, update
from sqlalchemy.orm import Session

from lms_plugin import metrics
from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import ScoreOutbox
from lms_plugin.db.models import Deployment, LtiContext, LtiUser, Registration
from lms_plugin.domain.errors import LmsError
from lms_plugin.domain.score_extensions import lms_has_newer, score_extensions
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.ags import AgsError, Score
from lms_plugin.services.lineitems import AgsPort, KnownLineItems, NotGradableError, find_or_make

__all__ = ["AgsPort", "NotGradableError", "RetryLater", "publish_due", "resend"]

MAX_BACKOFF_SECONDS = 600


class RetryLater(LmsError):
    """The LMS asked us to wait: the drain tries again after ``delay`` seconds."""

    status = 503
    code = "retry_later"

    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay


def backoff(tries: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter, honouring the LMS's Retry-After when longer."""
    ceiling = min(MAX_BACKOFF_SECONDS, 2 ** min(tries, 10))
    delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security
    return max(delay, retry_after or 0.0)


class _Looked:
    """What a drain has already looked up or learnt: AGS clients, line items, and which
    registrations' LMSs asked us to wait (until when)."""

    def __init__(self, store: KeyValueStore | None = None) -> None:
        self.clients: dict[int, AgsPort] = {}
        self.products: dict[int, str] = {}  # registration id -> product (score extensions)
        self.waiting: dict[int, datetime] = {}
        self.lineitems = KnownLineItems(store)


CLAIM = 20  # rows leased at a time by one drain
LEASE_SECONDS = 300  # a leased row is hidden from other drains this long...
SEND_WITHIN = 120  # ...and a drain hands back what it has not sent by then (room for one slow call)


def publish_due(
    session: Session,
    ags_for: Callable[[Registration], AgsPort],
    store: KeyValueStore | None = None,
    limit: int = 200,
) -> int:
    """Send due rows until none is due or about ``limit`` were handled; returns how many.

    Rows are leased a claim at a time (one short transaction; other drains skip them), sent
    one by one, and each outcome is its own one-statement commit, so at most the score in
    flight can be sent twice if the worker dies. A killed drain's unsent rows are due again
    when their lease ends. When an LMS asks us to wait (429, 5xx), its rows wait with it while
    other LMSs' rows are still sent, then RetryLater is raised with the shortest wait."""
    looked = _Looked(store)
    handled = 0
    while handled < limit:
        claimed = _claim(session, utcnow())
        if not claimed:
            break
        started = time.monotonic()
        for row in claimed:
            waiting = looked.waiting.get(row.registration_id)
            if waiting is not None or time.monotonic() - started > SEND_WITHIN:
                _write(session, _RELEASE, {"outbox_id": row.id, "due": waiting or utcnow()})
                continue
            _send(session, row, ags_for, looked)
            handled += 1
    if looked.waiting:
        due = min(looked.waiting.values())
        raise RetryLater(max(0.0, (due - utcnow()).total_seconds()), "an LMS asked us to wait")
    return handled


_OUTBOX = cast(Table, ScoreOutbox.__table__)
# Built once: they run for every score, and a statement built per call is hashed anew.
_LEASE = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id.in_(
            select(_OUTBOX.c.id)
            .where(_OUTBOX.c.status == "pending", _OUTBOX.c.next_attempt_at <= bindparam("now"))
            .order_by(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id)
            .limit(CLAIM)
            .with_for_update(skip_locked=True)
        )
    )
    .values(next_attempt_at=bindparam("lease_until"))
    .returning(_OUTBOX.c.id)
)
_CLAIMED = (
    select(
        _OUTBOX.c.id,
        _OUTBOX.c.context_id,
        _OUTBOX.c.module_slug,
        _OUTBOX.c.lineitem_url,
        _OUTBOX.c.score_given,
        _OUTBOX.c.score_maximum,
        _OUTBOX.c.activity_progress,
        _OUTBOX.c.grading_progress,
        _OUTBOX.c.timestamp,
        _OUTBOX.c.comment,
        _OUTBOX.c.tries,
        LtiUser.sub,
        Deployment.registration_id,
    )
    .join(LtiContext, LtiContext.id == _OUTBOX.c.context_id)
    .join(Deployment, Deployment.id == LtiContext.deployment_id)
    .join(LtiUser, LtiUser.id == _OUTBOX.c.user_id)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_OUTBOX.c.id)
)
_OUTCOME = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("outbox_id"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "status",
                "tries",
                "lineitem_url",
                "classification",
                "last_error",
                "next_attempt_at",
                "sent_at",
            )
        }
    )
)
_RELEASE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("outbox_id"), _OUTBOX.c.status == "pending")
    .values(next_attempt_at=bindparam("due"))
)


def _claim(session: Session, now: datetime) -> list[Row[Any]]:
    """Lease up to CLAIM due rows no other drain holds, with what sending them needs."""
    leased = list(
        session.scalars(_LEASE, {"now": now, "lease_until": now + timedelta(seconds=LEASE_SECONDS)})
    )
    rows: list[Row[Any]] = list(session.execute(_CLAIMED, {"ids": leased})) if leased else []
    session.commit()
    return rows


def _write(session: Session, statement: Executable, params: dict[str, Any]) -> None:
    """One statement committed on its own (a single round trip, outside the session)."""
    engine = session.get_bind().engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(statement, params)


def _send(
    session: Session,
    row: Row[Any],
    ags_for: Callable[[Registration], AgsPort],
    looked: _Looked,
) -> str:
    """Send one leased row and write its outcome: sent, failed (a refusal people must look
    at), or pending with a backoff (its LMS asked us to wait: noted in ``looked``)."""
    now = utcnow()
    ags, product = _client(session, row, ags_for, looked)
    outcome: dict[str, object] = {
        "outbox_id": row.id,
        "tries": row.tries + 1,
        "lineitem_url": row.lineitem_url,
        "next_attempt_at": now,
        "sent_at": None,
        "classification": None,
        "last_error": None,
    }
    try:
        outcome["lineitem_url"] = _lineitem_url(session, ags, row, looked)
    except NotGradableError as exc:
        return _outcome(session, outcome, "failed", exc.classification, str(exc))
    except AgsError as exc:
        return _refused(session, row, looked, outcome, exc)
    try:
        ags.post_score(str(outcome["lineitem_url"]), _score(row, product))
    except AgsError as exc:
        if lms_has_newer(product, exc.lms_status, str(exc)):
            # Moodle (409) and Canvas (400) refuse a score not later than the one they hold.
            # Ours strictly increase, so it holds this one (sent by a drain that died before
            # writing the outcome) or a newer one a person entered: nothing is left to send.
            outcome["sent_at"] = now
            said = LMS_HAS_NEWER if exc.lms_status == 409 else CANVAS_HAS_NEWER
            return _outcome(session, outcome, "sent", "lms_has_newer", said)
        return _refused(session, row, looked, outcome, exc)
    outcome["sent_at"] = now
    return _outcome(session, outcome, "sent", None, None)


def _client(
    session: Session,
    row: Row[Any],
    ags_for: Callable[[Registration], AgsPort],
    looked: _Looked,
) -> tuple[AgsPort, str]:
    """The row's registration's AGS client and LMS product, made once per drain."""
    ags = looked.clients.get(row.registration_id)
    if ags is None:
        registration = session.get_one(Registration, row.registration_id)
        ags = ags_for(registration)
        looked.clients[row.registration_id] = ags
        looked.products[row.registration_id] = registration.product
        session.commit()
    return ags, looked.products.get(row.registration_id, "other")


def _lineitem_url(session: Session, ags: AgsPort, row: Row[Any], looked: _Looked) -> str:
    """The line item the score goes to: the row's own, or its module's column in the course,
    found or made by resourceId (and remembered)."""
    if row.lineitem_url is not None:
        return str(row.lineitem_url)
    url = looked.lineitems.get(row.context_id, row.module_slug)
    if url is None:
        url = find_or_make(session, ags, row.context_id, row.module_slug)
        session.commit()  # a link that now knows its line item
    looked.lineitems.remember(row.context_id, row.module_slug, url)
    return url


def _refused(
    session: Session, row: Row[Any], looked: _Looked, outcome: dict[str, object], exc: AgsError
) -> str:
    """The LMS refused: failed for good (people look at it), or pending until a backoff."""
    if not exc.retryable:
        looked.lineitems.forget(row.context_id, row.module_slug)  # looked up again next time
        return _outcome(session, outcome, "failed", exc.classification, str(exc))
    due = utcnow() + timedelta(seconds=backoff(row.tries + 1, exc.retry_after))
    looked.waiting[row.registration_id] = due
    outcome["next_attempt_at"] = due
    return _outcome(session, outcome, "pending", exc.classification, str(exc))


LMS_HAS_NEWER = (
    "The LMS already holds a score for this learner at least as recent as this one (HTTP "
    "409), so it kept that one; nothing more to send."
)


CANVAS_HAS_NEWER = (
    "Canvas already holds a score for this learner at least as recent as this one (HTTP 400, "
    "timestamp before its last), so it kept that one; nothing more to send."
)


def _score(row: Row[Any], product: str = "other") -> Score:
    """The AGS score body of a claimed row (AGS 2.0 §3.4.1), with the extensions the
    platform's product takes (domain.score_extensions)."""
    return Score(
        user_id=row.sub,
        score_given=row.score_given,
        score_maximum=row.score_maximum,
        timestamp=row.timestamp,
        comment=row.comment,
        activity_progress=row.activity_progress,
        grading_progress=row.grading_progress,
        extensions=score_extensions(product, row.activity_progress, row.grading_progress),
    )


def _outcome(
    session: Session,
    values: dict[str, object],
    status: str,
    classification: str | None,
    error: str | None,
) -> str:
    session.rollback()  # nothing of the session's is pending; the outcome commits on its own
    _write(
        session,
        _OUTCOME,
        {
            **values,
            "status": status,
            "classification": classification,
            "last_error": error[:2000] if error else None,
        },
    )
    metrics.SCORES.labels(status).inc()
    return status


def resend(session: Session, context_id: int, outbox_ids: list[int]) -> list[int]:
    """Put failed rows of this course back in the queue (the instructor's "resend")."""
    rows = list(
        session.scalars(
            select(ScoreOutbox).where(
                ScoreOutbox.context_id == context_id,
                ScoreOutbox.id.in_(outbox_ids),
                ScoreOutbox.status == "failed",
            )
        )
    )
    for row in rows:
        row.status, row.next_attempt_at = "pending", utcnow()
    session.commit()
    return [row.id for row in rows]
