"""Alembic is the only schema path: one head, and upgrade -> downgrade -> upgrade on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from lms_plugin.db import Base, db
from lms_plugin.web.app import MIGRATIONS_DIR, create_app
from tests.conftest import make_settings
from tests.support.endpoints import PG_ADMIN_URL
from tests.support.processes import scratch_database

pytestmark = pytest.mark.integration


def test_single_head():
    config = Config(str(Path(MIGRATIONS_DIR) / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.fixture
def empty_pg():
    with scratch_database(PG_ADMIN_URL, "lms_mig_") as url:
        yield url


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_upgrade_downgrade_upgrade_matches_models(tmp_path, empty_pg, backend):
    url = empty_pg if backend == "postgresql" else f"sqlite:///{tmp_path}/m.db"
    app = create_app(make_settings(str(tmp_path), database_url=url))
    with app.app_context():
        upgrade()
        assert _tables() == set(Base.metadata.tables)
        downgrade(revision="base")
        assert _tables() == set()
        upgrade()
        assert _tables() == set(Base.metadata.tables)
        with db.engine.connect() as conn:  # columns, types, indexes and constraints too
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], diff
        db.engine.dispose()


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}
