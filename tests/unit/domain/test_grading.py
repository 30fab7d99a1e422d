from __future__ import annotations

import pytest

from lms_plugin.domain.content.model import (
    Assignment,
    Criterion,
    Item,
    QuizRules,
    RubricLevel,
)
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.grading import (
    InvalidAnswerError,
    best_attempt,
    grade_item,
    grade_quiz,
    multi_select_fraction,
)
from lms_plugin.domain.quiz_draw import draw_items, shuffled_options
from lms_plugin.domain.rubric_outcome import PassRule, rubric_outcome
from tests.support.items import make_item, make_options


def make_assignment(
    criteria: int = 3, min_level: int = 2, min_mean: float | None = None
) -> Assignment:
    labels = ("Beginning", "Developing", "Proficient", "Exemplary")
    return Assignment(
        id="A1",
        slug="l1-a1",
        kind="assignment",
        title="Memo",
        prompt="Write.",
        word_limit=800,
        max_resubmissions=2,
        min_criterion_level=min_level,
        levels=tuple(RubricLevel(score=n, label=label) for n, label in enumerate(labels, 1)),
        criteria=tuple(
            Criterion(id=f"c{n}", title=f"C{n}", competencies=("OI-1",), descriptors=())
            for n in range(1, criteria + 1)
        ),
        min_mean=min_mean,
    )


RIGHT, WRONG = 1.0, 0.0

# (item type, item overrides, response, fraction of the points expected)
GRADED = [
    # single_choice: all-or-nothing
    ("single_choice", {}, "b", RIGHT),
    ("single_choice", {}, "a", WRONG),
    # multi_select: max(0, right / keys - wrong / distractors); here 2 keys (a, c), 2 distractors
    ("multi_select", {}, ["a", "c"], RIGHT),
    ("multi_select", {}, ("c", "a"), RIGHT),
    ("multi_select", {}, ["a"], 0.5),
    ("multi_select", {}, ["a", "c", "b"], 0.5),
    ("multi_select", {}, ["a", "b"], WRONG),
    ("multi_select", {}, ["b", "d"], WRONG),  # floored at 0, not -1
    ("multi_select", {}, ["a", "b", "c", "d"], WRONG),
    ("multi_select", {}, [], WRONG),
    # ordering: fraction of entries in their key position
    ("ordering", {}, ["e", "p", "i", "s"], RIGHT),
    ("ordering", {}, ["e", "p", "s", "i"], 0.5),
    ("ordering", {}, ["p", "e", "i", "s"], 0.5),
    ("ordering", {}, ["s", "i", "p", "e"], WRONG),
    # matching: fraction of left ids matched right
    ("matching", {}, {"l1": "r1", "l2": "r2"}, RIGHT),
    ("matching", {}, {"l1": "r1", "l2": "r3"}, 0.5),
    ("matching", {}, {"l1": "r2", "l2": "r1"}, WRONG),
    ("matching", {}, {"l1": "r1", "l2": "r1"}, 0.5),  # an option may be reused by the learner
    # numeric: |given - answer| <= tolerance, several input spellings
    ("numeric", {}, 75, RIGHT),
    ("numeric", {}, 75.5, RIGHT),
    ("numeric", {}, 74.5, RIGHT),
    ("numeric", {}, 75.51, WRONG),
    ("numeric", {}, "75", RIGHT),
    ("numeric", {}, "75.0", RIGHT),
    ("numeric", {}, " 75 ", RIGHT),
    ("numeric", {}, "75%", RIGHT),
    ("numeric", {}, "75 %", RIGHT),
    ("numeric", {}, "+75.", RIGHT),
    ("numeric", {}, "75,2", RIGHT),
    ("numeric", {}, "-75", WRONG),
    ("numeric", {"number": 0.5, "tolerance": 0.0, "unit": None}, "0,5", RIGHT),
    ("numeric", {"number": 0.5, "tolerance": 0.0, "unit": None}, ",5", RIGHT),
    ("numeric", {"number": 0.3, "tolerance": 0.0, "unit": None}, 0.1 + 0.2, RIGHT),  # epsilon
    ("numeric", {"number": 0.3, "tolerance": 0.0, "unit": None}, 0.3001, WRONG),
    ("numeric", {"number": 12.0, "tolerance": 0.0, "unit": "minutes"}, "12 Minutes", RIGHT),
    ("numeric", {"number": 12.0, "tolerance": 0.0, "unit": "minutes"}, "12\t\n MINUTES", RIGHT),
    (
        "numeric",
        {"number": 5.0, "tolerance": 0.0, "unit": "percentage points"},
        "5 Percentage Points",
        RIGHT,
    ),
    ("numeric", {}, "0" * 62 + "75", RIGHT),  # exactly at the 64-character cap
    ("numeric", {}, "\u0667\u0665", RIGHT),  # Arabic-Indic digits, as float() reads them
    ("numeric", {}, "-.5", WRONG),
    # short_text: trimmed, case-folded, spaces collapsed, trailing . , ; : stripped
    ("short_text", {}, "opportunity", RIGHT),
    ("short_text", {}, "  Opportunity. ", RIGHT),
    ("short_text", {}, "OPPORTUNITIES;", RIGHT),
    ("short_text", {}, "physical \t  opportunity:", RIGHT),
    ("short_text", {}, "opportunity,.", RIGHT),
    ("short_text", {}, "capability", WRONG),
    ("short_text", {}, "opport-unity", WRONG),  # inner punctuation still counts
    ("short_text", {}, "...", WRONG),
    ("short_text", {"text_answer": "Re-AIM.", "accept": ()}, "re-aim", RIGHT),
    ("short_text", {}, "physical\u00a0\u2003opportunity", RIGHT),  # Unicode spaces collapse too
]


