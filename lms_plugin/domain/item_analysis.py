"""Question statistics of a module's quiz over a course's graded attempts (classical item
analysis, as Moodle's quiz statistics report gives it): how often each question was drawn, how
well it was answered, how well it tells learners who do well on the rest of the quiz from those
who do not, and the wrong answer chosen most often. Plain functions over what grading stored.

- **Mean score**: the mean share of the question's points awarded (its facility).
- **Discrimination**: the correlation, over the attempts that drew the question, between its
  score and the score on the rest of the attempt (the corrected item-total correlation). Near
  0 or below, the question does not measure what the rest of the quiz does: a wrong key, an
  ambiguous wording, or a point no lesson teaches.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lms_plugin.domain.i18n import N_

MIN_ATTEMPTS = 10  # fewer attempts drawing a question: no discrimination, no advice
EASY = 0.95  # mean score at or above: it tells learners apart little
HARD = 0.30  # mean score at or below
LOW_DISCRIMINATION = 0.20

# What each ``ItemStats.advice`` says (translated on the page, English in the CSV).
ADVICE = {
    "negative": N_(
        "Learners who do well on the rest of the quiz miss it more often than the others: "
        "check its key and its wording."
    ),
    "easy": N_("Almost everyone answers it right: it tells learners apart little."),
    "hard": N_(
        "Most learners miss it: check its key and its wording, and whether a lesson teaches it."
    ),
    "weak": N_("It tells learners apart only a little: check its wording."),
}


@dataclass(frozen=True)
class GradedAttempt:
    """What one graded attempt says of its questions: grading's results, and the answers."""

    results: Sequence[Mapping[str, Any]]  # item_id, points_awarded, points_possible, correct
    answers: Mapping[str, Any]
    # The questions this attempt's figures count for (None: all it drew). An attempt on an
    # earlier version of the module counts only for the questions unchanged since; the others
    # still make up the rest of its score.
    counts_for: frozenset[str] | None = None


@dataclass(frozen=True)
class ItemStats:
    item_id: str
    drawn: int  # graded attempts that drew it
    right: int  # of them, answered wholly right
    mean_score: float | None  # 0-1; None: never drawn
    discrimination: float | None  # -1 to 1; None: too few attempts, or no spread to correlate
    wrong_answers: tuple[tuple[str, int], ...] = ()  # single choice: (option id, times), most first

    @property
    def advice(self) -> str | None:
        """What the figures suggest, once enough attempts drew the question."""
        if self.drawn < MIN_ATTEMPTS or self.mean_score is None:
            return None
        if self.discrimination is not None and self.discrimination < 0:
            return "negative"
        if self.mean_score >= EASY:
            return "easy"
        if self.mean_score <= HARD:
            return "hard"
        if self.discrimination is not None and self.discrimination < LOW_DISCRIMINATION:
            return "weak"
        return None


def item_stats(
    attempts: Iterable[GradedAttempt], item_ids: Sequence[str], single_choice: Mapping[str, str]
) -> list[ItemStats]:
    """The statistics of each of ``item_ids`` over ``attempts``; ``single_choice`` maps each
    single-choice item to its key (for the wrong answers chosen)."""
    pairs: dict[str, list[tuple[float, float]]] = {i: [] for i in item_ids}
    right: Counter[str] = Counter()
    wrong: dict[str, Counter[str]] = {i: Counter() for i in single_choice}
    for attempt in attempts:
        scored = [_scored(r) for r in attempt.results]
        total = sum(awarded for _, awarded, _ in scored)
        possible = sum(points for _, _, points in scored)
        for item_id, awarded, points in scored:
            if item_id not in pairs or points <= 0:
                continue
            if attempt.counts_for is not None and item_id not in attempt.counts_for:
                continue
            rest = possible - points
            pairs[item_id].append((awarded / points, (total - awarded) / rest if rest else 0.0))
            right[item_id] += awarded >= points
            chosen = attempt.answers.get(item_id)
            if item_id in wrong and chosen is not None and str(chosen) != single_choice[item_id]:
                wrong[item_id][str(chosen)] += 1
    return [
        ItemStats(
            item_id=i,
            drawn=len(pairs[i]),
            right=right[i],
            mean_score=sum(s for s, _ in pairs[i]) / len(pairs[i]) if pairs[i] else None,
            discrimination=correlation(pairs[i]) if len(pairs[i]) >= MIN_ATTEMPTS else None,
            wrong_answers=tuple(wrong[i].most_common()) if i in wrong else (),
        )
        for i in item_ids
    ]


def _scored(result: Mapping[str, Any]) -> tuple[str, float, float]:
    return (
        str(result.get("item_id")),
        float(result.get("points_awarded") or 0.0),
        float(result.get("points_possible") or 0.0),
    )


def correlation(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Pearson's r of the pairs; None where there are fewer than two or either side does not
    vary."""
    if len(pairs) < 2:
        return None
    try:
        return statistics.correlation([x for x, _ in pairs], [y for _, y in pairs])
    except statistics.StatisticsError:  # a constant side
        return None
