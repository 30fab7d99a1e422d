"""Migration 0010 on a database with reviews: each existing review records the rule it was
graded under (its module version's minimum level, no mean), and the columns go back."""

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


def _module(level: int) -> str:
    return json.dumps({"slug": "m", "assignment": {"min_criterion_level": level}})


ROWS = (
    "INSERT INTO registration (name, issuer, client_id, auth_login_url, auth_token_url,"
    " jwks_url, product, active, created_at) VALUES ('LMS', 'https://lms', 'c',"
    f" 'https://lms/a', 'https://lms/t', 'https://lms/k', 'other', true, {NOW})",
    "INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
    f" VALUES (1, 'd', 'active', {NOW})",
    "INSERT INTO lti_context (deployment_id, context_id, updated_at, created_at)"
    f" VALUES (1, 'course', {NOW}, {NOW})",
    "INSERT INTO lti_user (registration_id, sub, updated_at, created_at) VALUES"
    f" (1, 'learner', {NOW}, {NOW}), (1, 'teacher', {NOW}, {NOW})",
    # an assignment (min level 2) and a capstone (min level 3), each reviewed once
    "INSERT INTO content_module (program_slug, slug, version, declared_version, position,"
    f" content_hash, data, created_at) VALUES ('p', 'a', 1, 1, 1, 'h1', '{_module(2)}', {NOW}),"
    f" ('p', 'c', 1, 1, 2, 'h2', '{_module(3)}', {NOW})",
    "INSERT INTO assignment_submission (module_id, assignment_id, round, text, word_count,"
    " status, submitted_at, context_id, user_id, module_slug) VALUES"
    f" (1, 'A1', 1, 't', 1, 'passed', {NOW}, 1, 1, 'a'),"
    f" (2, 'C1', 1, 't', 1, 'passed', {NOW}, 1, 1, 'c'),"
    f" (2, 'C1', 1, 't', 1, 'submitted', {NOW}, 1, 2, 'c')",
    "INSERT INTO review (submission_id, reviewer_id, scores, feedback, decision, percent,"
    " passed, created_at) VALUES"
    f" (1, 2, '{{\"x\": 2}}', '', 'pass', 50.0, true, {NOW}),"
    f" (2, 2, '{{\"x\": 3}}', '', 'pass', 75.0, true, {NOW})",
)


def test_existing_reviews_keep_the_rule_they_were_graded_under(tmp_path, database_url):
    app = create_app(make_settings(str(tmp_path), database_url=database_url))
    with app.app_context():
        at_revision_with("0009_membership_launched", ROWS)

        upgrade(revision="0010_grade_pass_rule")

        found = db.session.execute(
            text("SELECT submission_id, rule_min_level, rule_min_mean FROM review ORDER BY 1")
        ).all()
        assert [tuple(row) for row in found] == [(1, 2, None), (2, 3, None)]
        db.session.commit()
        downgrade(revision="0009_membership_launched")
        columns = db.session.execute(text("SELECT * FROM review")).keys()
        assert "rule_min_level" not in columns and "rule_min_mean" not in columns
        db.session.commit()
        db.engine.dispose()  # before the scratch database goes