@pytest.mark.parametrize("item_type, overrides, response, fraction", GRADED)
def test_grade_item(item_type, overrides, response, fraction):
    item = make_item(item_type, points=2.0, **overrides)
    result = grade_item(item, response)
    assert result.item_id == item.id
    assert result.points_possible == 2.0
    assert result.points_awarded == pytest.approx(2.0 * fraction)
    assert result.correct is (fraction == RIGHT)
    assert result.feedback == f"why {item_type}"


# (item type, item overrides, malformed response)
MALFORMED = [
    ("single_choice", {}, "z"),
    ("single_choice", {}, 1),
    ("single_choice", {}, ["b"]),
    ("multi_select", {}, "a"),
    ("multi_select", {}, "ac"),
    ("multi_select", {}, ["a", "a"]),
    ("multi_select", {}, ["a", "z"]),
    ("multi_select", {}, [1]),
    ("multi_select", {}, {"a": True}),
    ("ordering", {}, ["e", "p", "i"]),
    ("ordering", {}, ["e", "p", "i", "i"]),
    ("ordering", {}, ["e", "p", "i", "s", "x"]),
    ("ordering", {}, "epis"),
    ("ordering", {}, []),
    ("matching", {}, {"l1": "r1"}),
    ("matching", {}, {"l1": "r1", "l2": "r2", "l3": "r3"}),
    ("matching", {}, {"l1": "r1", "l2": "r9"}),
    ("matching", {}, {"l1": "r1", "l2": 2}),
    ("matching", {}, [("l1", "r1"), ("l2", "r2")]),
    ("numeric", {}, "abc"),
    ("numeric", {}, "75%%"),
    ("numeric", {}, "%"),
    ("numeric", {}, "1,000.5"),
    ("numeric", {}, "1e2"),
    ("numeric", {}, "nan"),
    ("numeric", {}, "inf"),
    ("numeric", {}, "7_5"),
    ("numeric", {}, float("nan")),
    ("numeric", {}, 10**400),
    ("numeric", {}, True),
    ("numeric", {}, [75]),
    ("numeric", {"unit": None}, "75%"),
    ("numeric", {}, "7 5"),
    ("numeric", {}, "- 75"),
    ("numeric", {}, "+-75"),
    ("numeric", {}, "."),
    ("numeric", {}, "+"),
    ("numeric", {}, "75\u00b2"),
    ("numeric", {}, "75,5.0"),
    ("numeric", {}, "% 75"),
    ("numeric", {}, "0" * 63 + "75"),  # one over the cap
    ("single_choice", {}, "b" * 201),
    ("multi_select", {}, ["a", "b", "c", "d", "a"]),  # more ticks than choices
    ("multi_select", {}, ["a"] * 100_000),
    ("ordering", {}, ["e", "p", "i", "s"] * 10_000),
    ("matching", {}, {f"l{n}": "r1" for n in range(10_000)}),
    ("short_text", {}, 42),
    ("short_text", {}, ["opportunity"]),
    ("short_text", {}, "x" * 501),
]


@pytest.mark.parametrize("item_type, overrides, response", MALFORMED)
def test_grade_item_malformed(item_type, overrides, response):
    item = make_item(item_type, **overrides)
    with pytest.raises(InvalidAnswerError) as caught:
        grade_item(item, response)
    assert caught.value.item_id == item.id
    assert caught.value.code == "invalid_answer"
    assert isinstance(caught.value, InvalidInputError)
    assert caught.value.message


