"""Learners driven over HTTP: launch from the test LMS, then use the JSON API with the token."""

from __future__ import annotations

from typing import Any

import requests

from tests.support.content_keys import L1M1, answers_for
from tests.support.launch_flow import full_launch
from tests.support.lti_platform import LmsPlatform

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


# A launch in French: the LMS asks for fr-FR (LTI launch_presentation locale).
FRENCH = {"https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {"locale": "fr-FR"}}


def api_launch(
    tool: Any,
    platform: LmsPlatform,
    *,
    user: str = "learner-1",
    course: str = "course-101",
    mod: str = L1M1,
    claims: dict[str, Any] | None = None,
) -> requests.Session:
    """A browser after launching a link that opens ``mod``; API calls carry the launch token."""
    if user not in platform.users:
        platform.add_user(user, f"Learner {user}", platform.users["learner-1"].roles)
    browser = requests.Session()
    browser.headers["Accept"] = "application/json"
    response = full_launch(
        browser,
        tool.url,
        platform,
        login_hint=user,
        claims={CUSTOM: {"module": mod}, "context_id": course, **(claims or {})},
    )
    assert response.status_code == 200, response.text
    browser.headers["Authorization"] = f"Bearer {response.url.split('lh=')[1]}"
    return browser


def ags_claim(platform: LmsPlatform, course: str = "course-101") -> dict[str, Any]:
    """The AGS endpoint claim of a course whose links may create their own line items."""
    return {AGS: {"scope": SCOPES, "lineitems": f"{platform.url}/ags/{course}/lineitems"}}


def submit_quiz(browser: requests.Session, tool: Any, mod: str = L1M1) -> int:
    """Start an attempt and submit the right answers; returns the attempt id."""
    attempt = browser.post(tool.url + f"/api/v1/modules/{mod}/attempts")
    assert attempt.status_code == 201, attempt.text
    body = attempt.json()
    answers = answers_for(mod, [i["id"] for i in body["items"]])
    done = browser.post(
        tool.url + f"/api/v1/attempts/{body['id']}/answers", json={"answers": answers}
    )
    assert done.status_code == 200, done.text
    return int(body["id"])
