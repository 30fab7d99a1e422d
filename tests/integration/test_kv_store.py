"""The launch-state store on every backend: TTL, add-if-absent, and pop exactly once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from lms_plugin.db import Base
from lms_plugin.kv import KeyValueStore, RedisStore, SqlStore

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


def test_get_many_keeps_the_order_and_skips_missing_and_expired(store):
    store.set("m1", "one", ttl=60)
    store.set("m2", "two", ttl=1)
    store.set("m3", "three", ttl=60)
    assert store.get_many(["m3", "nope", "m1", "m2"]) == ["three", None, "one", "two"]
    time.sleep(1.1)
    assert store.get_many(["m2", "m1"]) == [None, "one"]


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
