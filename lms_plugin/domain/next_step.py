"""The one next thing a learner should do, in a sentence ("Continue lesson 3 of Module 2").

Modules are walked in the certificate's order, skipping complete and locked ones. In the first
open module the learner reads the lessons (from the one after the lesson opened last), then
takes the quiz, then writes the assignment, then the practice log entry (and, in the Level 2
module that asks for it, the learning-from-failure entry). What waits for someone else (a quiz
being graded, an assignment waiting for review, a cooldown) is said, and the search goes on for
something to do meanwhile ("Your assignment of Module 1 is waiting for review — meanwhile,
start Module 3").
Something only a person can unblock (no attempt left, an assignment not passed) says to ask the
instructor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from lms_plugin.domain import practice_log
from lms_plugin.domain.completion import ModuleStatus, ProgramStatus, module_locked
from lms_plugin.domain.content.model import Lesson, Module, Program
from lms_plugin.domain.i18n import _, percent
from lms_plugin.domain.practice_log import LogFacts
from lms_plugin.domain.quiz_state import QuizState, attempts_left, opens_at

StepKind = Literal[
    "lesson",
    "quiz",
    "quiz_continue",
    "assignment",
    "log",
    "log_failure",
    "wait",
    "ask_instructor",
    "done",
]


class Standing(Protocol):
    """What the rules read of a learner (services.progress.Progress provides it)."""

    @property
    def modules(self) -> Mapping[str, ModuleStatus]: ...
    @property
    def programs(self) -> Mapping[str, ProgramStatus]: ...
    @property
    def lessons_viewed(self) -> Mapping[str, set[str]]: ...
    @property
    def quizzes(self) -> Mapping[str, QuizState]: ...
    @property
    def last_lesson(self) -> Mapping[str, str]: ...


@dataclass(frozen=True)
class NextStep:
    """The next thing to do: ``text`` says it; the rest says where it is."""

    kind: StepKind
    text: str
    module: str | None = None  # module slug
    lesson: str | None = None  # lesson slug (kind "lesson")
    attempt_id: int | None = None  # the attempt in progress (kind "quiz_continue")
    opens_at: datetime | None = None  # when a quiz attempt waiting for its cooldown opens
    waiting: tuple[str, ...] = ()  # what waits for someone else (or for time) meanwhile


@dataclass(frozen=True)
class _Action:
    kind: StepKind
    verb: str  # "continue lesson 3 of Level 1, Module 2: “Title”", joined after "meanwhile,"
    module: str
    lesson: str | None = None
    attempt_id: int | None = None


@dataclass
class _Found:
    waiting: list[str]
    blocked: list[str]
    opens_at: datetime | None = None


def next_step(
    programs: Sequence[Program],
    standing: Standing,
    now: datetime,
    drafts: frozenset[str] = frozenset(),
) -> NextStep:
    """The learner's next step; ``drafts`` holds the modules with an assignment draft."""
    found = _Found([], [])
    complete = {slug for slug, status in standing.modules.items() if status.complete}
    for program in programs:
        if standing.programs[program.slug].locked:
            continue
        for number, module in enumerate(program.modules, start=1):
            if module.slug in complete or module_locked(module, complete):
                continue
            # With its level: after Level 1, "Module 1" alone would send the learner back there.
            name = _("Level %(level)s, Module %(n)s", level=program.level, n=number)
            action = _in_module(module, name, standing, now, drafts, found)
            if action is not None:
                return _step(action, found)
    waiting = tuple(found.waiting)
    if found.blocked:
        text = _sentence(found.blocked + found.waiting)
        return NextStep("ask_instructor", text, waiting=waiting, opens_at=found.opens_at)
    if found.waiting:
        text = _sentence(found.waiting) + " " + _("Nothing else is open until then.")
        return NextStep("wait", text, waiting=waiting, opens_at=found.opens_at)
    if all(status.complete for status in standing.programs.values()):
        done = _("You have completed every level of the certificate. Well done!")
        return NextStep("done", done)
    return NextStep("ask_instructor", _("Nothing is open to you right now: ask your instructor."))


def _in_module(
    module: Module,
    name: str,
    standing: Standing,
    now: datetime,
    drafts: frozenset[str],
    found: _Found,
) -> _Action | None:
    """The first thing to do in this module, noting in ``found`` what waits or is blocked."""
    status, slug = standing.modules[module.slug], module.slug
    quiz = standing.quizzes.get(slug) or QuizState()
    started = quiz.used > 0 or status.assignment_state != "none" or slug in drafts
    lesson = _lesson_to_read(module, standing)
    if lesson is not None and not started:
        return _read(module, name, lesson)
    if module.completion.quiz_passed and not status.quiz_passed:
        action = _quiz(module, name, quiz, now, found)
        if action is not None:
            return action
    assignment = module.assignment
    if (
        module.completion.assignment_passed
        and assignment is not None
        and not status.assignment_passed
    ):
        capstone, state = assignment.kind == "capstone", status.assignment_state
        if state == "waiting":
            found.waiting.append(
                _("your capstone of %(module)s is waiting for review", module=name)
                if capstone
                else _("your assignment of %(module)s is waiting for review", module=name)
            )
        elif state == "failed":
            found.blocked.append(
                _(
                    "your capstone of %(module)s was not passed: ask your instructor what "
                    "comes next",
                    module=name,
                )
                if capstone
                else _(
                    "your assignment of %(module)s was not passed: ask your instructor what "
                    "comes next",
                    module=name,
                )
            )
        elif state == "revise":
            verb = (
                _("revise and resubmit your capstone of %(module)s", module=name)
                if capstone
                else _("revise and resubmit your assignment of %(module)s", module=name)
            )
            return _Action("assignment", verb, slug)
        else:
            return _Action(
                "assignment", _write(capstone, slug in drafts, name, assignment.title), slug
            )
    log = _log(status.log, name, slug, found)
    if log is not None:
        return log
    return _read(module, name, lesson) if lesson is not None else None