@pytest.mark.parametrize(
    "item_type", ["single_choice", "multi_select", "ordering", "matching", "numeric", "short_text"]
)
@pytest.mark.parametrize("response", [None, "", "   "])
def test_grade_item_unanswered(item_type, response):
    result = grade_item(make_item(item_type), response)
    assert (result.points_awarded, result.points_possible, result.correct) == (0.0, 1.0, False)


def test_short_text_at_limit_is_graded():
    assert grade_item(make_item("short_text"), "x" * 500).points_awarded == 0.0


def test_unknown_item_type_is_refused():
    with pytest.raises(InvalidInputError, match="unknown type"):
        grade_item(make_item("essay"), "text")


def test_partial_credit_has_no_float_noise():
    item = make_item("multi_select", answer_ids=("a", "b", "c"))
    assert grade_item(item, ["a"]).points_awarded == 0.333333
    assert grade_item(make_item("multi_select", points=0.3), ["a", "c"]).points_awarded == 0.3


@pytest.mark.parametrize(
    "keys, ticked, fraction",
    [
        # 3 keys (a, b, c), 1 distractor (d): the old (right - wrong) / keys gave 2/3 for all
        (("a", "b", "c"), {"a", "b", "c", "d"}, 0.0),
        (("a", "b", "c"), {"a", "b", "c"}, 1.0),
        (("a", "b", "c"), {"a", "b"}, 2 / 3),
        (("a", "b", "c"), {"a", "b", "d"}, 0.0),  # the only distractor costs everything
        # 2 keys (a, b), 3 distractors (c, d, e): each wrong tick costs a third
        (("a", "b"), {"a", "b", "c"}, 2 / 3),
        (("a", "b"), {"a", "c"}, 0.5 - 1 / 3),
        (("a", "b"), {"c", "d", "e"}, 0.0),
    ],
)
def test_multi_select_rule(keys, ticked, fraction):
    choices = ("a", "b", "c", "d") if len(keys) == 3 else ("a", "b", "c", "d", "e")
    item = make_item("multi_select", choices=make_options(*choices), answer_ids=keys)
    assert multi_select_fraction(item, ticked) == pytest.approx(fraction)
    assert grade_item(item, sorted(ticked)).points_awarded == round(fraction, 6)


@pytest.mark.parametrize("choices", [3, 4, 5])
def test_ticking_every_choice_scores_under_half_on_every_item_shape(choices):
    ids = "abcde"[:choices]
    for keys in range(2, choices):  # the linter's shapes: >= 2 keys, >= 1 distractor
        item = make_item("multi_select", choices=make_options(*ids), answer_ids=tuple(ids[:keys]))
        assert grade_item(item, list(ids)).points_awarded == 0.0
        assert grade_item(item, []).points_awarded == 0.0


def make_quiz(count: int = 5) -> list[Item]:
    return [make_item("single_choice", id=f"q{n}") for n in range(1, count + 1)]


@pytest.mark.parametrize(
    "right, pass_percent, percent, passed",
    [
        (4, 80.0, 80.0, True),  # exactly at the pass mark
        (3, 80.0, 60.0, False),
        (5, 80.0, 100.0, True),
        (0, 80.0, 0.0, False),
        (3, 60.0, 60.0, True),
        (3, 60.01, 60.0, False),
    ],
)
def test_grade_quiz_pass_mark(right, pass_percent, percent, passed):
    items = make_quiz(5)
    responses = {f"q{n}": ("b" if n <= right else "a") for n in range(1, 6)}
    result = grade_quiz(items, responses, QuizRules(draw=5, pass_percent=pass_percent))
    assert (result.score, result.max_score, result.percent, result.passed) == (
        float(right),
        5.0,
        percent,
        passed,
    )


def test_grade_quiz_mixed_points_partial_and_unanswered():
    items = [
        make_item("single_choice", id="q1", points=2.0),
        make_item("multi_select", id="q2"),
        make_item("ordering", id="q3"),
    ]
    result = grade_quiz(items, {"q1": "b", "q2": ["a"]}, QuizRules(draw=3))
    assert [r.item_id for r in result.results] == ["q1", "q2", "q3"]
    assert [r.points_awarded for r in result.results] == [2.0, 0.5, 0.0]
    assert (result.score, result.max_score, result.percent, result.passed) == (
        2.5,
        4.0,
        62.5,
        False,
    )


def test_grade_quiz_percent_rounded_to_two_decimals():
    result = grade_quiz(make_quiz(3), {"q1": "b", "q2": "b"}, QuizRules(draw=3))
    assert result.percent == 66.67


