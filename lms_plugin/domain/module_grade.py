"""A module's grade as the learner reads it: the number, what makes it up or what it waits for,
and what it counts toward (the level and its badge). The number is the one the gradebook gets
(``completion.module_grade``: the mean of the required parts, a part not done counting 0)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from lms_plugin.domain.completion import ModuleStatus, format_percent
from lms_plugin.domain.content.model import Module, Program

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
        detail = "Your quiz answers are being graded; this updates by itself in a moment."
        return GradeLine("grading", None, "Grading…", detail, counts)
    required = module.completion.assignment_passed and module.assignment is not None
    if required and status.assignment_state == "waiting":
        quiz = f" Your best quiz score so far: {format_percent(best_quiz)}." if best_quiz else ""
        detail = "Your assignment is waiting for review; the review completes the grade." + quiz
        return GradeLine("waiting", None, "Not final yet", detail, counts)
    if score is None:
        detail = "Your grade appears here once your quiz is graded or your work reviewed."
        return GradeLine("none", None, "No grade yet", detail, counts)
    percent = round(score * 100, 2)
    text = f"{format_percent(percent)[:-1]} out of 100"
    parts = _parts(module, status, best_quiz, rubric_percent)
    if status.complete:
        return GradeLine("final", percent, text, f"Passed. {parts}", counts)
    return GradeLine("partial", percent, text, f"Not complete yet. {parts}", counts)


def _parts(
    module: Module, status: ModuleStatus, best_quiz: float | None, rubric: float | None
) -> str:
    rule, parts = module.completion, []
    if rule.quiz_passed:
        quiz = "not taken yet, counts 0" if best_quiz is None else format_percent(best_quiz)
        parts.append(f"the quiz ({quiz})")
    if rule.assignment_passed and module.assignment is not None:
        noun = "capstone" if module.assignment.kind == "capstone" else "assignment"
        if rubric is not None:
            done = format_percent(rubric) + ("" if status.assignment_passed else ", not passed")
        elif status.assignment_state == "none":
            done = "not submitted yet, counts 0"
        else:
            done = "not reviewed yet, counts 0"
        parts.append(f"the {noun} ({done})")
    if len(parts) == 2:
        return f"The mean of {parts[0]} and {parts[1]}."
    return f"From {parts[0]}." if parts else "From the parts done."


def _counts_toward(program: Program, module: Module) -> str:
    number = [m.slug for m in program.modules].index(module.slug) + 1
    return (
        f"It counts toward Level {program.level} ({program.badge.name}): module {number} of "
        f"{len(program.modules)}. Passing every module of the level earns its badge."
    )
