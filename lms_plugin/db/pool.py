"""Check pooled server connections only when they may have gone stale.

``pool_pre_ping`` costs one more round trip on every checkout, which is a quarter of a busy
request's database time. A connection that was back in the pool moments ago is alive; one
that sat idle (when a database restart or a firewall's idle timeout has most likely happened)
is pinged first, and replaced if the ping fails. A connection lost while in use fails that
one statement: SQLAlchemy then discards the whole pool, and workers retry their task.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

IDLE_SECONDS = 5.0


def ping_when_idle(
    engine: Engine,
    idle_seconds: float = IDLE_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Ping a pooled connection at checkout when it sat idle ``idle_seconds`` or longer."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = clock()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or clock() - idle_since < idle_seconds:
            return  # new (just connected) or in use moments ago
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("pooled connection is gone") from error
        if not alive:
            raise exc.DisconnectionError("pooled connection is gone")