def test_grade_quiz_refuses_foreign_item_ids():
    with pytest.raises(InvalidAnswerError) as caught:
        grade_quiz(make_quiz(2), {"q1": "b", "q9": "b"}, QuizRules(draw=2))
    assert caught.value.item_id == "q9"


def test_grade_quiz_malformed_response_names_its_item():
    with pytest.raises(InvalidAnswerError) as caught:
        grade_quiz(make_quiz(2), {"q2": "z"}, QuizRules(draw=2))
    assert caught.value.item_id == "q2"


def test_grade_quiz_without_items():
    result = grade_quiz([], {}, QuizRules(draw=0))
    assert (result.score, result.max_score, result.percent, result.passed) == (0, 0, 0.0, False)


@pytest.mark.parametrize(
    "percents, best", [([], None), ([60.0], 60.0), ([60.0, 85.5, 70.0], 85.5), ((0.0,), 0.0)]
)
def test_best_attempt(percents, best):
    assert best_attempt(percents) == best


def test_draw_items_is_deterministic_and_sized():
    pool = make_quiz(20)
    rules = QuizRules(draw=10)
    first = draw_items(pool, rules, seed=1234)
    assert first == draw_items(pool, rules, seed=1234)
    assert len(first) == 10 and len(set(first)) == 10
    assert set(first) <= {item.id for item in pool}
    assert len({tuple(draw_items(pool, rules, seed=s)) for s in range(10)}) > 1


def test_draw_items_is_shuffled():
    pool = make_quiz(20)
    draws = [draw_items(pool, QuizRules(draw=20), seed=s) for s in range(5)]
    assert all(sorted(d) == sorted(item.id for item in pool) for d in draws)
    assert any(d != [item.id for item in pool] for d in draws)


@pytest.mark.parametrize("draw, size", [(30, 20), (0, 0), (-1, 0)])
def test_draw_items_clipped_to_pool(draw, size):
    assert len(draw_items(make_quiz(20), QuizRules(draw=draw), seed=7)) == size


def test_items_named_not_with_each_other_are_never_drawn_together():
    pool = make_quiz(10)  # q1 names q2 and q3; q4 is named by q5: either side keeps both apart
    pool[0] = make_item("short_text", id="q1", not_with=("q2", "q3"))
    pool[4] = make_item("single_choice", id="q5", not_with=("q4",))
    apart = [{"q1", "q2"}, {"q1", "q3"}, {"q4", "q5"}]
    draws = [draw_items(pool, QuizRules(draw=5), seed=s) for s in range(300)]
    assert all(len(d) == 5 and len(set(d)) == 5 for d in draws)
    assert not [d for d in draws if any(pair <= set(d) for pair in apart)]
    assert {"q1", "q2", "q3", "q4", "q5"} <= {i for d in draws for i in d}  # each is drawn
    assert draws[0] == draw_items(pool, QuizRules(draw=5), seed=0)


def test_a_draw_is_never_short_because_items_are_kept_apart():
    pool = [make_item("short_text", id="q1", not_with=("q2", "q3", "q4")), *make_quiz(4)[1:]]
    for seed in range(50):  # q1 first leaves one other item: the draw still has three
        drawn = draw_items(pool, QuizRules(draw=3), seed=seed)
        assert len(drawn) == 3 and len(set(drawn)) == 3


@pytest.mark.parametrize(
    "item_type, ids",
    [
        ("single_choice", {"a", "b", "c", "d"}),
        ("multi_select", {"a", "b", "c", "d"}),
        ("ordering", {"p", "e", "s", "i"}),
        ("matching", {"r1", "r2", "r3"}),
        ("numeric", set()),
        ("short_text", set()),
    ],
)
def test_shuffled_options(item_type, ids):
    item = make_item(item_type)
    order = shuffled_options(item, seed=42)
    assert order == shuffled_options(item, seed=42)
    assert sorted(order) == sorted(ids)


def test_shuffled_options_vary_by_seed_and_item():
    item = make_item("single_choice", choices=make_options(*"abcde"))
    assert len({tuple(shuffled_options(item, seed=s)) for s in range(20)}) > 1
    other = make_item("single_choice", id="other", choices=make_options(*"abcde"))
    orders = [(shuffled_options(item, s), shuffled_options(other, s)) for s in range(20)]
    assert any(a != b for a, b in orders)


def test_ordering_never_displayed_in_key_order():
    item = make_item("ordering", entries=make_options("x", "y"), answer_ids=("x", "y"))
    assert all(shuffled_options(item, seed=s) == ["y", "x"] for s in range(30))


