"""A rubric while it is being scored: the running total and the pass rule, in words.

The review page shows them as the instructor chooses levels (static/review.js says the same
sentences in the browser); the final outcome of a saved review is ``grading.rubric_outcome``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lms_plugin.domain.completion import format_percent
from lms_plugin.domain.content.model import Assignment
from lms_plugin.domain.grading import RUBRIC_LEVELS


@dataclass(frozen=True)
class Tally:
    """The levels chosen so far: total, how many criteria are scored, which are below the rule."""

    total: int
    max_score: int
    scored: int
    criteria: int
    below: tuple[str, ...]  # titles of scored criteria under the pass level

    @property
    def complete(self) -> bool:
        return self.scored == self.criteria

    @property
    def meets_rule(self) -> bool:
        return self.complete and not self.below


def level_label(assignment: Assignment, score: int) -> str:
    """A level's name, e.g. "Developing"."""
    return next((lv.label for lv in assignment.levels if lv.score == score), f"level {score}")


def pass_rule(assignment: Assignment) -> str:
    """The pass rule in a sentence."""
    level = assignment.min_criterion_level
    return f"To pass, every criterion needs {level_label(assignment, level)} ({level}) or above."


def tally(assignment: Assignment, chosen: Mapping[str, int | None]) -> Tally:
    """Total the levels chosen so far (criterion id -> level; None or an invalid level: not
    chosen yet)."""
    total, scored, below = 0, 0, []
    for criterion in assignment.criteria:
        level = chosen.get(criterion.id)
        if level not in RUBRIC_LEVELS:
            continue
        assert level is not None
        total, scored = total + level, scored + 1
        if level < assignment.min_criterion_level:
            below.append(criterion.title)
    return Tally(
        total=total,
        max_score=RUBRIC_LEVELS[-1] * len(assignment.criteria),
        scored=scored,
        criteria=len(assignment.criteria),
        below=tuple(below),
    )


def total_sentence(result: Tally) -> str:
    """E.g. "Total 11 of 16 (68.75%); 1 criterion still to score."."""
    percent = format_percent(100.0 * result.total / result.max_score if result.max_score else 0)
    sentence = f"Total {result.total} of {result.max_score} ({percent})"
    left = result.criteria - result.scored
    if left:
        sentence += f"; {left} {'criterion' if left == 1 else 'criteria'} still to score"
    return sentence + "."


def rule_sentence(result: Tally) -> str:
    """Where the chosen levels stand against the pass rule."""
    if result.below:
        return "Below the pass rule: " + "; ".join(result.below) + "."
    if result.complete:
        return "Meets the pass rule."
    return "No criterion below the pass rule so far."
