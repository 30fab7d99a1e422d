"""Grades, rubric reviews and the score outbox (what still has to reach the LMS gradebook)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lms_plugin.db.base import Base, UTCDateTime, utcnow
from lms_plugin.db.learning import LearnerScoped


class Review(Base):
    """An instructor's rubric scoring of one submitted round (scores per criterion, 1..4)."""

    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("assignment_submission.id", ondelete="CASCADE"), unique=True
    )
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id"))
    scores: Mapped[dict[str, int]] = mapped_column(JSON)
    feedback: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str] = mapped_column(String(10))  # pass | revise
    percent: Mapped[float]
    passed: Mapped[bool]
    # The pass rule it was graded under (domain.rubric_outcome.PassRule): every criterion at least
    # rule_min_level and, unless None (reviews from before the mean, issue 15), a mean of the
    # criteria at least rule_min_mean.
    rule_min_level: Mapped[int]
    rule_min_mean: Mapped[float | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it was folded into the module grade (None: its task has not run, or was lost).
    folded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Grade(LearnerScoped, Base):
    """The final module grade per learner (one row, upserted; ``score`` is 0..1)."""

    __tablename__ = "grade"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    score: Mapped[float]
    quiz_percent: Mapped[float | None] = mapped_column(nullable=True)
    rubric_percent: Mapped[float | None] = mapped_column(nullable=True)
    # The latest submitted round's status when the grade was last computed (None: nothing
    # submitted): "submitted" means the assignment waits for a review (domain.gradebook).
    assignment_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    complete: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ScoreOutbox(LearnerScoped, Base):
    """An AGS score to send (AGS 2.0 §3.4). Rows are kept after sending: they are the history.

    ``module_slug`` is what the score is about: a module, or domain.gradebook.CERTIFICATE for a
    whole-certificate column. ``resource_link_id`` names the placed link whose own line item
    receives it; without one, the module's column is found or made by resourceId
    (services.lineitems). ``score_given`` is None for a score waiting for a person.

    ``timestamp`` is fixed when the row is made, strictly later (in whole seconds, as Moodle
    compares) than any earlier row for the learner and module, so a resend is idempotent.
    """

    __tablename__ = "score_outbox"
    __table_args__ = (Index("ix_score_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_link.id", ondelete="CASCADE"), nullable=True, index=True
    )
    lineitem_url: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    score_given: Mapped[float | None] = mapped_column(nullable=True)
    score_maximum: Mapped[float]
    activity_progress: Mapped[str] = mapped_column(
        String(12), default="Completed", server_default="Completed"
    )
    grading_progress: Mapped[str] = mapped_column(
        String(15), default="FullyGraded", server_default="FullyGraded"
    )
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|sent|failed
    tries: Mapped[int] = mapped_column(default=0)
    classification: Mapped[str | None] = mapped_column(String(30), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


RUNNING_ROSTER_SYNC = "kind = 'roster_sync' AND status = 'running'"


class JobRun(Base):
    """A long operation (bulk resend, roster sync): progress and result, visible to users."""

    __tablename__ = "job_run"
    __table_args__ = (
        # One roster sync per course at a time: a second start joins the running one.
        Index(
            "uq_job_run_running_roster_sync",
            "context_id",
            unique=True,
            postgresql_where=text(RUNNING_ROSTER_SYNC),
            sqlite_where=text(RUNNING_ROSTER_SYNC),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    context_id: Mapped[int | None] = mapped_column(ForeignKey("lti_context.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(12), default="running")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
