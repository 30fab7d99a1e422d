"""Grade quizzes, fold reviews into the module grade, and queue the score for the LMS.

Submitted attempts are claimed from the database in batches (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so several workers share the work without waiting for each other): the database,
not the broker's message, is the list of work, and a drain that dies leaves the attempts
``submitted`` for the next one. The same drain takes assignment rounds newly waiting for review,
so the gradebook says "needs grading" (domain.gradebook). Every function here is idempotent:
running it again writes the same rows. The grades of a batch are computed with a handful of set
queries, not per learner; where the scores go is services.gradebook's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import Grade, Review
from lms_plugin.db.learning import AssignmentSubmission, QuizAttempt
from lms_plugin.domain import completion, gradebook, grading
from lms_plugin.domain.content.model import Module
from lms_plugin.domain.grading import QuizResult
from lms_plugin.services import award_records
from lms_plugin.services.content import module_version
from lms_plugin.services.gradebook import Key, among, queue_changes
from lms_plugin.services.practice_log_facts import log_facts, log_parts, log_spec

SCORE_MAXIMUM = gradebook.SCORE_MAXIMUM
BATCH = 50  # attempts (and rounds to announce) per transaction


@dataclass(frozen=True)
class Graded:
    attempts: int  # graded in this batch (0: nothing was waiting)
    queued: list[int]  # score outbox rows made
    awards: list[int] = field(default_factory=list)  # levels completed: awards to issue
    announced: int = 0  # rounds newly waiting for review, told to the gradebook
    waits: list[float] = field(default_factory=list)  # per attempt: seconds submitted → graded

    @property
    def done(self) -> int:
        """The work this batch did: attempts graded and rounds announced."""
        return self.attempts + self.announced


def grade_submitted(session: Session, limit: int = BATCH) -> Graded:
    """Grade up to ``limit`` submitted attempts no other worker holds, oldest first, and take
    up to ``limit`` assignment rounds newly waiting for review; fold each into its module
    grade and queue the changed scores (a waiting round: "needs grading"), in one
    transaction."""
    attempts = list(
        session.scalars(
            select(QuizAttempt)
            .where(QuizAttempt.status == "submitted")
            .order_by(QuizAttempt.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    rounds = _unannounced(session, limit)
    if not attempts and not rounds:
        session.rollback()
        return Graded(0, [])
    modules: dict[Key, Module] = {}
    for attempt in attempts:
        module = module_version(session, attempt.module_id)
        items = [item for i in attempt.item_ids if (item := module.item(i)) is not None]
        _store_result(attempt, grading.grade_quiz(items, attempt.answers, module.quiz))
        modules[(attempt.context_id, attempt.user_id, attempt.module_slug)] = module
    for submission in rounds:
        key = (submission.context_id, submission.user_id, submission.module_slug)
        modules.setdefault(key, module_version(session, submission.module_id))
    queued, awarded = _refresh(session, modules)
    waits = [_waited(attempt) for attempt in attempts]  # before the commit expires the rows
    session.commit()
    return Graded(len(attempts), queued, awarded, len(rounds), waits)


def _waited(attempt: QuizAttempt) -> float:
    """Seconds from the learner's submit to this grade (0 for an attempt with no submit time)."""
    if attempt.submitted_at is None or attempt.graded_at is None:
        return 0.0
    return max(0.0, (attempt.graded_at - attempt.submitted_at).total_seconds())


def _unannounced(session: Session, limit: int) -> list[AssignmentSubmission]:
    """Rounds waiting for review whose module grade does not say so yet: the learner just
    submitted (the web commits the round; the drain tells the gradebook)."""
    return list(
        session.scalars(
            select(AssignmentSubmission)
            .outerjoin(
                Grade,
                (Grade.context_id == AssignmentSubmission.context_id)
                & (Grade.user_id == AssignmentSubmission.user_id)
                & (Grade.module_slug == AssignmentSubmission.module_slug),
            )
            .where(
                AssignmentSubmission.status == "submitted",
                Grade.assignment_status.is_distinct_from("submitted"),
            )
            .order_by(AssignmentSubmission.id)
            .limit(limit)
            .with_for_update(of=AssignmentSubmission, skip_locked=True)
        )
    )


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
    """Recompute these learners' module grades from their best attempt, latest review and
    latest round; upsert those that changed and queue their scores to the course's columns;
    record an award for each level a change completed. Returns the outbox row ids. Caller
    commits."""
    return _refresh(session, modules)[0]


