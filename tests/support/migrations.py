"""Migration tests: a database of each kind, stopped at a revision with rows written by hand."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from lms_plugin.db import db
from tests.support.endpoints import PG_ADMIN_URL
from tests.support.processes import scratch_database


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A scratch PostgreSQL database, then a SQLite file: each migration test runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/m.db"
        return
    with scratch_database(PG_ADMIN_URL, "lms_mig_") as url:
        yield url


def at_revision_with(revision: str, rows: Iterable[str]) -> None:
    """Upgrade the app's database to ``revision`` and write ``rows`` (SQL statements) there."""
    upgrade(revision=revision)
    for sql in rows:
        db.session.execute(text(sql))
    db.session.commit()
