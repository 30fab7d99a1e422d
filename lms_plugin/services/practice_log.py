"""The practice log's use cases: a learner writes an entry per module (and, in one Level 2
module, the learning-from-failure entry for review); the learner's whole log; instructors read a
learner's entries and review learning-from-failure entries against their rubric.

Every write that can change a module's completion refreshes that module's grade in the same
transaction (services.grades: the gradebook score and, when a level completes, the award), so
the log gates completion exactly as quizzes and assignments do. Every read is scoped by the
course (context) and, for learners, by the learner: nobody reads another course's entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.models import LtiUser, PracticeLogEntry, PracticeLogReview
from lms_plugin.domain import practice_log as rules
from lms_plugin.domain.content.model import Module, Program
from lms_plugin.domain.errors import ConflictError, NotFoundError, UnprocessableError
from lms_plugin.domain.i18n import _
from lms_plugin.domain.practice_log import FAILURE, MODULE, LogFacts, Section
from lms_plugin.services.content import CurrentContent
from lms_plugin.services.grades import refresh_grades
from lms_plugin.services.practice_log_facts import learner_log_facts, log_spec
from lms_plugin.services.progress import Learner, require_open


@dataclass(frozen=True)
class Saved:
    entry: PracticeLogEntry
    queued: list[int]  # score outbox rows made by the grade refresh (ring the sending drain)


def entry_of(
    session: Session, learner: Learner, module_slug: str, kind: str
) -> PracticeLogEntry | None:
    """The learner's entry of this kind in the module, if written."""
    return session.scalars(
        select(PracticeLogEntry).filter_by(**learner.scope(module_slug), kind=kind)
    ).first()


def _sections(kind: str) -> tuple[tuple[Section, ...], int]:
    spec = log_spec()
    if kind == FAILURE:
        return spec.failure.sections, spec.failure.min_words
    return spec.sections, spec.min_words


def _module_for(content: CurrentContent, module_slug: str, kind: str) -> Module:
    _program, module = content.find(module_slug)
    if kind == FAILURE and module_slug != log_spec().failure.module:
        raise NotFoundError(_("This module has no learning-from-failure entry."))
    return module


def save_entry(
    session: Session,
    content: CurrentContent,
    learner: Learner,
    module_slug: str,
    given: dict[str, Any],
) -> Saved:
    """Save the module's entry; it is complete at the word minimum with every section written.
    A complete entry may be edited but stays complete (422 otherwise: the module's completion,
    and any badge issued on it, stand on it). Commits."""
    module = _module_for(content, module_slug, MODULE)
    require_open(session, content, learner, module)
    sections, min_words = _sections(MODULE)
    text = rules.read_sections(sections, given)
    complete = rules.is_complete(sections, min_words, text)
    entry = entry_of(session, learner, module_slug, MODULE)
    if entry is not None and entry.status == "complete" and not complete:
        words = rules.entry_words(text)
        raise UnprocessableError(
            _(
                "Your entry is complete and counts toward the module: keep every section written"
                " and at least %(min)s words (this text has %(words)s). Nothing was changed.",
                min=min_words,
                words=words,
            ),
            code="log_entry_must_stay_complete",
        )
    if entry is None:
        entry = PracticeLogEntry(**learner.scope(module_slug), kind=MODULE, sections={})
        session.add(entry)
    entry.sections, entry.word_count = text, rules.entry_words(text)
    if complete and entry.status != "complete":
        entry.status, entry.completed_at = "complete", utcnow()
    elif not complete:
        entry.status = "draft"
    return Saved(entry, _refresh_and_commit(session, learner, module))


def save_failure(
    session: Session,
    content: CurrentContent,
    learner: Learner,
    module_slug: str,
    given: dict[str, Any],
    *,
    submit: bool,
) -> Saved:
    """Save (or submit for review) the learning-from-failure entry. A submitted entry waits
    for its review (409 while it does, and once passed); submitting needs every section and
    the word minimum (422). Commits."""
    module = _module_for(content, module_slug, FAILURE)
    require_open(session, content, learner, module)
    sections, min_words = _sections(FAILURE)
    text = rules.read_sections(sections, given)
    entry = entry_of(session, learner, module_slug, FAILURE)
    if entry is not None and entry.status in ("submitted", "passed"):
        raise ConflictError(
            _("Your learning-from-failure entry is waiting for review.")
            if entry.status == "submitted"
            else _("Your learning-from-failure entry has passed; it cannot change now."),
            code="failure_entry_closed",
        )
    if submit and not rules.is_complete(sections, min_words, text):
        raise UnprocessableError(
            _(
                "To submit, write every section and at least %(min)s words in all (this text has"
                " %(words)s). Your text is not saved yet: save it as a draft.",
                min=min_words,
                words=rules.entry_words(text),
            ),
            code="failure_entry_incomplete",
        )
    if entry is None:
        entry = PracticeLogEntry(**learner.scope(module_slug), kind=FAILURE, sections={}, round=0)
        session.add(entry)
    entry.sections, entry.word_count = text, rules.entry_words(text)
    if submit:
        entry.status, entry.round, entry.completed_at = "submitted", entry.round + 1, utcnow()
    elif entry.status != "revise":
        entry.status = "draft"
    return Saved(entry, _refresh_and_commit(session, learner, module))


def _refresh_and_commit(session: Session, learner: Learner, module: Module) -> list[int]:
    queued = refresh_grades(session, {(learner.context_id, learner.user_id, module.slug): module})
    session.commit()
    return queued


