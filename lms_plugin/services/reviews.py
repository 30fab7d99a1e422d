"""Instructor rubric review: the queue for one course, scoring a round, and its outcome."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import Review
from lms_plugin.db.learning import AssignmentSubmission
from lms_plugin.db.models import LtiUser
from lms_plugin.domain import grading
from lms_plugin.domain.errors import ConflictError, NotFoundError, UnprocessableError
from lms_plugin.services.content import module_version
from lms_plugin.services.grades import refresh_grades

DECISIONS = ("pass", "revise", "fail")


@dataclass(frozen=True)
class QueueEntry:
    submission: AssignmentSubmission
    learner_name: str


def review_queue(
    session: Session, context_id: int, status: str | None = "submitted"
) -> list[QueueEntry]:
    """Submissions in this course only, oldest first (the longest waiting on top)."""
    query = (
        select(AssignmentSubmission, LtiUser.name, LtiUser.sub)
        .join(LtiUser, LtiUser.id == AssignmentSubmission.user_id)
        .where(AssignmentSubmission.context_id == context_id)
        .order_by(AssignmentSubmission.submitted_at)
    )
    if status:
        query = query.where(AssignmentSubmission.status == status)
    return [QueueEntry(sub, name or sub_id) for sub, name, sub_id in session.execute(query)]


def get_submission(session: Session, context_id: int, submission_id: int) -> AssignmentSubmission:
    """A submission of this course; another course's is simply not found."""
    submission = session.scalars(
        select(AssignmentSubmission).filter_by(id=submission_id, context_id=context_id)
    ).first()
    if submission is None:
        raise NotFoundError("There is no such submission in this course.")
    return submission


def record_review(
    session: Session,
    *,
    context_id: int,
    reviewer_id: int,
    submission_id: int,
    scores: dict[str, int],
    feedback: str,
    decision: str,
) -> Review:
    """Score every criterion, then pass, ask for a revision, or close as not passed."""
    submission = get_submission(session, context_id, submission_id)
    if submission.status != "submitted":
        raise ConflictError("This round was already reviewed.", code="already_reviewed")
    if decision not in DECISIONS:
        raise UnprocessableError(f"decision must be one of {', '.join(DECISIONS)}")
    module = module_version(session, submission.module_id)
    assert module.assignment is not None
    outcome = grading.rubric_outcome(module.assignment, scores)
    if decision == "pass" and not outcome.passed:
        raise UnprocessableError(
            "It cannot pass: these criteria are below the required level: "
            + ", ".join(outcome.below_min),
            code="below_required_level",
        )
    rounds_left = module.assignment.max_resubmissions - (submission.round - 1)
    if decision == "revise" and rounds_left <= 0:
        raise ConflictError(
            "No resubmissions are left; pass it or close it as not passed.",
            code="resubmissions_exhausted",
        )
    review = Review(
        submission_id=submission.id,
        reviewer_id=reviewer_id,
        scores=dict(scores),
        feedback=feedback.strip(),
        decision=decision,
        percent=outcome.percent,
        passed=decision == "pass",
    )
    submission.status = {"pass": "passed", "revise": "revise", "fail": "failed"}[decision]
    session.add(review)
    session.commit()
    return review


def finalize_review(session: Session, review_id: int) -> list[int]:
    """Fold a review into the module grade; returns score outbox ids to publish."""
    return _fold(session, select(Review).where(Review.id == review_id))


def fold_unfolded(session: Session, limit: int = 50) -> list[int]:
    """Fold reviews whose task never ran (a message lost with the broker): for the beat."""
    return _fold(
        session, select(Review).where(Review.folded_at.is_(None)).order_by(Review.id).limit(limit)
    )


def _fold(session: Session, reviews: Select[Any]) -> list[int]:
    found: list[Review] = list(session.scalars(reviews.with_for_update(skip_locked=True)))
    modules = {}
    for review in found:
        submission = session.get_one(AssignmentSubmission, review.submission_id)
        key = (submission.context_id, submission.user_id, submission.module_slug)
        modules[key] = module_version(session, submission.module_id)
        review.folded_at = utcnow()
    queued = refresh_grades(session, modules) if modules else []
    session.commit()
    return queued


def earlier_rounds(
    session: Session, submission: AssignmentSubmission
) -> list[tuple[AssignmentSubmission, Review | None]]:
    """The learner's previous rounds of the same assignment, each with its review."""
    rows = session.execute(
        select(AssignmentSubmission, Review)
        .outerjoin(Review, Review.submission_id == AssignmentSubmission.id)
        .where(
            AssignmentSubmission.context_id == submission.context_id,
            AssignmentSubmission.user_id == submission.user_id,
            AssignmentSubmission.module_slug == submission.module_slug,
            AssignmentSubmission.round < submission.round,
        )
        .order_by(AssignmentSubmission.round)
    )
    return [(row[0], row[1]) for row in rows]


def review_of(session: Session, submission_id: int) -> Review | None:
    return session.scalars(select(Review).filter_by(submission_id=submission_id)).first()
