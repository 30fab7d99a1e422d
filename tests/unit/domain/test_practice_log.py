"""The practice log's rules: complete at the word minimum with every section, what completion
still asks, the learning-from-failure pass rule, and the log's definition in courses/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lms_plugin.domain import practice_log as pl
from lms_plugin.domain.completion import module_status
from lms_plugin.domain.errors import InvalidInputError, UnprocessableError
from tests.support.content_keys import L1M1, module

SPEC = pl.parse_spec(
    yaml.safe_load((Path(__file__).parents[3] / "courses" / "practice-log.yaml").read_text())
)


def _text(words: int) -> dict[str, str]:
    share, extra = divmod(words, 4)
    ids = [s.id for s in SPEC.sections]
    return {sid: " ".join(["w"] * (share + (n < extra))) for n, sid in enumerate(ids)}


@pytest.mark.parametrize(
    ("words", "complete"), [(0, False), (249, False), (250, True), (900, True)]
)
def test_complete_at_the_word_minimum(words, complete):
    assert pl.is_complete(SPEC.sections, 250, _text(words)) is complete


def test_every_section_must_be_written():
    text = _text(400)
    text["next"] = "   "
    assert pl.is_complete(SPEC.sections, 250, text) is False


def test_read_sections_refuses_unknown_fields_non_text_and_huge_text():
    with pytest.raises(InvalidInputError):
        pl.read_sections(SPEC.sections, {"did": "x", "secret": "y"})
    with pytest.raises(InvalidInputError):
        pl.read_sections(SPEC.sections, {"did": ["x"]})
    with pytest.raises(UnprocessableError):
        pl.read_sections(SPEC.sections, {"did": "x" * (pl.MAX_SECTION_CHARS + 1)})


@pytest.mark.parametrize(
    ("facts", "complete"),
    [
        (None, True),  # callers that do not pass the log (the rule as before)
        (pl.LogFacts("none"), False),
        (pl.LogFacts("draft", 249), False),
        (pl.LogFacts("complete", 250), True),
        (pl.LogFacts("exempt"), True),  # completed before the log existed
        (pl.LogFacts("complete", 300, "submitted"), False),
        (pl.LogFacts("complete", 300, "revise"), False),
        (pl.LogFacts("complete", 300, "passed"), True),
        (pl.LogFacts("exempt", 0, "exempt"), True),
    ],
)
def test_the_log_gates_module_completion(facts, complete):
    status = module_status(
        module(L1M1),
        best_quiz_percent=100.0,
        assignment_passed=True,
        lessons_viewed=set(),
        log=facts,
        log_min_words=250,
    )
    assert status.complete is complete
    assert bool(status.missing) is not complete


def test_failure_entry_passes_on_the_minimum_level_and_the_mean():
    ids = [c.id for c in SPEC.failure.rubric.criteria]
    assert pl.failure_outcome(SPEC.failure, dict.fromkeys(ids, 3))[1] is True
    assert pl.failure_outcome(SPEC.failure, dict.fromkeys(ids, 2))[1] is False  # mean 2.0
    one_low = {cid: (1 if n == 0 else 4) for n, cid in enumerate(ids)}
    assert pl.failure_outcome(SPEC.failure, one_low)[1] is False  # below the minimum level
    with pytest.raises(InvalidInputError):
        pl.failure_outcome(SPEC.failure, dict.fromkeys(ids[:-1], 3))


def test_the_definition_in_courses_is_complete():
    assert SPEC.min_words == 250
    assert [s.id for s in SPEC.sections] == ["did", "happened", "learned", "next"]
    assert SPEC.failure.module == "l2-m5-sustaining-spreading-capacity"
    assert SPEC.failure.rubric.min_mean == 3.0 and len(SPEC.failure.rubric.criteria) >= 4


def test_a_broken_definition_names_its_problems():
    with pytest.raises(pl.SpecError, match="min_words"):
        pl.parse_spec({"sections": [], "learning_from_failure": {}})
