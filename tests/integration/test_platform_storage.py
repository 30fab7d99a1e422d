"""LTI platform storage (1EdTech LTI Client Side postMessages), over HTTP: what the tool serves
when the login offers ``lti_storage_target``, and how a launch whose state cookie was blocked
is handed to the browser to confirm, with nothing recorded and no session until it has. The
browser side runs in Chromium in ``tests/e2e/test_platform_storage_browser.py``."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import redis
import requests

from tests.support.launch_flow import post_launch
from tests.support.lti_platform import LmsPlatform, SigningKey

pytestmark = pytest.mark.integration

TARGET = "post_message_forwarding"


def _storage_login(browser: requests.Session, tool, platform: LmsPlatform, target: str = TARGET):
    params = platform.login_params(lti_storage_target=target)
    return browser.get(tool.url + "/lti/login", params=params, allow_redirects=False)


def _page_data(response: requests.Response) -> dict[str, str]:
    """The data-* attributes the page's script reads (and, at launch, the handle it posts)."""
    tag = re.search(r'<div id="lti-storage"([^>]*)>', response.text)
    assert tag is not None, response.text
    data = {k: unescape(v) for k, v in re.findall(r'data-(\w+)="([^"]*)"', tag.group(1))}
    form = re.search(r'<form id="lti-storage-continue"[^>]*action="([^"]+)"', response.text)
    handle = re.search(r'name="handle" value="([^"]*)"', response.text)
    if form and handle:
        data.update(action=unescape(form.group(1)), handle=unescape(handle.group(1)))
    return data


def _blocked_launch(tool, platform: LmsPlatform, browser: requests.Session):
    """A storage login in ``browser``; the launch posted without its state cookie (another
    client: the iframe whose cookie was blocked, or someone else's browser)."""
    auth = _page_data(_storage_login(browser, tool, platform))
    nonce = dict(parse_qsl(urlsplit(auth["next"]).query))["nonce"]
    token = platform.id_token(platform.claims(nonce=nonce))
    with requests.Session() as other:
        response = post_launch(other, tool.url, auth["value"], token)
    assert response.status_code == 200, response.text
    return auth["value"], token, response


def _confirm(client: requests.Session, tool, handle: str, state: str, **headers: str):
    """What the check page posts once the platform's storage gave the state back."""
    return client.post(
        tool.url + "/lti/launch/continue",
        data={"handle": handle, "state": state},
        headers={"Origin": tool.url, **headers},
        allow_redirects=False,
    )


def _sessions_in_store(tool) -> list[bytes]:
    settings = tool.app.extensions["lms_settings"]
    client = redis.Redis.from_url(settings.cache_url)
    try:
        return list(client.scan_iter(settings.cache_prefix + "sess:*"))
    finally:
        client.close()


def _nothing_recorded(tool) -> None:
    for table in ("lti_user", "lti_context", "membership", "resource_link"):
        assert tool.count(table) == 0, table
    assert _sessions_in_store(tool) == []


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
        # Nothing is recorded and no session exists until the browser has confirmed.
        assert "lms_session" not in response.headers.get("Set-Cookie", "")
        assert not iframe.cookies and "lh=" not in response.text
        _nothing_recorded(tool)
        # Confirming (what the page does once the state matches) opens the player.
        confirmed = _confirm(iframe, tool, page["handle"], state)
        assert page["action"] == "/lti/launch/continue"
        assert confirmed.status_code == 303 and "lh=" in confirmed.headers["Location"]
        player = iframe.get(urljoin(tool.url, confirmed.headers["Location"]))
        assert player.status_code == 200 and "Lena Learner" in player.text
    assert tool.count("lti_user") == 1 and len(_sessions_in_store(tool)) == 1
    # The state was used: it cannot launch again, with or without its cookie.
    again = post_launch(browser, tool.url, state, token)
    assert again.status_code == 400 and "state_unknown" in again.text


def test_id_token_posted_from_another_browser_never_gets_a_session(tool, platform, browser):
    """Login CSRF: someone starts a login in their own browser and has another browser post
    their id_token. It gets the check page, which cannot confirm there: nothing is made."""
    _, _, response = _blocked_launch(tool, platform, browser)

    assert "lms_session" not in response.headers.get("Set-Cookie", "")
    _nothing_recorded(tool)
    assert browser.get(tool.url + "/api/v1/me").status_code == 401


def test_confirmation_works_once(tool, platform, browser):
    state, _, response = _blocked_launch(tool, platform, browser)
    handle = _page_data(response)["handle"]

    assert _confirm(browser, tool, handle, state).status_code == 303
    again = _confirm(browser, tool, handle, state, Accept="application/json")

    assert again.status_code == 400 and again.json()["error"] == "state_unknown"
    assert len(_sessions_in_store(tool)) == 1


@pytest.mark.parametrize("handle", ["", "x" * 43, "not a handle", "a" * 5000])
def test_confirmation_of_an_unknown_handle_is_refused(tool, platform, browser, handle):
    state, _, _ = _blocked_launch(tool, platform, browser)

    response = _confirm(browser, tool, handle, state, Accept="application/json")

    assert response.status_code in (400, 413), response.text
    assert response.json()["error"] in ("state_unknown", "request_too_large")
    _nothing_recorded(tool)


def test_confirmation_with_another_state_is_refused_and_spends_the_launch(tool, platform, browser):
    state, _, response = _blocked_launch(tool, platform, browser)
    handle = _page_data(response)["handle"]
    other_state, _, _ = _blocked_launch(tool, platform, browser)

    wrong = _confirm(browser, tool, handle, other_state, Accept="application/json")

    assert wrong.status_code == 400 and wrong.json()["error"] == "state_cookie_mismatch"
    assert "lti1p3_new_window=1" in wrong.json()["retry_url"]
    _nothing_recorded(tool)
    after = _confirm(browser, tool, handle, state, Accept="application/json")
    assert after.status_code == 400 and after.json()["error"] == "state_unknown"
    _nothing_recorded(tool)


@pytest.mark.parametrize("origin", [None, "null", "https://evil.example", "http://127.0.0.1"])
def test_confirmation_from_another_site_is_refused_and_leaves_the_launch(
    tool, platform, browser, origin
):
    state, _, response = _blocked_launch(tool, platform, browser)
    handle = _page_data(response)["handle"]
    headers = {"Accept": "application/json"}
    if origin is not None:
        headers["Origin"] = origin

    with requests.Session() as other:
        refused = other.post(
            tool.url + "/lti/launch/continue",
            data={"handle": handle, "state": state},
            headers=headers,
            allow_redirects=False,
        )

    assert refused.status_code == 403 and refused.json()["error"] == "cross_site_request"
    _nothing_recorded(tool)
    assert _confirm(browser, tool, handle, state).status_code == 303  # still the page's to use


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
