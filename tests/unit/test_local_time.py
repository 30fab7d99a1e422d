"""``local_time()``: the <time> element templates render, with a correct UTC text for readers
without script, written as static/frame.js then writes it in the reader's zone: the same styles,
in the page's language and the reader's region of it (tests/e2e/test_frame_browser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask

from lms_plugin.web import i18n
from lms_plugin.web.theming import local_time

EVENING = datetime(2026, 12, 5, 20, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("style", "text"),
    [
        ("datetime", "Dec 5, 2026, 8:30\u202fPM UTC"),
        ("date", "December 5, 2026"),
        ("time", "8:30\u202fPM UTC"),
    ],
)
def test_the_element_carries_the_utc_moment_and_a_utc_text(style, text):
    assert str(local_time(EVENING, style)) == (
        f'<time datetime="2026-12-05T20:30:00+00:00" data-local="{style}">{text}</time>'
    )


def test_a_moment_in_another_zone_is_the_same_instant_in_utc():
    tokyo = EVENING.astimezone(timezone(timedelta(hours=9)))
    assert str(local_time(tokyo)) == str(local_time(EVENING))


def test_a_naive_moment_is_taken_as_utc_as_the_database_stores_it():
    assert str(local_time(EVENING.replace(tzinfo=None))) == str(local_time(EVENING))


def test_no_moment_renders_nothing():
    assert str(local_time(None)) == ""


@pytest.mark.parametrize(
    ("accept", "texts"),
    [
        (None, ("December 5, 2026", "Dec 5, 2026, 8:30\u202fPM UTC")),
        ("en-GB,en;q=0.8", ("5 December 2026", "5 Dec 2026, 20:30 UTC")),  # as frame.js: en-GB
        ("de-DE,en-AU;q=0.9", ("5 December 2026", "5 Dec 2026, 8:30\u202fpm UTC")),
        ("fr-CA,fr;q=0.9", ("5 décembre 2026", "5 déc. 2026, 20 h 30 UTC")),
        ("fr-ZZ", ("5 décembre 2026", "5 déc. 2026, 20:30 UTC")),  # a region Babel does not know
    ],
)
def test_the_utc_text_is_in_the_page_s_language_and_the_reader_s_region_of_it(accept, texts):
    app = Flask(__name__)
    i18n.init_app(app)
    headers = {"Accept-Language": accept} if accept else {}
    with app.test_request_context("/credentials/x", headers=headers):
        assert (i18n.utc_text(EVENING, "date"), i18n.utc_text(EVENING, "datetime")) == texts
