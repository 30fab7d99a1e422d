"""Migration 0011 on a database with grades: a module already complete keeps its completion
(an exemption from the practice log is recorded for it); an incomplete one asks for the entry."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from lms_plugin.db import db
from lms_plugin.web.app import create_app
from tests.conftest import make_settings
from tests.support.migrations import at_revision_with

pytestmark = pytest.mark.integration
NOW = "'2026-12-01 10:00:00+00'"
ROWS = (
    "INSERT INTO registration (name, issuer, client_id, auth_login_url, auth_token_url,"
    " jwks_url, product, active, created_at) VALUES ('LMS', 'https://lms', 'c',"
    f" 'https://lms/a', 'https://lms/t', 'https://lms/k', 'other', true, {NOW})",
    "INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
    f" VALUES (1, 'd', 'active', {NOW})",
    "INSERT INTO lti_context (deployment_id, context_id, updated_at, created_at)"
    f" VALUES (1, 'course', {NOW}, {NOW})",
    "INSERT INTO lti_user (registration_id, sub, updated_at, created_at) VALUES"
    f" (1, 'u1', {NOW}, {NOW}), (1, 'u2', {NOW}, {NOW})",
    "INSERT INTO grade (context_id, user_id, module_slug, score, complete, updated_at) VALUES"
    f" (1, 1, 'm1', 1.0, true, {NOW}), (1, 1, 'm2', 0.5, false, {NOW}),"
    f" (1, 2, 'm1', 0.9, true, {NOW})",
)


def test_modules_complete_before_the_log_are_exempt(tmp_path, database_url):
    app = create_app(make_settings(str(tmp_path), database_url=database_url))
    with app.app_context():
        at_revision_with("0010_grade_pass_rule", ROWS)

        upgrade(revision="0011_practice_log")
        rows = db.session.execute(
            text(
                "SELECT context_id, user_id, module_slug FROM practice_log_exemption"
                " ORDER BY user_id, module_slug"
            )
        ).all()
        assert [tuple(r) for r in rows] == [(1, 1, "m1"), (1, 2, "m1")]
        db.session.commit()

        downgrade(revision="0010_grade_pass_rule")
        assert "practice_log_entry" not in inspect(db.engine).get_table_names()
        db.session.commit()
        db.engine.dispose()
