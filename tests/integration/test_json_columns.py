"""The engines write JSON columns through db/json_codec.py: what is written reads back the same
on PostgreSQL (psycopg takes orjson's bytes) and on SQLite (TEXT, not a BLOB)."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from lms_plugin.db import db
from lms_plugin.db.credentials import StatusList
from lms_plugin.web.app import create_app
from tests.conftest import make_settings

pytestmark = pytest.mark.integration


def test_json_columns_round_trip_on_both_databases(tmp_path, database_url):
    app = create_app(make_settings(str(tmp_path), database_url=database_url))
    document = {"id": "urn:x", "n": 123456789012345678901234567890, 7: ["é", 1.5, None]}
    with app.app_context():
        upgrade()
        row = StatusList(purpose="revocation", size=8, bits=b"\0", document=document)
        db.session.add(row)
        db.session.commit()
        db.session.expunge_all()
        read = db.session.scalar(select(StatusList.document).where(StatusList.id == row.id))
        assert read == {"id": "urn:x", "n": 123456789012345678901234567890, "7": ["é", 1.5, None]}
        if db.engine.dialect.name == "sqlite":
            stored = db.session.scalar(text("SELECT typeof(document) FROM status_list"))
            assert stored == "text"
        db.session.commit()
        db.engine.dispose()
