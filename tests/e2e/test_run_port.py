"""`lms-plugin run --port N` without LMS_PUBLIC_URL: every URL it prints, and the URLs the web
it starts builds, are on port N; with no LMS registered yet it says how to try the demo."""

from __future__ import annotations

import pytest
import requests

from tests.support.processes import cli, free_port, process_tree, tool_env, wait_http

pytestmark = pytest.mark.e2e


def test_run_on_another_port_prints_and_serves_that_url(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = tool_env(instance_dir=str(tmp_path))  # no LMS_PUBLIC_URL
    log = tmp_path / "run.log"
    with process_tree(cli("run", "--port", str(port), "--no-worker"), env, log):
        wait_http(url + "/healthz", timeout=90)
        profile = requests.get(
            url + "/credentials/issuer", headers={"Accept": "application/ld+json"}, timeout=10
        ).json()
    out = log.read_text()
    assert profile["id"] == url + "/credentials/issuer"  # the web has the same public URL
    for path in ("/lti/login", "/lti/launch", "/lti/jwks"):
        assert url + path in out
    assert ":5000" not in out
    # Another shell would print its register-url for port 5000: the hint says which URL.
    assert f"LMS_PUBLIC_URL={url} " in out and "platform register-url" in out
    assert "No LMS is registered yet" in out and "-m lms_plugin.cli demo" in out
