"""The cohort dashboard's pure rules: cell states and scores, at risk, score bins, the query
string, answers in words, mastery bands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms_plugin.domain import cohort as c
from lms_plugin.domain.answer_text import NO_ANSWER, answer_text, key_text
from lms_plugin.domain.cohort import CellFacts, ModuleRule
from lms_plugin.domain.cohort_mastery import band, isp_competencies
from lms_plugin.domain.cohort_query import GridQuery, parse_query
from lms_plugin.domain.content.model import Competency, Item, Option
from lms_plugin.domain.errors import InvalidInputError
from tests.support.french import in_french

BOTH = ModuleRule(
    "m", pass_percent=80, max_attempts=3, quiz_required=True, assignment_required=True
)
QUIZ = ModuleRule("m", 80, 3, quiz_required=True, assignment_required=False)
NONE = ModuleRule("m", 80, 3, quiz_required=False, assignment_required=False)
FAILURE = ModuleRule("m", 80, 3, quiz_required=True, assignment_required=True,
                     failure_required=True)  # fmt: skip
LOGGED = {"log_written": True, "log_complete": True}  # the practice log entry complete


@pytest.mark.parametrize(
    ("facts", "rule", "state", "score"),
    [
        (CellFacts(), BOTH, c.NOT_STARTED, None),
        (CellFacts(lessons_viewed=1), BOTH, c.IN_PROGRESS, None),
        (CellFacts(drafted=True), BOTH, c.IN_PROGRESS, None),
        (CellFacts(open_attempts=1), BOTH, c.IN_PROGRESS, None),
        (CellFacts(grading_attempts=1), BOTH, c.SUBMITTED, None),
        # graded below the mark: failed, with the quiz's score
        (CellFacts(graded_attempts=1, failed_attempts=1, best_percent=40), BOTH, c.FAILED, 40),
        # failed, then an attempt being graded: submitted (the outcome is not known yet)
        (
            CellFacts(grading_attempts=1, graded_attempts=1, failed_attempts=1, best_percent=40),
            BOTH,
            c.SUBMITTED,
            40,
        ),
        # quiz passed, assignment waiting: needs review, the quiz's score
        (
            CellFacts(graded_attempts=1, best_percent=90, submission="submitted"),
            BOTH,
            c.NEEDS_REVIEW,
            90,
        ),
        # a failed quiz does not hide a round waiting for the instructor
        (
            CellFacts(
                graded_attempts=2, failed_attempts=2, best_percent=50, submission="submitted"
            ),
            BOTH,
            c.NEEDS_REVIEW,
            50,
        ),
        (
            CellFacts(graded_attempts=1, best_percent=90, submission="revise", rubric_percent=50),
            BOTH,
            c.IN_PROGRESS,
            90,
        ),
        (
            CellFacts(graded_attempts=1, best_percent=90, submission="failed", rubric_percent=40),
            BOTH,
            c.FAILED,
            40,
        ),
        # passed: the module grade, the mean of the required parts
        (
            CellFacts(
                graded_attempts=1, best_percent=90, submission="passed", rubric_percent=70, **LOGGED
            ),
            BOTH,
            c.PASSED,
            80,
        ),
        (CellFacts(graded_attempts=1, best_percent=80, **LOGGED), QUIZ, c.PASSED, 80),
        # quiz and assignment passed, the practice log entry not complete: not complete yet
        (
            CellFacts(graded_attempts=1, best_percent=90, submission="passed", rubric_percent=70),
            BOTH,
            c.IN_PROGRESS,
            90,
        ),
        (
            CellFacts(
                graded_attempts=1,
                best_percent=90,
                submission="passed",
                rubric_percent=70,
                log_written=True,
            ),
            BOTH,
            c.IN_PROGRESS,
            90,
        ),
        (CellFacts(log_written=True), BOTH, c.IN_PROGRESS, None),  # a log draft is work
        # the learning-from-failure entry, where the module asks for it
        (
            CellFacts(
                graded_attempts=1, best_percent=90, submission="passed", rubric_percent=70, **LOGGED
            ),
            FAILURE,
            c.IN_PROGRESS,
            90,
        ),
        (
            CellFacts(
                graded_attempts=1,
                best_percent=90,
                submission="passed",
                rubric_percent=70,
                failure_passed=True,
                **LOGGED,
            ),
            FAILURE,
            c.PASSED,
            80,
        ),
        (
            CellFacts(graded_attempts=1, best_percent=79.99, failed_attempts=1),
            QUIZ,
            c.FAILED,
            79.99,
        ),
        # nothing required but the practice log, as domain.completion says
        (CellFacts(), NONE, c.NOT_STARTED, None),
        (CellFacts(**LOGGED), NONE, c.PASSED, None),
        (CellFacts(graded_attempts=1, best_percent=0, **LOGGED), NONE, c.PASSED, 0),
        (
            CellFacts(
                best_percent=60, rubric_percent=80, graded_attempts=1, submission="passed", **LOGGED
            ),
            NONE,
            c.PASSED,
            70,
        ),
    ],
)
def test_cell_state_and_score(facts, rule, state, score):
    assert c.cell_state(facts, rule) is state
    assert c.cell_score(state, facts, rule) == score


@pytest.mark.parametrize(
    ("state", "score", "text"),
    [
        (c.PASSED, 87.6, "87%"),  # cut, never rounded up
        (c.FAILED, 79.6, "79%"),  # not the pass mark it did not reach
        (c.PASSED, 79.99999999999999, "80%"),  # float arithmetic alone
        (c.FAILED, 0.0, "0%"),
        (c.IN_PROGRESS, None, "started"),
        (c.IN_PROGRESS, 90, "90%"),
        (c.NEEDS_REVIEW, 90, "review"),
        (c.SUBMITTED, None, "grading"),
        (c.NOT_STARTED, None, "—"),
    ],
)
def test_cell_text(state, score, text):
    assert c.cell_text(state, score) == text


def test_every_state_has_its_own_glyph_and_words():
    assert len({s.glyph for s in c.STATES}) == len({s.label for s in c.STATES}) == 6


NOW = datetime(2026, 12, 5, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last", "failing", "all_passed", "reasons"),
    [
        (NOW - timedelta(days=13, hours=23), [], False, []),
        (NOW - timedelta(days=14), [], False, []),  # exactly 14 days: not yet
        (NOW - timedelta(days=14, seconds=1), [], False, ["no activity for 14 days"]),
        (NOW, ["1.3 X"], False, ["2+ failed quiz attempts in 1.3 X"]),
        (NOW - timedelta(days=30), ["1.3 X"], True, []),  # all done: never at risk
        (None, [], False, []),  # never launched: the roster lists them
    ],
)
def test_risk_reasons(last, failing, all_passed, reasons):
    assert c.risk_reasons(last, failing, all_passed, NOW) == reasons


def test_failing_needs_two_failed_attempts_and_no_pass():
    assert c.failing(c.FAILED, 2) and c.failing(c.SUBMITTED, 3)
    assert not c.failing(c.FAILED, 1) and not c.failing(c.PASSED, 2)


@pytest.mark.parametrize(
    ("score", "index"), [(0, 0), (9.99, 0), (10, 1), (79.9, 7), (89.99, 8), (90, 9), (100, 9)]
)
def test_score_bins(score, index):
    assert c.score_bin(score) == index


def test_bin_labels():
    assert [c.bin_label(0), c.bin_label(9)] == ["0\N{EN DASH}9%", "90\N{EN DASH}100%"]


LEVELS = {"a": 1, "b": 1, "c": 2}


def test_query_defaults_and_round_trip():
    assert parse_query({}, LEVELS) == GridQuery()
    query = parse_query(
        {
            "status": "failed",
            "module": "c",
            "activity": "never",
            "risk": "1",
            "q": " Ana ",
            "sort": "a",
            "desc": "1",
            "page": "3",
            "per": "100",
        },
        LEVELS,
    )
    assert query == GridQuery("failed", 2, "c", "never", True, "Ana", "a", True, 3, 100)
    assert parse_query(query.args(), LEVELS) == query
    assert query.with_(page=1).args()["module"] == "c" and "page" not in query.with_(page=1).args()


@pytest.mark.parametrize(
    "args",
    [
        {"status": "done"},
        {"level": "3"},
        {"level": "one"},
        {"module": "zz"},
        {"sort": "email"},
        {"per": "13"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "\N{ARABIC-INDIC DIGIT ONE}"},  # a digit, not an ASCII one
        {"risk": "yes"},
        {"activity": "today"},
        {"q": "x" * 101},
    ],
)
def test_queries_that_make_no_sense_are_refused_in_words(args):
    with pytest.raises(InvalidInputError) as raised:
        parse_query(args, LEVELS)
    assert raised.value.status == 400 and raised.value.message.endswith(".")


CHOICE = Item(
    "q1",
    "single_choice",
    "Which?",
    (),
    (),
    "",
    choices=(Option("a", "Alpha"), Option("b", "Beta")),
    answer_id="b",
)
ORDER = Item(
    "q2",
    "ordering",
    "Order",
    (),
    (),
    "",
    entries=(Option("x", "X"), Option("y", "Y")),
    answer_ids=("y", "x"),
)
MATCH = Item(
    "q3",
    "matching",
    "Match",
    (),
    (),
    "",
    left=(Option("l", "Left"),),
    right=(Option("r", "Right"), Option("s", "Other")),
    pairs=(("l", "r"),),
)
NUMBER = Item("q4", "numeric", "How many?", (), (), "", number=12, tolerance=0.5, unit="h")


@pytest.mark.parametrize(
    ("item", "answer", "text"),
    [
        (CHOICE, "a", "Alpha"),
        (CHOICE, None, NO_ANSWER),
        (CHOICE, "zz", "unknown option zz"),
        (ORDER, ["x", "y"], "X → Y"),
        (MATCH, {"l": "s"}, "Left → Other"),
        (NUMBER, "11 h", "11 h"),
    ],
)
def test_answers_in_words(item, answer, text):
    assert answer_text(item, answer) == text


def test_keys_in_words():
    assert [key_text(i) for i in (CHOICE, ORDER, MATCH, NUMBER)] == [
        "Beta",
        "Y → X",
        "Left → Right",
        "12 h (± 0.5)",
    ]


def test_mastery_bands_and_the_isp_competencies():
    assert [band(v).code for v in (0, 49.9, 50, 79.9, 80, 100)] == [
        "emerging",
        "emerging",
        "developing",
        "developing",
        "secure",
        "secure",
    ]
    catalogue = [Competency("P1", "principle", "p", ""), Competency("CE-1", "competency", "c", "")]
    assert isp_competencies(catalogue) == [("CE-1", "c")]


@pytest.mark.parametrize(
    ("ago", "text"),
    [
        (timedelta(minutes=59), "under an hour"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=47), "1 day"),
        (timedelta(days=2), "2 days"),
        (timedelta(days=20, hours=5), "20 days"),
    ],
)
def test_age_in_words(ago, text):
    assert c.age_text(NOW - ago, NOW) == text


@pytest.mark.parametrize(
    ("seconds", "unit"), [(0, 0), (3599, 0), (3600, 3600), (7300, 7200), (90000, 86400)]
)
def test_ages_that_read_the_same_share_one_unit(seconds, unit):
    assert c.age_unit(seconds) == unit
    assert c.age_words(seconds) == c.age_words(unit)


def test_answers_and_keys_in_the_readers_language():
    with in_french():
        assert answer_text(CHOICE, None) == "(aucune réponse)"
        assert answer_text(CHOICE, "zz") == "option inconnue zz"
        assert key_text(NUMBER) == "12 h (± 0,5)"
    assert answer_text(CHOICE, None) == "(no answer)" and key_text(NUMBER) == "12 h (± 0.5)"
