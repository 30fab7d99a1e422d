"""The learner's next step: a rules table over lessons, quiz, assignment, waits and locks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lms_plugin.domain.completion import ModuleStatus, module_status, program_status
from lms_plugin.domain.content.model import Badge, CompletionRule, Module, Program, QuizRules
from lms_plugin.domain.next_step import next_step
from lms_plugin.domain.practice_log import LogFacts
from lms_plugin.domain.quiz_state import QuizState
from tests.unit.domain.test_completion import make_assignment, make_lessons, make_module

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = QuizRules(draw=6, pass_percent=80.0, max_attempts=3, cooldown_hours_after=2,
                  cooldown_hours=24.0)  # fmt: skip


def make_program(slug: str, level: int, *modules: Module, after: tuple[str, ...] = ()) -> Program:
    return Program(
        slug=slug, version=1, level=level, title=f"Level {level}", summary="", estimated_hours=1,
        prerequisites=after, modules=modules, capstone_min_criterion_level=3,
        badge=Badge("b", "d", "c"),
    )  # fmt: skip


def certificate() -> list[Program]:
    """Level 1: m1 (three lessons), m2 after m1, m3 open; Level 2 after Level 1."""
    m1 = make_module("m1", quiz=RULES)
    m2 = make_module("m2", quiz=RULES, prerequisites=("m1",),
                     assignment=make_assignment(title="Memo"))  # fmt: skip
    m3 = make_module("m3", quiz=RULES, lessons=make_lessons("a", "b"),
                     assignment=make_assignment(kind="capstone", title="Plan"))  # fmt: skip
    level_2 = make_module("l2m1", quiz=RULES)
    return [
        make_program("level-1", 1, m1, m2, m3),
        make_program("level-2", 2, level_2, after=("level-1",)),
    ]


@dataclass
class Learner:
    """What a learner has done, per module slug; builds the Standing the rules read."""

    viewed: dict[str, set[str]] = field(default_factory=dict)
    last: dict[str, str] = field(default_factory=dict)
    quizzes: dict[str, QuizState] = field(default_factory=dict)
    assignments: dict[str, str] = field(default_factory=dict)
    logs: dict[str, LogFacts] = field(default_factory=dict)  # none given: not taken into account

    def standing(self, programs: list[Program]) -> Any:
        modules: dict[str, ModuleStatus] = {}
        statuses = {}
        for program in programs:
            for module in program.modules:
                quiz = self.quizzes.get(module.slug, QuizState())
                modules[module.slug] = module_status(
                    module, best_quiz_percent=quiz.best,
                    lessons_viewed=self.viewed.get(module.slug, set()),
                    quiz_grading=quiz.grading is not None,
                    assignment=self.assignments.get(module.slug, "none"),  # type: ignore[arg-type]
                    log=self.logs.get(module.slug), log_min_words=150,
                )  # fmt: skip
            done = {slug for slug, s in statuses.items() if s.complete}
            statuses[program.slug] = program_status(program, modules, done)
        return Standing(modules, statuses, self.viewed, self.quizzes, self.last)


@dataclass
class Standing:
    modules: dict[str, ModuleStatus]
    programs: dict[str, Any]
    lessons_viewed: dict[str, set[str]]
    quizzes: dict[str, QuizState]
    last_lesson: dict[str, str]


ALL = {"one", "two", "three"}
PASSED = QuizState(used=1, submitted=1, best=90.0, last_submitted=NOW - timedelta(days=1))
M1_DONE = {"viewed": {"m1": ALL}, "quizzes": {"m1": PASSED}, "assignments": {"m1": "passed"}}


def learner(**work: Any) -> Learner:
    merged: dict[str, dict[str, Any]] = {
        "viewed": {}, "last": {}, "quizzes": {}, "assignments": {}, "logs": {}
    }  # fmt: skip
    for base in work.pop("base", ()):
        for key, values in base.items():
            merged[key].update(values)
    for key, values in work.items():
        merged[key].update(values)
    return Learner(**merged)


# fmt: off
CASES = [
    ("fresh", learner(), "lesson", "m1", "Start lesson 1 of Level 1, Module 1: “one”."),
    (
        "resume after the lesson opened last",
        learner(viewed={"m1": {"one", "two"}}, last={"m1": "two"}),
        "lesson", "m1", "Continue lesson 3 of Level 1, Module 1: “three”.",
    ),
    (
        "a lesson skipped earlier, after the last one",
        learner(viewed={"m1": {"one", "three"}}, last={"m1": "three"}),
        "lesson", "m1", "Continue lesson 2 of Level 1, Module 1: “two”.",
    ),
    ("lessons read: the quiz", learner(viewed={"m1": ALL}),
     "quiz", "m1", "Take the quiz of Level 1, Module 1."),
    (
        "quiz started: lessons no longer come first",
        learner(quizzes={"m1": QuizState(used=1, open_attempt=7)}),
        "quiz_continue", "m1", "Finish the quiz of Level 1, Module 1 (attempt 1 is in progress).",
    ),
    (
        "failed once: try again",
        learner(viewed={"m1": ALL}, quizzes={"m1": QuizState(used=1, submitted=1, best=50.0)}),
        "quiz", "m1", "Try the quiz of Level 1, Module 1 again (attempt 2 of 3).",
    ),
    (
        "quiz being graded: meanwhile the assignment",
        learner(viewed={"m1": ALL}, quizzes={"m1": QuizState(used=1, grading=4, submitted=1)}),
        "assignment", "m1",
        "Your quiz of Level 1, Module 1 is being graded — meanwhile, write the assignment of "
        "Level 1, Module 1: “Role map”.",
    ),
    (
        "quiz passed, draft saved",
        learner(viewed={"m1": ALL}, quizzes={"m1": PASSED}),
        "assignment", "m1", "Finish your draft of the assignment of Level 1, Module 1: “Role map”.",
    ),
    (
        "waiting for review; Module 2 needs Module 1: Module 3 meanwhile",
        learner(viewed={"m1": ALL}, quizzes={"m1": PASSED}, assignments={"m1": "waiting"}),
        "lesson", "m3",
        "Your assignment of Level 1, Module 1 is waiting for review — meanwhile, start lesson 1 of "
        "Level 1, Module 3: “a”.",
    ),
    (
        "revision asked",
        learner(viewed={"m1": ALL}, quizzes={"m1": PASSED}, assignments={"m1": "revise"}),
        "assignment", "m1", "Revise and resubmit your assignment of Level 1, Module 1.",
    ),
    (
        "cooldown: meanwhile the assignment",
        learner(
            viewed={"m1": ALL},
            quizzes={"m1": QuizState(used=2, submitted=2, best=50.0,
                                     last_submitted=NOW - timedelta(hours=1))},
        ),
        "assignment", "m1",
        "Your next attempt at the quiz of Level 1, Module 1 is not open yet — meanwhile, "
        "write the assignment of Level 1, Module 1: “Role map”.",
    ),
    (
        "every attempt used",
        learner(viewed={"m1": ALL, "m3": {"a", "b"}},
                quizzes={"m1": QuizState(used=3, submitted=3, best=50.0), "m3": PASSED},
                assignments={"m1": "passed", "m3": "waiting"}),
        "ask_instructor", None,
        "You have used all 3 attempts at the quiz of Level 1, Module 1 without reaching 80%: ask "
        "your instructor what comes next; your capstone of Level 1, Module 3 is waiting for "
        "review.",
    ),
    (
        "every attempt used, then one more allowed",
        learner(viewed={"m1": ALL},
                quizzes={"m1": QuizState(used=3, submitted=3, best=50.0, extra=1)}),
        "quiz", "m1", "Try the quiz of Level 1, Module 1 again (attempt 4 of 4).",
    ),
    (
        "Module 1 done: Module 2 opens",
        learner(base=[M1_DONE]),
        "lesson", "m2", "Start lesson 1 of Level 1, Module 2: “one”.",
    ),
    (
        "everything left waits: nothing else open",
        learner(
            base=[M1_DONE],
            viewed={"m2": ALL, "m3": {"a", "b"}},
            quizzes={"m2": PASSED, "m3": PASSED},
            assignments={"m2": "waiting", "m3": "waiting"},
        ),
        "wait", None,
        "Your assignment of Level 1, Module 2 is waiting for review; your capstone of Level 1, "
        "Module 3 is waiting for review. Nothing else is open until then.",
    ),
    (
        "not passed: ask the instructor",
        learner(base=[M1_DONE], viewed={"m2": ALL}, quizzes={"m2": PASSED, "m3": PASSED},
                assignments={"m2": "failed", "m3": "passed"}),
        "ask_instructor", None,
        "Your assignment of Level 1, Module 2 was not passed: ask your instructor what comes next.",
    ),
    (
        "waiting, lessons left unread: read them meanwhile",
        learner(base=[M1_DONE], quizzes={"m2": PASSED, "m3": PASSED},
                viewed={"m3": {"a", "b"}}, assignments={"m2": "waiting", "m3": "waiting"}),
        "lesson", "m2",
        "Your assignment of Level 1, Module 2 is waiting for review — meanwhile, start lesson 1 of "
        "Level 1, Module 2: “one”.",
    ),
    (
        "quiz and assignment passed, no practice log entry: write it",
        learner(base=[M1_DONE], logs={"m1": LogFacts(entry="none")}),
        "log", "m1", "Write your practice log entry for Level 1, Module 1.",
    ),
    (
        "a practice log draft: finish it",
        learner(base=[M1_DONE], logs={"m1": LogFacts(entry="draft", words=40)}),
        "log", "m1", "Finish your practice log entry for Level 1, Module 1.",
    ),
    (
        "assignment waiting: the log entry meanwhile, not 'nothing else is open'",
        learner(viewed={"m1": ALL}, quizzes={"m1": PASSED}, assignments={"m1": "waiting"},
                logs={"m1": LogFacts(entry="none")}),
        "log", "m1",
        "Your assignment of Level 1, Module 1 is waiting for review — meanwhile, write your "
        "practice log entry for Level 1, Module 1.",
    ),
    (
        "log entry complete: Module 2 opens",
        learner(base=[M1_DONE], logs={"m1": LogFacts(entry="complete", words=200)}),
        "lesson", "m2", "Start lesson 1 of Level 1, Module 2: “one”.",
    ),
    (
        "the learning-from-failure entry asked for",
        learner(base=[M1_DONE], logs={"m1": LogFacts(entry="complete", failure="none")}),
        "log_failure", "m1", "Write your learning-from-failure entry of Level 1, Module 1.",
    ),
    (
        "the learning-from-failure entry sent back",
        learner(base=[M1_DONE], logs={"m1": LogFacts(entry="complete", failure="revise")}),
        "log_failure", "m1",
        "Revise and resubmit your learning-from-failure entry of Level 1, Module 1.",
    ),
    (
        "the learning-from-failure entry waiting for review, Module 3 open",
        learner(base=[M1_DONE], logs={"m1": LogFacts(entry="complete", failure="submitted")},
                viewed={"m3": {"a", "b"}}),
        "quiz", "m3",
        "Your learning-from-failure entry of Level 1, Module 1 is waiting for review — "
        "meanwhile, take the quiz of Level 1, Module 3.",
    ),
    (
        "exempt from the log (complete before it existed)",
        learner(base=[M1_DONE], logs={"m1": LogFacts(entry="exempt", failure="exempt")}),
        "lesson", "m2", "Start lesson 1 of Level 1, Module 2: “one”.",
    ),
    (
        "Level 1 complete: Level 2 opens",
        learner(
            base=[M1_DONE],
            quizzes={"m2": PASSED, "m3": PASSED},
            assignments={"m2": "passed", "m3": "passed"},
        ),
        "lesson", "l2m1", "Start lesson 1 of Level 2, Module 1: “one”.",
    ),
    (
        "everything complete",
        learner(
            base=[M1_DONE],
            quizzes={"m2": PASSED, "m3": PASSED, "l2m1": PASSED},
            assignments={"m2": "passed", "m3": "passed", "l2m1": "passed"},
        ),
        "done", None, "You have completed every level of the certificate. Well done!",
    ),
]
# fmt: on


@pytest.mark.parametrize(
    "work, kind, module, text", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_next_step(work, kind, module, text):
    programs = certificate()
    drafts = frozenset({"m1"}) if "draft" in text else frozenset()
    step = next_step(programs, work.standing(programs), NOW, drafts)
    assert (step.kind, step.module, step.text) == (kind, module, text)


def test_the_step_points_at_the_lesson_and_the_attempt():
    programs = certificate()
    lesson = next_step(programs, learner(viewed={"m1": {"one"}}, last={"m1": "one"})
                       .standing(programs), NOW)  # fmt: skip
    assert lesson.lesson == "two"
    attempt = learner(quizzes={"m1": QuizState(used=2, open_attempt=11)})
    assert next_step(programs, attempt.standing(programs), NOW).attempt_id == 11


def test_the_cooldown_end_is_given_for_the_page_to_show():
    programs = certificate()
    quiz = QuizState(used=2, submitted=2, best=10.0, last_submitted=NOW - timedelta(hours=1))
    step = next_step(programs, learner(quizzes={"m1": quiz}).standing(programs), NOW)
    assert step.opens_at == NOW + timedelta(hours=23)
    assert step.waiting == ("your next attempt at the quiz of Level 1, Module 1 is not open yet",)


def test_a_module_without_a_required_quiz_goes_to_its_assignment():
    module = replace(make_module("solo", quiz=RULES), completion=CompletionRule(quiz_passed=False))
    programs = [make_program("p", 1, module)]
    standing = learner(viewed={"solo": ALL}).standing(programs)
    assert next_step(programs, standing, NOW).kind == "assignment"
