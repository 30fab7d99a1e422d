"""``i18n.percent``: up to two decimals, or a fixed number of them cut rather than rounded, so
that a shortened figure never reads as more than it is (a pass mark, every learner)."""

from __future__ import annotations

import pytest
from flask import Flask

from lms_plugin.domain.i18n import number, percent, whole_percent
from lms_plugin.web import i18n


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (58.333, None, "58.33%"),
        (80, None, "80%"),
        (79.6, 0, "79%"),  # a failing 79.6 is not shown at the 80% pass mark
        (99.5, 0, "99%"),  # 199 of 200 learners is not "100%"
        (100, 0, "100%"),
        (80.00000000000001, 0, "80%"),
        (79.99999999999999, 0, "80%"),  # 80 by arithmetic, not 79
        (58.36, 1, "58.3%"),
    ],
)
def test_percent_in_english(value, digits, text):
    assert percent(value, digits) == text


def test_a_cut_percent_in_french():
    app = Flask(__name__)
    i18n.init_app(app)
    with app.test_request_context("/credentials/x", headers={"Accept-Language": "fr"}):
        assert percent(79.6, 0).replace("\u202f", " ").replace("\u00a0", " ") == "79 %"


@pytest.mark.parametrize(("value", "whole"), [(79.6, 79), (0.4, 0), (79.99999999999999, 80)])
def test_whole_percent(value, whole):
    assert whole_percent(value) == whole


@pytest.mark.parametrize(
    ("value", "english", "french"), [(0.5, "0.50", "0,50"), (-0.534, "-0.53", "-0,53")]
)
def test_a_number_with_fixed_digits_lines_up_in_a_column(value, english, french):
    assert number(value, 2) == english and number(value) == english.rstrip("0")
    app = Flask(__name__)
    i18n.init_app(app)
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert number(value, 2) == french
