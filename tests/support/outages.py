"""Outages the tool meets for real, not mocked: its PostgreSQL database stops taking
connections and ends those it has, until the block ends."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from lms_plugin.db import db
from tests.support.endpoints import PG_ADMIN_URL


@contextmanager
def database_refuses_connections(tool: Any) -> Iterator[None]:
    """The tool's database takes no connection (``ALLOW_CONNECTIONS false``, its sessions
    ended) inside the block; it does again afterwards, whatever happened inside."""
    with tool.app.app_context():
        name = db.engine.url.database
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
