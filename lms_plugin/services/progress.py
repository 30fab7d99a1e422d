"""Where a learner stands: module and program completion, and what keeps content locked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_plugin.db.grading import Grade
from lms_plugin.db.learning import (
    AssignmentDraft,
    AssignmentSubmission,
    LessonView,
    QuizAttempt,
    QuizExtraAttempt,
)
from lms_plugin.domain.completion import (
    ModuleStatus,
    ProgramStatus,
    assignment_state,
    module_locked,
    module_status,
    program_status,
)
from lms_plugin.domain.content.model import Module
from lms_plugin.domain.errors import LockedError
from lms_plugin.domain.i18n import _
from lms_plugin.domain.practice_log import LogFacts
from lms_plugin.domain.quiz_state import AttemptRow, QuizState, quiz_state
from lms_plugin.services.content import CurrentContent
from lms_plugin.services.practice_log_facts import learner_log_facts, log_spec


@dataclass(frozen=True)
class Learner:
    """A person in one course: the tenant scope of every learner query."""

    context_id: int
    user_id: int

    def scope(self, module_slug: str | None = None) -> dict[str, object]:
        """``filter_by`` arguments selecting this learner's rows (in one module, if given)."""
        where: dict[str, object] = {"context_id": self.context_id, "user_id": self.user_id}
        if module_slug is not None:
            where["module_slug"] = module_slug
        return where


@dataclass(frozen=True)
class Progress:
    modules: dict[str, ModuleStatus]
    programs: dict[str, ProgramStatus]
    lessons_viewed: dict[str, set[str]]
    best_percent: dict[str, float]
    quizzes: dict[str, QuizState] = field(default_factory=dict)  # by module slug
    last_lesson: dict[str, str] = field(default_factory=dict)  # module -> lesson opened last

    @property
    def completed_modules(self) -> set[str]:
        return {slug for slug, status in self.modules.items() if status.complete}

    @property
    def completed_programs(self) -> set[str]:
        return {slug for slug, status in self.programs.items() if status.complete}


@dataclass
class _Work:
    """A learner's rows that completion depends on, per module."""

    viewed: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    attempts: defaultdict[str, list[AttemptRow]] = field(default_factory=lambda: defaultdict(list))
    latest: dict[str, str] = field(default_factory=dict)  # latest submission status
    last_view: dict[str, tuple[datetime, str]] = field(default_factory=dict)  # when, lesson
    extra: dict[str, int] = field(default_factory=dict)  # quiz attempts an instructor added


def learner_progress(
    session: Session, content: CurrentContent, learner: Learner, *, lessons: bool = True
) -> Progress:
    """Six queries (lessons, attempts, submissions, extra attempts, practice log, its
    exemptions), then the pure completion rules. Lessons viewed and the quiz attempts an
    instructor added are shown, never part of completion: with ``lessons=False`` they are not
    read, for a caller that only asks what is complete or locked (recording awards, refusing
    locked work), two queries fewer on every grade change (its quizzes' ``extra`` is then 0)."""
    where: dict[str, object] = {"context_id": learner.context_id, "user_id": learner.user_id}
    work = _work(session, where, lessons=lessons)
    slugs = [m.slug for p in content.programs for m in p.modules]
    log = learner_log_facts(session, learner.context_id, learner.user_id, slugs)
    return _progress(content, work[learner.user_id], log)


def _work(
    session: Session, where: dict[str, object], *, lessons: bool = True
) -> defaultdict[int, _Work]:
    work: defaultdict[int, _Work] = defaultdict(_Work)
    if lessons:
        _lessons_viewed(session, where, work)
    for user_id, module_slug, *attempt in session.execute(
        select(
            QuizAttempt.user_id,
            QuizAttempt.module_slug,
            QuizAttempt.id,
            QuizAttempt.status,
            QuizAttempt.percent,
            QuizAttempt.submitted_at,
        ).filter_by(**where)
    ):
        work[user_id].attempts[module_slug].append(tuple(attempt))  # type: ignore[arg-type]
    for user_id, module_slug, status in session.execute(
        select(
            AssignmentSubmission.user_id,
            AssignmentSubmission.module_slug,
            AssignmentSubmission.status,
        )
        .filter_by(**where)
        .order_by(AssignmentSubmission.round)
    ):
        work[user_id].latest[module_slug] = status
    if lessons:
        _extra_attempts(session, where, work)
    return work


