"""A learner's lessons and quiz attempts inside one course: viewing a lesson, opening,
fetching and submitting an attempt. Every query is scoped by the learner's context and user ids.
Assignment drafts and submissions live in ``lms_plugin.services.assignments``."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from lms_plugin.db.base import utcnow
from lms_plugin.db.learning import LessonView, QuizAttempt
from lms_plugin.domain import grading, quiz_draw, quiz_state
from lms_plugin.domain.content.model import Module
from lms_plugin.domain.errors import ConflictError, NotFoundError, UnprocessableError
from lms_plugin.domain.i18n import _, utc_moment
from lms_plugin.services import extra_attempts
from lms_plugin.services.content import CurrentContent, module_version
from lms_plugin.services.progress import Learner, require_open


def view_lesson(
    session: Session, content: CurrentContent, learner: Learner, module_slug: str, lesson_slug: str
) -> None:
    """Record that the learner opened a lesson (idempotent)."""
    _program, module = content.find(module_slug)
    if module.lesson(lesson_slug) is None:
        slug = repr(lesson_slug)
        raise NotFoundError(_("There is no lesson %(slug)s in this module.", slug=slug))
    exists = session.scalar(
        select(LessonView.id).filter_by(**learner.scope(module_slug), lesson_slug=lesson_slug)
    )
    if exists is None:
        try:
            with session.begin_nested():
                session.add(
                    LessonView(
                        **learner.scope(module_slug),
                        lesson_slug=lesson_slug,
                    )
                )
        except IntegrityError:
            pass  # recorded by a concurrent request
    session.commit()


def attempts(session: Session, learner: Learner, module_slug: str) -> list[QuizAttempt]:
    return list(
        session.scalars(
            select(QuizAttempt).filter_by(**learner.scope(module_slug)).order_by(QuizAttempt.number)
        )
    )


def start_attempt(
    session: Session,
    content: CurrentContent,
    learner: Learner,
    module_slug: str,
    now: datetime | None = None,
) -> QuizAttempt:
    """Open an attempt (or return the one already open), within the attempt limit and cooldown."""
    now = now or utcnow()
    _program, module = content.find(module_slug)
    require_open(session, content, learner, module)
    done = attempts(session, learner, module_slug)
    open_attempt = next((a for a in done if a.status == "open"), None)
    if open_attempt is not None:
        return open_attempt
    allowed = module.quiz.max_attempts + extra_attempts.count(session, learner, module_slug)
    if len(done) >= allowed:
        raise ConflictError(
            _("You have used all %(n)s attempts at this quiz; your best score counts.", n=allowed),
            code="attempts_exhausted",
        )
    ready_at = next_attempt_at(module, done)
    if ready_at is not None and ready_at > now:
        raise ConflictError(
            _("Your next attempt opens on %(when)s.", when=utc_moment(ready_at)),
            code="cooldown",
        )
    seed = secrets.randbits(31)
    attempt = QuizAttempt(
        **learner.scope(module_slug),
        module_id=content.module_ids[module_slug],
        number=len(done) + 1,
        seed=seed,
        item_ids=quiz_draw.draw_items(module.items, module.quiz, seed),
        answers={},
        status="open",
        started_at=now,
    )
    try:
        with session.begin_nested():
            session.add(attempt)
    except IntegrityError:  # a double click started the same attempt: use that one
        return next(a for a in attempts(session, learner, module_slug) if a.status == "open")
    session.commit()
    return attempt


def next_attempt_at(module: Module, attempts: list[QuizAttempt]) -> datetime | None:
    """When the cooldown after ``cooldown_hours_after`` attempts ends (None: no cooldown)."""
    submitted = [a.submitted_at for a in attempts if a.submitted_at is not None]
    return quiz_state.next_attempt_at(module.quiz, len(submitted), max(submitted, default=None))


_ATTEMPTS = cast(Table, QuizAttempt.__table__)
# Built once (a learner's busiest requests run them; building a statement costs more than it).
_OWN_ATTEMPT = select(QuizAttempt).where(
    QuizAttempt.id == bindparam("attempt_id"),
    QuizAttempt.context_id == bindparam("context_id"),
    QuizAttempt.user_id == bindparam("user_id"),
)
_SUBMIT = (
    update(_ATTEMPTS)
    .where(_ATTEMPTS.c.id == bindparam("attempt_id"), _ATTEMPTS.c.status == "open")
    .values(
        answers=bindparam("answers"),
        status="submitted",
        submitted_at=bindparam("submitted_at"),
    )
)


def get_attempt(session: Session, learner: Learner, attempt_id: int) -> QuizAttempt:
    """The learner's own attempt; anyone else's is simply not found."""
    attempt = session.scalars(_OWN_ATTEMPT, {"attempt_id": attempt_id, **learner.scope()}).first()
    if attempt is None:
        raise NotFoundError(_("There is no such quiz attempt."))
    return attempt


def submit_attempt(
    session: Session, learner: Learner, attempt_id: int, answers: dict[str, Any]
) -> QuizAttempt:
    """Store the answers (validated against the items drawn) and mark the attempt submitted."""
    attempt = get_attempt(session, learner, attempt_id)
    if attempt.status != "open":
        raise ConflictError(_("This attempt was already submitted."), code="already_submitted")
    if not isinstance(answers, dict):
        raise UnprocessableError(_("Answers must be an object of item id to answer."))
    unknown = sorted(set(answers) - set(attempt.item_ids))
    if unknown:
        raise UnprocessableError(
            _("Unknown item ids for this attempt: %(ids)s.", ids=_some(unknown)),
            code="unknown_item",
        )
    module = module_version(session, attempt.module_id)
    items = [module.item(i) for i in attempt.item_ids]
    # Grading proper runs on a worker; here every answer's shape is checked up front.
    grading.grade_quiz([i for i in items if i is not None], answers, module.quiz)
    # Only while still open, in one statement: of two tabs submitting at once, one wins.
    # (A table UPDATE: the ORM's would also search the session for rows to synchronise.)
    values = {"answers": answers, "status": "submitted", "submitted_at": utcnow()}
    submitted = session.execute(
        _SUBMIT,
        {"attempt_id": attempt.id, "answers": answers, "submitted_at": values["submitted_at"]},
    )
    if submitted.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise ConflictError(_("This attempt was already submitted."), code="already_submitted")
    session.commit()
    for name, value in values.items():  # what the row now holds, without another write
        set_committed_value(attempt, name, value)
    return attempt


def _some(ids: list[str], shown: int = 5) -> str:
    """A few of the learner's ids for a message, each cut short: the rest are only counted."""
    listed = ", ".join(repr(i[: grading.ID_MAX_CHARS]) for i in ids[:shown])
    return listed + (f" and {len(ids) - shown:,} more" if len(ids) > shown else "")
