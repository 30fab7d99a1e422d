"""The learner's "My credentials" and the instructor's revocation, over real HTTP after real
launches: the name hidden until the learner shows it, the states the page polls, the learner's
own certificate, and revoking only what was earned in the instructor's own course."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime

import pytest

from lms_plugin.badges.status_list import StatusList
from tests.support.awards import complete_level, drain
from tests.support.credential_http import HTML, LD, credential_of, get, issue
from tests.support.learners import api_launch
from tests.support.reviews import instructor

pytestmark = pytest.mark.integration


def learner(tool, platform, user: str = "learner-1", course: str = "course-101"):
    return api_launch(tool, platform, user=user, course=course)


def public_text(tool, credential_id: str) -> str:
    return get(tool, f"/credentials/{credential_id}", headers=HTML).text


def test_the_name_is_hidden_until_the_learner_shows_it(tool, platform):
    credential_id = issue(tool, platform)
    me = learner(tool, platform)
    mine = me.get(tool.url + "/my-credentials/", headers=HTML)
    assert mine.status_code == 200 and "Your name is <strong>hidden</strong>" in mine.text
    assert "Lena Learner" not in public_text(tool, credential_id)

    shown = me.post(
        tool.url + f"/my-credentials/{credential_id}/name", data={"show": "1"}, headers=HTML
    )

    assert shown.status_code == 200 and "Your name is <strong>shown</strong>" in shown.text
    assert "Lena Learner" in public_text(tool, credential_id)
    assert tool.rows("SELECT show_name FROM award") == [(True,)]
    me.post(tool.url + f"/my-credentials/{credential_id}/name", data={"show": "0"}, headers=HTML)
    assert "Lena Learner" not in public_text(tool, credential_id)
    assert "A learner of ISP Certificate course-101" in public_text(tool, credential_id)


def test_nobody_else_can_show_a_learners_name(tool, platform):
    credential_id = issue(tool, platform)
    for other in (learner(tool, platform, user="learner-2"), instructor(tool, platform)):
        response = other.post(
            tool.url + f"/my-credentials/{credential_id}/name", data={"show": "1"}, headers=HTML
        )
        assert response.status_code == 404
    assert tool.rows("SELECT show_name FROM award") == [(False,)]
    anonymous = get(tool, "/my-credentials/", headers=HTML)
    assert anonymous.status_code == 401


def test_a_cookie_form_without_its_csrf_token_changes_nothing(tool, platform):
    credential_id = issue(tool, platform)
    me = learner(tool, platform)
    token = me.headers.pop("Authorization").removeprefix("Bearer ")
    me.cookies.set("lms_session", token)
    response = me.post(
        tool.url + f"/my-credentials/{credential_id}/name", data={"show": "1"}, headers=HTML
    )
    assert response.status_code == 403 and tool.rows("SELECT show_name FROM award") == [(False,)]


def test_an_instructor_who_completes_a_level_as_a_learner_earns_no_credential(tool, platform):
    # "View as learner": the course's staff try the learner's side; a level they complete there
    # records no award (services.staff), while the learner beside them earns theirs.
    complete_level(tool, platform, user="teacher-1")
    complete_level(tool, platform, user="learner-1")
    drain(tool)

    holders = tool.rows("SELECT u.sub, a.status FROM award a JOIN lti_user u ON u.id = a.user_id")
    assert holders == [("learner-1", "issued")]
    page = instructor(tool, platform).get(tool.url + "/my-credentials/", headers=HTML).text
    assert "Earned by the course&#39;s learners: as its staff, you earn no credential here." in page
    assert "Not earned yet" not in page
    assert (
        "Not earned yet" in learner(tool, platform).get(tool.url + "/programs", headers=HTML).text
    )


def test_issuing_shows_then_the_credential_appears(tool, platform):
    complete_level(tool, platform)
    me = learner(tool, platform)
    state = me.get(tool.url + "/my-credentials/state").json()["levels"]
    assert state[0] == {
        "level": "isp-level-1",
        "status": "pending",
        "working": True,
        "text": "Issuing your credential…",
    }
    assert state[1]["status"] == "none" and state[1]["working"] is False
    overview = me.get(tool.url + "/programs", headers=HTML).text
    assert "Issuing your credential…" in overview and 'data-working="1"' in overview
    assert "see-badge" not in overview  # nothing to see while it is being issued

    drain(tool)

    state = me.get(tool.url + "/my-credentials/state").json()["levels"]
    assert state[0]["status"] == "issued" and state[0]["working"] is False
    [(issued,)] = tool.rows("SELECT issued_at FROM award")
    issued = issued if isinstance(issued, datetime) else datetime.fromisoformat(issued)
    assert state[0]["text"] == f"Issued on {issued:%B %-d, %Y}."  # plain text: no <time> markup
    page = me.get(tool.url + "/my-credentials/", headers=HTML).text
    [(credential_id,)] = tool.rows("SELECT uuid FROM award")
    assert f"/credentials/{credential_id}/badge.png" in page and "linkedin.com" in page
    assert 'id="c-isp-level-1"' in page
    overview = me.get(tool.url + "/programs", headers=HTML).text
    [see] = re.findall(
        r'<a href="([^"]*)" data-testid="see-badge">See and share your badge', overview
    )
    assert see.startswith("/my-credentials/") and see.endswith("#c-isp-level-1")


def test_failures_say_we_are_retrying_then_that_admins_see_it(tool, platform):
    complete_level(tool, platform)
    me = learner(tool, platform)
    tool.rows("UPDATE award SET status = 'failed', tries = 2 RETURNING id")
    [level_1, _] = me.get(tool.url + "/my-credentials/state").json()["levels"]
    assert level_1["working"] and "retrying automatically" in level_1["text"]
    tool.rows("UPDATE award SET tries = 8 RETURNING id")
    [level_1, _] = me.get(tool.url + "/my-credentials/state").json()["levels"]
    assert not level_1["working"] and "administrators" in level_1["text"]


def test_the_learners_own_certificate_has_their_name(tool, platform):
    credential_id = issue(tool, platform)
    response = learner(tool, platform).get(
        tool.url + f"/my-credentials/{credential_id}/certificate.pdf"
    )
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    assert "no-store" in response.headers["Cache-Control"]
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Lena Learner" in text
    other = learner(tool, platform, user="learner-2")
    assert (
        other.get(tool.url + f"/my-credentials/{credential_id}/certificate.pdf").status_code == 404
    )


def test_an_instructor_revokes_with_a_reason_the_learner_then_reads(tool, platform):
    credential_id = issue(tool, platform)
    credential = credential_of(tool, credential_id)
    teacher = instructor(tool, platform)
    cohort = teacher.get(tool.url + "/instructor/cohort", headers=HTML).text
    assert f"/instructor/credentials/{credential_id}/revoke" in cohort

    done = teacher.post(
        tool.url + f"/instructor/credentials/{credential_id}/revoke",
        data={"reason": "The capstone was not the learner's own work."},
        headers=HTML,
    )

    assert done.status_code == 200 and "is revoked" in done.text
    [(status, reason, by)] = tool.rows("SELECT status, revoked_reason, revoked_by FROM award")
    assert (status, reason) == ("revoked", "The capstone was not the learner's own work.")
    assert by.startswith("instructor Theo Teacher") and "ISP Certificate course-101" in by
    entry = credential["credentialStatus"]
    listed = get(
        tool, f"/credentials/status/{entry['statusListCredential'].rsplit('/', 1)[1]}", headers=LD
    )
    assert StatusList.decode(listed.json()["credentialSubject"]["encodedList"]).get(
        int(entry["statusListIndex"])
    )
    mine = learner(tool, platform).get(tool.url + "/my-credentials/", headers=HTML).text
    assert "Revoked on" in mine and "not the learner&#39;s own work" in mine
    assert "Revoked" in public_text(tool, credential_id)


def test_revoking_needs_a_reason_and_happens_once(tool, platform):
    credential_id = issue(tool, platform)
    teacher = instructor(tool, platform)
    url = tool.url + f"/instructor/credentials/{credential_id}/revoke"
    empty = teacher.post(url, data={"reason": "   "}, headers=HTML)
    assert empty.status_code == 400 and "Say why" in empty.text and "<table" in empty.text
    assert tool.rows("SELECT status FROM award") == [("issued",)]
    assert teacher.post(url, data={"reason": "Wrong learner"}, headers=HTML).status_code == 200
    again = teacher.post(url, data={"reason": "Twice"}, headers=HTML)
    assert again.status_code == 409 and "already revoked" in again.text
    assert tool.rows("SELECT revoked_reason FROM award") == [("Wrong learner",)]


def test_an_instructor_of_another_course_cannot_revoke(tool, platform):
    credential_id = issue(tool, platform)  # earned in course-101
    learner(tool, platform, course="course-B")  # the learner is in course B too
    teacher_b = instructor(tool, platform, course="course-B")
    cohort = teacher_b.get(tool.url + "/instructor/cohort", headers=HTML).text
    assert "Lena Learner" in cohort and credential_id not in cohort

    response = teacher_b.post(
        tool.url + f"/instructor/credentials/{credential_id}/revoke",
        data={"reason": "Not yours to revoke"},
        headers=HTML,
    )

    assert response.status_code == 404
    assert tool.rows("SELECT status FROM award") == [("issued",)]


def test_learners_never_reach_the_revoke_action(tool, platform):
    credential_id = issue(tool, platform)
    response = learner(tool, platform).post(
        tool.url + f"/instructor/credentials/{credential_id}/revoke",
        data={"reason": "Let me revoke my own"},
        headers=HTML,
    )
    assert response.status_code == 403 and "for instructors" in response.text
    assert tool.rows("SELECT status FROM award") == [("issued",)]
