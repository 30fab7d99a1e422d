"""The gradebook's score rules (domain/gradebook.py): each part's state, the payload of a module
column and of a whole-certificate column, table by table."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from lms_plugin.domain.content.model import (
    Assignment,
    Badge,
    CompletionRule,
    Module,
    Program,
    QuizRules,
)
from lms_plugin.domain.gradebook import (
    Part,
    PartState,
    ScorePayload,
    certificate_payload,
    module_parts,
    module_payload,
    part_sentence,
)

S = PartState


def make_assignment(kind: str = "assignment") -> Assignment:
    return Assignment("A1", "a1", kind, "Role map", "Write.", 800, 2, 2, (), ())


def make_module(slug: str = "m1", **overrides: Any) -> Module:
    fields: dict[str, Any] = {
        "slug": slug,
        "version": 1,
        "title": f"Module {slug}",
        "summary": "",
        "estimated_hours": 5,
        "competencies": (),
        "prerequisites": (),
        "objectives": (),
        "lessons": (),
        "quiz": QuizRules(draw=10, pass_percent=80.0),
        "items": (),
        "assignment": make_assignment(),
        **overrides,
    }
    return Module(**fields)


def make_program(*modules: Module, prerequisites: tuple[str, ...] = ()) -> Program:
    badge = Badge(name="b", description="d", criteria="c")
    return Program("isp-level-2", 1, 2, "Level 2", "", 36, prerequisites, modules, 3, badge)


@pytest.mark.parametrize(
    "best, status, rubric, expected",
    [
        (None, None, None, [("quiz", S.NOT_STARTED), ("assignment", S.NOT_STARTED)]),
        (60.0, None, None, [("quiz", S.BELOW), ("assignment", S.NOT_STARTED)]),
        (80.0, "submitted", None, [("quiz", S.PASSED), ("assignment", S.WAITING)]),
        (90.0, "revise", 55.0, [("quiz", S.PASSED), ("assignment", S.REVISE)]),
        (90.0, "submitted", 55.0, [("quiz", S.PASSED), ("assignment", S.WAITING)]),  # round 2
        (90.0, "passed", 75.0, [("quiz", S.PASSED), ("assignment", S.PASSED)]),
        (90.0, "failed", 40.0, [("quiz", S.PASSED), ("assignment", S.FAILED)]),
        (79.99, "passed", 75.0, [("quiz", S.BELOW), ("assignment", S.PASSED)]),
    ],
)
def test_each_required_part_gets_its_state(best, status, rubric, expected):
    parts = module_parts(
        make_module(), best_quiz=best, submission_status=status, rubric_percent=rubric
    )
    assert [(p.noun, p.state) for p in parts] == expected


@pytest.mark.parametrize(
    "module, nouns",
    [
        (make_module(assignment=None), ["quiz"]),
        (make_module(completion=CompletionRule(quiz_passed=False)), ["assignment"]),
        (make_module(completion=CompletionRule(assignment_passed=False)), ["quiz"]),
        (  # a rule requiring nothing: the parts the module has
            make_module(completion=CompletionRule(quiz_passed=False, assignment_passed=False)),
            ["quiz", "assignment"],
        ),
        (make_module(assignment=make_assignment(kind="capstone")), ["quiz", "capstone"]),
    ],
    ids=["no assignment", "assignment only", "quiz only", "nothing required", "capstone"],
)
def test_only_the_parts_the_rule_requires_are_named(module, nouns):
    parts = module_parts(module, best_quiz=None, submission_status=None, rubric_percent=None)
    assert [p.noun for p in parts] == nouns


@pytest.mark.parametrize(
    "part, sentence",
    [
        (Part("quiz", S.NOT_STARTED, None, 80.0), "quiz not attempted yet"),
        (Part("quiz", S.BELOW, 62.5, 80.0), "quiz best 62.5%, needs 80%"),
        (Part("quiz", S.PASSED, 90.0, 80.0), "quiz 90% passed"),
        (Part("assignment", S.NOT_STARTED), "assignment not submitted yet"),
        (Part("assignment", S.WAITING), "assignment waiting for review"),
        (Part("assignment", S.WAITING, 55.0), "assignment waiting for review"),
        (Part("capstone", S.PASSED, 75.0), "capstone passed (rubric 75%)"),
        (Part("assignment", S.REVISE, 55.0), "assignment: revision requested (rubric 55%)"),
        (Part("assignment", S.FAILED, 40.0), "assignment not passed (rubric 40%)"),
    ],
)
def test_part_sentences(part, sentence):
    assert part_sentence(part) == sentence


QUIZ_90 = Part("quiz", S.PASSED, 90.0, 80.0)
QUIZ_60 = Part("quiz", S.BELOW, 60.0, 80.0)
QUIZ_NONE = Part("quiz", S.NOT_STARTED, None, 80.0)
NOT_SUBMITTED = Part("assignment", S.NOT_STARTED)
WAITING = Part("assignment", S.WAITING)
PASSED = Part("assignment", S.PASSED, 75.0)
REVISE = Part("assignment", S.REVISE, 50.0)


@pytest.mark.parametrize(
    "parts, grade, expected",
    [
        (  # the learner: not 45/100 but "needs grading", every part named
            (QUIZ_90, WAITING),
            0.45,
            ScorePayload(
                None, "Submitted", "PendingManual", "Quiz 90% passed; assignment waiting for review"
            ),
        ),
        (
            (QUIZ_90, PASSED),
            0.825,
            ScorePayload(
                82.5, "Completed", "FullyGraded", "Quiz 90% passed; assignment passed (rubric 75%)"
            ),
        ),
        (
            (QUIZ_90, NOT_SUBMITTED),
            0.45,
            ScorePayload(
                45.0, "InProgress", "FullyGraded", "Quiz 90% passed; assignment not submitted yet"
            ),
        ),
        (
            (QUIZ_60, REVISE),
            0.55,
            ScorePayload(
                55.0,
                "InProgress",
                "FullyGraded",
                "Quiz best 60%, needs 80%; assignment: revision requested (rubric 50%)",
            ),
        ),
        (
            (QUIZ_NONE, NOT_SUBMITTED),
            0.0,
            ScorePayload(
                0.0,
                "Initialized",
                "FullyGraded",
                "Quiz not attempted yet; assignment not submitted yet",
            ),
        ),
        (
            (QUIZ_NONE, WAITING),  # waiting for a person wins over everything else
            0.0,
            ScorePayload(
                None,
                "Submitted",
                "PendingManual",
                "Quiz not attempted yet; assignment waiting for review",
            ),
        ),
        ((QUIZ_90,), 0.9, ScorePayload(90.0, "Completed", "FullyGraded", "Quiz 90% passed")),
    ],
    ids=["waiting", "complete", "not submitted", "revise", "nothing", "waiting only", "quiz only"],
)
def test_module_payload(parts, grade, expected):
    assert module_payload(parts, grade) == expected


L1 = replace(
    make_program(make_module("a1"), make_module("a2", assignment=None)),
    slug="isp-level-1",
    level=1,
    title="Level 1",
)
L2 = replace(
    make_program(make_module("b1"), prerequisites=("isp-level-1",)),
    slug="isp-level-2",
)
DONE = (QUIZ_90, PASSED)


@pytest.mark.parametrize(
    "parts, expected",
    [
        (
            {},
            ScorePayload(
                0.0,
                "Initialized",
                "FullyGraded",
                "0% of the certificate (0 of 5 required parts passed). "
                "Level 1: 0 of 3 required parts passed; Level 2: 0 of 2 required parts passed.",
            ),
        ),
        (
            {"a1": DONE, "a2": (QUIZ_90,)},
            ScorePayload(
                60.0,
                "InProgress",
                "FullyGraded",
                "60% of the certificate (3 of 5 required parts passed). "
                "Level 1 complete; Level 2: 0 of 2 required parts passed.",
            ),
        ),
        (
            {"a1": DONE, "a2": (QUIZ_90,), "b1": (QUIZ_90, WAITING)},
            ScorePayload(
                None,
                "Submitted",
                "PendingManual",
                "80% of the certificate (4 of 5 required parts passed). "
                "Level 1 complete; Level 2: 1 of 2 required parts passed. "
                "Waiting for review: Module b1 assignment.",
            ),
        ),
        (
            {"a1": DONE, "a2": (QUIZ_90,), "b1": DONE},
            ScorePayload(
                100.0,
                "Completed",
                "FullyGraded",
                "100% of the certificate (5 of 5 required parts passed). "
                "Level 1 complete; Level 2 complete.",
            ),
        ),
        (  # Level 2's parts passed, Level 1 not complete: Level 2 is not complete either
            {"a1": (QUIZ_60, PASSED), "b1": DONE},
            ScorePayload(
                60.0,
                "InProgress",
                "FullyGraded",
                "60% of the certificate (3 of 5 required parts passed). "
                "Level 1: 1 of 3 required parts passed; Level 2: 2 of 2 required parts passed.",
            ),
        ),
    ],
    ids=["nothing", "level 1 complete", "waiting in level 2", "all", "prerequisite missing"],
)
def test_certificate_payload(parts, expected):
    assert certificate_payload((L1, L2), parts) == expected


def test_certificate_payload_rounds_the_share():
    payload = certificate_payload((L1,), {"a1": (QUIZ_90, NOT_SUBMITTED)})
    assert payload.score_given == 33.33
    assert payload.comment.startswith("33.33% of the certificate (1 of 3 required parts passed)")
