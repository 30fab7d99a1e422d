"""What the LMS gradebook is told about a learner: the score, its progress and a comment.

A score publication (LTI AGS 2.0 §3.4) carries ``activityProgress`` and ``gradingProgress``
beside the number. The rules here decide both from the state of every required part:

* a required part waiting for a person (an assignment submitted, not reviewed yet) makes the
  score ``PendingManual`` / ``Submitted`` *without* ``scoreGiven``: the spec lets a pending
  score carry a partial value, but Canvas grades any PendingManual score that has one (the
  "needs grading" mark is lost) and Moodle blanks it anyway; the comment carries the progress;
* otherwise the score is ``FullyGraded`` with its number: ``Completed`` when every required
  part passed, ``InProgress`` when something was done, ``Initialized`` when nothing was;
* the comment names every required part and its state ("Quiz 90% passed; assignment waiting
  for review"), so the number is never read without its reason.

Two kinds of gradebook column receive scores: a module's (the module grade) and a whole
certificate's (the share of every level's required parts passed, and which level is
complete), sent to a link the teacher placed without choosing a module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from lms_plugin.domain.completion import format_percent
from lms_plugin.domain.content.model import Module, Program

SCORE_MAXIMUM = 100.0
# The score outbox's module_slug for a whole-certificate column: not kebab-case, so no module
# can ever have it (content lint refuses such slugs).
CERTIFICATE = "*certificate"


class PartState(StrEnum):
    """Where one required part of a module stands."""

    NOT_STARTED = "not_started"  # no quiz attempt graded / nothing submitted
    BELOW = "below"  # quiz tried, best score under the pass mark
    PASSED = "passed"
    WAITING = "waiting"  # submitted, waiting for an instructor's review
    REVISE = "revise"  # reviewed: revision requested
    FAILED = "failed"  # reviewed: closed as not passed


# The latest submitted round's status (assignment_submission.status) -> the part's state.
SUBMISSION_STATES = {
    "submitted": PartState.WAITING,
    "revise": PartState.REVISE,
    "passed": PartState.PASSED,
    "failed": PartState.FAILED,
}


@dataclass(frozen=True)
class Part:
    """One part of a module as the gradebook comment names it."""

    noun: str  # "quiz", "assignment" or "capstone"
    state: PartState
    percent: float | None = None  # best quiz score, or the latest review's rubric percent
    needs: float | None = None  # the quiz's pass mark


@dataclass(frozen=True)
class ScorePayload:
    """What one score publication says (AGS 2.0 §3.4.1); ``score_given`` is out of
    SCORE_MAXIMUM, None when a person has to grade first."""

    score_given: float | None
    activity_progress: str
    grading_progress: str
    comment: str


def module_parts(
    module: Module,
    *,
    best_quiz: float | None,
    submission_status: str | None,
    rubric_percent: float | None,
) -> tuple[Part, ...]:
    """The parts the module's completion rule requires (all it has, when it requires none)."""
    rule = module.completion
    has_assignment = module.assignment is not None
    quiz, assignment = rule.quiz_passed, rule.assignment_passed and has_assignment
    if not (quiz or assignment):
        quiz, assignment = True, has_assignment
    parts = []
    if quiz:
        if best_quiz is None:
            state = PartState.NOT_STARTED
        else:
            passed = best_quiz >= module.quiz.pass_percent
            state = PartState.PASSED if passed else PartState.BELOW
        parts.append(Part("quiz", state, best_quiz, module.quiz.pass_percent))
    if assignment and module.assignment is not None:
        noun = "capstone" if module.assignment.kind == "capstone" else "assignment"
        state = SUBMISSION_STATES.get(submission_status or "", PartState.NOT_STARTED)
        parts.append(Part(noun, state, rubric_percent))
    return tuple(parts)


def part_sentence(part: Part) -> str:
    """One part and its state, in the words the gradebook comment uses."""
    score = format_percent(part.percent) if part.percent is not None else None
    if part.noun == "quiz":
        if part.state is PartState.PASSED:
            return f"quiz {score} passed"
        if part.state is PartState.BELOW:
            return f"quiz best {score}, needs {format_percent(part.needs or 0.0)}"
        return "quiz not attempted yet"
    rubric = f" (rubric {score})" if score is not None else ""
    return {
        PartState.WAITING: f"{part.noun} waiting for review",
        PartState.PASSED: f"{part.noun} passed{rubric}",
        PartState.REVISE: f"{part.noun}: revision requested{rubric}",
        PartState.FAILED: f"{part.noun} not passed{rubric}",
    }.get(part.state, f"{part.noun} not submitted yet")


def _sentences(parts: Iterable[Part]) -> str:
    text = "; ".join(part_sentence(p) for p in parts)
    return text[:1].upper() + text[1:]


def _progress(parts: tuple[Part, ...]) -> tuple[str, str]:
    """(activityProgress, gradingProgress) of these parts (AGS 2.0 §3.4.7, §3.4.8)."""
    if any(p.state is PartState.WAITING for p in parts):
        return "Submitted", "PendingManual"
    if parts and all(p.state is PartState.PASSED for p in parts):
        return "Completed", "FullyGraded"
    if all(p.state is PartState.NOT_STARTED for p in parts):
        return "Initialized", "FullyGraded"
    return "InProgress", "FullyGraded"


def module_payload(parts: tuple[Part, ...], grade: float) -> ScorePayload:
    """The module column's score: ``grade`` (0..1, completion.module_grade) unless a part
    waits for a person."""
    activity, grading = _progress(parts)
    given = None if grading == "PendingManual" else round(grade * SCORE_MAXIMUM, 2)
    return ScorePayload(given, activity, grading, _sentences(parts) or "Nothing to grade")


def certificate_payload(
    programs: Iterable[Program], parts: Mapping[str, tuple[Part, ...]]
) -> ScorePayload:
    """The whole certificate's column: the share of required parts passed across every level,
    which level is complete, and what waits for review. ``parts`` maps module slug -> its
    parts (module_parts); a module absent from it has not been started."""
    every: list[Part] = []
    levels: list[str] = []
    waiting: list[str] = []
    complete: set[str] = set()
    for program in programs:
        done = total = 0
        for module in program.modules:
            own = parts.get(module.slug) or module_parts(
                module, best_quiz=None, submission_status=None, rubric_percent=None
            )
            every.extend(own)
            total += len(own)
            done += sum(p.state is PartState.PASSED for p in own)
            waiting += [f"{module.title} {p.noun}" for p in own if p.state is PartState.WAITING]
        ready = all(slug in complete for slug in program.prerequisites)
        if done == total and ready:
            complete.add(program.slug)
            levels.append(f"Level {program.level} complete")
        else:
            levels.append(f"Level {program.level}: {done} of {total} required parts passed")
    passed = sum(p.state is PartState.PASSED for p in every)
    percent = round(100.0 * passed / len(every), 2) if every else 0.0
    activity, grading = _progress(tuple(every))
    comment = f"{format_percent(percent)} of the certificate ({passed} of {len(every)} "
    comment += "required parts passed). " + "; ".join(levels) + "."
    if waiting:
        comment += " Waiting for review: " + ", ".join(waiting) + "."
    given = None if grading == "PendingManual" else percent
    return ScorePayload(given, activity, grading, comment)
