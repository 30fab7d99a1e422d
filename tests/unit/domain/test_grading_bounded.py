"""Grading does bounded work on any answer (issue 12, finding 6: a numeric answer once went
through a backtracking regex, and one of 100,000 spaces took 39 s of a web worker).

The bound is stated with Hypothesis's own ``deadline`` (an example over it is run again and
reported, so one slow scheduling blip does not fail the test) and a deterministic search.
The work is microseconds, so 50 ms leaves a wide margin on a busy machine; the old regex took
0.4 s at 10,000 characters and grew with the square of the length.
"""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms_plugin.domain.grading import (
    ID_MAX_CHARS,
    NUMERIC_MAX_CHARS,
    SHORT_TEXT_MAX_CHARS,
    InvalidAnswerError,
    grade_item,
    read_number,
)
from tests.support.items import make_item

BOUNDED = settings(
    deadline=timedelta(milliseconds=50), max_examples=150, derandomize=True, database=None
)
UNITS = [None, "%", "minutes", "percentage points", "months"]
# Pieces that make a backtracking matcher over "<number><spaces><unit>" try every split.
PIECES = [" ", "\t", "\n", "\u00a0", "1", "0", ".", ",", "+", "-", "%", "minute", "Minutes ",
          "percentage ", "points", "x"]  # fmt: skip


def _runs(max_times: int) -> st.SearchStrategy[str]:
    """A head, a short piece repeated up to ``max_times`` times, and a near-miss tail."""
    return st.builds(
        lambda head, piece, times, tail: head + piece * times + tail,
        st.sampled_from(["", "1", "-", "75", "1.", ",5", "12 "]),
        st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map("".join),
        st.integers(0, max_times),
        st.sampled_from(["", "x", "minutex", "percentage pointz", "%%", " 5", "minutes", "%"]),
    )


def test_the_answer_that_pinned_a_worker_is_refused_at_once():
    """The crafted answer measured on the old code: 38.9 s in one regex match."""
    item = make_item("numeric", number=12.0, unit="minutes")
    with pytest.raises(InvalidAnswerError, match=f"{NUMERIC_MAX_CHARS} characters"):
        grade_item(item, "1" + " " * 100_000 + "minutex")


@BOUNDED
@given(answer=_runs(100_000), unit=st.sampled_from(UNITS))
def test_any_numeric_answer_of_any_length_is_graded_or_refused_in_bounded_time(answer, unit):
    item = make_item("numeric", number=12.0, unit=unit)
    try:
        result = grade_item(item, answer)
    except InvalidAnswerError:
        return
    assert len(answer) <= NUMERIC_MAX_CHARS and 0.0 <= result.points_awarded <= 1.0


@BOUNDED
@given(text=_runs(200_000), unit=st.sampled_from(UNITS))
def test_reading_a_number_is_linear_past_the_cap(text, unit):
    """The parser itself needs no cap: past it, the work still grows only with the length."""
    value = read_number(text, unit)
    assert value is None or not math.isnan(value)


def _answers(item_type: str) -> st.SearchStrategy[object]:
    """Answers up to each type's cap (and a little past it), well-formed or not."""
    ids = st.one_of(
        st.sampled_from(["a", "b", "c", "d", "p", "e", "s", "i", "l1", "l2", "r1", "r2", "r3"]),
        st.text(max_size=ID_MAX_CHARS + 1),
    )
    junk = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
    by_type: dict[str, st.SearchStrategy[object]] = {
        "single_choice": ids,
        "multi_select": st.lists(ids, max_size=5),
        "ordering": st.lists(ids, max_size=5),
        "matching": st.dictionaries(ids, ids, max_size=4),
        "numeric": st.one_of(
            _runs(NUMERIC_MAX_CHARS).map(lambda text: text[: NUMERIC_MAX_CHARS + 1]),
            st.integers(),
            st.floats(),
        ),
        "short_text": st.one_of(
            st.text(max_size=SHORT_TEXT_MAX_CHARS + 1),
            _runs(SHORT_TEXT_MAX_CHARS).map(lambda text: text[:SHORT_TEXT_MAX_CHARS]),
        ),
    }
    return st.one_of(by_type[item_type], junk, st.lists(junk, max_size=5))


@pytest.mark.parametrize(
    "item_type", ["single_choice", "multi_select", "ordering", "matching", "numeric", "short_text"]
)
def test_any_answer_up_to_the_cap_grades_in_bounded_time(item_type):
    item = make_item(item_type)

    @BOUNDED
    @given(answer=_answers(item_type))
    def grades(answer: object) -> None:
        try:
            result = grade_item(item, answer)
        except InvalidAnswerError as refused:
            assert refused.item_id == item.id and refused.message
            return
        assert 0.0 <= result.points_awarded <= result.points_possible

    grades()
