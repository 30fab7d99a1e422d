"""Migration 0005 on a database that already has data: existing platforms get an empty list of
service hosts, and duplicate running roster syncs (made before the unique index) are settled,
the newest of each course kept, so the index can be built."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from lms_plugin.db import db
from lms_plugin.web.app import create_app
from tests.conftest import make_settings

pytestmark = pytest.mark.integration
NOW = "'2026-12-01 10:00:00+00'"
BEFORE = "0004_review_folded"


def test_existing_rows_are_carried_over(tmp_path, database_url):
    app = create_app(make_settings(str(tmp_path), database_url=database_url))
    with app.app_context():
        upgrade(revision=BEFORE)
        for sql in (
            "INSERT INTO registration (name, issuer, client_id, auth_login_url, auth_token_url,"
            " jwks_url, product, active, created_at) VALUES ('LMS', 'https://lms', 'c',"
            f" 'https://lms/a', 'https://lms/t', 'https://lms/k', 'other', true, {NOW})",
            "INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
            f" VALUES (1, 'd', 'active', {NOW})",
            "INSERT INTO lti_context (deployment_id, context_id, updated_at, created_at)"
            f" VALUES (1, 'A', {NOW}, {NOW}), (1, 'B', {NOW}, {NOW})",
            "INSERT INTO job_run (kind, context_id, status, done, total, created_at) VALUES"
            f" ('roster_sync', 1, 'running', 0, 0, {NOW}),"  # 1: settled
            f" ('roster_sync', 1, 'running', 0, 0, {NOW}),"  # 2: the newest of course A, kept
            f" ('roster_sync', 2, 'running', 0, 0, {NOW}),"  # 3: the only one of course B
            f" ('touch', 1, 'running', 0, 0, {NOW}),"  # 4, 5: other kinds are not touched
            f" ('touch', 1, 'running', 0, 0, {NOW})",
        ):
            db.session.execute(text(sql))
        db.session.commit()

        upgrade()

        statuses = db.session.execute(text("SELECT id, status FROM job_run ORDER BY id")).all()
        assert [tuple(r) for r in statuses] == [
            (1, "failed"),
            (2, "running"),
            (3, "running"),
            (4, "running"),
            (5, "running"),
        ]
        hosts = db.session.execute(text("SELECT service_hosts FROM registration")).scalar_one()
        assert hosts in ([], "[]")  # JSON on PostgreSQL, its text on SQLite
        with pytest.raises(IntegrityError):
            db.session.execute(
                text(
                    "INSERT INTO job_run (kind, context_id, status, done, total, created_at)"
                    f" VALUES ('roster_sync', 1, 'running', 0, 0, {NOW})"
                )
            )
        db.session.rollback()
        downgrade(revision=BEFORE)
        db.session.execute(
            text(
                "INSERT INTO job_run (kind, context_id, status, done, total, created_at)"
                f" VALUES ('roster_sync', 1, 'running', 0, 0, {NOW})"
            )
        )
        db.session.commit()
        db.engine.dispose()
