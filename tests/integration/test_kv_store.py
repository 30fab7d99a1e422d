"""The launch-state store on every backend: TTL, add-if-absent, and pop exactly once."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import create_engine

from lms_plugin.db import Base
from lms_plugin.kv import Add, Get, KeyValueStore, Pop, RedisStore, Set, SqlStore
from tests.support.endpoints import PG_ADMIN_URL
from tests.support.processes import scratch_database

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def kv_pg_url(pg_url) -> Iterator[str]:
    """A database of its own: the tool's migrations must find the test database untouched."""
    with scratch_database(PG_ADMIN_URL, "lms_kv_") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def store(request, tmp_path, kv_pg_url, redis_url) -> Iterator[KeyValueStore]:
    prefix = f"kvtest:{uuid.uuid4().hex[:6]}:"
    if request.param == "redis":
        redis_store = RedisStore(redis_url, prefix)
        yield redis_store
        redis_store.close()
        return
    url = f"sqlite:///{tmp_path}/kv.db" if request.param == "sqlite" else kv_pg_url
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


def test_pop_in_a_batch_hands_the_value_out_once(store):
    store.set("p1", "one", ttl=60)
    store.set("p2", "short", ttl=1)
    assert store.batch([Pop("p1"), Get("p1"), Pop("p1"), Add("p1", "new", 60)]) == [
        "one",
        None,
        None,
        True,
    ]
    time.sleep(1.1)
    assert store.batch([Pop("p2")]) == [None]  # expired is absent


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


def test_redis_error_reply_does_not_leave_replies_for_the_next_caller(redis_url):
    prefix = f"kvtest:{uuid.uuid4().hex[:6]}:"
    store, raw = RedisStore(redis_url, prefix), redis.Redis.from_url(redis_url)
    try:
        raw.rpush(prefix + "list", "x")  # GET on a list is a WRONGTYPE error reply
        store.batch([Set("ok", "fine", 60), Set("other", "left over", 60)])
        with pytest.raises(redis.ResponseError):
            store.batch([Get("list"), Get("other"), Get("other")])
        assert store.get("ok") == "fine"  # not a reply left over from the failed batch
        assert store.batch([Get("ok"), Pop("ok")]) == ["fine", "fine"]
    finally:
        raw.delete(prefix + "list", prefix + "ok", prefix + "other")
        store.close()
        raw.close()


def test_redis_connection_killed_by_the_server_is_replaced(redis_url):
    prefix = f"kvtest:{uuid.uuid4().hex[:6]}:"
    store, raw = RedisStore(redis_url, prefix), redis.Redis.from_url(redis_url)
    try:
        store.set("k", "v", ttl=60)
        name = "kv-" + uuid.uuid4().hex[:8]
        store._execute([("CLIENT", "SETNAME", name)])
        killed = [c for c in raw.client_list() if c.get("name") == name]
        assert len(killed) == 1
        raw.execute_command("CLIENT", "KILL", "ID", killed[0]["id"])
        assert store.get("k") == "v"  # retried on a fresh connection
    finally:
        raw.delete(prefix + "k")
        store.close()
        raw.close()
