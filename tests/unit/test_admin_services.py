"""The admin services' rules on the embedded store (SQLite): one-time links and admin sessions
against an injected clock, the bounded record of refused launches, the clock skew arithmetic."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from lms_plugin.db.models import KvEntry
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.kv import SqlStore
from lms_plugin.services import admin_access, admin_failures
from lms_plugin.services.admin_diagnostics import skew_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def engine(tmp_path) -> Engine:
    engine = create_engine(f"sqlite:///{tmp_path / 'kv.sqlite3'}")
    KvEntry.__table__.create(engine)  # type: ignore[attr-defined]
    return engine


@pytest.fixture
def store(engine: Engine) -> SqlStore:
    return SqlStore(engine, "t:")


def test_a_link_works_once(store):
    token = admin_access.issue_link(store, 15)
    assert admin_access.redeem_link(store, token)
    assert not admin_access.redeem_link(store, token)
    assert not admin_access.redeem_link(store, "forged-" + token)


def test_a_link_expires_by_the_clock_and_is_spent_by_a_late_try(store):
    clock = Clock()
    late, in_time = (admin_access.issue_link(store, 15, clock=clock) for _ in range(2))
    clock.now += 15 * 60 - 1
    assert admin_access.redeem_link(store, in_time, clock=clock)
    clock.now += 2
    assert not admin_access.redeem_link(store, late, clock=clock)
    clock.now -= 10 * 60  # even back in time: the late try spent it
    assert not admin_access.redeem_link(store, late, clock=clock)


def test_only_hashes_are_stored(store, engine):
    token = admin_access.issue_link(store, 15)
    sid = admin_access.start_session(store)
    with engine.connect() as conn:
        stored = " ".join(f"{k} {v}" for k, v in conn.execute(select(KvEntry.key, KvEntry.value)))
    assert "admin-link:" in stored and "admin-session:" in stored
    assert token not in stored and sid not in stored


def test_a_session_lasts_until_it_expires_or_ends(store):
    clock = Clock()
    sid = admin_access.start_session(store, clock=clock)
    assert admin_access.session_is_open(store, sid, clock=clock)
    assert not admin_access.session_is_open(store, sid + "x", clock=clock)
    clock.now += admin_access.SESSION_SECONDS + 1
    assert not admin_access.session_is_open(store, sid, clock=clock)
    other = admin_access.start_session(store)
    admin_access.end_session(store, other)
    assert not admin_access.session_is_open(store, other)


@pytest.mark.parametrize("minutes", [0, -1, 24 * 60 + 1])
def test_a_link_lives_a_sane_time(store, minutes):
    with pytest.raises(InvalidInputError):
        admin_access.issue_link(store, minutes)


def test_refusals_are_kept_per_registration_newest_first_and_bounded(store):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(admin_failures.KEEP + 5):
        admin_failures.record(store, 1, f"code_{i}", 401, now=start + timedelta(seconds=i))
    admin_failures.record(store, None, "unknown_platform", 400, issuer="https://x", client_id="y")

    kept = admin_failures.recent(store, 1)
    assert len(kept) == admin_failures.KEEP
    assert kept[0].code == f"code_{admin_failures.KEEP + 4}" and kept[-1].code == "code_5"
    assert kept[0].issuer is None  # a registered platform's entries name nobody and nothing
    assert admin_failures.recent(store, 2) == []
    [unknown] = admin_failures.recent(store, None)
    assert (unknown.code, unknown.issuer, unknown.client_id) == (
        "unknown_platform",
        "https://x",
        "y",
    )


@pytest.mark.parametrize("offset, expected", [(0.0, 0), (600.0, 600), (-120.0, -120), (3.4, 3)])
def test_skew_from_a_date_header(offset, expected):
    ours = 1_800_000_000.0
    date = email.utils.formatdate(ours + offset, usegmt=True)  # whole seconds, truncated
    assert abs(skew_seconds(date, ours) - expected) <= 1


@pytest.mark.parametrize("date", [None, "", "yesterday"])
def test_no_readable_date_no_skew(date):
    assert skew_seconds(date, 1_800_000_000.0) is None
