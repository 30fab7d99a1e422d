"""The launch-state store on every backend: TTL, add-if-absent, and pop exactly once; and the
Redis URLs managed Redis needs (password, ACL user, ?db=, Sentinel), reconnects included."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine

from lms_plugin.db import Base
from lms_plugin.db.models import KvEntry
from lms_plugin.kv import Add, Count, Get, KeyValueStore, Pop, RedisStore, Set, SqlStore
from tests.support.endpoints import PG_ADMIN_URL
from tests.support.processes import scratch_database
from tests.support.redis_servers import redis_server, sentinel

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def kv_pg_url(pg_url) -> Iterator[str]:
    """A database of its own: the tool's migrations must find the test database untouched."""
    with scratch_database(PG_ADMIN_URL, "lms_kv_") as url:
        yield url


@dataclass
class Backend:
    """A store, what TTL a key has left, and a way to let time pass for it."""

    store: KeyValueStore
    ttl: Callable[[str], float | None]
    advance: Callable[[float], None]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def _sql_backend(engine: Engine, prefix: str) -> Backend:
    clock = FakeClock()

    def ttl(key: str) -> float | None:
        with engine.connect() as conn:
            expires = conn.scalar(select(KvEntry.expires_at).where(KvEntry.key == prefix + key))
        return None if expires is None or expires <= clock() else expires - clock()

    def advance(seconds: float) -> None:
        clock.now += seconds

    return Backend(SqlStore(engine, prefix, clock=clock), ttl, advance)


def _redis_backend(store: RedisStore, raw: redis.Redis, prefix: str) -> Backend:
    def ttl(key: str) -> float | None:
        left = raw.pttl(prefix + key)
        return None if left < 0 else left / 1000  # -2: no key, -1: no TTL (never ours)

    def advance(seconds: float) -> None:
        # Redis keeps its own clock: count each key's TTL down by hand (a key whose TTL runs
        # out is gone, as Redis would have it) instead of sleeping for it to happen.
        for key in raw.scan_iter(prefix + "*"):
            left = raw.pttl(key) - int(seconds * 1000)
            if left > 0:
                raw.pexpire(key, left)
            else:
                raw.delete(key)

    return Backend(store, ttl, advance)


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def backend(request, tmp_path, kv_pg_url, redis_url) -> Iterator[Backend]:
    prefix = f"kvtest:{uuid.uuid4().hex[:6]}:"
    if request.param == "redis":
        store, raw = RedisStore(redis_url, prefix), redis.Redis.from_url(redis_url)
        yield _redis_backend(store, raw, prefix)
        for key in raw.scan_iter(prefix + "*"):
            raw.delete(key)
        store.close()
        raw.close()
        return
    url = f"sqlite:///{tmp_path}/kv.db" if request.param == "sqlite" else kv_pg_url
    engine = create_engine(url)
    Base.metadata.tables["kv_entry"].create(engine, checkfirst=True)
    yield _sql_backend(engine, prefix)
    engine.dispose()


def _about(seconds: float) -> Callable[[float | None], bool]:
    return lambda left: left is not None and seconds - 0.5 < left <= seconds


def test_set_get_and_expiry(backend):
    backend.store.set("a", "1", ttl=1)
    assert backend.store.get("a") == "1"
    assert _about(1)(backend.ttl("a"))
    backend.advance(1.1)
    assert backend.store.get("a") is None


def test_every_write_gives_its_ttl(backend):
    store = backend.store
    assert store.batch([Set("s", "x", 30), Add("a", "x", 40), Pop("none")]) == [None, True, None]
    store.set("s2", "x", ttl=50)
    assert store.add("a2", "x", ttl=60)
    ttls = [backend.ttl(k) for k in ("s", "a", "s2", "a2")]
    assert all(_about(s)(left) for s, left in zip((30, 40, 50, 60), ttls, strict=True)), ttls
    assert not store.add("a", "y", ttl=5)  # a refused add leaves the key and its TTL alone
    assert store.get("a") == "x" and _about(40)(backend.ttl("a"))
    store.set("s", "y", ttl=5)  # a set replaces both
    assert store.get("s") == "y" and _about(5)(backend.ttl("s"))


