"""Module and program completion under the manifests' rules: statuses, locks, gradebook score.

What counts (docs/content-format.md, courses/_spec/):

* a module is complete when every part its ``completion`` rule requires is passed: the best quiz
  attempt reaches ``quiz.pass_percent`` and/or the assignment was graded as passed. Lessons
  viewed are progress only; the format does not require them. A required assignment the module
  does not have (no ``assignment.yaml``) is not required.
* what is missing is said as it is: a submitted round is "waiting for review", not a failed
  grade; a quiz attempt submitted but not graded yet is "being graded".
* the practice log (domain.practice_log): where the caller passes the learner's ``log``, the
  module's entry must be complete too (and, in the one Level 2 module that asks for it, the
  learning-from-failure entry passed), unless the module was complete before the log existed.
* a program is complete when every module is complete (``all_modules_complete: true``, the only
  value the format allows) and none of its prerequisite programs is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from lms_plugin.domain import practice_log
from lms_plugin.domain.content.model import Assignment, Module, Program, QuizRules
from lms_plugin.domain.i18n import _, decimal, percent

AssignmentState = Literal["none", "waiting", "revise", "passed", "failed"]
# The latest round's status (db: assignment_submission.status) -> the learner's assignment state.
_ROUND_STATES: dict[str, AssignmentState] = {
    "submitted": "waiting",
    "revise": "revise",
    "passed": "passed",
    "failed": "failed",
}


_FROM_PASSED: dict[bool | None, AssignmentState] = {None: "none", True: "passed", False: "failed"}


def assignment_state(latest_round: str | None) -> AssignmentState:
    """The assignment's state from its latest round's status (None: nothing submitted)."""
    return "none" if latest_round is None else _ROUND_STATES.get(latest_round, "waiting")


@dataclass(frozen=True)
class ModuleStatus:
    """Where a learner stands in one module; ``missing`` holds sentences for the learner.

    ``quiz_grading``: an attempt is submitted and not graded yet. ``assignment_state``: none
    (nothing submitted), waiting (for review), revise (resubmission asked), passed, failed.
    """

    complete: bool
    quiz_passed: bool
    assignment_passed: bool
    lessons_done: int
    lessons_total: int
    missing: tuple[str, ...]
    quiz_grading: bool = False
    assignment_state: AssignmentState = "none"
    log: practice_log.LogFacts | None = None  # the practice log, where completion asks for it
    rule_met: bool = False  # the quiz and assignment parts are done: only the log may be missing

    @property
    def log_todo(self) -> practice_log.LogTodo | None:
        """What is left of the module's practice log (practice_log.todo)."""
        return practice_log.todo(self.log)


@dataclass(frozen=True)
class ProgramStatus:
    """Where a learner stands in a program; ``missing`` lists what is left, module by module."""

    complete: bool
    locked: bool
    missing_prerequisites: tuple[str, ...]
    modules_complete: int
    modules_total: int
    percent: float
    missing: tuple[str, ...]


def format_percent(value: float) -> str:
    """A percent for sentences: 80 -> "80%", 62.5 -> "62.5%", 66.666 -> "66.67%"."""
    return f"{round(value, 2):.2f}".rstrip("0").rstrip(".") + "%"


def _quiz_sentence(rules: QuizRules, best: float | None, grading: bool) -> str:
    needs = percent(rules.pass_percent)
    if grading and best is not None:
        return _(
            "Pass the quiz (an attempt is being graded; best score so far %(best)s, needs"
            " %(needs)s)",
            best=percent(best),
            needs=needs,
        )
    if grading:
        return _("Pass the quiz (an attempt is being graded; needs %(needs)s)", needs=needs)
    if best is None:
        return _("Pass the quiz (no attempt yet, needs %(needs)s)", needs=needs)
    return _(
        "Pass the quiz (best score %(best)s, needs %(needs)s)", best=percent(best), needs=needs
    )


def _assignment_rule(assignment: Assignment) -> str:
    level = assignment.min_criterion_level
    found = next((lv.label for lv in assignment.levels if lv.score == level), None)
    label = found if found is not None else _("level %(n)s", n=level)
    if assignment.min_mean is None:
        return _("every criterion needs %(label)s or above", label=label)
    return _(  # issue 15: and the mean of the criteria
        "every criterion needs %(label)s or above and a mean of %(mean)s or more",
        label=label,
        mean=decimal(assignment.min_mean, "0.0"),
    )


