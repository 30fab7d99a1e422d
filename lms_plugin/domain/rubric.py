"""A rubric while it is being scored: the running total, the mean and the pass rule, in words.

The review page shows them as the instructor chooses levels (static/review.js says the same
sentences in the browser, from the page's translations of :data:`TOTALS` and :data:`RULES`, see
web/js_text.py); the final outcome of a saved review is ``rubric_outcome.rubric_outcome``.
A saved review is shown under the rule it was graded under (``Review.rule_min_level`` /
``rule_min_mean``), not the assignment's rule of today.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lms_plugin.domain.content.model import Assignment
from lms_plugin.domain.i18n import N_, Nn_, _, decimal, ngettext, percent
from lms_plugin.domain.rubric_outcome import RUBRIC_LEVELS, PassRule

# The running total's sentences, by whether a mean is known yet, and (TOTALS_LEFT: singular,
# plural) by how many criteria are left. Whole sentences, so a translation can order them.
TOTALS = {
    "plain": N_("Total %(total)s of %(max)s (%(percent)s)."),
    "mean": N_("Total %(total)s of %(max)s (%(percent)s), mean %(mean)s."),
}
TOTALS_LEFT = {
    "plain": Nn_(
        "Total %(total)s of %(max)s (%(percent)s); %(num)d criterion still to score.",
        "Total %(total)s of %(max)s (%(percent)s); %(num)d criteria still to score.",
    ),
    "mean": Nn_(
        "Total %(total)s of %(max)s (%(percent)s), mean %(mean)s; %(num)d criterion still to"
        " score.",
        "Total %(total)s of %(max)s (%(percent)s), mean %(mean)s; %(num)d criteria still to score.",
    ),
}
RULES = {
    "below": N_("Below the pass rule: %(reasons)s."),
    "mean_under": N_("the mean %(mean)s is under %(min)s"),
    "meets": N_("Meets the pass rule."),
    "none_below": N_("No criterion below the pass rule so far."),
    "needs": N_(
        "No criterion below the pass rule so far; a mean of %(min)s needs a total of"
        " %(needed)s or more."
    ),
}


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
    found = next((lv.label for lv in assignment.levels if lv.score == score), None)
    return found if found is not None else _("level %(n)s", n=score)


def format_mean(value: float) -> str:
    """A mean for sentences, in the reader's language: 3 -> "3.0", 2.75 -> "2.75", 2.666 ->
    "2.67" ("3,0" in French)."""
    return decimal(value, "0.0#")


def pass_rule(assignment: Assignment, rule: PassRule | None = None) -> str:
    """The pass rule in a sentence (``rule``: the one a review was graded under)."""
    rule = rule or PassRule.of(assignment)
    level, label = rule.min_level, level_label(assignment, rule.min_level)
    if rule.min_mean is None:
        return _(
            "To pass, every criterion needs %(label)s (%(level)s) or above.",
            label=label,
            level=level,
        )
    return _(
        "To pass, every criterion needs %(label)s (%(level)s) or above, and the mean of the"
        " criteria %(mean)s or above.",
        label=label,
        level=level,
        mean=format_mean(rule.min_mean),
    )


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
    share = percent(100.0 * result.total / result.max_score if result.max_score else 0)
    values: dict[str, object] = {"total": result.total, "max": result.max_score, "percent": share}
    kind = "plain"
    if result.mean is not None:
        kind, values["mean"] = "mean", format_mean(result.mean)
    left = result.criteria - result.scored
    if left:
        one, many = TOTALS_LEFT[kind]
        return ngettext(one, many, left, **values)
    return _(TOTALS[kind], **values)


def rule_sentence(result: Tally) -> str:
    """Where the chosen levels stand against the pass rule: the criteria below its level, and
    the mean (once every criterion is scored) or the total the mean still needs."""
    rule, parts = result.rule, []
    if result.below:
        parts.append("; ".join(result.below))
    if result.complete and not result.mean_reached and rule.min_mean is not None:
        mean, least = format_mean(result.mean or 0.0), format_mean(rule.min_mean)
        parts.append(_(RULES["mean_under"], mean=mean, min=least))
    if parts:
        return _(RULES["below"], reasons="; ".join(parts))
    if result.complete:
        return _(RULES["meets"])
    needed = rule.total_needed(result.criteria)
    if needed is None:
        return _(RULES["none_below"])
    return _(RULES["needs"], min=format_mean(rule.min_mean or 0), needed=needed)
