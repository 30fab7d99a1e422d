"""Behind an HTTPS proxy the launch cookies work inside an LMS iframe (third-party context)."""

from __future__ import annotations

import re
import uuid
from html import unescape
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from flask_migrate import upgrade

from lms_plugin.db import db
from lms_plugin.services.keys import ensure_keys
from lms_plugin.services.platforms import PlatformSpec, add_platform
from lms_plugin.web import deps
from lms_plugin.web.app import create_app
from tests.conftest import make_settings
from tests.support.lti_platform import LmsPlatform
from tests.support.servers import ServerThread

pytestmark = pytest.mark.integration

PROXY = {"X-Forwarded-Proto": "https", "Accept": "application/json"}


@pytest.fixture
def https_tool(tmp_path, redis_url):
    server = ServerThread()
    public = server.url.replace("http://", "https://")
    app = create_app(
        make_settings(
            str(tmp_path),
            database_url=f"sqlite:///{tmp_path}/t.db",
            cache_url=redis_url,
            cache_prefix=f"https:{uuid.uuid4().hex[:6]}:",
            public_url=public,
            trust_proxy=1,
        )
    )
    lms = LmsPlatform(tool_url=public).start()
    with app.app_context():
        upgrade()
        ensure_keys(db.session())
        add_platform(db.session(), deps.tenants(), PlatformSpec(**lms.registration_args()))
    server.wrapper.app = app
    server.start()
    yield server, lms
    server.stop()
    lms.stop()
    with app.app_context():
        db.engine.dispose()


def _flags(set_cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}


def test_state_and_session_cookies_are_samesite_none_secure_partitioned(https_tool):
    server, lms = https_tool
    with requests.Session() as browser:
        login = browser.get(
            server.url + "/lti/login",
            params=lms.login_params(),
            headers=PROXY,
            allow_redirects=False,
        )
        assert login.status_code == 302
        state_cookie = login.headers["Set-Cookie"]
        assert {"secure", "samesite", "partitioned", "httponly"} <= _flags(state_cookie)
        assert "SameSite=None" in state_cookie

        auth = dict(parse_qsl(urlsplit(login.headers["Location"]).query))
        assert auth["redirect_uri"].startswith("https://")
        token = lms.id_token(lms.claims(nonce=auth["nonce"]))
        browser.headers.update(PROXY)
        # requests keeps Secure cookies for https only; the browser in the iframe would send it
        browser.cookies.set(f"lti1p3-{auth['state']}", auth["state"])
        launch = browser.post(
            server.url + "/lti/launch",
            allow_redirects=False,
            data={"state": auth["state"], "id_token": token},
        )

    assert launch.status_code == 303, launch.text
    session_cookie = next(
        c for c in launch.raw.headers.getlist("Set-Cookie") if c.startswith("lms_session=")
    )
    assert {"secure", "samesite", "partitioned", "httponly"} <= _flags(session_cookie)
    assert "SameSite=None" in session_cookie


def test_a_launch_confirmed_through_platform_storage_gets_the_iframe_cookie(https_tool):
    """Behind the TLS proxy the check page's confirmation comes from the public https origin
    (the proxy talks plain http to the tool), and only it sets the session cookie."""
    server, lms = https_tool
    public = server.url.replace("http://", "https://")
    params = lms.login_params(lti_storage_target="post_message_forwarding")
    with requests.Session() as iframe:
        iframe.headers.update(PROXY)
        page = iframe.get(server.url + "/lti/login", params=params).text
        state = re.search(r'data-value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        auth = unescape(re.search(r'data-next="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        nonce = dict(parse_qsl(urlsplit(auth).query))["nonce"]
        token = lms.id_token(lms.claims(nonce=nonce))
        iframe.cookies.clear()  # third-party cookies blocked: the state cookie is not sent
        check = iframe.post(server.url + "/lti/launch", data={"state": state, "id_token": token})
        handle = re.search(r'name="handle" value="([^"]+)"', check.text).group(1)  # type: ignore[union-attr]
        assert "lms_session" not in check.headers.get("Set-Cookie", "")
        confirmed = iframe.post(
            server.url + "/lti/launch/continue",
            data={"handle": handle, "state": state},
            headers={"Origin": public},
            allow_redirects=False,
        )

    assert confirmed.status_code == 303, confirmed.text
    assert confirmed.headers["Location"].startswith("/?lh=")
    session_cookie = next(
        c for c in confirmed.raw.headers.getlist("Set-Cookie") if c.startswith("lms_session=")
    )
    assert {"secure", "samesite", "partitioned", "httponly"} <= _flags(session_cookie)