def test_batch_runs_ops_in_order_with_one_result_each(backend):
    store = backend.store
    store.set("b1", "one", ttl=60)
    store.set("b2", "short", ttl=1)
    results = store.batch(
        [Get("b1"), Add("b3", "x", 60), Get("b3"), Add("b1", "y", 60), Set("b4", "z", 60)]
    )
    assert results == ["one", True, "x", False, None]
    assert store.get("b1") == "one" and store.get("b4") == "z"
    backend.advance(1.1)
    assert store.batch([Get("b2"), Get("nope"), Add("b2", "again", 60)]) == [None, None, True]
    assert store.get("b2") == "again" and store.get("b1") == "one"


def test_pop_in_a_batch_hands_the_value_out_once(backend):
    store = backend.store
    store.set("p1", "one", ttl=60)
    store.set("p2", "short", ttl=1)
    assert store.batch([Pop("p1"), Get("p1"), Pop("p1"), Add("p1", "new", 60)]) == [
        "one",
        None,
        None,
        True,
    ]
    backend.advance(1.1)
    assert store.batch([Pop("p2")]) == [None]  # expired is absent


def test_add_only_when_absent(backend):
    assert backend.store.add("n", "x", ttl=60) is True
    assert backend.store.add("n", "y", ttl=60) is False
    assert backend.store.get("n") == "x"


def test_add_succeeds_after_expiry(backend):
    assert backend.store.add("e", "x", ttl=1)
    assert not backend.store.add("e", "y", ttl=60)
    backend.advance(1.1)
    assert backend.store.add("e", "y", ttl=60)
    assert backend.store.get("e") == "y"


def test_pop_returns_value_once(backend):
    backend.store.set("s", "v", ttl=60)
    assert backend.store.pop("s") == "v"
    assert backend.store.pop("s") is None


def test_delete(backend):
    backend.store.set("d", "v", ttl=60)
    backend.store.delete("d")
    assert backend.store.get("d") is None
    backend.store.delete("d")  # deleting what is absent is no error


