"""``lms-plugin admin link`` as an admin runs it: a real process on the embedded default, then
the web app on the same database takes the printed link once."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from lms_plugin.settings import load_settings
from lms_plugin.web.app import create_app

pytestmark = pytest.mark.integration


def test_admin_link_prints_a_one_time_url_that_signs_in(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update({"LMS_INSTANCE_DIR": str(tmp_path), "LMS_LOG_LEVEL": "WARNING"})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lms_plugin.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert run("db", "upgrade").returncode == 0
    printed = run("admin", "link", "--minutes", "5")
    assert printed.returncode == 0, printed.stderr
    url = printed.stdout.strip()
    assert url.startswith("http://127.0.0.1:5000/admin/sign-in/")
    assert "works once, for 5 minutes" in printed.stderr
    token = url.rsplit("/", 1)[1]
    database = (tmp_path / "lms.sqlite3").read_bytes()
    assert hashlib.sha256(token.encode()).hexdigest().encode() in database
    assert token.encode() not in database

    app = create_app(load_settings({"LMS_INSTANCE_DIR": str(tmp_path)}))
    client = app.test_client()
    assert client.get(f"/admin/sign-in/{token}").status_code == 200
    assert client.post("/admin/sign-in", data={"token": token}).status_code == 303
    assert client.get("/admin/").status_code == 200
    assert client.post("/admin/sign-in", data={"token": token}).status_code == 401
    assert run("admin", "link", "--minutes", "0").returncode == 2