def _refresh(session: Session, modules: Mapping[Key, Module]) -> tuple[list[int], list[int]]:
    """refresh_grades, returning (outbox row ids, new award ids)."""
    session.flush()
    keys = list(modules)
    # The grade rows are locked before the facts are read: a refresh that waited for another
    # (the web's, after a practice log entry; a review's) then reads what that one committed,
    # instead of writing back what it had read before (READ COMMITTED).
    grades = {
        (g.context_id, g.user_id, g.module_slug): g
        for g in session.scalars(select(Grade).where(among(Grade, keys)).with_for_update())
    }
    best = _best_percents(session, keys)
    reviews = _latest_reviews(session, keys)
    rounds = _latest_rounds(session, keys)
    logs, log_words = log_facts(session, keys), log_spec().min_words  # the practice log
    changed: dict[Key, gradebook.ScorePayload] = {}
    for key, module in modules.items():
        quiz, review, status = best.get(key), reviews.get(key), rounds.get(key)
        rubric, passed = (review.percent, review.passed) if review else (None, None)
        complete = completion.module_status(
            module,
            best_quiz_percent=quiz,
            assignment_passed=passed,
            lessons_viewed=set(),
            log=logs.get(key),
            log_min_words=log_words,
        ).complete
        score = completion.module_grade(module, quiz, rubric)  # to four decimals already
        grade = grades.get(key)
        now = (score, complete, quiz, rubric, status)
        if grade is not None and _state(grade) == now:
            continue
        if grade is None:
            grade = grades[key] = Grade(**_scope(key), score=score)
            session.add(grade)
        grade.score, grade.complete, grade.quiz_percent, grade.rubric_percent = now[:4]
        grade.assignment_status = status
        parts = gradebook.module_parts(
            module, best_quiz=quiz, submission_status=status, rubric_percent=rubric
        ) + log_parts(logs.get(key))
        changed[key] = gradebook.module_payload(parts, score)
    # A module now complete may complete its level: the award is made in this transaction.
    completed = {(key[0], key[1]) for key in changed if grades[key].complete}
    awarded = award_records.record_completions(session, completed)
    return [row.id for row in queue_changes(session, changed)], awarded


def _state(grade: Grade) -> tuple[Any, ...]:
    return (
        grade.score,
        grade.complete,
        grade.quiz_percent,
        grade.rubric_percent,
        grade.assignment_status,
    )


def _scope(key: Key) -> dict[str, Any]:
    return dict(zip(("context_id", "user_id", "module_slug"), key, strict=True))


def _best_percents(session: Session, keys: list[Key]) -> dict[Key, float]:
    percents: dict[Key, list[float]] = {}
    rows = session.execute(
        select(QuizAttempt.context_id, QuizAttempt.user_id, QuizAttempt.module_slug)
        .add_columns(QuizAttempt.percent)
        .where(QuizAttempt.status == "graded", among(QuizAttempt, keys))
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
        .where(among(AssignmentSubmission, keys))
        .order_by(AssignmentSubmission.round)
    )
    return {(context_id, user_id, slug): review for review, context_id, user_id, slug in rows}


def _latest_rounds(session: Session, keys: list[Key]) -> dict[Key, str]:
    """The status of each learner's latest submitted round (submitted, revise, passed, failed)."""
    rows = session.execute(
        select(
            AssignmentSubmission.context_id,
            AssignmentSubmission.user_id,
            AssignmentSubmission.module_slug,
            AssignmentSubmission.status,
        )
        .where(among(AssignmentSubmission, keys))
        .order_by(AssignmentSubmission.round)
    )
    return {(context_id, user_id, slug): status for context_id, user_id, slug, status in rows}
