"""docker-compose.yml and the Dockerfile are checked by parsing (no Docker engine here) against
the real settings, CLI and Celery app; tests/e2e/test_production_image.py runs their commands."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from lms_plugin.cli import cli
from lms_plugin.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("web", "worker", "worker-lms", "beat", "migrate")
LONG_RUNNING = ("web", "worker", "worker-lms", "beat")
CELERY = ["celery", "-A", "worker.celery_app:celery"]


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
    names.add("PROMETHEUS_MULTIPROC_DIR")  # prometheus-client's, for gunicorn's and Celery's pools
    for service in APP_SERVICES:
        env = _env(service)
        assert set(env) <= names, set(env) - names
        settings = load_settings(env)
        assert settings.is_production and settings.database_url.startswith("postgresql")


def test_setup_job_runs_real_cli_commands():
    setup = COMPOSE["services"]["migrate"]["command"][-1].split("&&")
    steps = [step.split()[1:3] for step in setup]
    assert steps == [["db", "upgrade"], ["content", "sync"]]
    for group, command in steps:
        assert command in cli.commands[group].commands  # type: ignore[attr-defined]


def test_long_running_services_run_gunicorn_or_celery_themselves():
    """No supervisor of ours in production: the platform signals and restarts each process."""
    services = COMPOSE["services"]
    web = services["web"]["command"]
    assert web[0] == "gunicorn" and web[-1] == "lms_plugin.wsgi:app"
    for name in ("worker", "worker-lms"):
        assert services[name]["command"][:4] == [*CELERY, "worker"], name
    assert services["beat"]["command"][:4] == [*CELERY, "beat"]
    for name in LONG_RUNNING:
        assert services[name]["restart"] == "unless-stopped" and services[name]["init"] is True


def test_every_long_running_service_has_a_healthcheck():
    for name in LONG_RUNNING:
        check = COMPOSE["services"][name].get("healthcheck")
        assert check and check["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert {"interval", "timeout"} <= set(check), name


def test_worker_healthchecks_ping_the_node_name_their_worker_takes():
    for name in ("worker", "worker-lms"):
        service = COMPOSE["services"][name]
        command = service["command"]
        node = command[command.index("--hostname") + 1]
        ping = service["healthcheck"]["test"][1].split()
        assert ping[:5] == [*CELERY, "inspect", "ping"], name
        # %h is the hostname to Celery, $HOSTNAME to the container's shell ($$: not compose's)
        assert ping[ping.index("-d") + 1] == node.replace("%h", "$$HOSTNAME"), name


def test_beat_healthcheck_reads_the_heartbeat_the_celery_app_keeps():
    assert COMPOSE["services"]["beat"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "-m",
        "worker.health",
        "beat",
    ]


def test_web_and_workers_keep_metrics_for_their_pools_and_web_health_is_readiness():
    for name in ("web", "worker", "worker-lms"):
        assert Path(_env(name)["PROMETHEUS_MULTIPROC_DIR"]).is_absolute(), name
    for name in ("worker", "worker-lms"):
        assert load_settings(_env(name)).worker_metrics_bind.endswith(":9101"), name
    assert "/readyz" in COMPOSE["services"]["web"]["healthcheck"]["test"][-1]
