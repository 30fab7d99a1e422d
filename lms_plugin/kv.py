"""A small key-value store with TTLs for launch state, JWKS and token caches.

Production uses Redis (``LMS_CACHE_URL=redis://...``, every form ``redis_urls.redis_client`` reads);
the embedded default keeps the same operations in the ``kv_entry`` table, so several web
processes share state either way.
``pop`` is atomic in both: a state or nonce can be consumed exactly once.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import redis
from sqlalchemy import Integer, Text, delete, select
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from lms_plugin.db.models import KvEntry
from lms_plugin.redis_urls import redis_client

# The store or the database down or unreachable, as redis-py and SQLAlchemy (the DBAPI's
# OperationalError: "not necessarily under the control of the programmer") raise it. A request
# that meets one was not completed and can be sent again (web/errors: 503 with Retry-After).
UNAVAILABLE: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    OperationalError,
)


@dataclass(frozen=True)
class Get:
    """Result: the value, or None."""

    key: str


@dataclass(frozen=True)
class Add:
    """Result: True when this op created the key (it was absent or expired)."""

    key: str
    value: str
    ttl: int


@dataclass(frozen=True)
class Set:
    """Result: None."""

    key: str
    value: str
    ttl: int


@dataclass(frozen=True)
class Pop:
    """Result: the value, or None; the key is gone afterwards (atomic: one caller gets it)."""

    key: str


@dataclass(frozen=True)
class Count:
    """Result: ``(count, seconds_left)``: how often ``key`` has been counted in its window, this
    time included, and the seconds until that window closes. A window opens at the key's first
    count and lasts ``window`` seconds: the fixed window of the ``limits`` library."""

    key: str
    window: int


Op = Get | Add | Set | Pop | Count


class KeyValueStore(Protocol):
    def get(self, key: str) -> str | None: ...
    def batch(self, ops: Sequence[Op]) -> list[Any]:
        """Run ``ops`` in order in one round trip; one result per op (see :data:`Op`)."""
        ...

    def set(self, key: str, value: str, ttl: int) -> None: ...
    def add(self, key: str, value: str, ttl: int) -> bool:
        """Set only if absent; True when this call created the key."""
        ...

    def pop(self, key: str) -> str | None:
        """Return and delete in one atomic step."""
        ...

    def delete(self, key: str) -> None: ...
    def ping(self) -> None: ...


class _SingleOps:
    """``set``, ``add`` and ``pop`` as one-op batches: each store implements ``batch`` once."""

    def batch(self, ops: Sequence[Op]) -> list[Any]:
        raise NotImplementedError

    def set(self, key: str, value: str, ttl: int) -> None:
        self.batch([Set(key, value, ttl)])

    def add(self, key: str, value: str, ttl: int) -> bool:
        return bool(self.batch([Add(key, value, ttl)])[0])

    def pop(self, key: str) -> str | None:
        value: str | None = self.batch([Pop(key)])[0]
        return value


class RedisStore(_SingleOps):
    """The store on Redis, through redis-py's public API (hiredis parses the replies).

    ``url`` is what :func:`redis_client` reads. A batch is one pipeline without MULTI: its ops
    are independent and each is atomic on its own (``GETDEL``, ``SET NX``), so one round trip
    is all a batch needs. redis-py retries a command whose connection dropped (Redis restarted,
    a proxy timed it out) on a fresh one; a pop or add that had run before the drop then finds
    its key gone or taken, so a launch is refused (and made again), never let through twice.
    """

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = redis_client(url)
        self._prefix = prefix

    def get(self, key: str) -> str | None:
        return cast("str | None", self._redis.get(self._prefix + key))  # decode_responses

    def batch(self, ops: Sequence[Op]) -> list[Any]:
        pipe = self._redis.pipeline(transaction=False)
        for op in ops:
            key = self._prefix + op.key
            if isinstance(op, Get):
                pipe.get(key)
            elif isinstance(op, Pop):
                pipe.getdel(key)
            elif isinstance(op, Count):
                # EVAL, not a registered script: in a pipeline, redis-py would first ask
                # whether the script is loaded (SCRIPT EXISTS), a round trip of its own.
                pipe.eval(_COUNT_SCRIPT, 1, key, op.window)
            else:
                pipe.set(key, op.value, ex=op.ttl, nx=isinstance(op, Add))
        replies = pipe.execute()
        return [_result(op, reply) for op, reply in zip(ops, replies, strict=True)]

    def delete(self, key: str) -> None:
        self._redis.delete(self._prefix + key)

    def ping(self) -> None:
        self._redis.ping()

    def close(self) -> None:
        self._redis.close()


# One atomic step, as the limits library counts: the key's first count starts its expiry.
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}
"""


