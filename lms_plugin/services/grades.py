"""Grade quizzes, fold reviews into the module grade, and queue the score for the LMS.

Every function here is idempotent: running it again for the same ids writes the same rows.
Rows that several workers could touch at once are locked (``FOR UPDATE`` on PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import Grade, Review, ScoreOutbox
from lms_plugin.db.learning import AssignmentSubmission, QuizAttempt
from lms_plugin.domain import completion, grading
from lms_plugin.domain.content.model import Module
from lms_plugin.domain.grading import QuizResult
from lms_plugin.services.content import module_version
from lms_plugin.services.progress import Learner

SCORE_MAXIMUM = 100.0


def grade_attempt(session: Session, attempt_id: int) -> list[int]:
    """Grade a submitted attempt; return the ids of score outbox rows to publish."""
    attempt = session.get(QuizAttempt, attempt_id, with_for_update=True)
    if attempt is None or attempt.status == "open":
        return []
    module = module_version(session, attempt.module_id)
    items = [item for i in attempt.item_ids if (item := module.item(i)) is not None]
    result = grading.grade_quiz(items, attempt.answers, module.quiz)
    _store_result(attempt, result)
    learner = Learner(attempt.context_id, attempt.user_id)
    queued = refresh_grade(session, learner, attempt.module_slug, module)
    session.commit()
    return queued


def _store_result(attempt: QuizAttempt, result: QuizResult) -> None:
    attempt.score, attempt.max_score, attempt.percent = (
        result.score,
        result.max_score,
        result.percent,
    )
    attempt.results = [
        {
            "item_id": r.item_id,
            "points_awarded": r.points_awarded,
            "points_possible": r.points_possible,
            "correct": r.correct,
        }
        for r in result.results
    ]
    if attempt.status != "graded":  # a rerun keeps the first grading time
        attempt.graded_at = utcnow()
    attempt.status = "graded"


def refresh_grade(
    session: Session, learner: Learner, module_slug: str, module: Module
) -> list[int]:
    """Recompute the module grade from the best attempt and the latest review; when it
    changed, upsert it and queue a score. Caller commits."""
    scope = learner.scope(module_slug)
    session.flush()
    percents = list(
        session.scalars(select(QuizAttempt.percent).filter_by(status="graded", **scope))
    )
    best = grading.best_attempt([p for p in percents if p is not None])
    review = session.scalars(
        select(Review)
        .join(AssignmentSubmission, Review.submission_id == AssignmentSubmission.id)
        .filter(
            AssignmentSubmission.context_id == learner.context_id,
            AssignmentSubmission.user_id == learner.user_id,
            AssignmentSubmission.module_slug == module_slug,
        )
        .order_by(AssignmentSubmission.round.desc())
        .limit(1)
    ).first()
    rubric = review.percent if review else None
    passed = review.passed if review else None
    status = completion.module_status(
        module, best_quiz_percent=best, assignment_passed=passed, lessons_viewed=set()
    )
    score = round(completion.module_grade(module, best, rubric), 4)
    grade = session.scalars(select(Grade).filter_by(**scope).with_for_update()).first()
    if grade is not None and (
        grade.score,
        grade.complete,
        grade.quiz_percent,
        grade.rubric_percent,
    ) == (score, status.complete, best, rubric):
        return []
    if grade is None:
        grade = Grade(**scope, score=score)
        session.add(grade)
    grade.score, grade.complete = score, status.complete
    grade.quiz_percent, grade.rubric_percent = best, rubric
    row = enqueue_score(session, learner, module_slug, score, _comment(best, passed, module))
    return [row.id]


def _comment(best: float | None, passed: bool | None, module: Module) -> str:
    parts = []
    if best is not None:
        parts.append(f"Quiz best {best:g}% (pass mark {module.quiz.pass_percent:g}%)")
    if passed is not None:
        parts.append("assignment passed" if passed else "assignment: revision requested")
    return "; ".join(parts) or "In progress"


def enqueue_score(
    session: Session,
    learner: Learner,
    module_slug: str,
    score: float,
    comment: str,
    now: datetime | None = None,
) -> ScoreOutbox:
    """A new outbox row; older pending rows for the same grade are superseded by it."""
    now = now or utcnow()
    scope = learner.scope(module_slug)
    # Conditional update: a row a worker is sending right now (and marks sent) is left alone.
    session.execute(
        update(ScoreOutbox).filter_by(status="pending", **scope).values(status="superseded")
    )
    last = session.scalar(select(func.max(ScoreOutbox.timestamp)).filter_by(**scope))
    timestamp = now
    if last is not None:
        # AGS: timestamps strictly increase per user and line item; Moodle compares seconds.
        timestamp = max(now, last.replace(microsecond=0) + timedelta(seconds=1))
    row = ScoreOutbox(
        **scope,
        score_given=round(score * SCORE_MAXIMUM, 2),
        score_maximum=SCORE_MAXIMUM,
        comment=comment,
        timestamp=timestamp,
        status="pending",
        next_attempt_at=now,
    )
    session.add(row)
    session.flush()
    return row


def stale_submissions(
    session: Session, older_than_seconds: int = 30, now: datetime | None = None
) -> list[int]:
    """Attempts submitted a while ago and still not graded (their task was lost)."""
    cutoff = (now or utcnow()) - timedelta(seconds=older_than_seconds)
    return list(
        session.scalars(
            select(QuizAttempt.id)
            .where(QuizAttempt.status == "submitted", QuizAttempt.submitted_at <= cutoff)
            .order_by(QuizAttempt.id)
            .limit(1000)
        )
    )