def test_concurrent_pops_hand_the_value_to_exactly_one(backend):
    backend.store.set("race", "v", ttl=60)
    results: list[str | None] = []
    barrier = threading.Barrier(8)

    def grab() -> None:
        barrier.wait()
        results.append(backend.store.pop("race"))

    threads = [threading.Thread(target=grab) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("v") == 1 and results.count(None) == 7


def test_count_is_a_fixed_window_opened_by_the_first_count(backend):
    store = backend.store
    assert store.batch([Count("c", 60), Get("other"), Count("c", 60)]) == [(1, 60), None, (2, 60)]
    backend.advance(20)
    count, left = store.batch([Count("c", 60)])[0]
    assert count == 3 and 39 <= left <= 40  # later counts do not move the window
    assert _about(40)(backend.ttl("c"))
    assert store.batch([Count("d", 5)]) == [(1, 5)]  # each key its own window
    backend.advance(40.1)
    assert store.batch([Count("c", 60), Count("d", 5)]) == [(1, 60), (1, 5)]  # a new window


def test_concurrent_counts_miss_none(backend):
    barrier = threading.Barrier(8)
    counts: list[int] = []

    def count() -> None:
        barrier.wait()
        for _ in range(5):
            counts.append(backend.store.batch([Count("many", 60)])[0][0])

    threads = [threading.Thread(target=count) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == list(range(1, 41))  # each count seen once, none lost


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


@pytest.mark.parametrize("call", ["get", "batch"])
def test_redis_connection_killed_by_the_server_is_replaced(redis_url, call):
    prefix, name = f"kvtest:{uuid.uuid4().hex[:6]}:", "kv-" + uuid.uuid4().hex[:8]
    separator = "&" if "?" in redis_url else "?"
    store = RedisStore(f"{redis_url}{separator}client_name={name}", prefix)
    raw = redis.Redis.from_url(redis_url)
    try:
        store.set("k", "v", ttl=60)  # the pool now holds one connection, named
        killed = [c for c in raw.client_list() if c.get("name") == name]
        assert len(killed) == 1
        raw.execute_command("CLIENT", "KILL", "ID", killed[0]["id"])
        if call == "get":
            assert store.get("k") == "v"  # retried on a fresh connection
        else:
            assert store.batch([Get("k"), Pop("k")]) == ["v", "v"]
        assert [c["id"] for c in raw.client_list() if c.get("name") == name] != [killed[0]["id"]]
    finally:
        raw.delete(prefix + "k")
        store.close()
        raw.close()


PASSWORD = "s3cret-" + uuid.uuid4().hex[:6]


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory) -> Iterator[int]:
    """A Redis of this module's own, behind a password (as managed Redis is)."""
    with redis_server(tmp_path_factory.mktemp("redis"), PASSWORD) as port:
        yield port


def test_password_and_db_in_the_url(private_redis):
    admin = redis.Redis(port=private_redis, password=PASSWORD, db=3, decode_responses=True)
    for url in (
        f"redis://:{PASSWORD}@127.0.0.1:{private_redis}/3",
        f"redis://default:{PASSWORD}@127.0.0.1:{private_redis}?db=3",
    ):
        store = RedisStore(url, "lms:")
        try:
            assert store.add("k", url, ttl=60)
            assert admin.get("lms:k") == url  # in database 3, not 0
            assert store.pop("k") == url
        finally:
            store.close()
    assert redis.Redis(port=private_redis, password=PASSWORD).dbsize() == 0


def test_without_the_password_the_store_is_refused(private_redis):
    store = RedisStore(f"redis://127.0.0.1:{private_redis}/0", "lms:")
    try:
        with pytest.raises(redis.AuthenticationError):
            store.ping()
    finally:
        store.close()


def test_acl_user_in_the_url(private_redis):
    admin = redis.Redis(port=private_redis, password=PASSWORD, decode_responses=True)
    user = "lms-" + uuid.uuid4().hex[:6]
    admin.acl_setuser(
        user, enabled=True, passwords=["+pw-" + user], keys=["lms:*"], commands=["+@all"]
    )
    url = f"redis://{user}:pw-{user}@127.0.0.1:{private_redis}/2"
    allowed, outside = RedisStore(url, "lms:"), RedisStore(url, "other:")
    try:
        assert allowed.batch([Set("k", "v", 60), Get("k")]) == [None, "v"]
        with pytest.raises(redis.exceptions.NoPermissionError):  # the ACL user is the one used
            outside.set("k", "v", ttl=60)
    finally:
        allowed.close()
        outside.close()
        admin.acl_deluser(user)
        admin.close()


def test_sentinel_url_finds_the_master(tmp_path: Path):
    with (
        redis_server(tmp_path, PASSWORD) as master,
        sentinel(tmp_path, master, "lms-master", PASSWORD) as port,
    ):
        store = RedisStore(f"redis+sentinel://:{PASSWORD}@127.0.0.1:{port}/lms-master?db=1", "x:")
        try:
            assert store.batch([Add("k", "v", 60), Get("k")]) == [True, "v"]
            on_master = redis.Redis(port=master, password=PASSWORD, db=1, decode_responses=True)
            assert on_master.get("x:k") == "v"
            on_master.close()
        finally:
            store.close()


@pytest.mark.parametrize(
    "url", ["redis+sentinel://127.0.0.1:1", "redis+sentinel:///svc", "redis+sentinel://h/a/b"]
)
def test_sentinel_url_without_hosts_or_service_is_refused(url):
    with pytest.raises(ValueError, match="service_name"):
        RedisStore(url, "x:")
