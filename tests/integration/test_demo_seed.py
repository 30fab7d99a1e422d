"""The demo's sample course, seeded through the tool's services on PostgreSQL: each learner
is where the practice LMS says they are, and nothing leaks into another course."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms_plugin.demo import course
from tests.support.awards import issuer
from tests.support.practice_lms import register_practice_lms, served_practice_lms

pytestmark = pytest.mark.integration

LEVEL_1 = "isp-level-1"


@pytest.fixture
def seeded(tool, tmp_path):
    """The practice LMS registered and its course seeded, as ``lms-plugin demo`` starts."""
    from lms_plugin.db import db
    from lms_plugin.demo.seed import seed_course

    with served_practice_lms(tmp_path, tool.url) as (config, _):
        deployment = register_practice_lms(tool, config)
        with tool.app.app_context():
            people = seed_course(db.session(), config, deployment, issuer(tool))
        yield people


def _learners(tool):
    """LMS user id -> (context row id, user row id) of everyone the tool knows in the course."""
    from lms_plugin.db import db
    from lms_plugin.db.models import LtiContext, LtiUser, Membership

    with tool.app.app_context():
        rows = db.session.execute(
            select(LtiUser.sub, Membership.context_id, LtiUser.id)
            .join(Membership, Membership.user_id == LtiUser.id)
            .join(LtiContext, LtiContext.id == Membership.context_id)
            .where(LtiContext.context_id == course.COURSE_ID)
        )
        return {sub: (context_id, user_id) for sub, context_id, user_id in rows}


def _progress(tool, learner):
    from lms_plugin.db import db
    from lms_plugin.services.content import current_content
    from lms_plugin.services.progress import Learner, learner_progress

    with tool.app.app_context():
        return learner_progress(db.session(), current_content(db.session()), Learner(*learner))


def test_every_seeded_learner_is_at_their_stage(tool, seeded):
    assert [p.sub for p in seeded] == ["noor", "mia", "wes", "lea"]
    known = _learners(tool)
    # Sam launches for the first time himself; Nico is only in the LMS's roster.
    assert set(known) == {"ines", "noor", "mia", "wes", "lea"}
    lea = _progress(tool, known["lea"])
    assert LEVEL_1 in lea.completed_programs
    mia = _progress(tool, known["mia"])
    assert sorted(mia.completed_modules) == [
        "l1-m1-role-of-the-isp",
        "l1-m2-theories-models-frameworks",
    ]
    assert mia.best_percent["l1-m3-problem-thing-context"] < 80
    assert _progress(tool, known["noor"]).completed_modules == set()
    failed = tool.rows(
        "SELECT count(*) FROM quiz_attempt a JOIN lti_user u ON u.id = a.user_id WHERE "
        "u.sub = 'mia' AND a.module_slug = 'l1-m3-problem-thing-context' AND a.percent < 80"
    )
    assert failed == [(2,)]  # at risk: two failed attempts at one quiz


def test_wes_waits_for_review_and_lea_holds_her_credential(tool, seeded):
    waiting = tool.rows(
        "SELECT u.name, s.module_slug FROM assignment_submission s "
        "JOIN lti_user u ON u.id = s.user_id WHERE s.status = 'submitted'"
    )
    assert waiting == [("Wes Okafor", "l1-m1-role-of-the-isp")]
    awards = tool.rows(
        "SELECT u.sub, a.program_slug, a.status FROM award a JOIN lti_user u ON u.id = a.user_id"
    )
    assert awards == [("lea", LEVEL_1, "issued")]


def test_seeded_scores_wait_for_the_practice_gradebook_and_stay_in_its_course(tool, seeded):
    courses = tool.rows(
        "SELECT DISTINCT c.context_id FROM score_outbox o JOIN lti_context c ON c.id = o.context_id"
    )
    assert courses == [(course.COURSE_ID,)]
    assert tool.rows("SELECT count(*) FROM score_outbox WHERE status = 'pending'")[0][0] > 0
    other = tool.rows(
        "SELECT count(*) FROM lti_context c JOIN deployment d ON d.id = c.deployment_id "
        "JOIN registration r ON r.id = d.registration_id WHERE r.name <> 'Practice LMS'"
    )
    assert other == [(0,)]
