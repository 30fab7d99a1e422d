"""Alembic is the only schema path: one head, and upgrade -> downgrade -> upgrade on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from lms_plugin.db import Base, db
from lms_plugin.db.schema_version import SchemaBehindError, SchemaState, schema_state
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


def test_schema_state_tells_a_database_behind_the_code_from_one_ahead(tmp_path, empty_pg):
    """Never migrated or behind: refused, naming `lms-plugin db upgrade`. Ahead (a revision this
    code does not know, as in a rolling upgrade once the migration has run): served."""
    app = create_app(make_settings(str(tmp_path), database_url=empty_pg))
    with app.app_context():
        state = _state()
        assert (state.current, state.behind) == ((), True)
        with pytest.raises(SchemaBehindError, match=r"no tables yet\. Run `lms-plugin db upgrade`"):
            state.require_current()
        upgrade()
        state = _state()
        assert state.current == state.heads and not state.behind
        state.require_current()
        downgrade(revision="-1")
        state = _state()
        assert state.behind and state.current and state.current != state.heads
        with pytest.raises(SchemaBehindError, match=f"at migration {state.current[0]};"):
            state.require_current()
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '0999_from_the_future'"))
        assert not _state().behind
        db.engine.dispose()


def _state() -> SchemaState:
    with db.engine.connect() as conn:
        return schema_state(conn)


def test_no_migrations_folder_is_named_not_a_traceback(tmp_path):
    """The installed package run from a directory without migrations/ (the image runs in /app)."""
    app = create_app(make_settings(str(tmp_path), database_url=f"sqlite:///{tmp_path}/m.db"))
    with app.app_context(), db.engine.connect() as conn:
        with pytest.raises(SchemaBehindError, match=r"No migrations folder at .*elsewhere") as err:
            schema_state(conn, tmp_path / "elsewhere")
        assert err.value.code == "migrations_not_found"
        db.engine.dispose()
