"""Drive the OIDC login + launch over HTTP, as a browser inside an LMS would."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import requests

from tests.support.lti_platform import LmsPlatform


def start_login(
    browser: requests.Session,
    tool_url: str,
    platform: LmsPlatform,
    *,
    method: str = "GET",
    login_hint: str = "learner-1",
    **extra: str,
) -> dict[str, str]:
    """Third-party initiated login; returns the OIDC auth request's parameters."""
    params = platform.login_params(login_hint, **extra)
    if method == "GET":
        response = browser.get(tool_url + "/lti/login", params=params, allow_redirects=False)
    else:
        response = browser.post(tool_url + "/lti/login", data=params, allow_redirects=False)
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    assert location.startswith(platform.url + "/auth?")
    return dict(parse_qsl(urlsplit(location).query))


def post_launch(
    browser: requests.Session, tool_url: str, state: str, id_token: str
) -> requests.Response:
    return browser.post(tool_url + "/lti/launch", data={"state": state, "id_token": id_token})


def full_launch(
    browser: requests.Session,
    tool_url: str,
    platform: LmsPlatform,
    *,
    method: str = "GET",
    login_hint: str = "learner-1",
    claims: dict[str, object] | None = None,
    post_to: str | None = None,
) -> requests.Response:
    """Login at the tool, authenticate at the platform over HTTP, post the form it returns.

    `post_to` posts the form to another origin serving the same tool (another web machine)."""
    extra = {"lti_message_hint": json.dumps(claims)} if claims else {}
    auth = start_login(browser, tool_url, platform, method=method, login_hint=login_hint, **extra)
    page = browser.get(platform.url + "/auth", params=auth)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    action = unescape(re.search(r'action="([^"]+)"', page.text).group(1))  # type: ignore[union-attr]
    if post_to is not None:
        action = post_to + urlsplit(action).path
    return browser.post(action, data={k: unescape(v) for k, v in fields.items()})
