"""Grade quizzes, fold reviews into the module grade, and queue the score for the LMS.

Submitted attempts are claimed from the database in batches (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share the work without waiting for each other): the database,
not the broker's message, is the list of work, and a drain that dies leaves the attempts
``submitted`` for the next one. Every function here is idempotent: running it again writes the
same rows. The grades of a batch are computed with a handful of set queries, not per learner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select, tuple_, update
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import Grade, Review, ScoreOutbox
from lms_plugin.db.learning import AssignmentSubmission, QuizAttempt
from lms_plugin.domain import completion, grading
from lms_plugin.domain.content.model import Module
from lms_plugin.domain.grading import QuizResult
from lms_plugin.services import awards
from lms_plugin.services.content import module_version

SCORE_MAXIMUM = 100.0
BATCH = 50  # attempts per transaction

Key = tuple[int, int, str]  # (context_id, user_id, module_slug): one learner's module


@dataclass(frozen=True)
class Graded:
    attempts: int  # graded in this batch (0: nothing was waiting)
    queued: list[int]  # score outbox rows made
    awards: list[int] = field(default_factory=list)  # levels completed: awards to issue


def grade_submitted(session: Session, limit: int = BATCH) -> Graded:
    """Grade up to ``limit`` submitted attempts no other worker holds, oldest first; fold each
    into its module grade and queue the changed scores, in one transaction."""
    attempts = list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.status == "submitted")
            .order_by(QuizAttempt.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not attempts:
        session.rollback()
        return Graded(0, [])
    modules: dict[Key, Module] = {}
    for attempt in attempts:
        module = module_version(session, attempt.module_id)
        items = [item for i in attempt.item_ids if (item := module.item(i)) is not None]
        _store_result(attempt, grading.grade_quiz(items, attempt.answers, module.quiz))
        modules[(attempt.context_id, attempt.user_id, attempt.module_slug)] = module
    queued, awarded = _refresh(session, modules)
    session.commit()
    return Graded(len(attempts), queued, awarded)


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
    attempt.graded_at = utcnow()
    attempt.status = "graded"


def refresh_grades(session: Session, modules: Mapping[Key, Module]) -> list[int]:
    """Recompute these learners' module grades from their best attempt and latest review;
    upsert those that changed and queue a score for each; record an award for each level a
    change completed. Returns the outbox row ids. Caller commits."""
    return _refresh(session, modules)[0]


def _refresh(session: Session, modules: Mapping[Key, Module]) -> tuple[list[int], list[int]]:
    """refresh_grades, returning (outbox row ids, new award ids)."""
    session.flush()
    keys = list(modules)
    best = _best_percents(session, keys)
    reviews = _latest_reviews(session, keys)
    grades = {
        (g.context_id, g.user_id, g.module_slug): g
        for g in session.scalars(select(Grade).where(_among(Grade, keys)).with_for_update())
    }
    changed: dict[Key, tuple[float, str]] = {}
    for key, module in modules.items():
        quiz, review = best.get(key), reviews.get(key)
        rubric, passed = (review.percent, review.passed) if review else (None, None)
        status = completion.module_status(
            module, best_quiz_percent=quiz, assignment_passed=passed, lessons_viewed=set()
        )
        score = round(completion.module_grade(module, quiz, rubric), 4)
        grade = grades.get(key)
        if grade is not None and (
            grade.score,
            grade.complete,
            grade.quiz_percent,
            grade.rubric_percent,
        ) == (score, status.complete, quiz, rubric):
            continue
        if grade is None:
            grade = grades[key] = Grade(**_scope(key), score=score)
            session.add(grade)
        grade.score, grade.complete = score, status.complete
        grade.quiz_percent, grade.rubric_percent = quiz, rubric
        changed[key] = (score, _comment(quiz, passed, module))
    # A module now complete may complete its level: the award is made in this transaction.
    completed = {(key[0], key[1]) for key in changed if grades[key].complete}
    awarded = awards.record_completions(session, completed)
    return [row.id for row in enqueue_scores(session, changed)], awarded


def _scope(key: Key) -> dict[str, Any]:
    return dict(zip(("context_id", "user_id", "module_slug"), key, strict=True))


def _among(model: type[Any], keys: Iterable[Key]) -> ColumnElement[bool]:
    """``(context_id, user_id, module_slug) IN keys`` for a learner-scoped table."""
    return tuple_(model.context_id, model.user_id, model.module_slug).in_(list(keys))


def _best_percents(session: Session, keys: list[Key]) -> dict[Key, float]:
    percents: dict[Key, list[float]] = {}
    rows = session.execute(
        select(QuizAttempt.context_id, QuizAttempt.user_id, QuizAttempt.module_slug)
        .add_columns(QuizAttempt.percent)
        .where(QuizAttempt.status == "graded", _among(QuizAttempt, keys))
    )
    for context_id, user_id, slug, percent in rows:
        if percent is not None:
            percents.setdefault((context_id, user_id, slug), []).append(percent)
    best: dict[Key, float] = {}
    for key, values in percents.items():
        if (value := grading.best_attempt(values)) is not None:
            best[key] = value
    return best


def _latest_reviews(session: Session, keys: list[Key]) -> dict[Key, Review]:
    """Each learner's review of their latest reviewed round."""
    rows = session.execute(
        select(
            Review,
            AssignmentSubmission.context_id,
            AssignmentSubmission.user_id,
            AssignmentSubmission.module_slug,
        )
        .join(AssignmentSubmission, Review.submission_id == AssignmentSubmission.id)
        .where(_among(AssignmentSubmission, keys))
        .order_by(AssignmentSubmission.round)
    )
    return {(context_id, user_id, slug): review for review, context_id, user_id, slug in rows}


