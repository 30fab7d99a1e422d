"""LTI platform storage (1EdTech LTI Client Side postMessages), over HTTP: what the tool serves
when the login offers ``lti_storage_target``, and how a launch whose state cookie was blocked
is handed to the browser to confirm. The browser side runs in Chromium in
``tests/e2e/test_platform_storage_browser.py``."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import requests

from tests.support.launch_flow import post_launch
from tests.support.lti_platform import LmsPlatform, SigningKey

pytestmark = pytest.mark.integration

TARGET = "post_message_forwarding"


def _storage_login(browser: requests.Session, tool, platform: LmsPlatform, target: str = TARGET):
    params = platform.login_params(lti_storage_target=target)
    return browser.get(tool.url + "/lti/login", params=params, allow_redirects=False)


def _page_data(response: requests.Response) -> dict[str, str]:
    """The data-* attributes the page's script reads."""
    tag = re.search(r'<div id="lti-storage"([^>]*)>', response.text)
    assert tag is not None, response.text
    return {k: unescape(v) for k, v in re.findall(r'data-(\w+)="([^"]*)"', tag.group(1))}


def test_login_with_a_storage_target_puts_the_state_there_then_goes_on(tool, platform, browser):
    response = _storage_login(browser, tool, platform)

    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    page = _page_data(response)
    auth = dict(parse_qsl(urlsplit(page["next"]).query))
    assert page["next"].startswith(platform.url + "/auth?")
    assert page["mode"] == "put" and page["target"] == TARGET
    assert page["origin"] == platform.url  # the OIDC authorization endpoint's origin
    assert (page["key"], page["value"]) == ("state_" + auth["state"], auth["state"])
    assert browser.cookies.get("lti1p3-" + auth["state"]) == auth["state"]  # cookies still tried
    record = json.loads(tool.app.extensions["lms_store"].get("lti-state:" + auth["state"]))
    assert record["storage"] == {"target": TARGET, "origin": platform.url}
    assert "lti_storage_target" not in record["restart"]  # a new window has no storage frame


@pytest.mark.parametrize("target", ["", "<script>", "x" * 101, "a b"])
def test_login_without_a_usable_storage_target_redirects(tool, platform, browser, target):
    response = _storage_login(browser, tool, platform, target)

    assert response.status_code == 302
    state = dict(parse_qsl(urlsplit(response.headers["Location"]).query))["state"]
    record = json.loads(tool.app.extensions["lms_store"].get("lti-state:" + state))
    assert record.get("storage") is None


def test_blocked_cookie_hands_the_launch_to_the_browser_to_confirm(tool, platform, browser):
    auth = _page_data(_storage_login(browser, tool, platform))
    state = auth["value"]
    nonce = dict(parse_qsl(urlsplit(auth["next"]).query))["nonce"]
    token = platform.id_token(platform.claims(nonce=nonce))

    with requests.Session() as iframe:  # the launch arrives without the state cookie
        response = post_launch(iframe, tool.url, state, token)

        assert response.status_code == 200
        page = _page_data(response)
        assert page["mode"] == "get" and page["target"] == TARGET
        assert (page["key"], page["value"], page["origin"]) == (
            "state_" + state,
            state,
            platform.url,
        )
        assert "lti1p3_new_window=1" in response.text  # offered if the browser cannot confirm
        # Going on (what the page does once the state matches) opens the player.
        player = iframe.get(urljoin(tool.url, page["next"]))
        assert player.status_code == 200 and "Lena Learner" in player.text
    # The state was used: it cannot launch again, with or without its cookie.
    again = post_launch(browser, tool.url, state, token)
    assert again.status_code == 400 and "state_unknown" in again.text


def test_forged_launch_is_refused_before_any_browser_check(tool, platform, browser):
    auth = _page_data(_storage_login(browser, tool, platform))
    nonce = dict(parse_qsl(urlsplit(auth["next"]).query))["nonce"]
    # Signed with a key the platform does not publish.
    token = platform.id_token(platform.claims(nonce=nonce), key=SigningKey.rsa())
    users = tool.count("lti_user")

    with requests.Session() as iframe:
        iframe.headers["Accept"] = "application/json"
        response = post_launch(iframe, tool.url, auth["value"], token)

    assert response.status_code in (401, 403) and "lti-storage" not in response.text
    assert tool.count("lti_user") == users


def test_launch_with_its_cookie_skips_the_check(tool, platform, browser):
    auth = _page_data(_storage_login(browser, tool, platform))
    nonce = dict(parse_qsl(urlsplit(auth["next"]).query))["nonce"]
    token = platform.id_token(platform.claims(nonce=nonce))

    response = browser.post(
        tool.url + "/lti/launch",
        data={"state": auth["value"], "id_token": token},
        allow_redirects=False,
    )

    assert response.status_code == 303 and "lh=" in response.headers["Location"]
