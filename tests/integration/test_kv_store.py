"""The launch-state store on every backend: TTL, add-if-absent, and pop exactly once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from lms_plugin.db import Base
from lms_plugin.kv import Add, Get, KeyValueStore, RedisStore, Set, SqlStore

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def store(request, tmp_path, pg_url, redis_url) -> Iterator[KeyValueStore]:
    prefix = f"kvtest:{uuid.uuid4().hex[:6]}:"
    if request.param == "redis":
        yield RedisStore(redis_url, prefix)
        return
    url = f"sqlite:///{tmp_path}/kv.db" if request.param == "sqlite" else pg_url
    engine = create_engine(url)
    Base.metadata.tables["kv_entry"].create(engine, checkfirst=True)
    yield SqlStore(engine, prefix)
    engine.dispose()


def test_set_get_and_expiry(store):
    store.set("a", "1", ttl=1)
    assert store.get("a") == "1"
    time.sleep(1.1)
    assert store.get("a") is None


def test_batch_runs_ops_in_order_with_one_result_each(store):
    store.set("b1", "one", ttl=60)
    store.set("b2", "short", ttl=1)
    results = store.batch(
        [Get("b1"), Add("b3", "x", 60), Get("b3"), Add("b1", "y", 60), Set("b4", "z", 60)]
    )
    assert results == ["one", True, "x", False, None]
    assert store.get("b1") == "one" and store.get("b4") == "z"
    time.sleep(1.1)
    assert store.batch([Get("b2"), Get("nope"), Add("b2", "again", 60)]) == [None, None, True]
    assert store.get("b2") == "again"


def test_add_only_when_absent(store):
    assert store.add("n", "x", ttl=60) is True
    assert store.add("n", "y", ttl=60) is False
    assert store.get("n") == "x"


def test_add_succeeds_after_expiry(store):
    assert store.add("e", "x", ttl=1)
    time.sleep(1.1)
    assert store.add("e", "y", ttl=60)


def test_pop_returns_value_once(store):
    store.set("s", "v", ttl=60)
    assert store.pop("s") == "v"
    assert store.pop("s") is None


def test_concurrent_pops_hand_the_value_to_exactly_one(store):
    store.set("race", "v", ttl=60)
    results: list[str | None] = []
    barrier = threading.Barrier(8)

    def grab() -> None:
        barrier.wait()
        results.append(store.pop("race"))

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("v") == 1 and results.count(None) == 7
