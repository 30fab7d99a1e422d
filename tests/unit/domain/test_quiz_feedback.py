"""Feedback on a graded attempt: the learner's answer and the key in words, the verdict, and the
key only when the module's settings allow it."""

from __future__ import annotations

import pytest

from lms_plugin.domain.grading import grade_item
from lms_plugin.domain.quiz_feedback import answer_lines, attempt_feedback, key_lines
from tests.support.items import make_item


@pytest.mark.parametrize(
    "item_type, response, lines",
    [
        ("single_choice", "c", ("text c",)),
        ("multi_select", ["d", "a"], ("text a", "text d")),  # in the order the key lists them
        ("ordering", ["p", "e", "i", "s"], ("1. text p", "2. text e", "3. text i", "4. text s")),
        ("matching", {"l1": "r3", "l2": "r2"}, ("text l1 → text r3", "text l2 → text r2")),
        ("numeric", "74.8", ("74.8 %",)),
        ("short_text", "Opportunity", ("Opportunity",)),
        ("short_text", "   ", ()),
        ("single_choice", None, ()),
    ],
)
def test_the_learners_answer_in_words(item_type, response, lines):
    assert answer_lines(make_item(item_type), response) == lines


@pytest.mark.parametrize(
    "item_type, lines",
    [
        ("single_choice", ("text b",)),
        ("multi_select", ("text a", "text c")),
        ("ordering", ("1. text e", "2. text p", "3. text i", "4. text s")),
        ("matching", ("text l1 → text r1", "text l2 → text r2")),
        ("numeric", ("75 % (within ±0.5)",)),
        ("short_text", ("opportunity (also accepted: opportunities, physical opportunity)",)),
    ],
)
def test_the_key_in_words(item_type, lines):
    assert key_lines(make_item(item_type)) == lines


def _results(items, answers):
    return [
        {
            "item_id": r.item_id,
            "points_awarded": r.points_awarded,
            "points_possible": r.points_possible,
            "correct": r.correct,
        }
        for r in (grade_item(item, answers.get(item.id)) for item in items)
    ]


@pytest.mark.parametrize("reveal", [True, False])
def test_attempt_feedback_verdicts_and_the_key_only_when_revealed(reveal):
    items = [
        make_item("single_choice", id="q1"),
        make_item("multi_select", id="q2"),
        make_item("single_choice", id="q3"),
        make_item("numeric", id="q4"),
    ]
    answers = {"q1": "b", "q2": ["a"], "q3": "a"}  # right, half right, wrong, blank
    feedback = attempt_feedback(items, answers, _results(items, answers), reveal=reveal)

    assert [f.number for f in feedback] == [1, 2, 3, 4]
    assert [f.verdict for f in feedback] == ["correct", "partly", "incorrect", "unanswered"]
    assert [f.points_awarded for f in feedback] == [1.0, 0.5, 0.0, 0.0]
    assert feedback[2].your_answer == ("text a",) and feedback[3].your_answer == ()
    assert feedback[0].explanation == "why single_choice"
    if reveal:
        assert feedback[2].correct_answer == ("text b",)
        assert [f.explanation for f in feedback[1:]] == [
            "why multi_select",
            "why single_choice",
            "why numeric",
        ]
    else:
        assert all(f.correct_answer is None for f in feedback)
        # an explanation says why the key is right: only a right answer's, while keys are hidden
        assert [f.explanation for f in feedback[1:]] == [None, None, None]


def test_feedback_says_what_each_item_checks_in_the_module_objectives_words():
    items = [
        make_item("single_choice", id="q1", objectives=("o2", "o1")),
        make_item("numeric", id="q2", objectives=("o3",)),
    ]
    objectives = {"o1": "Define the role.", "o2": "Name the domains."}
    feedback = attempt_feedback(items, {}, [], reveal=False, objectives=objectives)
    assert [f.checks for f in feedback] == [("Name the domains.", "Define the role."), ()]
    assert attempt_feedback(items, {}, [], reveal=False)[0].checks == ()
