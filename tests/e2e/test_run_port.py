"""`lms-plugin run --port N` without LMS_PUBLIC_URL: every URL it prints, and the URLs the web
it starts builds, are on port N; with no LMS registered yet it says how to try the demo."""

from __future__ import annotations

import socket
import subprocess

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


def test_run_on_a_port_in_use_says_so_in_one_line_and_starts_nothing(tmp_path):
    """It printed gunicorn's retries and "web exited with code 1", after migrating and starting
    a worker it then stopped."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = tool_env(instance_dir=str(tmp_path))
        refused = subprocess.run(
            cli("run", "--port", str(port)), env=env, capture_output=True, text=True, timeout=60
        )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert refused.stderr.strip().splitlines() == [
        f"error: port {port} on 127.0.0.1 is in use: stop what serves there, or choose another "
        "with --port N"
    ]
    assert not (tmp_path / "lms.sqlite3").exists()  # nothing was set up
