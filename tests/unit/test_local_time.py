"""``local_time()``: the <time> element templates render, with a correct UTC text for readers
without script; static/frame.js rewrites it in the reader's zone (tests/e2e/test_frame_browser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from lms_plugin.web.theming import local_time

EVENING = datetime(2026, 12, 5, 20, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("style", "text"),
    [
        ("datetime", "5 Dec 2026, 20:30 UTC"),
        ("date", "5 December 2026"),
        ("time", "20:30 UTC"),
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