@pytest.mark.parametrize(
    "scores, total, percent, passed, below",
    [
        ({"c1": 2, "c2": 2, "c3": 2}, 6, 50.0, True, ()),  # every criterion exactly at the minimum
        ({"c1": 4, "c2": 3, "c3": 2}, 9, 75.0, True, ()),
        ({"c1": 4, "c2": 4, "c3": 4}, 12, 100.0, True, ()),
        ({"c1": 4, "c2": 1, "c3": 4}, 9, 75.0, False, ("c2",)),  # one below fails
        ({"c1": 1, "c2": 1, "c3": 1}, 3, 25.0, False, ("c1", "c2", "c3")),
    ],
)
def test_rubric_outcome(scores, total, percent, passed, below):
    outcome = rubric_outcome(make_assignment(), scores)
    assert (outcome.total, outcome.max_score, outcome.percent) == (total, 12, percent)
    assert outcome.passed is passed
    assert outcome.below_min == below
    assert outcome.levels == tuple(sorted(scores.items()))


@pytest.mark.parametrize(
    "scores, passed, mean, mean_reached, below",
    [
        # CURRICULUM.md: every criterion >= 2 AND mean >= 3.0
        ({"c1": 2, "c2": 2, "c3": 2, "c4": 2}, False, 2.0, False, ()),  # passed before the mean
        ({"c1": 2, "c2": 3, "c3": 3, "c4": 3}, False, 2.75, False, ()),
        ({"c1": 2, "c2": 3, "c3": 3, "c4": 4}, True, 3.0, True, ()),  # exactly 3.0 passes
        ({"c1": 1, "c2": 4, "c3": 4, "c4": 4}, False, 3.25, True, ("c1",)),  # mean is not enough
        ({"c1": 4, "c2": 4, "c3": 4, "c4": 4}, True, 4.0, True, ()),
    ],
)
def test_rubric_pass_rule_with_the_mean(scores, passed, mean, mean_reached, below):
    outcome = rubric_outcome(make_assignment(criteria=4, min_mean=3.0), scores)
    assert (outcome.passed, outcome.mean, outcome.mean_reached) == (passed, mean, mean_reached)
    assert outcome.below_min == below


def test_rubric_outcome_under_a_recorded_rule():
    """A review keeps the rule it was graded under: the old rule (no mean) passes all-2s even
    though the assignment asks for the mean today, and a stricter recorded level fails them."""
    assignment, twos = make_assignment(min_mean=3.0), {"c1": 2, "c2": 2, "c3": 2}
    assert not rubric_outcome(assignment, twos).passed
    assert rubric_outcome(assignment, twos, PassRule(2, None)).passed
    assert not rubric_outcome(assignment, twos, PassRule(3, None)).passed


@pytest.mark.parametrize(
    "rule, criteria, reached, needed",
    [
        (PassRule(2, 3.0), 3, {9: True, 8: False}, 9),
        (PassRule(2, 2.5), 3, {8: True, 7: False}, 8),  # 7.5 rounds up
        (PassRule(2, 2.9), 10, {29: True, 28: False}, 29),  # no float noise at 2.9 * 10
        (PassRule(2, None), 3, {3: True}, None),
    ],
)
def test_pass_rule_mean_in_whole_totals(rule, criteria, reached, needed):
    assert {total: rule.mean_reached(total, criteria) for total in reached} == reached
    assert rule.total_needed(criteria) == needed


@pytest.mark.parametrize(
    "scores, passed", [({"c1": 3, "c2": 3}, True), ({"c1": 3, "c2": 2}, False)]
)
def test_rubric_capstone_minimum(scores, passed):
    assert rubric_outcome(make_assignment(criteria=2, min_level=3), scores).passed is passed


@pytest.mark.parametrize(
    "scores, message",
    [
        ({"c1": 3, "c2": 3}, "not scored: “C3”"),  # named by their titles
        ({}, "not scored: “C1”, “C2”, “C3”"),
        ({"c1": 3, "c2": 3, "c3": 3, "c9": 3}, "Unknown rubric criteria: c9"),
        ({"c1": 3, "c2": 3, "c3": 0}, "^“C3” needs a level from 1 to 4"),
        ({"c1": 3, "c2": 3, "c3": 5}, "“C3” needs a level"),
        ({"c1": 3, "c2": 3, "c3": "3"}, "“C3” needs a level"),
        ({"c1": 3, "c2": 3, "c3": 2.5}, "“C3” needs a level"),
        ({"c1": 3, "c2": 3, "c3": True}, "“C3” needs a level"),
    ],
)
def test_rubric_outcome_invalid(scores, message):
    with pytest.raises(InvalidInputError, match=message) as caught:
        rubric_outcome(make_assignment(), scores)
    assert caught.value.code == "invalid_rubric_scores"
