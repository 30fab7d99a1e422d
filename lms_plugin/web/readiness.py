"""Can this web process serve? The database, its schema (every migration of this code applied),
the broker and the cache, each asked in its own thread with a deadline
(LMS_READYZ_TIMEOUT_SECONDS), so a Redis that hangs or is gone answers within the deadline
instead of holding the load balancer's probe.

A check still running from an earlier probe is not started again (its answer is "timeout"
until it returns): a dead server never piles up threads. Errors are named by class only; the
probe is public and its answer carries no host names or credentials.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

import redis
from kombu import Connection  # type: ignore[attr-defined]
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import text
from sqlalchemy.engine import Engine

from lms_plugin.db.schema_version import schema_state
from lms_plugin.metrics_state import short_redis
from lms_plugin.redis_urls import redis_client
from lms_plugin.settings import Settings

Check = Callable[[], None]


@dataclass
class Readiness:
    """The checks of one app, and the probe of each still in flight."""

    checks: dict[str, Check]
    timeout: float
    _pool: ThreadPoolExecutor = field(init=False)
    _running: dict[str, Future[None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._pool = ThreadPoolExecutor(len(self.checks), thread_name_prefix="readyz")

    def probe(self) -> dict[str, str]:
        """``{part: "ok" | "timeout" | "error: <class>"}`` within about ``timeout`` seconds."""
        with self._lock:
            for name, check in self.checks.items():
                if name not in self._running or self._running[name].done():
                    self._running[name] = self._pool.submit(check)
            futures = dict(self._running)
        wait(futures.values(), timeout=self.timeout)
        return {name: _answer(future) for name, future in futures.items()}


def _answer(future: Future[None]) -> str:
    if not future.done():
        return "timeout"
    error = future.exception()
    if isinstance(error, TimeoutError | redis.TimeoutError):  # its own deadline came first
        return "timeout"
    return "ok" if error is None else f"error: {error.__class__.__name__}"


def readiness_for(settings: Settings, engine: Engine) -> Readiness:
    """Database, broker and cache checks for these settings."""
    timeout = settings.readyz_timeout_seconds
    return Readiness(
        {
            "database": lambda: _database(engine),
            "schema": lambda: _schema(engine),
            "broker": _broker_check(settings, timeout),
            "cache": _cache_check(settings, engine, timeout),
        },
        timeout,
    )


def _database(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _schema(engine: Engine) -> None:
    """Every migration of this code applied (a database ahead of it passes: db/schema_version)."""
    with engine.connect() as conn:
        schema_state(conn).require_current()


def _broker_check(settings: Settings, timeout: float) -> Check:
    url = settings.broker_url
    if url.startswith(("redis://", "rediss://")):
        client = short_redis(url, timeout)
        return lambda: _ping(client)
    if url.startswith("filesystem://"):
        folder = settings.broker_folder
        return lambda: _writable(str(folder))

    def other() -> None:  # RabbitMQ, or any broker kombu speaks
        with Connection(url, connect_timeout=timeout) as conn:  # type: ignore[no-untyped-call]
            conn.ensure_connection(max_retries=1, timeout=timeout)

    return other


def _cache_check(settings: Settings, engine: Engine, timeout: float) -> Check:
    if not settings.cache_url:  # the embedded store is a database table
        return lambda: _database(engine)
    client = redis_client(settings.cache_url)  # any form the store reads, Sentinel too
    client.connection_pool.connection_kwargs.update(
        socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )
    return lambda: _ping(client)


def _ping(client: redis.Redis) -> None:
    client.ping()


def _writable(folder: str) -> None:
    os.makedirs(folder, exist_ok=True)  # as the dispatcher makes it on its first message
    if not os.access(folder, os.W_OK):
        raise PermissionError(folder)
