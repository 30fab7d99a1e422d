from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from lms_plugin.domain.completion import (
    ModuleStatus,
    assignment_state,
    format_percent,
    module_grade,
    module_locked,
    module_status,
    program_status,
)
from lms_plugin.domain.content.model import (
    Assignment,
    Badge,
    CompletionRule,
    Criterion,
    Lesson,
    Module,
    Program,
    QuizRules,
    RubricLevel,
)
from lms_plugin.domain.practice_log import LogFacts

LABELS = ("Beginning", "Developing", "Proficient", "Exemplary")


def make_assignment(**overrides: Any) -> Assignment:
    fields: dict[str, Any] = {
        "id": "A1",
        "slug": "l1-a1-role-map",
        "kind": "assignment",
        "title": "Role map",
        "prompt": "Write.",
        "word_limit": 800,
        "max_resubmissions": 2,
        "min_criterion_level": 2,
        "levels": tuple(RubricLevel(score=n, label=label) for n, label in enumerate(LABELS, 1)),
        "criteria": (Criterion(id="c1", title="C1", competencies=("OI-1",), descriptors=()),),
    }
    fields.update(overrides)
    return Assignment(**fields)


def make_lessons(*slugs: str) -> tuple[Lesson, ...]:
    return tuple(
        Lesson(slug=s, title=s, file=f"lessons/{s}.md", minutes=20, markdown="") for s in slugs
    )


def make_module(slug: str = "l1-m1", **overrides: Any) -> Module:
    fields: dict[str, Any] = {
        "slug": slug,
        "version": 1,
        "title": f"Module {slug}",
        "summary": "",
        "estimated_hours": 5,
        "competencies": ("CE-1",),
        "prerequisites": (),
        "objectives": (),
        "lessons": make_lessons("one", "two", "three"),
        "quiz": QuizRules(draw=10, pass_percent=80.0),
        "items": (),
        "assignment": make_assignment(),
    }
    fields.update(overrides)
    return Module(**fields)


def make_program(*modules: Module, prerequisites: tuple[str, ...] = ()) -> Program:
    return Program(
        slug="isp-level-2",
        version=1,
        level=2,
        title="Level 2",
        summary="",
        estimated_hours=36,
        prerequisites=prerequisites,
        modules=modules,
        capstone_min_criterion_level=3,
        badge=Badge(name="b", description="d", criteria="c"),
    )


def make_status(complete: bool = True, *missing: str) -> ModuleStatus:
    return ModuleStatus(complete, complete, complete, 0, 3, missing)


QUIZ_NONE = "Pass the quiz (no attempt yet, needs 80%)"
QUIZ_60 = "Pass the quiz (best score 60%, needs 80%)"
ASSIGN_NONE = (
    'Pass the assignment "Role map" (not submitted yet; every criterion needs Developing or above)'
)
ASSIGN_FAIL = (
    'The assignment "Role map" was not passed (every criterion needs Developing or above): '
    "ask your instructor what comes next"
)
ASSIGN_WAITING = (
    'The assignment "Role map" is waiting for review (every criterion needs Developing or above '
    "to pass)"
)
ASSIGN_REVISE = (
    'Revise and resubmit the assignment "Role map": your reviewer asked for changes (every '
    "criterion needs Developing or above)"
)


@pytest.mark.parametrize(
    "quiz, assignment, complete, quiz_passed, assignment_passed, missing, state",
    [
        (None, None, False, False, False, (QUIZ_NONE, ASSIGN_NONE), "none"),
        (60.0, None, False, False, False, (QUIZ_60, ASSIGN_NONE), "none"),
        (
            79.99,
            True,
            False,
            False,
            True,
            ("Pass the quiz (best score 79.99%, needs 80%)",),
            "passed",
        ),
        (80.0, None, False, True, False, (ASSIGN_NONE,), "none"),  # exactly the pass mark passes
        (80.0, False, False, True, False, (ASSIGN_FAIL,), "failed"),
        (60.0, True, False, False, True, (QUIZ_60,), "passed"),
        (80.0, True, True, True, True, (), "passed"),
        (100.0, True, True, True, True, (), "passed"),
    ],
)
def test_module_status(quiz, assignment, complete, quiz_passed, assignment_passed, missing, state):
    status = module_status(
        make_module(), best_quiz_percent=quiz, assignment_passed=assignment, lessons_viewed=set()
    )
    expected = ModuleStatus(complete, quiz_passed, assignment_passed, 0, 3, missing)
    assert status == replace(expected, assignment_state=state, rule_met=complete)  # no log here


