"""Claims of the wrong shape in a correctly signed id_token (a platform's bug, or a hostile
platform an admin registered): every launch ends in a clear 4xx or a working launch, never a 500,
and a refused one stores nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import pytest

from tests.support.launch_flow import start_login
from tests.support.lti_platform import CLAIM

pytestmark = pytest.mark.integration

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

ODD: dict[str, dict[str, Any]] = {
    "roles with non-strings": {CLAIM + "roles": [1, None, {"x": 1}]},
    "roles as an object": {CLAIM + "roles": {"a": 1}},
    "sub a number": {"sub": 12345},
    "sub very long": {"sub": "s" * 5000},
    "name an object": {"name": {"first": "A"}},
    "email a list": {"email": ["a@b.c"]},
    "name very long": {"name": "n" * 10_000},
    "context a string": {CLAIM + "context": "course-101"},
    "context id a number": {CLAIM + "context": {"id": 101, "title": ["x"]}},
    "context id very long": {CLAIM + "context": {"id": "c" * 5000}},
    "resource link id a number": {CLAIM + "resource_link": {"id": 7, "title": 5}},
    "resource link id very long": {CLAIM + "resource_link": {"id": "r" * 5000}},
    "custom a string": {CLAIM + "custom": "module=x"},
    "custom module a number": {CLAIM + "custom": {"module": 5}},
    "custom with nested values": {CLAIM + "custom": {"module": {"a": [1]}}},
    "custom module very long": {CLAIM + "custom": {"module": "m" * 5000}},
    "ags a string": {AGS: "https://lms/ags"},
    "ags lineitem very long": {AGS: {"scope": [], "lineitem": "https://l/" + "x" * 5000}},
    "ags lineitems a number": {AGS: {"scope": [5, None], "lineitems": 5}},
    "ags scope a string": {AGS: {"scope": "score", "lineitems": 5}},
    "ags lineitem not a URL": {AGS: {"scope": [], "lineitem": "not a url"}},
    "nrps a list": {NRPS: ["x"]},
    "nrps url a number": {NRPS: {"context_memberships_url": 5}},
    "deployment id very long": {CLAIM + "deployment_id": "d" * 5000},
    "target link a number": {CLAIM + "target_link_uri": 5},
    "deep linking settings a string": {
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        DL: "x",
    },
    "exp a string": {"exp": "tomorrow"},
    "iat a bool": {"iat": True},
}


@pytest.mark.parametrize("name", list(ODD))
def test_odd_claims_never_make_a_server_error(tool, platform, browser, name):
    auth = start_login(browser, tool.url, platform)
    users = tool.count("lti_user")
    token = platform.id_token(platform.claims(nonce=auth["nonce"], **ODD[name]))

    response = browser.post(
        tool.url + "/lti/launch",
        data={"state": auth["state"], "id_token": token},
        allow_redirects=False,
    )

    assert response.status_code < 500, response.text
    if response.status_code >= 400:  # refused: a stable code, and nothing stored
        assert response.json()["error"]
        assert tool.count("lti_user") == users
    else:  # launched: the page it opens works too (or says clearly what is wrong)
        opened = browser.get(urljoin(tool.url, response.headers["Location"]))
        assert opened.status_code < 500, opened.text
