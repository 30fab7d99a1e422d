"""Alembic is the only schema path: one head, and upgrade -> downgrade -> upgrade on PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from lms_plugin.db import Base, db
from lms_plugin.web.app import MIGRATIONS_DIR, create_app
from tests.conftest import PG_ADMIN_URL, make_settings

pytestmark = pytest.mark.integration


def test_single_head():
    config = Config(str(Path(MIGRATIONS_DIR) / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


@pytest.fixture
def empty_pg(tmp_path):
    name = "lms_mig_" + uuid.uuid4().hex[:8]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