@pytest.mark.parametrize(
    "latest_round, state, sentence, complete",
    [
        (None, "none", ASSIGN_NONE, False),
        ("submitted", "waiting", ASSIGN_WAITING, False),  # waiting is not a failed grade
        ("revise", "revise", ASSIGN_REVISE, False),
        ("failed", "failed", ASSIGN_FAIL, False),
        ("passed", "passed", None, True),
    ],
)
def test_the_assignment_says_where_it_really_stands(latest_round, state, sentence, complete):
    assert assignment_state(latest_round) == state
    status = module_status(
        make_module(), best_quiz_percent=90.0, lessons_viewed=set(), assignment=state
    )
    assert status.assignment_state == state and status.complete is complete
    assert status.assignment_passed is complete
    assert status.missing == ((sentence,) if sentence else ())


@pytest.mark.parametrize(
    "best, sentence",
    [
        (None, "Pass the quiz (an attempt is being graded; needs 80%)"),
        (60.0, "Pass the quiz (an attempt is being graded; best score so far 60%, needs 80%)"),
    ],
)
def test_a_quiz_being_graded_says_so(best, sentence):
    status = module_status(
        make_module(), best_quiz_percent=best, lessons_viewed=set(), quiz_grading=True,
        assignment="passed",
    )  # fmt: skip
    assert status.quiz_grading and status.missing == (sentence,)


def test_a_module_without_assignment_has_no_assignment_state():
    status = module_status(
        make_module(assignment=None), best_quiz_percent=None, lessons_viewed=set(),
        assignment="waiting",
    )  # fmt: skip
    assert status.assignment_state == "none"


@pytest.mark.parametrize(
    "rule, quiz, assignment, missing",
    [
        (CompletionRule(quiz_passed=False), None, True, ()),
        (CompletionRule(quiz_passed=False), None, None, (ASSIGN_NONE,)),
        (CompletionRule(assignment_passed=False), 90.0, None, ()),
        (
            CompletionRule(assignment_passed=False),
            50.0,
            True,
            ("Pass the quiz (best score 50%, needs 80%)",),
        ),
        (CompletionRule(quiz_passed=False, assignment_passed=False), None, None, ()),
    ],
)
def test_module_status_honours_completion_rule(rule, quiz, assignment, missing):
    status = module_status(
        make_module(completion=rule),
        best_quiz_percent=quiz,
        assignment_passed=assignment,
        lessons_viewed=set(),
    )
    assert status.missing == missing
    assert status.complete is (not missing)
    assert status.quiz_passed is (quiz is not None and quiz >= 80.0)


def test_module_without_assignment_needs_only_the_quiz():
    module = make_module(assignment=None)
    status = module_status(
        module, best_quiz_percent=85.0, assignment_passed=None, lessons_viewed=set()
    )
    assert status.complete and status.missing == ()


def test_capstone_sentence_names_kind_and_level_label():
    capstone = make_assignment(kind="capstone", title="Capstone C1", min_criterion_level=3)
    status = module_status(
        make_module(assignment=capstone),
        best_quiz_percent=90.0,
        assignment_passed=False,
        lessons_viewed=set(),
    )
    assert status.missing == (
        'The capstone "Capstone C1" was not passed (every criterion needs Proficient or above): '
        "ask your instructor what comes next",
    )


def test_sentence_falls_back_to_level_number_without_labels():
    module = make_module(assignment=make_assignment(levels=()))
    status = module_status(
        module, best_quiz_percent=90.0, assignment_passed=None, lessons_viewed=set()
    )
    assert status.missing[0].endswith("every criterion needs level 2 or above)")


@pytest.mark.parametrize(
    "viewed, done",
    [(set(), 0), ({"one"}, 1), ({"one", "three", "elsewhere"}, 2), ({"one", "two", "three"}, 3)],
)
def test_lessons_are_progress_not_a_requirement(viewed, done):
    status = module_status(
        make_module(), best_quiz_percent=80.0, assignment_passed=True, lessons_viewed=viewed
    )
    assert (status.lessons_done, status.lessons_total, status.complete) == (done, 3, True)


@pytest.mark.parametrize(
    "value, text", [(80.0, "80%"), (62.5, "62.5%"), (66.666, "66.67%"), (0.0, "0%"), (100, "100%")]
)
def test_format_percent(value, text):
    assert format_percent(value) == text