@dataclass(frozen=True)
class ModuleLog:
    """One module of a learner's log: its entries, the failure entry's reviews, the facts."""

    program: Program
    module: Module
    facts: LogFacts
    entry: PracticeLogEntry | None
    failure: PracticeLogEntry | None = None
    reviews: list[PracticeLogReview] = field(default_factory=list)


def learner_log(
    session: Session, content: CurrentContent, learner: Learner, module_slug: str | None = None
) -> list[ModuleLog]:
    """The learner's log, module by module in program order (or one module)."""
    modules = [
        (p, m)
        for p in content.programs
        for m in p.modules
        if module_slug is None or m.slug == module_slug
    ]
    facts = learner_log_facts(
        session, learner.context_id, learner.user_id, [m.slug for _, m in modules]
    )
    entries: dict[tuple[str, str], PracticeLogEntry] = {
        (e.module_slug, e.kind): e
        for e in session.scalars(select(PracticeLogEntry).filter_by(**learner.scope()))
    }
    failure_ids = [e.id for (_, kind), e in entries.items() if kind == FAILURE]
    reviews: dict[int, list[PracticeLogReview]] = {}
    for review in session.scalars(
        select(PracticeLogReview)
        .where(PracticeLogReview.entry_id.in_(failure_ids))
        .order_by(PracticeLogReview.round)
    ):
        reviews.setdefault(review.entry_id, []).append(review)
    out = []
    for program, module in modules:
        failure = entries.get((module.slug, FAILURE))
        out.append(
            ModuleLog(
                program,
                module,
                facts[module.slug],
                entries.get((module.slug, MODULE)),
                failure,
                reviews.get(failure.id, []) if failure else [],
            )
        )
    return out


# -- instructors: the learning-from-failure review ---------------------------------------------


@dataclass(frozen=True)
class Waiting:
    entry: PracticeLogEntry
    learner: str


def _failures_submitted(context_id: int) -> ColumnElement[bool]:
    """This course's learning-from-failure entries waiting for review."""
    return and_(
        PracticeLogEntry.context_id == context_id,
        PracticeLogEntry.kind == FAILURE,
        PracticeLogEntry.status == "submitted",
    )


def failure_queue(session: Session, context_id: int) -> list[Waiting]:
    """This course's learning-from-failure entries waiting for review, oldest first."""
    rows = session.execute(
        select(PracticeLogEntry, LtiUser.name, LtiUser.sub)
        .join(LtiUser, LtiUser.id == PracticeLogEntry.user_id)
        .where(_failures_submitted(context_id))
        .order_by(PracticeLogEntry.completed_at, PracticeLogEntry.id)
    )
    return [Waiting(entry, name or sub) for entry, name, sub in rows]


@dataclass(frozen=True)
class FailuresWaiting:
    count: int
    oldest_at: datetime | None  # when the oldest was submitted


def failures_waiting(session: Session, context_id: int) -> FailuresWaiting:
    """How many learning-from-failure entries wait for review in this course (the instructor
    home says so beside the assignments waiting)."""
    count, oldest = session.execute(
        select(func.count(), func.min(PracticeLogEntry.completed_at)).where(
            _failures_submitted(context_id)
        )
    ).one()
    return FailuresWaiting(int(count), oldest)


def failure_entry(session: Session, context_id: int, entry_id: int) -> PracticeLogEntry:
    """A learning-from-failure entry of this course (404 for any other: tenant isolation)."""
    entry = session.get(PracticeLogEntry, entry_id)
    if entry is None or entry.context_id != context_id or entry.kind != FAILURE:
        raise NotFoundError(_("There is no such learning-from-failure entry in this course."))
    return entry


def reviews_of(session: Session, entry_id: int) -> list[PracticeLogReview]:
    return list(
        session.scalars(
            select(PracticeLogReview).filter_by(entry_id=entry_id).order_by(PracticeLogReview.round)
        )
    )


def record_failure_review(
    session: Session,
    content: CurrentContent,
    *,
    context_id: int,
    reviewer_id: int,
    entry_id: int,
    scores: dict[str, int],
    feedback: str,
) -> tuple[PracticeLogReview, list[int]]:
    """Score the rubric: the entry passes under the rule (every criterion at the minimum level
    and the mean at ``min_mean``), else the learner is asked to revise. Commits; returns the
    review and the score outbox rows the grade refresh made."""
    entry = failure_entry(session, context_id, entry_id)
    if entry.status != "submitted":
        raise ConflictError(_("This entry is not waiting for review."), code="already_reviewed")
    spec = log_spec().failure
    outcome, passed = rules.failure_outcome(spec, scores)
    review = PracticeLogReview(
        entry_id=entry.id,
        round=entry.round,
        reviewer_id=reviewer_id,
        sections=dict(entry.sections),
        scores=dict(outcome.levels),
        feedback=feedback.strip()[: rules.MAX_SECTION_CHARS],
        percent=outcome.percent,
        passed=passed,
        rule_min_level=spec.rubric.min_criterion_level,
        rule_min_mean=spec.rubric.min_mean or 0.0,
    )
    session.add(review)
    entry.status = "passed" if passed else "revise"
    _program, module = content.find(entry.module_slug)
    learner = Learner(entry.context_id, entry.user_id)
    return review, _refresh_and_commit(session, learner, module)