def _result(op: Op, reply: Any) -> Any:
    if isinstance(op, Count):
        return int(reply[0]), max(0, int(reply[1]))
    if isinstance(op, Add):
        return bool(reply)  # SET NX answers OK or nil
    return None if isinstance(op, Set) else reply


class SqlStore(_SingleOps):
    """The embedded store: one table, short transactions of their own (never the request's).
    Expiry times come from ``clock`` (seconds since the epoch, shared by every process)."""

    def __init__(
        self, engine: Engine, prefix: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._engine = engine
        self._prefix = prefix
        self._clock = clock
        dialect = engine.dialect.name
        self._insert = postgresql.insert if dialect == "postgresql" else sqlite.insert

    def get(self, key: str) -> str | None:  # a read needs no write transaction
        with self._engine.connect() as conn:
            return self._get(conn, key)

    def batch(self, ops: Sequence[Op]) -> list[Any]:
        with self._engine.begin() as conn:
            results = [self._run(conn, op) for op in ops]
        self._maybe_purge()
        return results

    def delete(self, key: str) -> None:
        with self._engine.begin() as conn:
            conn.execute(delete(KvEntry).where(KvEntry.key == self._prefix + key))

    def ping(self) -> None:
        with self._engine.connect() as conn:
            conn.execute(select(KvEntry.key).limit(1))

    def _run(self, conn: Connection, op: Op) -> Any:
        if isinstance(op, Get):
            return self._get(conn, op.key)
        if isinstance(op, Pop):
            row = conn.execute(
                delete(KvEntry)
                .where(KvEntry.key == self._prefix + op.key, KvEntry.expires_at > self._clock())
                .returning(KvEntry.value)
            ).first()
            return row[0] if row else None
        if isinstance(op, Count):
            return self._count(conn, op)
        key, expires_at = self._prefix + op.key, self._clock() + op.ttl
        if isinstance(op, Set):
            stmt = self._insert(KvEntry).values(key=key, value=op.value, expires_at=expires_at)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[KvEntry.key],
                    set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at},
                )
            )
            return None
        self._forget_expired(conn, key, self._clock())
        created = conn.execute(
            self._insert(KvEntry)
            .values(key=key, value=op.value, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=[KvEntry.key])
            .returning(KvEntry.key)
        ).first()
        return created is not None

    def _count(self, conn: Connection, op: Count) -> tuple[int, int]:
        key, now = self._prefix + op.key, self._clock()
        self._forget_expired(conn, key, now)
        stmt = self._insert(KvEntry).values(key=key, value="1", expires_at=now + op.window)
        count, expires_at = conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[KvEntry.key],
                set_={"value": sql_cast(sql_cast(KvEntry.value, Integer) + 1, Text)},
            ).returning(KvEntry.value, KvEntry.expires_at)
        ).one()
        return int(count), max(0, math.ceil(expires_at - now))

    @staticmethod
    def _forget_expired(conn: Connection, key: str, now: float) -> None:
        """Drop ``key`` if it has expired: what comes next starts it afresh."""
        conn.execute(delete(KvEntry).where(KvEntry.key == key, KvEntry.expires_at <= now))

    def _get(self, conn: Connection, key: str) -> str | None:
        row = conn.execute(
            select(KvEntry.value).where(
                KvEntry.key == self._prefix + key, KvEntry.expires_at > self._clock()
            )
        ).first()
        return row[0] if row else None

    def _maybe_purge(self) -> None:
        # Expired rows are invisible already; drop them now and then so the table stays small.
        if random.random() < 0.02:  # noqa: S311 - not security sensitive
            with self._engine.begin() as conn:
                conn.execute(delete(KvEntry).where(KvEntry.expires_at <= self._clock()))


def make_store(cache_url: str, prefix: str, engine: Engine) -> KeyValueStore:
    """Redis when ``LMS_CACHE_URL`` is set, else the embedded table store."""
    if cache_url:
        return RedisStore(cache_url, prefix)
    return SqlStore(engine, prefix)
