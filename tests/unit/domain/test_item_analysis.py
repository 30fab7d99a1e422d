"""Question statistics (classical item analysis) over graded attempts."""

from __future__ import annotations

import pytest

from lms_plugin.domain.item_analysis import (
    MIN_ATTEMPTS,
    GradedAttempt,
    ItemStats,
    correlation,
    item_stats,
)


def _attempt(scores: dict[str, float], answers: dict[str, str] | None = None) -> GradedAttempt:
    """An attempt whose items each scored ``scores[id]`` of one point."""
    results = [
        {"item_id": i, "points_awarded": s, "points_possible": 1.0, "correct": s == 1.0}
        for i, s in scores.items()
    ]
    return GradedAttempt(results, answers or {})


def test_counts_mean_score_and_discrimination():
    # q1 follows the rest of the quiz (strong learners get it), q2 goes against it, q3 always
    attempts = []
    for n in range(12):
        strong = n % 2 == 0
        rest = {f"r{k}": 1.0 if strong else 0.0 for k in range(4)}
        attempts.append(
            _attempt(
                {"q1": 1.0 if strong else 0.0, "q2": 0.0 if strong else 1.0, "q3": 1.0, **rest}
            )
        )
    q1, q2, q3, absent = item_stats(attempts, ["q1", "q2", "q3", "q9"], {})
    assert (q1.drawn, q1.right, q1.mean_score) == (12, 6, 0.5)
    assert q1.discrimination == pytest.approx(1.0) and q1.advice is None
    assert q2.discrimination == pytest.approx(-1.0) and q2.advice == "negative"
    assert q3.mean_score == 1.0 and q3.discrimination is None and q3.advice == "easy"
    assert (absent.drawn, absent.mean_score, absent.discrimination, absent.advice) == (
        0,
        None,
        None,
        None,
    )


def test_partial_credit_counts_in_the_mean_not_as_right():
    stats = item_stats([_attempt({"q1": 0.5}), _attempt({"q1": 1.0})], ["q1"], {})[0]
    assert (stats.drawn, stats.right, stats.mean_score) == (2, 1, 0.75)


def test_an_attempt_counts_only_for_the_questions_it_counts_for():
    old = GradedAttempt(_attempt({"q1": 0.0, "q2": 1.0}).results, {}, frozenset({"q2"}))
    new = _attempt({"q1": 1.0, "q2": 0.0})
    q1, q2 = item_stats([old, new], ["q1", "q2"], {"q1": "b"})
    assert (q1.drawn, q1.right, q1.mean_score) == (1, 1, 1.0)  # the old answer to q1 left out
    assert (q2.drawn, q2.right, q2.mean_score) == (2, 1, 0.5)


def test_no_discrimination_and_no_advice_below_the_minimum_of_attempts():
    few = [_attempt({"q1": float(n % 2), "r": float(n % 2)}) for n in range(MIN_ATTEMPTS - 1)]
    stats = item_stats(few, ["q1"], {})[0]
    assert stats.drawn == MIN_ATTEMPTS - 1 and stats.discrimination is None
    assert stats.advice is None
    enough = item_stats([*few, _attempt({"q1": 1.0, "r": 1.0})], ["q1"], {})[0]
    assert enough.discrimination == pytest.approx(1.0)


@pytest.mark.parametrize(
    "mean, discrimination, advice",
    [
        (0.96, 0.5, "easy"),
        (0.25, 0.5, "hard"),
        (0.6, 0.1, "weak"),
        (0.6, -0.1, "negative"),
        (0.96, -0.2, "negative"),
        (0.6, 0.35, None),
        (0.6, None, None),
    ],
)
def test_advice(mean, discrimination, advice):
    assert ItemStats("q", MIN_ATTEMPTS, 5, mean, discrimination).advice == advice


def test_wrong_single_choice_answers_most_chosen_first_key_and_blanks_left_out():
    answers = ["b", "c", "c", "a", None, "c"]  # the key is a
    attempts = [
        _attempt({"q1": 1.0 if a == "a" else 0.0}, {} if a is None else {"q1": a}) for a in answers
    ]
    stats = item_stats(attempts, ["q1"], {"q1": "a"})[0]
    assert stats.wrong_answers == (("c", 3), ("b", 1))


def test_correlation():
    assert correlation([(0, 0), (1, 1), (2, 2)]) == pytest.approx(1.0)
    assert correlation([(1, 0), (1, 1)]) is None  # no spread
    assert correlation([(1, 1)]) is None
