"""A rubric while it is being scored: the running total, the mean and the pass rule, in words.

The review page shows them as the instructor chooses levels (static/review.js says the same
sentences in the browser); the final outcome of a saved review is ``grading.rubric_outcome``.
A saved review is shown under the rule it was graded under (``Review.rule_min_level`` /
``rule_min_mean``), not the assignment's rule of today.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lms_plugin.domain.completion import format_percent
from lms_plugin.domain.content.model import Assignment
from lms_plugin.domain.grading import RUBRIC_LEVELS, PassRule


@dataclass(frozen=True)
class Tally:
    """The levels chosen so far: total, how many criteria are scored, which are below the rule."""

    total: int
    max_score: int
    scored: int
    criteria: int
    below: tuple[str, ...]  # titles of scored criteria under the pass level
    rule: PassRule

    @property
    def complete(self) -> bool:
        return self.scored == self.criteria

    @property
    def mean(self) -> float | None:
        """The mean of the levels chosen so far (None: none chosen)."""
        return self.total / self.scored if self.scored else None

    @property
    def mean_reached(self) -> bool:
        """Whether the total reaches the rule's mean over every criterion."""
        return self.rule.mean_reached(self.total, self.criteria)

    @property
    def meets_rule(self) -> bool:
        return self.complete and not self.below and self.mean_reached


def level_label(assignment: Assignment, score: int) -> str:
    """A level's name, e.g. "Developing"."""
    return next((lv.label for lv in assignment.levels if lv.score == score), f"level {score}")


def format_mean(value: float) -> str:
    """A mean for sentences: 3 -> "3.0", 2.75 -> "2.75", 2.666 -> "2.67"."""
    text = f"{round(value, 2):.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def pass_rule(assignment: Assignment, rule: PassRule | None = None) -> str:
    """The pass rule in a sentence (``rule``: the one a review was graded under)."""
    rule = rule or PassRule.of(assignment)
    level = rule.min_level
    sentence = f"To pass, every criterion needs {level_label(assignment, level)} ({level}) or above"
    if rule.min_mean is None:
        return sentence + "."
    return f"{sentence}, and the mean of the criteria {format_mean(rule.min_mean)} or above."


def tally(
    assignment: Assignment, chosen: Mapping[str, int | None], rule: PassRule | None = None
) -> Tally:
    """Total the levels chosen so far (criterion id -> level; None or an invalid level: not
    chosen yet) under ``rule`` (default: the assignment's own)."""
    rule = rule or PassRule.of(assignment)
    total, scored, below = 0, 0, []
    for criterion in assignment.criteria:
        level = chosen.get(criterion.id)
        if level not in RUBRIC_LEVELS:
            continue
        assert level is not None
        total, scored = total + level, scored + 1
        if level < rule.min_level:
            below.append(criterion.title)
    return Tally(
        total=total,
        max_score=RUBRIC_LEVELS[-1] * len(assignment.criteria),
        scored=scored,
        criteria=len(assignment.criteria),
        below=tuple(below),
        rule=rule,
    )


def total_sentence(result: Tally) -> str:
    """E.g. "Total 11 of 16 (68.75%), mean 3.67; 1 criterion still to score."."""
    percent = format_percent(100.0 * result.total / result.max_score if result.max_score else 0)
    sentence = f"Total {result.total} of {result.max_score} ({percent})"
    if result.mean is not None:
        sentence += f", mean {format_mean(result.mean)}"
    left = result.criteria - result.scored
    if left:
        sentence += f"; {left} {'criterion' if left == 1 else 'criteria'} still to score"
    return sentence + "."


def rule_sentence(result: Tally) -> str:
    """Where the chosen levels stand against the pass rule: the criteria below its level, and
    the mean (once every criterion is scored) or the total the mean still needs."""
    rule, parts = result.rule, []
    if result.below:
        parts.append("; ".join(result.below))
    if result.complete and not result.mean_reached and rule.min_mean is not None:
        mean = format_mean(result.mean or 0.0)
        parts.append(f"the mean {mean} is under {format_mean(rule.min_mean)}")
    if parts:
        return "Below the pass rule: " + "; ".join(parts) + "."
    if result.complete:
        return "Meets the pass rule."
    needed = rule.total_needed(result.criteria)
    if needed is None:
        return "No criterion below the pass rule so far."
    return (
        f"No criterion below the pass rule so far; a mean of {format_mean(rule.min_mean or 0)}"
        f" needs a total of {needed} or more."
    )
