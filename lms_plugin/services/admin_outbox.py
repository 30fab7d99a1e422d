"""A platform's score outbox for the admin: what waits, what failed and why, and resending
(what ``lms-plugin scores list`` and ``scores resend`` do, for one registration's courses)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from lms_plugin.db.grading import ScoreOutbox
from lms_plugin.db.models import Deployment, LtiContext, LtiUser
from lms_plugin.services.passback import resend as resend_in_course

SHOWN = 50


@dataclass(frozen=True)
class OutboxCounts:
    waiting: int  # pending, not tried yet
    retrying: int  # pending after a failed try (429/5xx, unreachable): the drain keeps trying
    failed: int  # refused by the LMS or given up: someone must act, then resend
    sent: int


@dataclass(frozen=True)
class OutboxLine:
    id: int
    course: str
    user_sub: str  # the LMS's id of the learner, as the CLI shows it; no name
    module_slug: str
    score: str
    status: str
    tries: int
    classification: str | None
    last_error: str | None
    next_attempt_at: datetime


def _courses_of(registration_id: int) -> Select[int]:
    return (
        select(LtiContext.id)
        .join(Deployment, Deployment.id == LtiContext.deployment_id)
        .where(Deployment.registration_id == registration_id)
    )


def counts(session: Session, registration_id: int) -> OutboxCounts:
    """The registration's outbox rows by where they stand (superseded ones left out)."""
    tried = ScoreOutbox.tries > 0
    rows = session.execute(
        select(ScoreOutbox.status, tried, func.count())
        .where(ScoreOutbox.context_id.in_(_courses_of(registration_id)))
        .group_by(ScoreOutbox.status, tried)
    ).all()
    found: dict[str, int] = defaultdict(int)
    for status, is_retry, n in rows:
        found["retrying" if status == "pending" and is_retry else status] += n
    return OutboxCounts(
        waiting=found["pending"],
        retrying=found["retrying"],
        failed=found["failed"],
        sent=found["sent"],
    )


def problems(session: Session, registration_id: int, limit: int = SHOWN) -> list[OutboxLine]:
    """The latest failed or retrying rows of the registration's courses, newest first."""
    rows = session.execute(
        select(ScoreOutbox, LtiContext.title, LtiContext.context_id, LtiUser.sub)
        .join(LtiContext, LtiContext.id == ScoreOutbox.context_id)
        .join(LtiUser, LtiUser.id == ScoreOutbox.user_id)
        .where(
            ScoreOutbox.context_id.in_(_courses_of(registration_id)),
            or_(
                ScoreOutbox.status == "failed",
                (ScoreOutbox.status == "pending") & (ScoreOutbox.tries > 0),
            ),
        )
        .order_by(ScoreOutbox.id.desc())
        .limit(limit)
    )
    return [
        OutboxLine(
            id=row.id,
            course=title or course_id,
            user_sub=sub,
            module_slug=row.module_slug,
            score=_score(row),
            status=row.status,
            tries=row.tries,
            classification=row.classification,
            last_error=(row.last_error or "")[:300] or None,
            next_attempt_at=row.next_attempt_at,
        )
        for row, title, course_id, sub in rows
    ]


def _score(row: ScoreOutbox) -> str:
    if row.score_given is None:
        return row.grading_progress
    return f"{row.score_given:g}/{row.score_maximum:g}"


def resend(session: Session, registration_id: int | None, outbox_ids: list[int]) -> list[int]:
    """Queue failed rows again, each through its course's resend; rows of other registrations
    (when ``registration_id`` is given) and rows that are not failed are left alone."""
    query = select(ScoreOutbox.context_id).where(ScoreOutbox.id.in_(outbox_ids))
    if registration_id is not None:
        query = query.where(ScoreOutbox.context_id.in_(_courses_of(registration_id)))
    contexts = sorted(set(session.scalars(query)))
    return [i for context_id in contexts for i in resend_in_course(session, context_id, outbox_ids)]
