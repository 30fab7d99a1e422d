"""What `lms-plugin run` prints: its URLs follow --host/--port, and every command it suggests
is one the user can type as they started the CLI."""

from __future__ import annotations

import sys

import pytest

from lms_plugin.cli.hints import VIA_SCRIPT, typed_command
from lms_plugin.cli.processes import admin_info, public_url_for


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 5100, "http://127.0.0.1:5100"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),  # noqa: S104 - a wildcard: loopback
        ("::", 8080, "http://127.0.0.1:8080"),
        ("::1", 5000, "http://[::1]:5000"),
        ("tool.local", 5000, "http://tool.local:5000"),
    ],
)
def test_the_public_url_follows_host_and_port(host, port, url):
    assert public_url_for(host, port) == url


def test_scripts_run_is_named_as_it_was_typed(monkeypatch):
    monkeypatch.setenv(VIA_SCRIPT, "../isp tool/scripts/run")
    assert typed_command() == "'../isp tool/scripts/run'"


def test_a_venv_script_is_named_from_the_working_directory(monkeypatch, tmp_path):
    script = tmp_path / ".venv" / "bin" / "lms-plugin"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.delenv(VIA_SCRIPT, raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(sys, "argv", [str(script), "run"])
    monkeypatch.chdir(tmp_path)
    assert typed_command() == ".venv/bin/lms-plugin"
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert typed_command() == str(script)  # from a folder beside it, the whole path


def test_on_the_path_it_is_its_bare_name(monkeypatch, tmp_path):
    script = tmp_path / "lms-plugin"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.delenv(VIA_SCRIPT, raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "argv", [str(script), "run"])
    assert typed_command() == "lms-plugin"


def test_python_dash_m_is_named_with_its_interpreter(monkeypatch):
    monkeypatch.delenv(VIA_SCRIPT, raising=False)
    monkeypatch.setattr(sys, "argv", ["/x/lms_plugin/cli/__main__.py", "run"])
    assert typed_command().endswith(" -m lms_plugin.cli")


def test_the_admin_info_uses_the_port_and_the_typed_command():
    text = admin_info("http://127.0.0.1:5100", "./scripts/run", derived=True, registered=False)
    assert "http://127.0.0.1:5100/lti/login" in text and ":5000" not in text
    # so do the URLs and warnings platform add prints, and the link admin link prints
    assert "Then: LMS_PUBLIC_URL=http://127.0.0.1:5100 ./scripts/run platform add --product" in text
    assert "Administration pages: http://127.0.0.1:5100/admin/" in text
    assert "LMS_PUBLIC_URL=http://127.0.0.1:5100 ./scripts/run admin link" in text
    assert "http://127.0.0.1:5100/lti/config/canvas.json" in text
    # another shell has no LMS_PUBLIC_URL: the URL register-url prints depends on it
    assert "LMS_PUBLIC_URL=http://127.0.0.1:5100 ./scripts/run platform register-url" in text
    assert text.rstrip().endswith("./scripts/run demo")
    assert "http://127.0.0.1:5100 is this computer's own address" in text


def test_an_lms_on_another_machine_is_told_to_set_the_public_url_only_on_loopback():
    for url in ("http://localhost:5000", "http://[::1]:5000", "http://127.0.0.2:8000"):
        assert "LMS_PUBLIC_URL to the address" in admin_info(
            url, "lms-plugin", derived=True, registered=True
        ), url
    for url in ("https://tool.example.edu", "http://10.0.0.5:5000"):
        text = admin_info(url, "lms-plugin", derived=False, registered=True)
        assert "this computer's own address" not in text, url


def test_no_demo_hint_once_an_lms_is_registered_nor_env_when_the_url_was_given():
    text = admin_info("https://tool.example.edu", "lms-plugin", derived=False, registered=True)
    assert "demo" not in text
    assert "  lms-plugin platform register-url" in text
