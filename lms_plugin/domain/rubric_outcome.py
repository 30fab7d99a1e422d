"""A scored rubric's outcome: every criterion at a level from 1 to 4, the pass rule it is graded
under (each criterion at its minimum level and, since issue 15, the mean at its minimum), the
total, the percent and the mean. ``domain.rubric`` says it in words while it is being scored."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lms_plugin.domain.content.model import Assignment
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.i18n import _, quoted

RUBRIC_LEVELS = (1, 2, 3, 4)
_EPSILON = 1e-9


@dataclass(frozen=True)
class PassRule:
    """When a rubric passes: every criterion at ``min_level`` or above and, unless
    ``min_mean`` is None (reviews from before issue 15), the mean of the levels at least
    ``min_mean`` (CURRICULUM.md B0: every criterion >= 2 and mean >= 3.0)."""

    min_level: int
    min_mean: float | None = None

    @classmethod
    def of(cls, assignment: Assignment) -> PassRule:
        """The rule an assignment's content sets today."""
        return cls(assignment.min_criterion_level, assignment.min_mean)

    def mean_reached(self, total: int, criteria: int) -> bool:
        """Whether ``total`` over ``criteria`` levels reaches the mean (exact: no float mean)."""
        if self.min_mean is None:
            return True
        return criteria > 0 and total >= self.min_mean * criteria - _EPSILON

    def total_needed(self, criteria: int) -> int | None:
        """The smallest total of ``criteria`` levels that reaches the mean (None: no mean)."""
        if self.min_mean is None:
            return None
        return math.ceil(self.min_mean * criteria - _EPSILON)


@dataclass(frozen=True)
class RubricOutcome:
    """A graded rubric; ``levels`` are (criterion id, level) in rubric order."""

    total: int
    max_score: int
    percent: float
    passed: bool
    levels: tuple[tuple[str, int], ...]
    below_min: tuple[str, ...]
    mean: float = 0.0
    mean_reached: bool = True


def rubric_outcome(
    assignment: Assignment, scores: Mapping[str, int], rule: PassRule | None = None
) -> RubricOutcome:
    """Total and pass/fail of a rubric: every criterion scored 1..4, each >= the minimum level
    and their mean >= the minimum mean, under ``rule`` (default: the assignment's own)."""
    rule = rule or PassRule.of(assignment)
    ids = [criterion.id for criterion in assignment.criteria]
    unknown = sorted(str(key) for key in scores if key not in ids)
    if unknown:
        raise InvalidInputError(
            _("Unknown rubric criteria: %(ids)s.", ids=", ".join(unknown)),
            code="invalid_rubric_scores",
        )
    missing = [cid for cid in ids if cid not in scores]
    if missing:
        raise InvalidInputError(
            _(
                "Score every criterion; not scored: %(names)s.",
                names=criterion_names(assignment, missing),
            ),
            code="invalid_rubric_scores",
        )
    for cid in ids:
        level = scores[cid]
        if isinstance(level, bool) or not isinstance(level, int) or level not in RUBRIC_LEVELS:
            raise InvalidInputError(
                _("%(name)s needs a level from 1 to 4.", name=criterion_names(assignment, [cid])),
                code="invalid_rubric_scores",
            )
    levels = tuple((cid, scores[cid]) for cid in ids)
    total = sum(level for _, level in levels)
    max_score = RUBRIC_LEVELS[-1] * len(levels)
    below = tuple(cid for cid, level in levels if level < rule.min_level)
    mean_reached = rule.mean_reached(total, len(levels))
    return RubricOutcome(
        total=total,
        max_score=max_score,
        percent=round(100.0 * total / max_score, 2) if max_score else 0.0,
        passed=bool(levels) and not below and mean_reached,
        levels=levels,
        below_min=below,
        mean=round(total / len(levels), 2) if levels else 0.0,
        mean_reached=mean_reached,
    )


def criterion_names(assignment: Assignment, ids: Sequence[str]) -> str:
    """The criteria ``ids`` name, as their reviewers read them: each title in quotes."""
    titles = {criterion.id: criterion.title for criterion in assignment.criteria}
    return quoted(titles.get(cid, cid) for cid in ids)