def _comment(best: float | None, passed: bool | None, module: Module) -> str:
    parts = []
    if best is not None:
        parts.append(f"Quiz best {best:g}% (pass mark {module.quiz.pass_percent:g}%)")
    if passed is not None:
        parts.append("assignment passed" if passed else "assignment: revision requested")
    return "; ".join(parts) or "In progress"


def enqueue_scores(
    session: Session, scores: Mapping[Key, tuple[float, str]], now: datetime | None = None
) -> list[ScoreOutbox]:
    """A new outbox row per (score, comment); older pending rows for the same grade are
    superseded by it."""
    if not scores:
        return []
    now = now or utcnow()
    # Conditional update: a row a worker is sending right now (and marks sent) is left alone.
    session.execute(
        update(ScoreOutbox)
        .where(ScoreOutbox.status == "pending", _among(ScoreOutbox, scores))
        .values(status="superseded")
        .execution_options(synchronize_session=False)
    )
    last: dict[Key, datetime] = {
        (context_id, user_id, slug): timestamp
        for context_id, user_id, slug, timestamp in session.execute(
            select(
                ScoreOutbox.context_id,
                ScoreOutbox.user_id,
                ScoreOutbox.module_slug,
                func.max(ScoreOutbox.timestamp),
            )
            .where(_among(ScoreOutbox, scores))
            .group_by(ScoreOutbox.context_id, ScoreOutbox.user_id, ScoreOutbox.module_slug)
        )
    }
    rows = [
        ScoreOutbox(
            **_scope(key),
            score_given=round(score * SCORE_MAXIMUM, 2),
            score_maximum=SCORE_MAXIMUM,
            comment=comment,
            timestamp=_next_timestamp(now, last.get(key)),
            status="pending",
            next_attempt_at=now,
        )
        for key, (score, comment) in scores.items()
    ]
    session.add_all(rows)
    session.flush()
    return rows


def _next_timestamp(now: datetime, last: datetime | None) -> datetime:
    """AGS: timestamps strictly increase per user and line item; Moodle compares seconds."""
    if last is None:
        return now
    return max(now, last.replace(microsecond=0) + timedelta(seconds=1))
