"""A launch whose AGS and NRPS claims point at another host (issue 12, finding 4): the launch
works, the service URLs are not kept, nothing reaches that host, and instructors see why; once
an admin allows the host (``--service-host``), grades and the roster go there.

The other host is a recording server on 127.0.0.2; the test LMS (its token endpoint, its
JWKS) is on 127.0.0.1."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from lms_plugin.db import db
from lms_plugin.db.models import Deployment, LtiContext
from lms_plugin.domain.launch import RESOURCE_LINK, LaunchContext
from lms_plugin.lti.tenants import DeploymentInfo
from lms_plugin.services import grades, passback, platforms, roster
from lms_plugin.services.launches import record_launch
from lms_plugin.services.service_urls import notices
from lms_plugin.web import deps
from tests.support.learners import AGS, SCOPES, api_launch, submit_quiz
from tests.support.lti_platform_recorder import RecordingServices

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


@pytest.fixture(scope="module")
def recorder() -> Iterator[RecordingServices]:
    server = RecordingServices("127.0.0.2").start()
    yield server
    server.stop()


@pytest.fixture
def foreign(recorder: RecordingServices) -> RecordingServices:
    recorder.reset()
    return recorder


def visible(page: str) -> str:
    """A page's text as read: no tags, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())


def claims_at(services: RecordingServices, course: str = "course-101") -> dict[str, object]:
    return {
        AGS: {"scope": SCOPES, "lineitems": services.lineitems_url(course)},
        NRPS: {
            "context_memberships_url": services.memberships_url(course),
            "service_versions": ["2.0"],
        },
    }


def grade_and_send(tool) -> None:
    """What the workers do: grade the submitted attempts, send the queued scores."""
    from worker.ports import ags_for, store

    with tool.app.app_context():
        grades.grade_submitted(db.session())
        passback.publish_due(db.session(), ags_for, store())


def sync_roster(tool) -> tuple[str, dict[str, object] | None]:
    from worker.ports import nrps_for

    context_id = tool.rows("SELECT id FROM lti_context WHERE context_id = 'course-101'")[0][0]
    with tool.app.app_context():
        job = roster.start_roster_sync(db.session(), context_id).job
        done = roster.sync_roster(db.session(), job.id, nrps_for)
        return done.status, done.result


def allow(tool, platform, *hosts: str) -> platforms.Rescreened:
    with tool.app.app_context():
        _, done = platforms.set_service_hosts(
            db.session(),
            deps.tenants(),
            platform.issuer,
            platform.client_id,
            hosts,
            require_https=False,
        )
        return done


def test_services_on_another_host_never_get_the_token_and_instructors_see_why(
    tool, platform, foreign
):
    learner = api_launch(tool, platform, claims=claims_at(foreign))  # the launch works
    submit_quiz(learner, tool)
    teacher = api_launch(tool, platform, user="teacher-1", claims=claims_at(foreign))

    grade_and_send(tool)
    sync = teacher.post(tool.url + "/instructor/roster/sync", headers=HTML)
    dashboard = visible(teacher.get(tool.url + "/instructor/?status=all", headers=HTML).text)
    cohort = visible(teacher.get(tool.url + "/instructor/cohort", headers=HTML).text)

    assert foreign.requests == []
    assert tool.rows("SELECT ags_lineitems_url, ags_lineitem_url FROM resource_link") == [
        (None, None)
    ]
    assert tool.rows("SELECT nrps_url FROM lti_context") == [(None,)]
    allow_it = (
        f"lms-plugin platform update --issuer {platform.issuer} --client-id {platform.client_id}"
        " --service-host 127.0.0.2"
    )
    # The gradebook sync page says why grades do not reach the LMS, and what an admin can do.
    assert (
        f"The LMS offered its gradebook service at {foreign.lineitems_url()}, which is not on a"
        " host of this platform (this platform's hosts: 127.0.0.1, lms.example.edu)" in dashboard
    )
    assert "grades are not sent to the LMS gradebook" in dashboard and allow_it in dashboard
    [(status, classification, error)] = tool.rows(
        "SELECT status, classification, last_error FROM score_outbox"
    )
    assert (status, classification) == ("failed", "host_not_allowed")
    assert foreign.lineitems_url() in str(error)
    # The roster: the sync is refused with the reason, and the cohort page says it too.
    assert sync.status_code == 422
    assert foreign.memberships_url() in visible(sync.text) and allow_it in visible(sync.text)
    assert f"roster service at {foreign.memberships_url()}" in cohort and allow_it in cohort
    assert tool.count("job_run") == 0


