"""The diagnostics page against the test LMS over real HTTP: its keyset, a token self-test and
the clock skew; broken keysets, refused tokens and a skewed clock are reported, and loopback
addresses are only called where the settings allow them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests
from flask import Flask, jsonify
from werkzeug.serving import WSGIRequestHandler, make_server

from lms_plugin.services import admin_access
from lms_plugin.web import deps
from tests.integration.test_admin_pages import other_platform
from tests.support.app_settings import settings_changed

pytestmark = pytest.mark.integration
HTML = {"Accept": "text/html"}


@pytest.fixture
def admin(tool) -> requests.Session:
    browser = requests.Session()
    browser.headers.update(HTML)
    with tool.app.app_context():
        token = admin_access.issue_link(deps.store(), 15)
    assert browser.post(tool.url + "/admin/sign-in", data={"token": token}).status_code == 200
    return browser


def section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"')[1].split("</section>")[0]


def diagnostics(tool, admin: requests.Session) -> str:
    reg_id = tool.rows("SELECT id FROM registration")[0][0]
    page = admin.get(f"{tool.url}/admin/platforms/{reg_id}")
    assert page.status_code == 200, page.text
    return page.text


def test_a_healthy_platform_passes_every_check(tool, platform, admin):
    with settings_changed(tool.app, allow_private_hosts=1):
        page = diagnostics(tool, admin)
    jwks, token, skew = (section(page, f"check-{name}") for name in ("jwks", "token", "skew"))
    assert 'data-ok="yes"' in jwks and "1 key in it can verify launches" in jwks
    assert platform.keys[0].kid in jwks
    assert 'data-ok="yes"' in token and platform.token_requests == 1  # really asked
    assert 'data-ok="yes"' in skew and "launches tolerate 5 s" in skew


def test_a_keyset_on_a_loopback_address_is_not_fetched_unless_allowed(tool, platform, admin):
    hits = platform.jwks_hits
    with settings_changed(tool.app, allow_private_hosts=0):
        jwks = section(diagnostics(tool, admin), "check-jwks")
    assert 'data-ok="no"' in jwks and "non-public address" in jwks
    assert platform.jwks_hits == hits


@pytest.mark.parametrize(
    "breakage, reported",
    [
        ("wrong url", "HTTP 404"),
        ("server error", "HTTP 500"),
        ("unusable key", "no key in it can verify a launch"),
    ],
)
def test_a_broken_keyset_is_reported(tool, platform, admin, breakage, reported):
    if breakage == "wrong url":
        tool.rows(f"UPDATE registration SET jwks_url = '{platform.url}/no-such-jwks' RETURNING id")
    elif breakage == "server error":
        platform.jwks_status = 500
    saved = list(platform.keys)
    if breakage == "unusable key":
        platform.keys = []
        platform.extra_jwks = [{"kid": "ec-1", "kty": "EC", "crv": "P-256", "x": "a", "y": "b"}]
    try:
        with settings_changed(tool.app, allow_private_hosts=1):
            jwks = section(diagnostics(tool, admin), "check-jwks")
    finally:
        platform.keys, platform.extra_jwks = saved, []
    assert 'data-ok="no"' in jwks and reported in jwks
    if breakage == "unusable key":
        assert "ec-1" in jwks and "unusable" in jwks


def test_a_refused_token_request_is_reported_with_the_lms_reason(tool, platform, admin):
    platform.allowed_scopes = set()  # the LMS grants no service
    with settings_changed(tool.app, allow_private_hosts=1):
        token = section(diagnostics(tool, admin), "check-token")
    assert 'data-ok="no"' in token and "invalid_scope" in token
    assert "enable the Assignment and Grade Services" in token


class FastClockHandler(WSGIRequestHandler):
    """Answers dated ten minutes ahead (the Date header the server itself writes)."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        return super().date_time_string(time.time() + 600)


@pytest.fixture
def skewed_lms() -> Iterator[str]:
    """A keyset server whose clock is ten minutes fast."""
    app = Flask("skewed")
    app.get("/jwks")(lambda: jsonify({"keys": []}))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=FastClockHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks"
    server.shutdown()
    server.server_close()


def test_a_skewed_clock_is_reported(tool, admin, skewed_lms):
    tool.rows(f"UPDATE registration SET jwks_url = '{skewed_lms}' RETURNING id")
    with settings_changed(tool.app, allow_private_hosts=1):
        skew = section(diagnostics(tool, admin), "check-skew")
    assert 'data-ok="no"' in skew
    seconds = int(skew.split("clock is ")[1].split(" s")[0])
    assert 598 <= seconds <= 602


def test_the_token_self_test_uses_the_products_audience(tool, platform, admin):
    # Brightspace checks the client assertion's aud against its own value, not the token URL:
    # the self-test must ask as the workers do, or it reports a healthy D2L as broken.
    from lms_plugin.domain.platform_profiles import BRIGHTSPACE_TOKEN_AUDIENCE

    (reg_id, product), *_ = tool.rows("SELECT id, product FROM registration")
    platform.token_audience = BRIGHTSPACE_TOKEN_AUDIENCE
    tool.rows(f"UPDATE registration SET product = 'brightspace' WHERE id = {reg_id} RETURNING id")
    try:
        with settings_changed(tool.app, allow_private_hosts=1):
            token = section(diagnostics(tool, admin), "check-token")
    finally:
        platform.token_audience = None
        tool.rows(f"UPDATE registration SET product = '{product}' WHERE id = {reg_id} RETURNING id")
    assert 'data-ok="yes"' in token, token


def test_the_token_check_names_a_tool_the_lms_cannot_reach(tool, platform, admin):
    """The tool's address is this computer's own (127.0.0.1) and the LMS is elsewhere: the LMS
    refuses the token request (invalid_client: it could not fetch the tool's keyset), and the
    page names that likely cause with what to set, not only the LMS's error code. The LMS
    elsewhere is played by the test LMS behind an HTTP proxy (the request goes out to
    other-lms.example.org as to a real host). The test LMS, on this computer, gets no such line;
    neither does an LMS the tool cannot reach at all (its own problem, said in its words)."""
    other = other_platform(tool, "http://other-lms.example.org")
    http = tool.app.extensions["lms_http"]
    http.proxies["http"] = platform.url
    try:
        page = admin.get(f"{tool.url}/admin/platforms/{other}")
    finally:
        del http.proxies["http"]
    token = section(page.text, "check-token")
    assert 'data-ok="no"' in token and "invalid_client" in token, token
    assert 'data-testid="token-cut-off"' in token, token
    assert "LMS_PUBLIC_URL" in token and tool.url in token
    unreachable = section(admin.get(f"{tool.url}/admin/platforms/{other}").text, "check-token")
    assert "Could not reach the token endpoint http://other-lms.example.org/token" in unreachable
    assert "its host name is not known (DNS)" in unreachable
    assert "HTTPConnectionPool" not in unreachable and "token-cut-off" not in unreachable
    with settings_changed(tool.app, allow_private_hosts=1):
        ours = section(diagnostics(tool, admin), "check-token")
    assert 'data-ok="yes"' in ours and "token-cut-off" not in ours
