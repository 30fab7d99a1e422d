"""A small key-value store with TTLs for launch state, JWKS and token caches.

Production uses Redis (``LMS_CACHE_URL=redis://...``); the embedded default keeps the same
operations in the ``kv_entry`` table, so several web processes share state either way.
``pop`` is atomic in both: a state or nonce can be consumed exactly once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from lms_plugin.db.models import KvEntry


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


Op = Get | Add | Set | Pop


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
    """Commands are written to a pooled connection and their replies read back directly: redis-py's
    typed helpers and pipeline objects cost several times the round trip itself, and the
    launch path makes one or two round trips per request."""

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=5, decode_responses=True)
        self._pool = self._redis.connection_pool
        self._prefix = prefix

    def get(self, key: str) -> str | None:
        value: str | None = self.batch([Get(key)])[0]
        return value

    def batch(self, ops: Sequence[Op]) -> list[Any]:
        replies = self._execute([self._command(op) for op in ops])
        return [self._result(op, reply) for op, reply in zip(ops, replies, strict=True)]

    def delete(self, key: str) -> None:
        self._execute([("DEL", self._prefix + key)])

    def ping(self) -> None:
        self._execute([("PING",)])

    def close(self) -> None:
        self._redis.close()

    def _execute(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        """One write, one reply per command. A connection dropped under us (Redis restarted)
        is retried once on a fresh one, as redis-py itself does: a pop or add that had run
        before the drop then finds its key gone or taken, so a launch is refused (and made
        again), never let through twice. Any other failure discards the connection, whose
        unread replies would otherwise answer the next caller."""
        for attempt in (1, 2):
            connection: Any = self._pool.get_connection()
            try:
                connection.send_packed_command(connection.pack_commands(commands))
                return [connection.read_response() for _ in commands]
            except (redis.ConnectionError, redis.TimeoutError):
                connection.disconnect()
                if attempt == 2:
                    raise
            except BaseException:
                connection.disconnect()
                raise
            finally:
                self._pool.release(connection)
        raise AssertionError("unreachable")

    def _command(self, op: Op) -> tuple[Any, ...]:
        key = self._prefix + op.key
        if isinstance(op, Get):
            return ("GET", key)
        if isinstance(op, Pop):
            return ("GETDEL", key)
        if isinstance(op, Add):
            return ("SET", key, op.value, "EX", op.ttl, "NX")
        return ("SET", key, op.value, "EX", op.ttl)

    @staticmethod
    def _result(op: Op, result: Any) -> Any:
        if isinstance(op, Add):
            return bool(result)
        return None if isinstance(op, Set) else result


class SqlStore(_SingleOps):
    """The embedded store: one table, short transactions of their own (never the request's)."""

    def __init__(self, engine: Engine, prefix: str) -> None:
        self._engine = engine
        self._prefix = prefix
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
                .where(KvEntry.key == self._prefix + op.key, KvEntry.expires_at > time.time())
                .returning(KvEntry.value)
            ).first()
            return row[0] if row else None
        key, expires_at = self._prefix + op.key, time.time() + op.ttl
        if isinstance(op, Set):
            stmt = self._insert(KvEntry).values(key=key, value=op.value, expires_at=expires_at)
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[KvEntry.key],
                    set_={"value": stmt.excluded.value, "expires_at": stmt.excluded.expires_at},
                )
            )
            return None
        conn.execute(delete(KvEntry).where(KvEntry.key == key, KvEntry.expires_at <= time.time()))
        created = conn.execute(
            self._insert(KvEntry)
            .values(key=key, value=op.value, expires_at=expires_at)
            .on_conflict_do_nothing(index_elements=[KvEntry.key])
            .returning(KvEntry.key)
        ).first()
        return created is not None

    def _get(self, conn: Connection, key: str) -> str | None:
        row = conn.execute(
            select(KvEntry.value).where(
                KvEntry.key == self._prefix + key, KvEntry.expires_at > time.time()
            )
        ).first()
        return row[0] if row else None

    def _maybe_purge(self) -> None:
        # Expired rows are invisible already; drop them now and then so the table stays small.
        if random.random() < 0.02:  # noqa: S311 - not security sensitive
            with self._engine.begin() as conn:
                conn.execute(delete(KvEntry).where(KvEntry.expires_at <= time.time()))


def make_store(cache_url: str, prefix: str, engine: Engine) -> KeyValueStore:
    """Redis when ``LMS_CACHE_URL`` is set, else the embedded table store."""
    if cache_url:
        return RedisStore(cache_url, prefix)
    return SqlStore(engine, prefix)
