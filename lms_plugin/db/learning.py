"""A learner's work inside one course (context). Every row carries context_id + user_id:
the tenant (registration + deployment + course) and the person, so queries scope by both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lms_plugin.db.base import Base, UTCDateTime, utcnow


class LearnerScoped:
    context_id: Mapped[int] = mapped_column(
        ForeignKey("lti_context.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_user.id", ondelete="CASCADE"))
    module_slug: Mapped[str] = mapped_column(String(200))


class LessonView(LearnerScoped, Base):
    __tablename__ = "lesson_view"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug", "lesson_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_slug: Mapped[str] = mapped_column(String(200))
    viewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuizAttempt(LearnerScoped, Base):
    """One attempt: the items drawn (in display order), the answers, and later the grade."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("content_module.id"))
    number: Mapped[int]
    seed: Mapped[int]
    item_ids: Mapped[list[str]] = mapped_column(JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|submitted|graded
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    score: Mapped[float | None] = mapped_column(nullable=True)
    max_score: Mapped[float | None] = mapped_column(nullable=True)
    percent: Mapped[float | None] = mapped_column(nullable=True)
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)


class QuizExtraAttempt(LearnerScoped, Base):
    """One attempt at a module's quiz beyond its ``max_attempts``, allowed by an instructor.

    ``number`` is the grant's place (1, 2, …): the form names the one it adds, so a form sent
    twice allows one attempt, not two."""

    __tablename__ = "quiz_extra_attempt"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int]
    granted_by: Mapped[int | None] = mapped_column(
        ForeignKey("lti_user.id", ondelete="SET NULL"), nullable=True
    )
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssignmentDraft(LearnerScoped, Base):
    """The autosaved draft: one per learner and module, never lost by a failed submit."""

    __tablename__ = "assignment_draft"
    __table_args__ = (UniqueConstraint("context_id", "user_id", "module_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


WAITING = "status = 'submitted'"


class AssignmentSubmission(LearnerScoped, Base):
    """A submitted round of an assignment (round 1, then resubmissions when asked to revise)."""

    __tablename__ = "assignment_submission"
    __table_args__ = (
        UniqueConstraint("context_id", "user_id", "module_slug", "round"),
        # The rounds waiting for a review: the grading drain tells the gradebook about them.
        Index(
            "ix_assignment_submission_waiting",
            "id",
            postgresql_where=text(WAITING),
            sqlite_where=text(WAITING),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("content_module.id"))
    assignment_id: Mapped[str] = mapped_column(String(50))
    round: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="submitted")  # submitted|revise|passed
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
