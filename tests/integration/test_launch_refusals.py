"""Every refused launch: a 4xx with a stable code, no session, and no stored user or course."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
import warnings
from collections.abc import Callable
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.warnings import InsecureKeyLengthWarning

from tests.support.launch_flow import full_launch, post_launch, start_login
from tests.support.lti_platform import CLAIM, LmsPlatform, SigningKey, unsigned_token

pytestmark = pytest.mark.integration

Case = Callable[[LmsPlatform, dict[str, str]], tuple[str, str]]  # -> (state, id_token)


def _signed(**overrides: Any) -> Case:
    def make(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
        claims = platform.claims(nonce=auth["nonce"], **overrides)
        return auth["state"], platform.id_token(claims)

    return make


def _without(*names: str) -> Case:
    def make(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
        claims = platform.claims(nonce=auth["nonce"])
        for name in names:
            claims.pop(name)
        return auth["state"], platform.id_token(claims)

    return make


def _hs256(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    # The classic confusion attack: HMAC "signed" with the platform's public key as secret.
    claims = platform.claims(nonce=auth["nonce"])
    return auth["state"], jwt.encode(
        claims, "x" * 32, algorithm="HS256", headers={"kid": platform.keys[0].kid}
    )


def _alg_none(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    return auth["state"], unsigned_token(platform.claims(nonce=auth["nonce"]), platform.keys[0].kid)


def _foreign_key_same_kid(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    attacker = SigningKey.rsa()
    attacker.kid = platform.keys[0].kid
    return auth["state"], platform.id_token(platform.claims(nonce=auth["nonce"]), key=attacker)


def _unknown_kid(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    return auth["state"], platform.id_token(
        platform.claims(nonce=auth["nonce"]), key=SigningKey.rsa()
    )


def _no_kid(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    key = platform.keys[0]
    token = jwt.encode(platform.claims(nonce=auth["nonce"]), key.private, algorithm="RS256")
    return auth["state"], token


def _ec_key_declared_rs256(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    kid = platform.add_ec_key()
    token = platform.id_token(platform.claims(nonce=auth["nonce"]), headers={"kid": kid})
    return auth["state"], token


def _unknown_state(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    return "state-never-issued", platform.id_token(platform.claims(nonce=auth["nonce"]))


def _nonce_of_other_login(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    return auth["state"], platform.id_token(platform.claims(nonce="a-nonce-we-never-issued"))


def _garbage_token(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    return auth["state"], "not.a.jwt"


def _signature_removed(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    head, body, _ = platform.id_token(platform.claims(nonce=auth["nonce"])).split(".")
    return auth["state"], f"{head}.{body}."


def _payload_changed_after_signing(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    head, _, signature = platform.id_token(platform.claims(nonce=auth["nonce"])).split(".")
    forged = platform.claims(nonce=auth["nonce"], user=platform.users["teacher-1"])
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    return auth["state"], f"{head}.{body}.{signature}"


def _short_platform_key(platform: LmsPlatform, auth: dict[str, str]) -> tuple[str, str]:
    # RFC 7518 §3.3: an RS256 key MUST have at least 2048 bits. The platform publishes this one.
    weak = rsa.generate_private_key(65537, 1024)  # noqa: S505 - the weak key under test
    short = SigningKey("short-" + uuid.uuid4().hex[:6], weak)
    platform.extra_jwks.append(short.jwk())
    with warnings.catch_warnings():  # PyJWT warns the platform that signs with it
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return auth["state"], platform.id_token(platform.claims(nonce=auth["nonce"]), key=short)


NOW = int(time.time())
CASES: dict[str, tuple[Case, int, str]] = {
    "signature by another key with the same kid": (_foreign_key_same_kid, 401, "bad_signature"),
    "kid unknown to the platform JWKS": (_unknown_kid, 401, "unknown_kid"),
    "kid missing": (_no_kid, 401, "kid_missing"),
    "alg none": (_alg_none, 401, "alg_not_allowed"),
    "alg HS256": (_hs256, 401, "alg_not_allowed"),
    "EC key named by an RS256 token": (_ec_key_declared_rs256, 401, "alg_not_allowed"),
    "garbage id_token": (_garbage_token, 400, "id_token_malformed"),
    "signature removed": (_signature_removed, 401, "bad_signature"),
    "payload changed after signing": (_payload_changed_after_signing, 401, "bad_signature"),
    "platform key shorter than 2048 bits": (_short_platform_key, 401, "alg_not_allowed"),
    "issuer differs from the login": (_signed(iss="https://evil.example"), 401, "issuer_mismatch"),
    "aud is another client": (_signed(aud="someone-else"), 401, "aud_mismatch"),
    "aud an empty list": (_signed(aud=[]), 401, "aud_mismatch"),
    "aud not a string or list": (_signed(aud=7), 401, "aud_mismatch"),
    "azp not a string": (_signed(azp=["x"]), 401, "azp_mismatch"),
    "expired": (_signed(exp=NOW - 3600, iat=NOW - 4000), 401, "token_expired"),
    "issued in the future": (_signed(iat=NOW + 3600), 401, "token_not_yet_valid"),
    "issued too long ago": (_signed(iat=NOW - 3600, exp=NOW + 3600), 401, "token_too_old"),
    "nonce missing": (_without("nonce"), 401, "nonce_missing"),
    "nonce not issued for this state": (_nonce_of_other_login, 401, "nonce_mismatch"),
    "state never issued": (_unknown_state, 400, "state_unknown"),
    "version 1.1": (_signed(**{CLAIM + "version": "1.1"}), 400, "version_unsupported"),
    "message type not allowed here": (
        _signed(**{CLAIM + "message_type": "LtiStartProctoring"}),
        400,
        "message_type_not_allowed",
    ),
    "roles claim missing": (_without(CLAIM + "roles"), 400, "roles_missing"),
    "roles not a list": (_signed(**{CLAIM + "roles": "Learner"}), 400, "claim_malformed"),
    "sub missing": (_without("sub"), 400, "sub_missing"),
    "resource link missing": (_without(CLAIM + "resource_link"), 400, "resource_link_missing"),
    "resource link without id": (
        _signed(**{CLAIM + "resource_link": {"title": "x"}}),
        400,
        "resource_link_missing",
    ),
    "target link on another host": (
        _signed(**{CLAIM + "target_link_uri": "https://evil.example/lti/launch"}),
        400,
        "target_link_foreign",
    ),
    "deployment claim missing": (_without(CLAIM + "deployment_id"), 400, "deployment_missing"),
}


def assert_refused(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    assert "lms_session" not in response.headers.get("Set-Cookie", "")


def assert_nothing_stored(tool: Any, browser: requests.Session) -> None:
    assert browser.get(tool.url + "/api/v1/me").status_code == 401
    for table in ("lti_user", "lti_context", "membership", "resource_link"):
        assert tool.count(table) == 0, table


@pytest.mark.parametrize("name", list(CASES))
def test_refused_launch(tool, platform, browser, name):
    make, status, code = CASES[name]
    auth = start_login(browser, tool.url, platform)
    try:
        state, token = make(platform, auth)
        response = post_launch(browser, tool.url, state, token)
    finally:
        platform.extra_jwks.clear()

    assert_refused(response, status, code)
    assert_nothing_stored(tool, browser)
    assert tool.count("deployment") == 1  # only the registered one


def test_several_audiences_without_azp_are_refused(tool, platform, browser):
    auth = start_login(browser, tool.url, platform)
    claims = platform.claims(nonce=auth["nonce"], aud=[platform.client_id, "other"])
    response = post_launch(browser, tool.url, auth["state"], platform.id_token(claims))
    assert_refused(response, 401, "azp_mismatch")


def test_several_audiences_with_our_azp_are_accepted(tool, platform, browser):
    auth = start_login(browser, tool.url, platform)
    claims = platform.claims(
        nonce=auth["nonce"], aud=["other", platform.client_id], azp=platform.client_id
    )
    assert post_launch(browser, tool.url, auth["state"], platform.id_token(claims)).ok


def test_several_audiences_with_foreign_azp_are_refused(tool, platform, browser):
    auth = start_login(browser, tool.url, platform)
    claims = platform.claims(nonce=auth["nonce"], aud=[platform.client_id, "other"], azp="other")
    response = post_launch(browser, tool.url, auth["state"], platform.id_token(claims))
    assert_refused(response, 401, "azp_mismatch")


def test_replayed_id_token_is_refused_even_from_another_browser(tool, platform, browser):
    auth = start_login(browser, tool.url, platform)
    token = platform.id_token(platform.claims(nonce=auth["nonce"]))
    assert post_launch(browser, tool.url, auth["state"], token).status_code == 200

    again = post_launch(browser, tool.url, auth["state"], token)
    with requests.Session() as other:
        other.headers["Accept"] = "application/json"
        other.cookies.update(browser.cookies)
        elsewhere = post_launch(other, tool.url, auth["state"], token)

    assert_refused(again, 400, "state_unknown")
    assert_refused(elsewhere, 400, "state_unknown")


def test_reused_nonce_with_a_fresh_state_is_refused(tool, platform, browser):
    first = start_login(browser, tool.url, platform)
    token = platform.id_token(platform.claims(nonce=first["nonce"]))
    assert post_launch(browser, tool.url, first["state"], token).status_code == 200

    second = start_login(browser, tool.url, platform)
    replay = platform.id_token(platform.claims(nonce=first["nonce"]))
    assert_refused(post_launch(browser, tool.url, second["state"], replay), 401, "nonce_mismatch")


def test_used_nonce_is_refused_even_if_its_state_came_back(tool, platform, browser):
    auth = start_login(browser, tool.url, platform)
    store = tool.app.extensions["lms_store"]
    bound = store.get("lti-state:" + auth["state"])
    token = platform.id_token(platform.claims(nonce=auth["nonce"]))
    assert post_launch(browser, tool.url, auth["state"], token).status_code == 200
    # The state record comes back (say, a store restored from a backup) with its cookie:
    # the nonce, remembered as used, still refuses the replayed token.
    store.set("lti-state:" + auth["state"], bound, 60)
    with requests.Session() as replayer:
        replayer.headers["Accept"] = "application/json"
        replayer.cookies.set(f"lti1p3-{auth['state']}", auth["state"])
        response = post_launch(replayer, tool.url, auth["state"], token)
        assert_refused(response, 401, "nonce_replayed")
        assert replayer.get(tool.url + "/api/v1/me").status_code == 401


def test_state_without_its_cookie_is_refused(tool, platform, browser):
    auth = start_login(browser, tool.url, platform)
    token = platform.id_token(platform.claims(nonce=auth["nonce"]))
    with requests.Session() as stranger:
        stranger.headers["Accept"] = "application/json"
        response = post_launch(stranger, tool.url, auth["state"], token)
    assert_refused(response, 400, "state_cookie_mismatch")
    # and the state was consumed: the rightful browser cannot use it either now
    assert_refused(post_launch(browser, tool.url, auth["state"], token), 400, "state_unknown")


def test_expired_state_is_refused(tool, platform, browser):
    auth = start_login(browser, tool.url, platform)
    store = tool.app.extensions["lms_store"]
    store.delete("lti-state:" + auth["state"])  # what the TTL does after LMS_LAUNCH_STATE_TTL
    token = platform.id_token(platform.claims(nonce=auth["nonce"]))
    assert_refused(post_launch(browser, tool.url, auth["state"], token), 400, "state_unknown")


def test_unknown_deployment_is_recorded_pending_and_refused_with_instructions(
    tool, platform, browser
):
    auth = start_login(browser, tool.url, platform)
    claims = platform.claims(nonce=auth["nonce"], **{CLAIM + "deployment_id": "dep-new"})
    response = post_launch(browser, tool.url, auth["state"], platform.id_token(claims))

    assert_refused(response, 403, "deployment_pending")
    assert "lms-plugin deployments activate" in response.json()["hint"]
    assert "--deployment-id dep-new" in response.json()["hint"]
    assert tool.rows("SELECT deployment_id, status FROM deployment ORDER BY id") == [
        (platform.deployment_id, "active"),
        ("dep-new", "pending"),
    ]
    assert_nothing_stored(tool, browser)


def test_jwks_unreachable_fails_closed(tool, platform, browser):
    key = platform.rotate_key()
    platform.jwks_status = 503
    try:
        auth = start_login(browser, tool.url, platform)
        token = platform.id_token(platform.claims(nonce=auth["nonce"]), key=key)
        response = post_launch(browser, tool.url, auth["state"], token)
    finally:
        platform.keys.remove(key)
        platform.jwks_status = 200
    assert_refused(response, 424, "jwks_unreachable")
    assert_nothing_stored(tool, browser)


def _padded_token(platform: LmsPlatform, nonce: str, size: int) -> str:
    """A validly signed id_token of ``size`` bytes or one or two fewer (base64 steps)."""
    claims = platform.claims(nonce=nonce, **{"https://tool.example/pad": ""})
    bare = len(platform.id_token(claims))
    pad = (size - bare) * 3 // 4
    while True:
        claims["https://tool.example/pad"] = "x" * pad
        token = platform.id_token(claims)
        if len(token) > size:
            pad -= 1
        elif size - len(token) > 2:
            pad += 1
        else:
            return token


def test_oversized_id_token_is_refused_before_any_key_fetch(tool, platform, browser):
    # Finding 2: a validly signed 1.3 MB id_token was accepted and stored.
    auth = start_login(browser, tool.url, platform)
    token = _padded_token(platform, auth["nonce"], 1_300_000)
    hits = platform.jwks_hits

    response = post_launch(browser, tool.url, auth["state"], token)

    assert response.status_code == 413, response.text[:500]
    assert "lms_session" not in response.headers.get("Set-Cookie", "")
    assert platform.jwks_hits == hits  # nothing parsed, no key fetched
    assert_nothing_stored(tool, browser)


def test_id_token_size_limit_is_exact(tool, platform, browser):
    limit = tool.app.extensions["lms_settings"].id_token_max_bytes
    auth = start_login(browser, tool.url, platform)
    over = _padded_token(platform, auth["nonce"], limit + 2)
    assert len(over) > limit
    assert_refused(post_launch(browser, tool.url, auth["state"], over), 413, "id_token_too_large")

    token = _padded_token(platform, auth["nonce"], limit)  # the same login: nothing was used
    assert len(token) <= limit
    assert post_launch(browser, tool.url, auth["state"], token).status_code == 200


def test_get_on_launch_is_refused(tool, browser):
    response = browser.get(tool.url + "/lti/launch")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


@pytest.mark.parametrize(
    "params, code, status",
    [
        ({"iss": ""}, "login_param_missing", 400),
        ({"login_hint": ""}, "login_param_missing", 400),
        ({"iss": "https://unknown.example"}, "unknown_platform", 400),
        ({"client_id": "not-registered"}, "unknown_platform", 400),
        ({"target_link_uri": "https://evil.example/x"}, "target_link_foreign", 400),
    ],
)
def test_bad_login_is_refused_without_state(tool, platform, browser, params, code, status):
    query = {**platform.login_params(), **params}
    response = browser.get(tool.url + "/lti/login", params=query, allow_redirects=False)

    assert response.status_code == status
    assert response.json()["error"] == code
    assert "Set-Cookie" not in response.headers


def test_refusal_page_is_html_in_the_iframe_with_admin_hint(tool, platform):
    with requests.Session() as iframe:
        iframe.headers["Accept"] = "text/html"
        query = {**platform.login_params(), "iss": "https://unknown.example"}
        response = iframe.get(tool.url + "/lti/login", params=query)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("text/html")
    assert "This LMS is not registered with the tool." in response.text
    assert "unknown_platform" in response.text and "lms-plugin platform add" in response.text


def test_learner_still_launches_after_all_those_refusals(tool, platform, browser):
    assert full_launch(browser, tool.url, platform).status_code == 200


def test_blocked_cookie_offers_the_same_launch_in_a_new_window_that_works(tool, platform):
    with requests.Session() as iframe:  # the iframe's browser kept no cookie
        iframe.headers["Accept"] = "application/json"
        hint = json.dumps({"context_id": "course-42"})
        auth = start_login(iframe, tool.url, platform, lti_message_hint=hint)
        iframe.cookies.clear()
        token = platform.id_token(platform.claims(nonce=auth["nonce"]))
        refused = post_launch(iframe, tool.url, auth["state"], token)
    assert_refused(refused, 400, "state_cookie_mismatch")
    retry = refused.json()["retry_url"]
    assert retry.startswith(tool.url + "/lti/login?")
    assert parse_qs(urlsplit(retry).query)["lti_message_hint"] == [hint]

    with requests.Session() as window:  # a top-level window: first-party cookies work
        window.headers["Accept"] = "application/json"
        login = window.get(retry, allow_redirects=False)
        assert login.status_code == 302
        page = window.get(login.headers["Location"])
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
        launched = post_launch(window, tool.url, fields["state"], unescape(fields["id_token"]))
    assert launched.status_code == 200
    assert tool.rows("SELECT context_id FROM lti_context") == [("course-42",)]
