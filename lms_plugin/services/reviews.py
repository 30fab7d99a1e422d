"""Instructor rubric review: a submission with its earlier rounds, scoring a round, and folding
the outcome into the grade (the course's queue and what waits: ``review_queue``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import Review
from lms_plugin.db.learning import AssignmentSubmission
from lms_plugin.db.models import LtiUser
from lms_plugin.domain.content.model import Assignment
from lms_plugin.domain.errors import ConflictError, NotFoundError, UnprocessableError
from lms_plugin.domain.i18n import _, number
from lms_plugin.domain.rubric_outcome import RubricOutcome, criterion_names, rubric_outcome
from lms_plugin.services.content import module_version
from lms_plugin.services.grades import refresh_grades
from lms_plugin.services.review_queue import WAITING, Person, count_waiting, next_waiting
from lms_plugin.services.staff import course_staff

DECISIONS = ("pass", "revise", "fail")


@dataclass(frozen=True)
class Round:
    """A submitted round with its review (and who wrote it), if reviewed."""

    submission: AssignmentSubmission
    review: Review | None
    reviewer_name: str | None


@dataclass(frozen=True)
class ReviewPage:
    """A submission to review: the learner, this round and the earlier ones, what waits."""

    learner: Person
    current: Round
    earlier: list[Round]
    waiting: int
    next_id: int | None  # the waiting submission after this one in queue order
    staff: bool = False  # the learner is on the course's staff: their own try


def get_submission(session: Session, context_id: int, submission_id: int) -> AssignmentSubmission:
    """A submission of this course; another course's is simply not found."""
    submission = session.scalars(
        select(AssignmentSubmission).filter_by(id=submission_id, context_id=context_id)
    ).first()
    if submission is None:
        raise NotFoundError(_("There is no such submission in this course."))
    return submission


def review_page(session: Session, context_id: int, submission_id: int) -> ReviewPage:
    """A submission of this course with its learner, earlier rounds and what waits after it."""
    submission = get_submission(session, context_id, submission_id)
    user = session.get_one(LtiUser, submission.user_id)
    rounds = _rounds(session, submission)
    return ReviewPage(
        learner=Person(user.name, user.email, user.sub),
        current=rounds[-1],
        earlier=rounds[:-1],
        waiting=count_waiting(session, context_id),
        next_id=next_waiting(session, context_id, submission),
        staff=(context_id, user.id) in course_staff(session, [context_id]),
    )


def _rounds(session: Session, submission: AssignmentSubmission) -> list[Round]:
    """The learner's rounds of this assignment up to ``submission``, each with its review."""
    rows = session.execute(
        select(AssignmentSubmission, Review, LtiUser.name)
        .outerjoin(Review, Review.submission_id == AssignmentSubmission.id)
        .outerjoin(LtiUser, LtiUser.id == Review.reviewer_id)
        .where(
            AssignmentSubmission.context_id == submission.context_id,
            AssignmentSubmission.user_id == submission.user_id,
            AssignmentSubmission.module_slug == submission.module_slug,
            AssignmentSubmission.round <= submission.round,
        )
        .order_by(AssignmentSubmission.round)
    )
    return [Round(sub, review, reviewer) for sub, review, reviewer in rows]


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
    if submission.status != WAITING:
        raise ConflictError(_("This round was already reviewed."), code="already_reviewed")
    if decision not in DECISIONS:
        raise UnprocessableError(
            _("Choose an outcome: pass, revise and resubmit, or close as not passed."),
            code="decision_required",
        )
    module = module_version(session, submission.module_id)
    assert module.assignment is not None
    outcome = rubric_outcome(module.assignment, scores)
    if decision == "pass" and not outcome.passed:
        raise UnprocessableError(
            _why_not_passed(module.assignment, outcome), code="below_required_level"
        )
    if decision == "revise" and resubmissions_left(submission, module.assignment) <= 0:
        raise ConflictError(
            _("No resubmissions are left; pass it or close it as not passed."),
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
        rule_min_level=module.assignment.min_criterion_level,
        rule_min_mean=module.assignment.min_mean,
    )
    submission.status = {"pass": "passed", "revise": "revise", "fail": "failed"}[decision]
    session.add(review)
    session.commit()
    return review


def _why_not_passed(assignment: Assignment, outcome: RubricOutcome) -> str:
    """Why a rubric outcome cannot pass: criteria below the level, a mean below the rule's."""
    reasons = []
    if outcome.below_min:
        below = criterion_names(assignment, outcome.below_min)
        reasons.append(_("these criteria are below the required level: %(names)s", names=below))
    if not outcome.mean_reached:
        mean = number(outcome.mean)
        reasons.append(
            _("the mean of the criteria (%(mean)s) is below the required mean", mean=mean)
        )
    return _("It cannot pass: %(reasons)s.", reasons="; ".join(reasons))


def resubmissions_left(submission: AssignmentSubmission, assignment: Assignment) -> int:
    """How many more rounds the learner may submit after this one if asked to revise."""
    return assignment.max_resubmissions - (submission.round - 1)


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


def review_of(session: Session, submission_id: int) -> Review | None:
    return session.scalars(select(Review).filter_by(submission_id=submission_id)).first()