def _extra_attempts(
    session: Session, where: dict[str, object], work: defaultdict[int, _Work]
) -> None:
    """The quiz attempts instructors added, per learner and module (services.extra_attempts)."""
    for user_id, module_slug, extra in session.execute(
        select(QuizExtraAttempt.user_id, QuizExtraAttempt.module_slug, func.count())
        .filter_by(**where)
        .group_by(QuizExtraAttempt.user_id, QuizExtraAttempt.module_slug)
    ):
        work[user_id].extra[module_slug] = extra


def _lessons_viewed(
    session: Session, where: dict[str, object], work: defaultdict[int, _Work]
) -> None:
    """Which lessons each learner opened, and the last one per module."""
    for user_id, module_slug, lesson_slug, viewed_at in session.execute(
        select(
            LessonView.user_id, LessonView.module_slug, LessonView.lesson_slug, LessonView.viewed_at
        ).filter_by(**where)
    ):
        mine = work[user_id]
        mine.viewed[module_slug].add(lesson_slug)
        last = mine.last_view.get(module_slug)
        if last is None or viewed_at > last[0]:
            mine.last_view[module_slug] = (viewed_at, lesson_slug)


def _progress(content: CurrentContent, work: _Work, log: dict[str, LogFacts]) -> Progress:
    modules: dict[str, ModuleStatus] = {}
    programs: dict[str, ProgramStatus] = {}
    quizzes = {slug: quiz_state(rows) for slug, rows in work.attempts.items()}
    for slug, extra in work.extra.items():
        quizzes[slug] = replace(quizzes.get(slug) or QuizState(), extra=extra)
    for program in content.programs:
        for module in program.modules:
            quiz = quizzes.get(module.slug) or QuizState()
            modules[module.slug] = module_status(
                module,
                best_quiz_percent=quiz.best,
                lessons_viewed=work.viewed[module.slug],
                quiz_grading=quiz.grading is not None,
                assignment=assignment_state(work.latest.get(module.slug)),
                log=log.get(module.slug),
                log_min_words=log_spec().min_words,
            )
        done = {slug for slug, status in programs.items() if status.complete}
        programs[program.slug] = program_status(program, modules, done)
    best = {slug: q.best for slug, q in quizzes.items() if q.best is not None}
    last = {slug: lesson for slug, (_, lesson) in work.last_view.items()}
    return Progress(modules, programs, dict(work.viewed), best, quizzes, last)


def learner_drafts(session: Session, learner: Learner) -> frozenset[str]:
    """The modules where the learner has an assignment draft with some text in it."""
    rows = session.scalars(
        select(AssignmentDraft.module_slug)
        .filter_by(**learner.scope())
        .where(AssignmentDraft.text != "")
    )
    return frozenset(rows)


def learner_grades(session: Session, learner: Learner) -> dict[str, Grade]:
    """The learner's module grades (as sent to the gradebook), by module slug."""
    return {g.module_slug: g for g in session.scalars(select(Grade).filter_by(**learner.scope()))}


def require_open(
    session: Session,
    content: CurrentContent,
    learner: Learner,
    module: Module,
    *,
    lessons: bool = False,
) -> Progress:
    """Refuse work on a locked module, saying exactly what is still missing; the learner's
    progress otherwise, with the lessons viewed only when ``lessons`` is True (the module page
    shows where the learner left off; locking never depends on them)."""
    program, _module = content.find(module.slug)
    progress = learner_progress(session, content, learner, lessons=lessons)
    status = progress.programs[program.slug]
    if status.locked:
        missing: list[str] = []
        for prerequisite in status.missing_prerequisites:
            prereq_status = progress.programs.get(prerequisite)
            missing.extend(prereq_status.missing if prereq_status else [prerequisite])
        raise LockedError(
            _("%(level)s opens once the earlier level is complete.", level=program.title),
            tuple(missing),
        )
    unmet = module_locked(module, progress.completed_modules)
    if unmet:
        titles = [content.find(slug)[1].title for slug in unmet]
        raise LockedError(
            _("This module opens once its prerequisite modules are complete."),
            tuple(_("Complete “%(title)s”", title=title) for title in titles),
        )
    return progress
