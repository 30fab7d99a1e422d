"""Learner and instructor launches over real HTTP, on PostgreSQL and Redis."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.support.launch_flow import full_launch, post_launch, start_login
from tests.support.lti_platform import INSTRUCTOR, LEARNER, SigningKey

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_learner_launch_opens_tool_and_me_describes_the_launch(tool, platform, browser, method):
    response = full_launch(browser, tool.url, platform, method=method)

    assert response.status_code == 200
    assert "Lena Learner" in response.text
    assert "Learner" in response.text and "ISP Certificate course-101" in response.text
    me = browser.get(tool.url + "/api/v1/me")
    assert me.status_code == 200
    body = me.json()
    assert body["user"]["sub"] == "learner-1"
    assert body["access"] == "learner"
    assert body["context"]["context_id"] == "course-101"
    assert body["resource_link"]["resource_link_id"] == "link-1"
    assert body["deployment_id"] == platform.deployment_id
    assert tool.count("lti_user") == 1 and tool.count("membership") == 1


def test_instructor_launch_maps_role(tool, platform, browser):
    response = full_launch(browser, tool.url, platform, login_hint="teacher-1")

    assert response.status_code == 200
    assert browser.get(tool.url + "/api/v1/me").json()["access"] == "instructor"
    assert tool.rows("SELECT access FROM membership") == [("instructor",)]


def test_session_cookie_is_not_secure_on_plain_http_but_token_works(tool, platform, browser):
    response = full_launch(browser, tool.url, platform)
    token = _meta_token(response.text)

    fresh = requests.get(tool.url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert fresh.status_code == 200 and fresh.json()["user"]["sub"] == "learner-1"
    launch_response = response.history[0]  # the 303 from /lti/launch set the cookie
    assert "SameSite=Lax" in launch_response.headers["Set-Cookie"]


def test_me_without_session_is_401_json(tool):
    response = requests.get(tool.url + "/api/v1/me")

    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_forged_bearer_token_is_401(tool):
    response = requests.get(tool.url + "/api/v1/me", headers={"Authorization": "Bearer abc.def"})

    assert response.status_code == 401


def test_second_launch_updates_rows_instead_of_duplicating(tool, platform, browser):
    full_launch(browser, tool.url, platform)
    platform.users["learner-1"].name = "Lena Renamed"
    try:
        full_launch(browser, tool.url, platform)
    finally:
        platform.users["learner-1"].name = "Lena Learner"

    assert tool.rows("SELECT name FROM lti_user") == [("Lena Renamed",)]
    assert tool.count("membership") == 1 and tool.count("resource_link") == 1


def test_two_courses_on_one_lms_are_separate_tenants(tool, platform, browser):
    auth = start_login(browser, tool.url, platform)
    claims = platform.claims(nonce=auth["nonce"], context_id="course-B")
    post_launch(browser, tool.url, auth["state"], platform.id_token(claims))
    full_launch(browser, tool.url, platform)

    assert sorted(r[0] for r in tool.rows("SELECT context_id FROM lti_context")) == [
        "course-101",
        "course-B",
    ]
    me = browser.get(tool.url + "/api/v1/me").json()
    assert me["context"]["context_id"] == "course-101"


def test_unknown_roles_and_short_names_and_empty_list_are_accepted(tool, platform, browser):
    for roles, access in (
        ([], "learner"),
        (["Instructor"], "instructor"),
        (["http://example.com/role#Custom"], "learner"),
    ):
        auth = start_login(browser, tool.url, platform)
        claims = platform.claims(
            nonce=auth["nonce"], **{"https://purl.imsglobal.org/spec/lti/claim/roles": roles}
        )
        response = post_launch(browser, tool.url, auth["state"], platform.id_token(claims))
        assert response.status_code == 200, response.text
        assert browser.get(tool.url + "/api/v1/me").json()["access"] == access


def test_platform_key_rotation_is_picked_up_by_one_refetch(tool, platform, browser):
    full_launch(browser, tool.url, platform)
    hits = platform.jwks_hits
    full_launch(browser, tool.url, platform)
    assert platform.jwks_hits == hits  # cached

    platform.rotate_key()
    try:
        response = full_launch(browser, tool.url, platform)
    finally:
        platform.keys.pop(0)

    assert response.status_code == 200
    assert platform.jwks_hits == hits + 1


def test_launches_with_random_kids_refetch_the_jwks_once(tool, platform, browser, monkeypatch):
    # Finding 8: every launch naming a random kid made the tool refetch the platform's JWKS.
    keys = tool.app.extensions["lms_platform_keys"]
    window = tool.app.extensions["lms_settings"].jwks_refetch_cooldown_seconds
    start = (int(time.time()) // window + 1) * window  # a window's start: none ends mid-test
    monkeypatch.setattr(keys, "clock", lambda: float(start))
    assert full_launch(browser, tool.url, platform).status_code == 200  # the JWKS is cached
    hits, refused = platform.jwks_hits, keys.refetches_refused
    stranger = SigningKey.rsa()

    for n in range(5):
        stranger.kid = f"random-{n}-{uuid.uuid4().hex[:6]}"
        auth = start_login(browser, tool.url, platform)
        token = platform.id_token(platform.claims(nonce=auth["nonce"]), key=stranger)
        response = post_launch(browser, tool.url, auth["state"], token)
        assert response.status_code == 401 and response.json()["error"] == "unknown_kid"

    assert platform.jwks_hits == hits + 1
    assert keys.refetches_refused == refused + 4
    assert full_launch(browser, tool.url, platform).status_code == 200  # the real key still works


def _meta_token(page: str) -> str:
    import re

    match = re.search(r'name="launch-token" content="([^"]+)"', page)
    assert match, "launch page must carry the launch token"
    return match.group(1)


def test_relaunch_with_changed_claims_updates_rows_despite_the_rows_cache(tool, platform, browser):
    full_launch(browser, tool.url, platform)
    full_launch(browser, tool.url, platform)  # identical claims: served from the rows cache
    platform.users["learner-1"].roles = [INSTRUCTOR]
    try:
        full_launch(browser, tool.url, platform)
    finally:
        platform.users["learner-1"].roles = [LEARNER]
    assert tool.rows("SELECT access FROM membership") == [("instructor",)]
    assert browser.get(tool.url + "/api/v1/me").json()["access"] == "instructor"
