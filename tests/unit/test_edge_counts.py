"""A request's rate-limit count as store ops: counted once, whatever becomes of the request, and
refused past its limit with the seconds left in its window."""

from __future__ import annotations

import pytest
from limits import parse_many
from sqlalchemy import create_engine

from lms_plugin.db import Base
from lms_plugin.domain.errors import LaunchError, RateLimitedError
from lms_plugin.edge_counts import UNCOUNTED, Budget
from lms_plugin.kv import Get, SqlStore


@pytest.fixture
def store(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path}/kv.db")
    Base.metadata.tables["kv_entry"].create(engine)
    now = [1_700_000_000.0]
    yield SqlStore(engine, "t:", clock=lambda: now[0]), now
    engine.dispose()


def _request(store: SqlStore) -> None:
    """A route that carries its count in its own round trip, as login and launch do."""
    budget = Budget(parse_many("2/minute"), "192.0.2.1", "lti.login")
    with budget.counted(store):
        counts = budget.ops
        *counted, _ = store.batch([*counts, Get("state")])
        budget.settle(counted)


def test_past_the_limit_a_request_is_refused_with_the_window_s_seconds_left(store):
    kv, now = store
    _request(kv)
    now[0] += 20
    _request(kv)
    with pytest.raises(RateLimitedError) as refused:
        _request(kv)
    assert refused.value.retry_after == 40 and refused.value.status == 429
    now[0] += 40.5  # the window has closed
    _request(kv)


def test_a_request_refused_before_its_round_trip_is_counted_on_the_way_out(store):
    kv, _ = store
    budget = Budget(parse_many("1/minute"), "192.0.2.1", "lti.launch")
    with pytest.raises(LaunchError), budget.counted(kv):
        raise LaunchError("state_missing")
    assert budget.ops == []  # counted once: nothing left to count

    again = Budget(parse_many("1/minute"), "192.0.2.1", "lti.launch")
    with pytest.raises(RateLimitedError) as refused, again.counted(kv):
        raise LaunchError("state_missing")  # past the limit, the 429 is the answer
    assert isinstance(refused.value.__context__, LaunchError)


def test_each_address_and_endpoint_has_its_own_count_and_uncounted_counts_nothing(store):
    kv, _ = store
    one = Budget(parse_many("1/minute"), "192.0.2.1", "lti.login")
    with one.counted(kv):
        pass  # a route that made no round trip: counted alone on the way out
    for identifiers in (("192.0.2.2", "lti.login"), ("192.0.2.1", "lti.launch")):
        with Budget(parse_many("1/minute"), *identifiers).counted(kv):
            pass
    assert UNCOUNTED.ops == []
    with UNCOUNTED.counted(kv):
        pass
    with pytest.raises(RateLimitedError):
        Budget(parse_many("1/minute"), "192.0.2.1", "lti.login").settle_alone(kv)
