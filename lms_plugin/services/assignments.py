"""A learner's assignment in one module: autosaved drafts, submitted rounds, and the checks
the text must pass (its size, its characters, its word limit). Every query is scoped by the
learner's context and user ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.learning import AssignmentDraft, AssignmentSubmission
from lms_plugin.domain.errors import (
    ConflictError,
    NotFoundError,
    TooLargeError,
    UnprocessableError,
)
from lms_plugin.domain.i18n import _, number
from lms_plugin.services.content import CurrentContent
from lms_plugin.services.progress import Learner, require_open

MAX_TEXT_CHARS = 100_000  # a draft or submission; far above any word limit in the content


def _check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise UnprocessableError(_("The text must be a string."))
    if len(text) > MAX_TEXT_CHARS:
        raise TooLargeError(
            _(
                "The text is %(size)s characters; the limit is %(limit)s. Nothing was lost: "
                "your last saved draft is unchanged.",
                size=number(len(text)),
                limit=number(MAX_TEXT_CHARS),
            ),
            code="text_too_large",
        )
    if not _storable(text):
        raise UnprocessableError(
            _(
                "The text contains a character that cannot be saved (a NUL character or half of "
                "a surrogate pair); remove it and try again."
            ),
            code="invalid_character",
        )
    return text


def _storable(text: str) -> bool:
    """Text a database column can hold: PostgreSQL refuses NUL, UTF-8 refuses lone surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def word_count(text: str) -> int:
    return len(text.split())


def save_draft(
    session: Session, content: CurrentContent, learner: Learner, module_slug: str, text: Any
) -> AssignmentDraft:
    """Autosave: keep exactly what the learner typed (it is sanitised only when shown)."""
    content.find(module_slug)
    text = _check_text(text)
    draft = get_draft(session, learner, module_slug)
    if draft is None:
        draft = AssignmentDraft(
            **learner.scope(module_slug),
            text=text,
        )
        try:
            with session.begin_nested():
                session.add(draft)
        except IntegrityError:
            draft = get_draft(session, learner, module_slug)
            assert draft is not None
    draft.text = text
    draft.saved_at = utcnow()
    session.commit()
    return draft


def get_draft(session: Session, learner: Learner, module_slug: str) -> AssignmentDraft | None:
    return session.scalars(select(AssignmentDraft).filter_by(**learner.scope(module_slug))).first()


def submissions(session: Session, learner: Learner, module_slug: str) -> list[AssignmentSubmission]:
    return list(
        session.scalars(
            select(AssignmentSubmission)
            .filter_by(**learner.scope(module_slug))
            .order_by(AssignmentSubmission.round)
        )
    )


def can_send(rounds: Sequence[AssignmentSubmission]) -> bool:
    """Whether a round can be sent now: before the first, or when a revision is asked (a round
    waiting for review, passed or closed as not passed is final)."""
    return not rounds or rounds[-1].status == "revise"


def submit_assignment(
    session: Session, content: CurrentContent, learner: Learner, module_slug: str, text: Any
) -> AssignmentSubmission:
    """Submit the text as the next round; the draft is saved first so nothing is lost."""
    _program, module = content.find(module_slug)
    if module.assignment is None:
        raise NotFoundError(_("This module has no assignment."))
    save_draft(session, content, learner, module_slug, text)
    require_open(session, content, learner, module)
    assignment = module.assignment
    words = word_count(text)
    if not text.strip():
        raise UnprocessableError(_("The submission is empty."), code="empty_submission")
    if words > assignment.word_limit:
        raise UnprocessableError(
            _(
                "The submission has %(words)s words; the limit is %(limit)s. Your draft is saved.",
                words=number(words),
                limit=number(assignment.word_limit),
            ),
            code="over_word_limit",
        )
    rounds = submissions(session, learner, module_slug)
    if not can_send(rounds):
        raise ConflictError(
            _("This assignment is already submitted and waiting for review or reviewed."),
            code="already_submitted",
        )
    if len(rounds) > assignment.max_resubmissions:
        raise ConflictError(
            _("No resubmissions are left for this assignment."), code="resubmissions_exhausted"
        )
    submission = AssignmentSubmission(
        **learner.scope(module_slug),
        module_id=content.module_ids[module_slug],
        assignment_id=assignment.id,
        round=len(rounds) + 1,
        text=text,
        word_count=words,
        status="submitted",
    )
    session.add(submission)
    try:
        session.commit()
    except IntegrityError:  # the same round submitted twice at once
        session.rollback()
        raise ConflictError(
            _("This assignment was just submitted."), code="already_submitted"
        ) from None
    return submission