def _log(log: LogFacts | None, name: str, slug: str, found: _Found) -> _Action | None:
    """The practice log's part of the module (domain/practice_log.py), once the quiz and the
    assignment ask nothing more of the learner for now."""
    left = practice_log.todo(log)
    if left == "write":
        return _Action("log", _("write your practice log entry for %(module)s", module=name), slug)
    if left == "finish":
        verb = _("finish your practice log entry for %(module)s", module=name)
        return _Action("log", verb, slug)
    if left == "failure_write":
        verb = _("write your learning-from-failure entry of %(module)s", module=name)
        return _Action("log_failure", verb, slug)
    if left == "failure_revise":
        verb = _("revise and resubmit your learning-from-failure entry of %(module)s", module=name)
        return _Action("log_failure", verb, slug)
    if left == "failure_waiting":
        found.waiting.append(
            _("your learning-from-failure entry of %(module)s is waiting for review", module=name)
        )
    return None


def _quiz(
    module: Module, name: str, quiz: QuizState, now: datetime, found: _Found
) -> _Action | None:
    rules = module.quiz
    if quiz.open_attempt is not None:
        verb = _(
            "finish the quiz of %(module)s (attempt %(n)s is in progress)", module=name, n=quiz.used
        )
        return _Action("quiz_continue", verb, module.slug, attempt_id=quiz.open_attempt)
    if quiz.grading is not None:
        found.waiting.append(_("your quiz of %(module)s is being graded", module=name))
        return None
    if attempts_left(rules, quiz) == 0:
        found.blocked.append(
            _(
                "you have used all %(max)s attempts at the quiz of %(module)s without reaching "
                "%(mark)s: ask your instructor what comes next",
                max=quiz.allowed(rules),
                module=name,
                mark=percent(rules.pass_percent),
            )
        )
        return None
    ready = opens_at(rules, quiz, now)
    if ready is not None:
        # When it opens is ``opens_at``: the page shows it in the reader's time zone.
        found.waiting.append(
            _("your next attempt at the quiz of %(module)s is not open yet", module=name)
        )
        found.opens_at = found.opens_at or ready
        return None
    if quiz.used == 0:
        return _Action("quiz", _("take the quiz of %(module)s", module=name), module.slug)
    verb = _(
        "try the quiz of %(module)s again (attempt %(n)s of %(max)s)",
        module=name,
        n=quiz.used + 1,
        max=quiz.allowed(rules),
    )
    return _Action("quiz", verb, module.slug)


def _lesson_to_read(module: Module, standing: Standing) -> tuple[int, Lesson] | None:
    """The first lesson not opened yet, from the one after the lesson opened last (1-based)."""
    viewed = standing.lessons_viewed.get(module.slug, set())
    slugs = [lesson.slug for lesson in module.lessons]
    last = standing.last_lesson.get(module.slug)
    start = slugs.index(last) + 1 if last in slugs else 0
    for index in list(range(start, len(slugs))) + list(range(start)):
        if slugs[index] not in viewed:
            return index + 1, module.lessons[index]
    return None


def _read(module: Module, name: str, found: tuple[int, Lesson]) -> _Action:
    number, lesson = found
    if number == 1:
        text = _("start lesson 1 of %(module)s: “%(title)s”", module=name, title=lesson.title)
    else:
        text = _(
            "continue lesson %(n)s of %(module)s: “%(title)s”",
            n=number,
            module=name,
            title=lesson.title,
        )
    return _Action("lesson", text, module.slug, lesson.slug)


def _write(capstone: bool, draft: bool, name: str, title: str) -> str:
    """Write (or finish the draft of) the assignment or capstone of a module."""
    if capstone and draft:
        return _(
            "finish your draft of the capstone of %(module)s: “%(title)s”", module=name, title=title
        )
    if capstone:
        return _("write the capstone of %(module)s: “%(title)s”", module=name, title=title)
    if draft:
        return _(
            "finish your draft of the assignment of %(module)s: “%(title)s”",
            module=name,
            title=title,
        )
    return _("write the assignment of %(module)s: “%(title)s”", module=name, title=title)


def _sentence(parts: list[str]) -> str:
    text = _("; ").join(parts)
    return text[0].upper() + text[1:] + "."


def _step(action: _Action, found: _Found) -> NextStep:
    before = found.blocked + found.waiting
    if before:
        text = _(
            "%(waiting)s — meanwhile, %(action)s.",
            waiting=_sentence(before)[:-1],
            action=action.verb,
        )
    else:
        text = _sentence([action.verb])
    return NextStep(
        action.kind,
        text,
        module=action.module,
        lesson=action.lesson,
        attempt_id=action.attempt_id,
        opens_at=found.opens_at,
        waiting=tuple(found.waiting),
    )
