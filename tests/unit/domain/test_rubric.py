"""The review page's running total and pass rule, as the instructor chooses levels."""

from __future__ import annotations

import pytest

from lms_plugin.domain.rubric import pass_rule, rule_sentence, tally, total_sentence
from tests.unit.domain.test_grading import make_assignment


def test_the_pass_rule_names_the_level():
    assert pass_rule(make_assignment(min_level=3)) == (
        "To pass, every criterion needs Proficient (3) or above."
    )


@pytest.mark.parametrize(
    "chosen, total, rule",
    [
        ({}, "Total 0 of 12 (0%); 3 criteria still to score.", "No criterion below"),
        ({"c1": 3}, "Total 3 of 12 (25%); 2 criteria still to score.", "No criterion below"),
        ({"c1": 3, "c2": 4, "c3": 2}, "Total 9 of 12 (75%).", "Meets the pass rule."),
        ({"c1": 1, "c2": 4}, "Total 5 of 12 (41.67%); 1 criterion still to score.", "Below"),
        ({"c1": 1, "c2": 1, "c3": 4}, "Total 6 of 12 (50%).", "Below the pass rule: C1; C2."),
        # What is not a level (a tampered form) is not counted as chosen.
        ({"c1": 5, "c2": 0, "c3": None}, "Total 0 of 12 (0%); 3 criteria", "No criterion below"),
    ],
)
def test_tally_sentences(chosen, total, rule):
    result = tally(make_assignment(), chosen)
    assert total_sentence(result).startswith(total)
    assert rule_sentence(result).startswith(rule)


def test_meets_the_rule_only_when_every_criterion_is_scored():
    assignment = make_assignment()
    assert not tally(assignment, {"c1": 4, "c2": 4}).meets_rule
    assert tally(assignment, {"c1": 2, "c2": 2, "c3": 2}).meets_rule
    assert not tally(assignment, {"c1": 1, "c2": 2, "c3": 2}).meets_rule
