"""The LMS HTTP client: proxies from the environment (read once per host), NO_PROXY honoured,
and a ~/.netrc entry never replaces the bearer token we send."""

from __future__ import annotations

import pytest
import requests
from flask import Flask, request

from lms_plugin.lti.http_client import LmsHttp
from tests.support.servers import ServerThread


@pytest.fixture
def echo():
    app = Flask("echo")

    @app.route("/<path:anything>", methods=["GET", "POST"])
    def seen(anything: str):
        return {"url": request.url, "authorization": request.headers.get("Authorization")}

    server = ServerThread(app).start()
    yield server
    server.stop()


def test_a_proxy_from_the_environment_carries_the_call(echo, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", echo.url)
    monkeypatch.setenv("NO_PROXY", "exempt.invalid")
    http = LmsHttp("test")
    answer = http.get("http://lms.invalid/api/lineitems", timeout=5).json()  # no DNS needed
    assert answer["url"].endswith("/api/lineitems")
    with pytest.raises(requests.ConnectionError):  # NO_PROXY: straight to a host that is not
        http.get("http://exempt.invalid/api", timeout=5)


def test_netrc_never_replaces_our_bearer_token(echo, monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    http = LmsHttp("test")
    answer = http.post(
        echo.url + "/scores", headers={"Authorization": "Bearer abc"}, timeout=5
    ).json()
    assert answer["authorization"] == "Bearer abc"
    plain = requests.Session()  # what requests would have done with trust_env
    leaked = plain.post(
        echo.url + "/scores", headers={"Authorization": "Bearer abc"}, timeout=5
    ).json()
    assert leaked["authorization"].startswith("Basic")
