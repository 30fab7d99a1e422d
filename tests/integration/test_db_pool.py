"""Pooled PostgreSQL connections are pinged only after sitting idle, and replaced if dead."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from lms_plugin.db.pool import ping_when_idle


class Clock:
    """Time that passes only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _engine(pg_url: str, idle_seconds: float, clock: Clock | None = None):
    engine = create_engine(pg_url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds, clock or Clock())
    pings = []
    real_ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda conn: pings.append(1) or real_ping(conn)  # type: ignore[method-assign]
    return engine, pings


def test_a_connection_killed_while_idle_is_replaced_before_use(pg_url):
    clock = Clock()
    engine, pings = _engine(pg_url, idle_seconds=5, clock=clock)
    try:
        with engine.connect() as conn:
            first_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = create_engine(pg_url)
        with admin.connect() as conn:  # the server drops it, as a restart would
            conn.execute(text(f"SELECT pg_terminate_backend({first_pid})"))
        admin.dispose()
        clock.now += 5  # idle as long as the pool allows without a ping
        with engine.connect() as conn:
            second_pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert pings and second_pid != first_pid
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(pg_url):
    engine, pings = _engine(pg_url, idle_seconds=30)
    try:
        for _ in range(5):
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        assert pings == []
    finally:
        engine.dispose()
