"""docker-compose.yml is checked by parsing (no Docker engine here) against the real settings."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from lms_plugin.cli import cli
from lms_plugin.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _env(service: str) -> dict[str, str]:
    values = {}
    for key, value in COMPOSE["services"][service]["environment"].items():
        # ${VAR:?msg} / ${VAR:-default}: substitute something an operator would provide
        values[key] = re.sub(
            r"\$\{(\w+):[?-]([^}]*)\}",
            lambda m: (
                "x" * 40
                if "SECRET" in m[1]
                else ("https://isp.example.edu" if "URL" in m[1] else m[2])
            ),
            str(value),
        )
    return values


def test_production_shape():
    services = COMPOSE["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    assert services["web"]["deploy"]["replicas"] >= 2
    assert services["worker"]["deploy"]["replicas"] >= 2


def test_every_lms_variable_is_a_real_setting_and_production_accepts_them():
    names = {f"LMS_{name.upper()}" for name in Settings.__dataclass_fields__}
    for service in ("web", "worker", "beat", "migrate"):
        env = _env(service)
        assert set(env) <= names, set(env) - names
        settings = load_settings(env)
        assert settings.is_production and settings.database_url.startswith("postgresql")


def test_commands_name_real_cli_commands():
    for service in ("worker", "worker-lms"):
        command = COMPOSE["services"][service]["command"]
        assert command[0] == "lms-plugin" and command[1] in cli.commands
    setup = COMPOSE["services"]["migrate"]["command"][-1].split("&&")
    steps = [step.split()[1:3] for step in setup]
    assert steps == [["db", "upgrade"], ["content", "sync"]]
    for group, command in steps:
        assert command in cli.commands[group].commands  # type: ignore[attr-defined]
    assert "lms_plugin.wsgi:app" in COMPOSE["services"]["web"]["command"]