def test_once_the_host_is_allowed_grades_and_the_roster_go_there(tool, platform, foreign):
    learner = api_launch(tool, platform, claims=claims_at(foreign))
    submit_quiz(learner, tool)
    teacher = api_launch(tool, platform, user="teacher-1", claims=claims_at(foreign))
    grade_and_send(tool)
    assert foreign.requests == []

    done = allow(tool, platform, "127.0.0.2")
    grade_and_send(tool)
    foreign.members = [{"user_id": "learner-1", "roles": ["Learner"], "status": "Active"}]
    synced = sync_roster(tool)

    assert done == platforms.Rescreened(enabled=2, disabled=0, requeued=1)
    assert tool.rows("SELECT status FROM score_outbox") == [("sent",)]
    assert synced == ("done", {"members": 1, "active": 1})
    sent = [(r.method, r.url.split("?")[0]) for r in foreign.bearer_requests]
    assert sent == [
        ("GET", foreign.lineitems_url()),
        ("POST", foreign.lineitems_url()),
        ("POST", foreign.lineitems_url() + "/1/scores"),
        ("GET", foreign.memberships_url()),
    ]
    assert len(foreign.requests) == 4  # every request carried the token: none went elsewhere
    page = visible(teacher.get(tool.url + "/instructor/", headers=HTML).text)
    assert "The LMS offered its gradebook service" not in page
    # A launch in another course of the same LMS keeps its service URLs from the start.
    api_launch(tool, platform, course="course-202", claims=claims_at(foreign, "course-202"))
    assert tool.rows(
        "SELECT l.ags_lineitems_url, l.service_refusals FROM resource_link l"
        " JOIN lti_context c ON c.id = l.context_id WHERE c.context_id = 'course-202'"
    ) == [(foreign.lineitems_url("course-202"), None)]
    # Taking the host back refuses its URLs again (the line item found there too).
    assert allow(tool, platform) == platforms.Rescreened(enabled=0, disabled=5, requeued=0)
    assert tool.rows("SELECT count(*) FROM resource_link WHERE ags_lineitems_url IS NULL") == [(2,)]


def test_in_production_service_urls_must_be_https(tool, platform):
    """The test LMS serves plain http on its own host: in production that is refused too."""
    teacher = api_launch(tool, platform, user="teacher-1")
    launch = LaunchContext(
        issuer=platform.issuer,
        client_id=platform.client_id,
        deployment_id=platform.deployment_id,
        message_type=RESOURCE_LINK,
        sub="teacher-1",
        roles=tuple(platform.users["teacher-1"].roles),
        context_id="course-101",
        resource_link_id="link-1",
        ags={"scope": SCOPES, "lineitems": platform.lineitems_url(), "lineitem": None},
        nrps_url=platform.url + "/nrps/course-101/memberships",
    )
    with tool.app.app_context():
        session = db.session()
        deployment = DeploymentInfo.of(session.scalars(select(Deployment)).one())
        record_launch(session, deployment, launch, require_https=True)
        context_id = session.scalars(select(LtiContext.id)).one()
        [notice] = notices(session, context_id, "grades")
    assert (notice.reason, notice.hint) == ("not_https", None)
    assert tool.rows("SELECT ags_lineitems_url FROM resource_link") == [(None,)]
    assert tool.rows("SELECT nrps_url FROM lti_context") == [(None,)]
    page = visible(teacher.get(tool.url + "/instructor/", headers=HTML).text)
    assert f"{platform.lineitems_url()}, which is not an https URL" in page
    assert "The LMS must offer its services over https." in page
