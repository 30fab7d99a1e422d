"""Migration 0008 on a database that already has data: scores sent before it keep their progress
(FullyGraded, Completed), and a course whose scores went to per-module columns made for modules
no link was placed for keeps getting them (its switch is turned on). Its downgrade keeps every
score that has a number."""

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
BEFORE = "0007_theming"
ROWS = (
    "INSERT INTO registration (name, issuer, client_id, auth_login_url, auth_token_url,"
    " jwks_url, product, active, created_at) VALUES ('LMS', 'https://lms', 'c',"
    f" 'https://lms/a', 'https://lms/t', 'https://lms/k', 'other', true, {NOW})",
    "INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
    f" VALUES (1, 'd', 'active', {NOW})",
    # 1: module columns made by the tool; 2: a link placed for the module; 3: no scores
    "INSERT INTO lti_context (deployment_id, context_id, updated_at, created_at)"
    f" VALUES (1, 'A', {NOW}, {NOW}), (1, 'B', {NOW}, {NOW}), (1, 'C', {NOW}, {NOW})",
    "INSERT INTO lti_user (registration_id, sub, updated_at, created_at)"
    f" VALUES (1, 'u', {NOW}, {NOW})",
    "INSERT INTO resource_link (context_id, resource_link_id, module_slug, ags_scopes,"
    f" updated_at, created_at) VALUES (1, 'overview', NULL, '[]', {NOW}, {NOW}),"
    f" (2, 'm1-link', 'm1', '[]', {NOW}, {NOW})",
    "INSERT INTO score_outbox (context_id, user_id, module_slug, lineitem_url, score_given,"
    " score_maximum, timestamp, status, tries, next_attempt_at, created_at) VALUES"
    f" (1, 1, 'm1', 'https://lms/li/1', 50, 100, {NOW}, 'sent', 1, {NOW}, {NOW}),"
    f" (2, 1, 'm1', 'https://lms/li/2', 50, 100, {NOW}, 'sent', 1, {NOW}, {NOW})",
    "INSERT INTO content_module (program_slug, slug, version, declared_version, position,"
    f" content_hash, data, created_at) VALUES ('p', 'm1', 1, 1, 1, 'h', '{{}}', {NOW})",
    "INSERT INTO assignment_submission (module_id, assignment_id, round, text, word_count,"
    " status, submitted_at, context_id, user_id, module_slug) VALUES"
    f" (1, 'a', 1, 't', 1, 'revise', {NOW}, 1, 1, 'm1'),"
    f" (1, 'a', 2, 't', 1, 'submitted', {NOW}, 1, 1, 'm1')",
    "INSERT INTO grade (score, complete, updated_at, context_id, user_id, module_slug) VALUES"
    f" (0.5, false, {NOW}, 1, 1, 'm1'), (0.5, false, {NOW}, 2, 1, 'm1')",
)


def rows(sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in db.session.execute(text(sql)).all()]


def test_existing_rows_are_carried_over_and_back(tmp_path, database_url):
    app = create_app(make_settings(str(tmp_path), database_url=database_url))
    with app.app_context():
        at_revision_with(BEFORE, ROWS)

        upgrade()

        switches = rows("SELECT context_id, module_columns FROM lti_context ORDER BY id")
        assert [(c, bool(on)) for c, on in switches] == [("A", True), ("B", False), ("C", False)]
        assert (
            rows("SELECT grading_progress, activity_progress, resource_link_id FROM score_outbox")
            == [("FullyGraded", "Completed", None)] * 2
        )
        # Left empty: the grading drain then announces the waiting round ("needs grading").
        assert rows("SELECT assignment_status FROM grade") == [(None,), (None,)]
        db.session.execute(
            text(
                "INSERT INTO score_outbox (context_id, user_id, module_slug, score_given,"
                " score_maximum, timestamp, status, tries, next_attempt_at, created_at,"
                " grading_progress, activity_progress) VALUES (1, 1, 'm1', NULL, 100,"
                f" {NOW}, 'pending', 0, {NOW}, {NOW}, 'PendingManual', 'Submitted')"
            )
        )
        db.session.commit()

        downgrade(revision=BEFORE)

        assert rows("SELECT count(*) FROM score_outbox") == [(2,)]  # those with a number
        db.session.commit()
        db.engine.dispose()