def _assignment_sentence(assignment: Assignment, state: AssignmentState) -> str:
    # Whole sentences for each kind of work: languages name them with their own gender.
    values = {"title": assignment.title, "rule": _assignment_rule(assignment)}
    if assignment.kind == "capstone":
        sentences = {
            "waiting": _('The capstone "%(title)s" is waiting for review (%(rule)s to pass)'),
            "revise": _(
                'Revise and resubmit the capstone "%(title)s": your reviewer asked for changes'
                " (%(rule)s)"
            ),
            "failed": _(
                'The capstone "%(title)s" was not passed (%(rule)s): ask your instructor what'
                " comes next"
            ),
            "other": _('Pass the capstone "%(title)s" (not submitted yet; %(rule)s)'),
        }
    else:
        sentences = {
            "waiting": _('The assignment "%(title)s" is waiting for review (%(rule)s to pass)'),
            "revise": _(
                'Revise and resubmit the assignment "%(title)s": your reviewer asked for changes'
                " (%(rule)s)"
            ),
            "failed": _(
                'The assignment "%(title)s" was not passed (%(rule)s): ask your instructor what'
                " comes next"
            ),
            "other": _('Pass the assignment "%(title)s" (not submitted yet; %(rule)s)'),
        }
    return sentences.get(state, sentences["other"]) % values


def module_status(
    module: Module,
    *,
    best_quiz_percent: float | None,
    assignment_passed: bool | None = None,
    lessons_viewed: set[str],
    quiz_grading: bool = False,
    assignment: AssignmentState | None = None,
    log: practice_log.LogFacts | None = None,
    log_min_words: int = 0,
) -> ModuleStatus:
    """A learner's status in a module under its completion rule (None = not attempted/graded).

    ``assignment`` is the assignment's state where the caller knows it (the learner's pages);
    without it, ``assignment_passed`` says passed (True), not passed (False) or nothing yet.
    ``log`` is the learner's practice log in the module (None: not taken into account).
    """
    if assignment is None:
        assignment = _FROM_PASSED[assignment_passed]
    rule = module.completion
    quiz_ok = best_quiz_percent is not None and best_quiz_percent >= module.quiz.pass_percent
    assignment_ok = assignment == "passed"
    missing: list[str] = []
    if rule.quiz_passed and not quiz_ok:
        missing.append(_quiz_sentence(module.quiz, best_quiz_percent, quiz_grading))
    if rule.assignment_passed and module.assignment is not None and not assignment_ok:
        missing.append(_assignment_sentence(module.assignment, assignment))
    rule_met = not missing
    missing.extend(practice_log.missing(log, log_min_words))
    lesson_slugs = {lesson.slug for lesson in module.lessons}
    return ModuleStatus(
        complete=not missing,
        quiz_passed=quiz_ok,
        assignment_passed=assignment_ok,
        lessons_done=len(lesson_slugs & lessons_viewed),
        lessons_total=len(lesson_slugs),
        missing=tuple(missing),
        quiz_grading=quiz_grading,
        assignment_state=assignment if module.assignment is not None else "none",
        log=log,
        rule_met=rule_met,
    )


def module_grade(
    module: Module, best_quiz_percent: float | None, rubric_percent: float | None
) -> float:
    """The gradebook score (0..1): the mean of the required parts, a part not yet done as 0.

    Required parts are those the completion rule names and the module has (the quiz; the
    assignment if there is one). A rule requiring nothing averages whatever parts have a score.
    """
    rule = module.completion
    parts: list[float | None] = []
    if rule.quiz_passed:
        parts.append(best_quiz_percent)
    if rule.assignment_passed and module.assignment is not None:
        parts.append(rubric_percent)
    if not parts:
        parts = [p for p in (best_quiz_percent, rubric_percent) if p is not None]
    if not parts:
        return 0.0
    # In decimal, from the percents as they are shown (two decimals), rounded half up: the
    # mean of 58.33 and 0 is 29.165, shown 29.17. In binary floating point it is 29.164999...,
    # which round() took down to 29.16.
    total = sum((Decimal(repr(p or 0.0)) for p in parts), Decimal(0))
    grade = min(Decimal(1), max(Decimal(0), total / len(parts) / 100))
    return float(grade.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def module_locked(module: Module, completed_modules: set[str]) -> tuple[str, ...]:
    """The module's prerequisite slugs not yet complete, in manifest order (empty = open)."""
    return tuple(slug for slug in module.prerequisites if slug not in completed_modules)


def program_status(
    program: Program, statuses: Mapping[str, ModuleStatus], completed_programs: set[str]
) -> ProgramStatus:
    """A learner's status in a program; ``statuses`` maps module slug -> status (absent = none)."""
    missing_prerequisites = tuple(p for p in program.prerequisites if p not in completed_programs)
    missing = [
        _("Complete the program %(slug)s first", slug=slug) for slug in missing_prerequisites
    ]
    done = 0
    for module in program.modules:
        status = statuses.get(module.slug) or module_status(
            module, best_quiz_percent=None, assignment_passed=None, lessons_viewed=set()
        )
        if status.complete:
            done += 1
            continue
        reasons = status.missing or (_("Complete the module"),)
        missing.extend(
            _("%(module)s: %(reason)s", module=module.title, reason=reason) for reason in reasons
        )
    total = len(program.modules)
    return ProgramStatus(
        complete=total > 0 and done == total and not missing_prerequisites,
        locked=bool(missing_prerequisites),
        missing_prerequisites=missing_prerequisites,
        modules_complete=done,
        modules_total=total,
        percent=round(100.0 * done / total, 2) if total else 0.0,
        missing=tuple(missing),
    )
