"""What an instructor's course home shows at a glance: the cohort in numbers, the credentials
earned in the course and where the gradebook sync stands. Reviews waiting: services.reviews."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select, union_all
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import Award
from lms_plugin.db.grading import Grade, ScoreOutbox
from lms_plugin.db.learning import AssignmentDraft, AssignmentSubmission, LessonView, QuizAttempt
from lms_plugin.db.models import Membership
from lms_plugin.domain.course_summary import CohortSummary, summarize
from lms_plugin.services.content import CurrentContent
from lms_plugin.services.roster import STALLED_AFTER


@dataclass(frozen=True)
class SyncState:
    """The latest score of each learner and module with a grade, by where it stands."""

    sent: int
    pending: int  # not sent yet (normally within a minute)
    retrying: int  # pending after a failed try (429/5xx): the tool keeps trying
    failed: int  # refused by the LMS or given up: an instructor or admin must act

    @property
    def problems(self) -> int:
        return self.failed + self.retrying


def cohort_summary(
    session: Session, content: CurrentContent, context_id: int, now: datetime | None = None
) -> CohortSummary:
    """The course's learners counted by activity and completed levels (three queries)."""
    launched = dict(
        session.execute(
            select(Membership.user_id, Membership.launched_at).where(
                Membership.context_id == context_id, Membership.access == "learner"
            )
        ).all()
    )
    modules_done: defaultdict[int, set[str]] = defaultdict(set)
    for user_id, slug in session.execute(
        select(Grade.user_id, Grade.module_slug).where(
            Grade.context_id == context_id, Grade.complete.is_(True)
        )
    ):
        modules_done[user_id].add(slug)
    last = _last_work(session, context_id)
    for user_id, at in launched.items():  # the latest of work and launch, as the dashboard's
        if at is not None and (user_id not in last or at > last[user_id]):
            last[user_id] = at
    return summarize(
        content.programs,
        set(launched),
        last,
        modules_done,
        now=now or utcnow(),
        stalled_after=STALLED_AFTER,
    )


def _last_work(session: Session, context_id: int) -> dict[int, datetime]:
    """User id -> when they last did any work: read a lesson, started or submitted an attempt,
    submitted a round, saved a draft with text (the cohort dashboard's work; one query)."""
    in_course = [
        (LessonView.user_id, LessonView.viewed_at, LessonView.context_id == context_id),
        (
            QuizAttempt.user_id,
            func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at),
            QuizAttempt.context_id == context_id,
        ),
        (
            AssignmentSubmission.user_id,
            AssignmentSubmission.submitted_at,
            AssignmentSubmission.context_id == context_id,
        ),
        (
            AssignmentDraft.user_id,
            AssignmentDraft.saved_at,
            and_(AssignmentDraft.context_id == context_id, func.length(AssignmentDraft.text) > 0),
        ),
    ]
    activity = union_all(
        *(
            select(user_id.label("user_id"), func.max(at).label("at"))
            .where(where)
            .group_by(user_id)
            for user_id, at, where in in_course
        )
    ).subquery()
    rows = session.execute(
        select(activity.c.user_id, func.max(activity.c.at)).group_by(activity.c.user_id)
    )
    return {user_id: at for user_id, at in rows if at is not None}


def credentials_issued(session: Session, context_id: int) -> dict[str, int]:
    """Program slug -> credentials issued (and not revoked) for completions in this course."""
    rows = session.execute(
        select(Award.program_slug, func.count())
        .where(Award.context_id == context_id, Award.status == "issued")
        .group_by(Award.program_slug)
    )
    return {slug: n for slug, n in rows}


def sync_state(session: Session, context_id: int) -> SyncState:
    """Where the latest score of each learner and module stands (superseded ones left out)."""
    latest = (
        select(func.max(ScoreOutbox.id))
        .where(ScoreOutbox.context_id == context_id, ScoreOutbox.status != "superseded")
        .group_by(ScoreOutbox.user_id, ScoreOutbox.module_slug)
    )
    counts: dict[str, tuple[int, int]] = {}  # status -> (rows, rows tried at least once)
    for status, n, tried in session.execute(
        select(
            ScoreOutbox.status, func.count(), func.sum(case((ScoreOutbox.tries > 0, 1), else_=0))
        )
        .where(ScoreOutbox.id.in_(latest))
        .group_by(ScoreOutbox.status)
    ):
        counts[status] = (n, int(tried or 0))
    pending, retrying = counts.get("pending", (0, 0))
    return SyncState(
        sent=counts.get("sent", (0, 0))[0],
        pending=pending - retrying,
        retrying=retrying,
        failed=counts.get("failed", (0, 0))[0],
    )
