"""Where a learner stands: module and program completion, and what keeps content locked."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.learning import AssignmentSubmission, LessonView, QuizAttempt
from lms_plugin.domain.completion import (
    ModuleStatus,
    ProgramStatus,
    module_locked,
    module_status,
    program_status,
)
from lms_plugin.domain.content.model import Module
from lms_plugin.domain.errors import LockedError
from lms_plugin.services.content import CurrentContent


@dataclass(frozen=True)
class Learner:
    """A person in one course: the tenant scope of every learner query."""

    context_id: int
    user_id: int


@dataclass(frozen=True)
class Progress:
    modules: dict[str, ModuleStatus]
    programs: dict[str, ProgramStatus]
    lessons_viewed: dict[str, set[str]]
    best_percent: dict[str, float]

    @property
    def completed_modules(self) -> set[str]:
        return {slug for slug, status in self.modules.items() if status.complete}

    @property
    def completed_programs(self) -> set[str]:
        return {slug for slug, status in self.programs.items() if status.complete}


def learner_progress(session: Session, content: CurrentContent, learner: Learner) -> Progress:
    """Three queries (lessons, attempts, submissions), then the pure completion rules."""
    scope = {"context_id": learner.context_id, "user_id": learner.user_id}
    viewed: dict[str, set[str]] = defaultdict(set)
    for module_slug, lesson_slug in session.execute(
        select(LessonView.module_slug, LessonView.lesson_slug).filter_by(**scope)
    ):
        viewed[module_slug].add(lesson_slug)
    best: dict[str, float] = {}
    for module_slug, percent in session.execute(
        select(QuizAttempt.module_slug, QuizAttempt.percent).filter_by(status="graded", **scope)
    ):
        best[module_slug] = max(best.get(module_slug, 0.0), percent or 0.0)
    latest: dict[str, str] = {}
    for module_slug, status in session.execute(
        select(AssignmentSubmission.module_slug, AssignmentSubmission.status)
        .filter_by(**scope)
        .order_by(AssignmentSubmission.round)
    ):
        latest[module_slug] = status

    modules: dict[str, ModuleStatus] = {}
    programs: dict[str, ProgramStatus] = {}
    for program in content.programs:
        for module in program.modules:
            modules[module.slug] = module_status(
                module,
                best_quiz_percent=best.get(module.slug),
                assignment_passed=(latest[module.slug] == "passed")
                if module.slug in latest
                else None,
                lessons_viewed=viewed[module.slug],
            )
        done = {slug for slug, status in programs.items() if status.complete}
        programs[program.slug] = program_status(program, modules, done)
    return Progress(modules, programs, dict(viewed), best)


def require_open(
    session: Session, content: CurrentContent, learner: Learner, module: Module
) -> Progress:
    """Refuse work on a locked module, saying exactly what is still missing."""
    program, _ = content.find(module.slug)
    progress = learner_progress(session, content, learner)
    status = progress.programs[program.slug]
    if status.locked:
        missing: list[str] = []
        for prerequisite in status.missing_prerequisites:
            prereq_status = progress.programs.get(prerequisite)
            missing.extend(prereq_status.missing if prereq_status else [prerequisite])
        raise LockedError(
            f"{program.title} opens once the earlier level is complete.", tuple(missing)
        )
    unmet = module_locked(module, progress.completed_modules)
    if unmet:
        titles = [content.find(slug)[1].title for slug in unmet]
        raise LockedError(
            "This module opens once its prerequisite modules are complete.",
            tuple(f"Complete “{title}”" for title in titles),
        )
    return progress