@pytest.mark.parametrize(
    "rule, assignment, quiz, rubric, grade",
    [
        (CompletionRule(), True, 90.0, 70.0, 0.8),
        (CompletionRule(), True, 100.0, None, 0.5),  # a required part not yet done counts 0
        (CompletionRule(), True, None, None, 0.0),
        (CompletionRule(), True, 100.0, 100.0, 1.0),
        (CompletionRule(), False, 85.0, None, 0.85),  # no assignment in the module
        (CompletionRule(assignment_passed=False), True, 85.0, 40.0, 0.85),
        (CompletionRule(quiz_passed=False), True, 20.0, 75.0, 0.75),
        (CompletionRule(False, False), True, 90.0, 70.0, 0.8),  # nothing required: what exists
        (CompletionRule(False, False), True, None, 70.0, 0.7),
        (CompletionRule(False, False), True, None, None, 0.0),
        (CompletionRule(), True, 66.67, 66.66, 0.6667),  # 66.665: half up
        (CompletionRule(), True, 58.33, None, 0.2917),  # 29.165, not 29.164999... rounded down
        (CompletionRule(), True, 100.0, 0.01, 0.5001),  # 50.005
        (CompletionRule(), True, 33.33, 33.33, 0.3333),
    ],
)
def test_module_grade(rule, assignment, quiz, rubric, grade):
    module = make_module(completion=rule, assignment=make_assignment() if assignment else None)
    assert module_grade(module, quiz, rubric) == grade  # exactly: the number the LMS is sent


@pytest.mark.parametrize(
    "prerequisites, completed, unmet",
    [
        ((), set(), ()),
        (("l1-m1", "l1-m2"), set(), ("l1-m1", "l1-m2")),
        (("l1-m1", "l1-m2"), {"l1-m2"}, ("l1-m1",)),
        (("l1-m1", "l1-m2"), {"l1-m1", "l1-m2", "x"}, ()),
    ],
)
def test_module_locked(prerequisites, completed, unmet):
    assert module_locked(make_module("l2-m1", prerequisites=prerequisites), completed) == unmet


def test_program_status_lists_missing_module_by_module():
    program = make_program(make_module("m1"), make_module("m2"), make_module("m3"))
    statuses = {
        "m1": make_status(True),
        "m2": module_status(
            program.modules[1], best_quiz_percent=60.0, assignment_passed=True, lessons_viewed=set()
        ),
    }
    status = program_status(program, statuses, completed_programs=set())
    assert (status.complete, status.locked, status.missing_prerequisites) == (False, False, ())
    assert (status.modules_complete, status.modules_total, status.percent) == (1, 3, 33.33)
    assert status.missing == (
        f"Module m2: {QUIZ_60}",
        f"Module m3: {QUIZ_NONE}",  # not started: what a fresh status says
        f"Module m3: {ASSIGN_NONE}",
    )


def test_program_complete():
    program = make_program(make_module("m1"), make_module("m2"), prerequisites=("isp-level-1",))
    statuses = {"m1": make_status(True), "m2": make_status(True)}
    status = program_status(program, statuses, completed_programs={"isp-level-1"})
    assert (status.complete, status.locked, status.percent, status.missing) == (
        True,
        False,
        100.0,
        (),
    )


def test_program_locked_by_missing_prerequisite():
    program = make_program(make_module("m1"), prerequisites=("isp-level-1", "other"))
    status = program_status(program, {"m1": make_status(True)}, completed_programs={"other"})
    assert status.locked and not status.complete
    assert status.missing_prerequisites == ("isp-level-1",)
    assert status.missing == ("Complete the program isp-level-1 first",)
    assert (status.modules_complete, status.percent) == (1, 100.0)


def test_program_incomplete_status_without_sentences():
    program = make_program(make_module("m1"))
    status = program_status(program, {"m1": make_status(False)}, completed_programs=set())
    assert status.missing == ("Module m1: Complete the module",)


def test_empty_program_is_not_complete():
    status = program_status(make_program(), {}, completed_programs=set())
    assert (status.complete, status.modules_total, status.percent) == (False, 0, 0.0)


@pytest.mark.parametrize(
    "log, complete, rule_met",
    [
        (LogFacts("none"), False, True),  # quiz and assignment passed: only the entry is missing
        (LogFacts("draft", 40), False, True),
        (LogFacts("complete", 260), True, True),
        (LogFacts("complete", 260, "submitted"), False, True),
    ],
)
def test_rule_met_says_only_the_practice_log_is_left(log, complete, rule_met):
    status = module_status(
        make_module(), best_quiz_percent=90.0, assignment_passed=True, lessons_viewed=set(),
        log=log, log_min_words=250,
    )  # fmt: skip
    assert (status.complete, status.rule_met, status.log) == (complete, rule_met, log)
    not_yet = module_status(
        make_module(), best_quiz_percent=50.0, assignment_passed=True, lessons_viewed=set(),
        log=log, log_min_words=250,
    )  # fmt: skip
    assert not not_yet.rule_met and not not_yet.complete
