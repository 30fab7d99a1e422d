"""What the player's pages show, built once for the page and for its state endpoint: a page that
waits for the worker (a quiz being graded) polls its state as JSON and swaps in the fresh
fragment by itself (static/player.js), so "grading…" becomes the score without a reload."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from lms_plugin.db.base import utcnow
from lms_plugin.domain.completion import module_locked
from lms_plugin.domain.content.model import Module, Program
from lms_plugin.domain.errors import LmsError, LockedError
from lms_plugin.domain.i18n import quoted
from lms_plugin.domain.module_grade import GradeLine, grade_line
from lms_plugin.domain.next_step import next_step
from lms_plugin.domain.quiz_feedback import attempt_feedback
from lms_plugin.domain.quiz_state import QuizState, attempts_left, opens_at, reveal_answers
from lms_plugin.services import assignments, cohort, learning, reviews
from lms_plugin.services.content import CurrentContent, current_content, module_version
from lms_plugin.services.progress import (
    Learner,
    Progress,
    learner_drafts,
    learner_grades,
    learner_progress,
    require_open,
)
from lms_plugin.web import deps, launch_session
from lms_plugin.web.serialize import display_orders


def overview_context() -> dict[str, Any]:
    """The certificate overview: the next step, and every module's true status and grade."""
    session, learner = deps.session(), launch_session.learner()
    content = current_content(session)
    progress = learner_progress(session, content, learner)
    step = next_step(content.programs, progress, utcnow(), learner_drafts(session, learner))
    return {
        "content": content,
        "progress": progress,
        "step": step,
        "grades": _grade_lines(content, progress, learner),
        "waits_for": waits_for(content, progress),
        "pending": any(status.quiz_grading for status in progress.modules.values()),
    }


def _grade_lines(
    content: CurrentContent, progress: Progress, learner: Learner
) -> dict[str, GradeLine]:
    grades = learner_grades(deps.session(), learner)
    lines = {}
    for program in content.programs:
        for module in program.modules:
            lines[module.slug] = _grade_line(program, module, progress, grades.get(module.slug))
    return lines


def _grade_line(program: Program, module: Module, progress: Progress, grade: Any) -> GradeLine:
    return grade_line(
        program,
        module,
        progress.modules[module.slug],
        score=grade.score if grade is not None else None,
        best_quiz=progress.best_percent.get(module.slug),
        rubric_percent=grade.rubric_percent if grade is not None else None,
    )


def waits_for(content: CurrentContent, progress: Progress) -> dict[str, str]:
    """Each locked module's phrase: what it opens after ("opens once … is complete")."""
    titles = {m.slug: m.title for p in content.programs for m in p.modules}
    waits = {}
    for program in content.programs:
        for module in program.modules:
            if progress.programs[program.slug].locked:
                waits[module.slug] = _("opens once the earlier level is complete")
            elif unmet := module_locked(module, progress.completed_modules):
                waits[module.slug] = ngettext(
                    "opens once %(names)s is complete",
                    "opens once %(names)s are complete",
                    len(unmet),
                    names=quoted(titles.get(s, s) for s in unmet),
                )
    return waits


def module_context(slug: str) -> dict[str, Any]:
    """A module: lessons (and where the learner left off), the quiz, the grade, the assignment."""
    session, learner = deps.session(), launch_session.learner()
    content = current_content(session)
    program, mod = content.find(slug)
    locked: tuple[str, ...] = ()
    try:
        progress = require_open(session, content, learner, mod, lessons=True)
    except LockedError as exc:  # the page still shows the module, with what is missing
        locked = exc.missing
        progress = learner_progress(session, content, learner)
    submissions = assignments.submissions(session, learner, slug)
    quiz = progress.quizzes.get(slug) or QuizState()
    last = progress.last_lesson.get(slug)
    return {
        "program": program,
        "module": mod,
        "progress": progress,
        "locked": locked,
        "attempts": learning.attempts(session, learner, slug),
        "quiz": quiz,
        "attempts_left": attempts_left(mod.quiz, quiz),
        "opens_at": opens_at(mod.quiz, quiz, utcnow()),
        "grade": _grade_line(program, mod, progress, learner_grades(session, learner).get(slug)),
        "resume": mod.lesson(last) if last else None,
        "submissions": submissions,
        "pending": progress.modules[slug].quiz_grading,
        **grade_state(learner, slug, submissions),
    }


def grade_state(learner: Learner, slug: str, submissions: list[Any]) -> dict[str, Any]:
    """The latest review (feedback per criterion) and where the grade stands in the LMS."""
    latest = reviews.review_of(deps.session(), submissions[-1].id) if submissions else None
    sync = cohort.learner_sync(deps.session(), learner.context_id, learner.user_id).get(slug)
    return {"review": latest, "sync": sync}


def attempt_context(attempt_id: int) -> dict[str, Any]:
    """A quiz attempt: the form while open, "grading…" once submitted, then the feedback."""
    session, learner = deps.session(), launch_session.learner()
    attempt = learning.get_attempt(session, learner, attempt_id)
    version = module_version(session, attempt.module_id)
    items = [item for i in attempt.item_ids if (item := version.item(i)) is not None]
    context: dict[str, Any] = {
        "module": version,
        "attempt": attempt,
        "items": items,
        "orders": display_orders(attempt, version),
        "pending": attempt.status == "submitted",
    }
    if attempt.status != "graded":
        return context
    rules = _current_rules(session, version)
    quiz = learner_progress(session, current_content(session), learner).quizzes.get(
        attempt.module_slug, QuizState()
    )
    reveal = reveal_answers(rules, quiz)
    context.update(
        rules=rules,
        quiz=quiz,
        reveal=reveal,
        feedback=attempt_feedback(
            items,
            attempt.answers,
            attempt.results or [],
            reveal=reveal,
            objectives={o.id: o.text for o in version.objectives},
        ),
        attempts_left=attempts_left(rules, quiz),
        opens_at=opens_at(rules, quiz, utcnow()),
    )
    return context


def _current_rules(session: Any, version: Module) -> Any:
    """The quiz rules the next attempt is under (the current version of the module)."""
    try:
        return current_content(session).find(version.slug)[1].quiz
    except LmsError:  # the module left the certificate: its attempt's own rules
        return version.quiz
