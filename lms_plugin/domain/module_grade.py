"""A module's grade as the learner reads it: the number, what makes it up or what it waits for,
and what it counts toward (the level and its badge). The number is the one the gradebook gets
(``completion.module_grade``: the mean of the required parts, a part not done counting 0)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lms_plugin.domain.completion import ModuleStatus
from lms_plugin.domain.content.model import Module, Program
from lms_plugin.domain.i18n import _, number, percent

GradeState = Literal["none", "grading", "waiting", "partial", "final"]


@dataclass(frozen=True)
class GradeLine:
    state: GradeState
    percent: float | None  # 0..100, None while there is no number to show
    text: str  # "85 out of 100", "Grading…", "Not final yet", "No grade yet"
    detail: str  # what makes it up, or what it waits for
    counts_toward: str


def grade_line(
    program: Program,
    module: Module,
    status: ModuleStatus,
    *,
    score: float | None,
    best_quiz: float | None,
    rubric_percent: float | None,
) -> GradeLine:
    """The learner's grade line; ``score`` (0..1) is the stored module grade, if any."""
    counts = _counts_toward(program, module)
    if status.quiz_grading:
        detail = _("Your quiz answers are being graded; this updates by itself in a moment.")
        return GradeLine("grading", None, _("Grading…"), detail, counts)
    required = module.completion.assignment_passed and module.assignment is not None
    if required and status.assignment_state == "waiting":
        detail = _("Your assignment is waiting for review; the review completes the grade.")
        if best_quiz:
            detail += " " + _("Your best quiz score so far: %(score)s.", score=percent(best_quiz))
        return GradeLine("waiting", None, _("Not final yet"), detail, counts)
    if score is None:
        detail = _("Your grade appears here once your quiz is graded or your work reviewed.")
        return GradeLine("none", None, _("No grade yet"), detail, counts)
    value = round(score * 100, 2)
    text = _("%(score)s out of 100", score=number(value))
    parts = _parts(module, status, best_quiz, rubric_percent)
    if status.complete:
        return GradeLine("final", value, text, _("Passed. %(parts)s", parts=parts), counts)
    return GradeLine("partial", value, text, _("Not complete yet. %(parts)s", parts=parts), counts)


def _parts(
    module: Module, status: ModuleStatus, best_quiz: float | None, rubric: float | None
) -> str:
    rule, parts = module.completion, []
    if rule.quiz_passed:
        quiz = _("not taken yet, counts 0") if best_quiz is None else percent(best_quiz)
        parts.append(_("the quiz (%(state)s)", state=quiz))
    if rule.assignment_passed and module.assignment is not None:
        if rubric is not None:
            done = percent(rubric)
            if not status.assignment_passed:
                done = _("%(score)s, not passed", score=done)
        elif status.assignment_state == "none":
            done = _("not submitted yet, counts 0")
        else:
            done = _("not reviewed yet, counts 0")
        if module.assignment.kind == "capstone":
            parts.append(_("the capstone (%(state)s)", state=done))
        else:
            parts.append(_("the assignment (%(state)s)", state=done))
    if len(parts) == 2:
        return _("The mean of %(first)s and %(second)s.", first=parts[0], second=parts[1])
    return _("From %(part)s.", part=parts[0]) if parts else _("From the parts done.")


def _counts_toward(program: Program, module: Module) -> str:
    position = [m.slug for m in program.modules].index(module.slug) + 1
    return _(
        "It counts toward Level %(level)s (%(badge)s): module %(n)s of %(total)s. Passing every "
        "module of the level earns its badge.",
        level=program.level,
        badge=program.badge.name,
        n=position,
        total=len(program.modules),
    )
