"""Migration 0009 on a database with members: who launched is filled from what the tables know
(work in the course; a course that never synced its roster has launched members only), and a
member of a synced course without work stays unknown (never launched)."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from lms_plugin.db import db
from lms_plugin.web.app import create_app
from tests.conftest import make_settings
from tests.support.migrations import at_revision_with

pytestmark = pytest.mark.integration
NOW = "'2026-12-01 10:00:00+00'"
WORK = "'2026-12-03 08:30:00+00'"
ROWS = (
    "INSERT INTO registration (name, issuer, client_id, auth_login_url, auth_token_url,"
    " jwks_url, product, active, created_at) VALUES ('LMS', 'https://lms', 'c',"
    f" 'https://lms/a', 'https://lms/t', 'https://lms/k', 'other', true, {NOW})",
    "INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
    f" VALUES (1, 'd', 'active', {NOW})",
    # course 1 synced its roster; course 2 never did
    "INSERT INTO lti_context (deployment_id, context_id, updated_at, created_at)"
    f" VALUES (1, 'synced', {NOW}, {NOW}), (1, 'launch-only', {NOW}, {NOW})",
    "INSERT INTO job_run (kind, context_id, status, done, total, created_at)"
    f" VALUES ('roster_sync', 1, 'done', 3, 3, {NOW})",
    "INSERT INTO lti_user (registration_id, sub, updated_at, created_at) VALUES"
    f" (1, 'worked', {NOW}, {NOW}), (1, 'roster-only', {NOW}, {NOW}),"
    f" (1, 'launched', {NOW}, {NOW})",
    "INSERT INTO membership (context_id, user_id, roles, access, updated_at, created_at) VALUES"
    f" (1, 1, '[]', 'learner', {NOW}, {NOW}), (1, 2, '[]', 'learner', {NOW}, {NOW}),"
    f" (2, 3, '[]', 'learner', {NOW}, {NOW})",
    "INSERT INTO lesson_view (context_id, user_id, module_slug, lesson_slug, viewed_at)"
    f" VALUES (1, 1, 'm1', 'l1', {NOW}), (1, 1, 'm1', 'l2', {WORK})",
)


def test_who_launched_is_filled_in_and_the_column_goes_back(tmp_path, database_url):
    app = create_app(make_settings(str(tmp_path), database_url=database_url))
    with app.app_context():
        at_revision_with("0008_gradebook", ROWS)

        upgrade(revision="0009_membership_launched")

        found = db.session.execute(
            text("SELECT user_id, launched_at FROM membership ORDER BY user_id")
        ).all()
        launched = {user: str(at)[:16] if at else None for user, at in found}
        assert launched == {1: "2026-12-03 08:30", 2: None, 3: "2026-12-01 10:00"}
        db.session.commit()
        downgrade(revision="0008_gradebook")
        columns = db.session.execute(text("SELECT * FROM membership")).keys()
        assert "launched_at" not in columns
        db.session.commit()
        db.engine.dispose()  # before the scratch database goes
