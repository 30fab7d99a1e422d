"""The review page's running total and pass rule, as the instructor chooses levels."""

from __future__ import annotations

import pytest

from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.rubric import format_mean, pass_rule, rule_sentence, tally, total_sentence
from lms_plugin.domain.rubric_outcome import PassRule, rubric_outcome
from tests.support.french import in_french
from tests.unit.domain.test_grading import make_assignment


def test_the_pass_rule_names_the_level():
    assert pass_rule(make_assignment(min_level=3)) == (
        "To pass, every criterion needs Proficient (3) or above."
    )


def test_the_pass_rule_names_the_mean():
    assert pass_rule(make_assignment(min_mean=3.0)) == (
        "To pass, every criterion needs Developing (2) or above, and the mean of the criteria"
        " 3.0 or above."
    )


def test_a_review_shows_the_rule_it_was_graded_under():
    assignment = make_assignment(min_mean=3.0)
    assert pass_rule(assignment, PassRule(2, None)) == (
        "To pass, every criterion needs Developing (2) or above."
    )
    assert tally(assignment, {"c1": 2, "c2": 2, "c3": 2}, PassRule(2, None)).meets_rule
    assert not tally(assignment, {"c1": 2, "c2": 2, "c3": 2}).meets_rule


@pytest.mark.parametrize(
    "chosen, total, rule",
    [
        ({}, "Total 0 of 12 (0%); 3 criteria still to score.", "No criterion below"),
        ({"c1": 3}, "Total 3 of 12 (25%), mean 3.0; 2 criteria still to", "No criterion below"),
        ({"c1": 3, "c2": 4, "c3": 2}, "Total 9 of 12 (75%), mean 3.0.", "Meets the pass rule."),
        ({"c1": 1, "c2": 4}, "Total 5 of 12 (41.67%), mean 2.5; 1 criterion still", "Below"),
        (
            {"c1": 1, "c2": 1, "c3": 4},
            "Total 6 of 12 (50%), mean 2.0.",
            "Below the pass rule: C1; C2.",
        ),
        # What is not a level (a tampered form) is not counted as chosen.
        ({"c1": 5, "c2": 0, "c3": None}, "Total 0 of 12 (0%); 3 criteria", "No criterion below"),
    ],
)
def test_tally_sentences(chosen, total, rule):
    result = tally(make_assignment(), chosen)
    assert total_sentence(result).startswith(total)
    assert rule_sentence(result).startswith(rule)


@pytest.mark.parametrize(
    "chosen, rule",
    [
        ({}, "No criterion below the pass rule so far; a mean of 3.0 needs a total of 12 or more."),
        (
            {"c1": 2, "c2": 3},
            "No criterion below the pass rule so far; a mean of 3.0 needs a total",
        ),
        ({"c1": 2, "c2": 3, "c3": 3, "c4": 4}, "Meets the pass rule."),
        ({"c1": 2, "c2": 3, "c3": 3, "c4": 3}, "Below the pass rule: the mean 2.75 is under 3.0."),
        (
            {"c1": 1, "c2": 3, "c3": 3, "c4": 3},
            "Below the pass rule: C1; the mean 2.5 is under 3.0.",
        ),
        ({"c1": 1, "c2": 4, "c3": 4, "c4": 4}, "Below the pass rule: C1."),
    ],
)
def test_rule_sentence_with_the_mean(chosen, rule):
    result = tally(make_assignment(criteria=4, min_mean=3.0), chosen)
    assert rule_sentence(result).startswith(rule)


@pytest.mark.parametrize(
    "value, text", [(3, "3.0"), (3.0, "3.0"), (2.75, "2.75"), (8 / 3, "2.67"), (2.5, "2.5")]
)
def test_format_mean(value, text):
    assert format_mean(value) == text


def test_meets_the_rule_only_when_every_criterion_is_scored():
    assignment = make_assignment()
    assert not tally(assignment, {"c1": 4, "c2": 4}).meets_rule
    assert tally(assignment, {"c1": 2, "c2": 2, "c3": 2}).meets_rule
    assert not tally(assignment, {"c1": 1, "c2": 2, "c3": 2}).meets_rule


def test_a_level_out_of_range_is_refused_in_the_readers_language():
    assignment = make_assignment()
    first = assignment.criteria[0]
    scores = {c.id: 3 for c in assignment.criteria} | {first.id: 5}

    with pytest.raises(InvalidInputError, match=f"^“{first.title}” needs a level from 1 to 4"):
        rubric_outcome(assignment, scores)
    with (
        in_french(),
        pytest.raises(
            InvalidInputError, match=f"^Le critère «\u00a0{first.title}\u00a0» demande un"
        ),
    ):
        rubric_outcome(assignment, scores)
