"""Migration 0013: on PostgreSQL an issued credential and its VC-JWT are stored compressed with
lz4 (not pglz, which the drain waited for); SQLite is left as it is."""

from __future__ import annotations

import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from lms_plugin.db import db
from lms_plugin.web.app import create_app
from tests.conftest import make_settings
from tests.support.migrations import at_revision_with

pytestmark = pytest.mark.integration
NOW = "'2026-12-01 10:00:00+00'"
COMPRESSION = (
    "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = 'award'::regclass"
    " AND attname IN ('credential', 'credential_jwt') ORDER BY attname"
)


def test_credentials_are_written_with_lz4_on_postgresql(tmp_path, database_url):
    app = create_app(make_settings(str(tmp_path), database_url=database_url))
    with app.app_context():
        at_revision_with("0012_lti1p1_user", ())
        upgrade(revision="0013_credential_lz4")
        if db.engine.dialect.name == "sqlite":
            columns = db.session.execute(text("PRAGMA table_info(award)")).all()
            assert {"credential", "credential_jwt"} <= {c.name for c in columns}
        else:
            compression = db.session.execute(text(COMPRESSION)).all()
            assert [tuple(row) for row in compression] == [
                ("credential", "l"),
                ("credential_jwt", "l"),
            ]
            assert _stored_compression() == ("lz4", "lz4")
        db.session.commit()

        downgrade(revision="0012_lti1p1_user")
        if db.engine.dialect.name == "postgresql":
            compression = db.session.execute(text(COMPRESSION)).all()
            assert [row.attcompression for row in compression] == ["", ""]
        db.session.commit()
        db.engine.dispose()


def _stored_compression() -> tuple[str, str]:
    """How PostgreSQL stored an award's credential and JWT of an issued credential's size."""
    credential = json.dumps({"alignment": [f"competency {n} " * 20 for n in range(80)]})
    db.session.execute(
        text(
            "INSERT INTO award (uuid, program_slug, status, tries, next_attempt_at, subject_id,"
            " credential, credential_jwt, show_name, created_at) VALUES ('u1', 'isp-level-1',"
            f" 'issued', 0, {NOW}, 'urn:uuid:1', CAST(:c AS json), :jwt, false, {NOW})"
        ),
        {"c": credential, "jwt": "eyJ" + credential.replace(" ", "x")},
    )
    row = db.session.execute(
        text(
            "SELECT pg_column_compression(credential), pg_column_compression(credential_jwt)"
            " FROM award WHERE uuid = 'u1'"
        )
    ).one()
    return row[0], row[1]
