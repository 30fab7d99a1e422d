"""A learner's quiz: attempts left, the cooldown, and when the correct answers may be shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lms_plugin.domain.content.loader import load_catalogue
from lms_plugin.domain.content.model import QuizRules
from lms_plugin.domain.quiz_state import (
    QuizState,
    attempts_left,
    next_attempt_at,
    opens_at,
    out_of_attempts,
    quiz_state,
    reveal_answers,
)
from tests.unit.domain.test_content_fixture import write_tree

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = QuizRules(draw=6, pass_percent=80.0, max_attempts=3, cooldown_hours_after=2,
                  cooldown_hours=24.0)  # fmt: skip


def test_quiz_state_folds_the_attempts():
    state = quiz_state(
        [
            (1, "graded", 60.0, T0),
            (2, "graded", 75.0, T0 + timedelta(hours=1)),
            (3, "submitted", None, T0 + timedelta(hours=30)),
        ]
    )
    assert state == QuizState(
        used=3, open_attempt=None, grading=3, last_submitted=T0 + timedelta(hours=30),
        submitted=3, best=75.0,
    )  # fmt: skip
    assert quiz_state([(7, "open", None, None)]) == QuizState(used=1, open_attempt=7)
    assert quiz_state([]) == QuizState()


@pytest.mark.parametrize("used, left", [(0, 3), (1, 2), (3, 0), (5, 0)])
def test_attempts_left(used, left):
    assert attempts_left(RULES, QuizState(used=used)) == left


@pytest.mark.parametrize("used, extra, left", [(3, 1, 1), (3, 2, 2), (4, 1, 0), (1, 1, 3)])
def test_attempts_an_instructor_added_count_on_top_of_the_modules(used, extra, left):
    state = QuizState(used=used, extra=extra)
    assert state.allowed(RULES) == 3 + extra
    assert attempts_left(RULES, state) == left


@pytest.mark.parametrize(
    "state, out",
    [
        (QuizState(used=3, best=70.0), True),
        (QuizState(used=3, best=None), True),  # every attempt sent blank
        (QuizState(used=3, best=80.0), False),  # passed
        (QuizState(used=2, best=70.0), False),  # one left
        (QuizState(used=3, best=70.0, extra=1), False),  # one added
        (QuizState(used=3, best=70.0, grading=3), False),  # the last one not graded yet
        (QuizState(used=3, best=70.0, open_attempt=3), False),  # the last one in progress
    ],
)
def test_out_of_attempts_is_every_attempt_used_and_graded_none_passed(state, out):
    assert out_of_attempts(RULES, state) is out


@pytest.mark.parametrize(
    "submitted, hours_ago, opens",
    [
        (0, None, None),
        (1, 1, None),  # the cooldown starts after the second attempt
        (2, 1, T0 + timedelta(hours=23)),
        (2, 30, None),  # over: open now
        (2, 24, None),  # exactly over
    ],
)
def test_opens_at_the_end_of_the_cooldown(submitted, hours_ago, opens):
    last = None if hours_ago is None else T0 - timedelta(hours=hours_ago)
    state = QuizState(used=submitted, submitted=submitted, last_submitted=last)
    assert opens_at(RULES, state, T0) == opens


def test_no_cooldown_without_one_in_the_rules():
    rules = QuizRules(draw=6, cooldown_hours_after=0, cooldown_hours=0.0)
    assert next_attempt_at(rules, 5, T0) is None


@pytest.mark.parametrize(
    "when, best, used, grading, shown",
    [
        ("after_each_attempt", 10.0, 1, None, True),
        ("never", 100.0, 3, None, False),
        ("after_pass_or_last_attempt", 60.0, 1, None, False),  # attempts left, not passed
        ("after_pass_or_last_attempt", 80.0, 1, None, True),  # passed
        ("after_pass_or_last_attempt", 60.0, 3, None, True),  # no attempt left
        ("after_pass_or_last_attempt", 60.0, 3, 9, False),  # the last one is being graded
        ("after_pass_or_last_attempt", None, 2, None, False),
    ],
)
def test_reveal_answers(when, best, used, grading, shown):
    rules = QuizRules(draw=6, pass_percent=80.0, max_attempts=3, show_correct_answers=when)
    assert reveal_answers(rules, QuizState(used=used, grading=grading, best=best)) is shown


def test_the_setting_is_read_from_module_yaml_and_defaults_to_after_pass(tmp_path):
    edit = ("level-1/m1-a/module.yaml", "cooldown_hours: 24\n",
            "cooldown_hours: 24\n  show_correct_answers: never\n")  # fmt: skip
    catalogue, problems = load_catalogue(write_tree(tmp_path, [edit]))
    assert catalogue is not None and problems == []
    level_1, level_2 = catalogue.programs
    assert level_1.modules[0].quiz.show_correct_answers == "never"
    assert level_2.modules[0].quiz.show_correct_answers == "after_pass_or_last_attempt"
