"""A learner who launched is never taken for one who never did (issue 14 §5): every way a
member is made or touched (the roster first, a launch, the roster again, a relaunch served from
the launch cache) keeps ``membership.launched_at`` once they launched, and migration 0009 fills
it for members who launched before it, where the tables can tell."""

from __future__ import annotations

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from lms_plugin.db import db
from lms_plugin.lti.clients import nrps_client
from lms_plugin.services import roster
from lms_plugin.web.app import create_app
from tests.conftest import make_settings
from tests.support.endpoints import PG_ADMIN_URL
from tests.support.learners import api_launch
from tests.support.processes import scratch_database

pytestmark = pytest.mark.integration


def sync_roster(tool) -> None:
    """The course's roster sync, run here as the worker runs it."""
    context_id = tool.rows("SELECT id FROM lti_context WHERE context_id = 'course-101'")[0][0]
    app = tool.app
    with app.app_context():
        job = roster.start_roster_sync(db.session(), context_id).job

        def roster_for(registration):
            return nrps_client(
                registration,
                session=db.session(),
                store=app.extensions["lms_store"],
                http=app.extensions["lms_http"],
                timeout=5,
                require_https=False,
            )

        assert roster.sync_roster(db.session(), job.id, roster_for).status == "done"


def launched_at(tool, sub: str) -> object:
    rows = tool.rows(
        "SELECT m.launched_at FROM membership m JOIN lti_user u ON u.id = m.user_id"
        f" WHERE u.sub = '{sub}'"
    )
    assert len(rows) == 1, rows
    return rows[0][0]


def test_every_path_keeps_a_launched_learner_launched(tool, platform):
    api_launch(tool, platform, user="teacher-1")  # the course, with its roster service
    platform.add_user("dana", "Dana Roster-First", platform.users["learner-1"].roles)
    try:
        sync_roster(tool)
        assert launched_at(tool, "dana") is None  # known from the roster only

        api_launch(tool, platform, user="dana")  # launches, does nothing yet
        first = launched_at(tool, "dana")
        assert first is not None

        sync_roster(tool)  # the roster touches the member again
        assert launched_at(tool, "dana") == first
        api_launch(tool, platform, user="dana")  # same claims: served from the launch cache
        assert launched_at(tool, "dana") == first
    finally:
        del platform.users["dana"]


def test_the_roster_finds_the_row_a_1p1_link_made_for_a_member(tool, platform):
    """Canvas's roster names each member's LTI 1.1 user_id (``lti11_legacy_user_id``) beside
    their 1.3 one: a learner whose row a 1.1 link made (sub = the 1.1 id) is that member, not a
    second learner who never launched."""
    api_launch(tool, platform, user="teacher-1")
    platform.add_user("legacy-42", "Lena Legacy", platform.users["learner-1"].roles)
    api_launch(tool, platform, user="legacy-42")  # the row as a 1.1 link made it
    (row,) = tool.rows("SELECT id FROM lti_user WHERE sub = 'legacy-42'")
    del platform.users["legacy-42"]  # the LMS now names her by her 1.3 id only
    platform.roster_extra = [
        {
            "user_id": "f3b2-13-sub",
            "lti11_legacy_user_id": "legacy-42",
            "name": "Lena Legacy",
            "status": "Active",
            "roles": list(platform.users["learner-1"].roles),
        }
    ]
    try:
        sync_roster(tool)
        sync_roster(tool)  # again: the same rows
    finally:
        platform.roster_extra = []
    users = tool.rows("SELECT id, sub, lti1p1_user_id FROM lti_user WHERE name = 'Lena Legacy'")
    assert users == [(row[0], "f3b2-13-sub", "legacy-42")]
    assert launched_at(tool, "f3b2-13-sub") is not None  # her launch still counts


@pytest.fixture
def database_url(tmp_path):
    with scratch_database(PG_ADMIN_URL, "lms_launched_") as url:
        yield url


def test_members_made_before_the_first_roster_sync_came_from_a_launch(tmp_path, database_url):
    app = create_app(make_settings(str(tmp_path), database_url=database_url))
    early, sync, late = "'2026-11-20 09:00+00'", "'2026-12-01 10:00+00'", "'2026-12-02 10:00+00'"
    rows = (
        "INSERT INTO registration (name, issuer, client_id, auth_login_url, auth_token_url,"
        " jwks_url, product, active, created_at) VALUES ('LMS', 'https://lms', 'c',"
        f" 'https://lms/a', 'https://lms/t', 'https://lms/k', 'other', true, {early})",
        "INSERT INTO deployment (registration_id, deployment_id, status, created_at)"
        f" VALUES (1, 'd', 'active', {early})",
        "INSERT INTO lti_context (deployment_id, context_id, updated_at, created_at)"
        f" VALUES (1, 'synced', {early}, {early})",
        "INSERT INTO job_run (kind, context_id, status, done, total, created_at)"
        f" VALUES ('roster_sync', 1, 'done', 2, 2, {sync}), ('roster_sync', 1, 'done', 2, 2,"
        f" {late})",
        "INSERT INTO lti_user (registration_id, sub, updated_at, created_at) VALUES"
        f" (1, 'launched-early', {early}, {early}), (1, 'from-the-roster', {sync}, {sync})",
        "INSERT INTO membership (context_id, user_id, roles, access, updated_at, created_at)"
        f" VALUES (1, 1, '[]', 'learner', {late}, {early}),"
        f" (1, 2, '[]', 'learner', {late}, {sync})",
    )
    with app.app_context():
        upgrade(revision="0008_gradebook")
        for sql in rows:
            db.session.execute(text(sql))
        db.session.commit()

        upgrade(revision="0009_membership_launched")

        found = dict(db.session.execute(text("SELECT user_id, launched_at FROM membership")).all())
        db.session.commit()
    # made before any roster sync: a launch made it; made by the sync: unknown
    assert str(found[1])[:16] == "2026-11-20 09:00" and found[2] is None
    with app.app_context():
        db.engine.dispose()
