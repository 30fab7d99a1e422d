"""Every exception the tool defines is an ``LmsError`` (domain/errors.py draws the tree), so the
web maps each to its status, the CLI says each in one line and tasks can sort them."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil

import lms_plugin
import worker
from lms_plugin.domain.errors import LmsError

# Entry points that act when imported, and define no errors: three build the app; gunicorn's
# config makes the metrics folder and sets PROMETHEUS_MULTIPROC_DIR for the process (as gunicorn's
# arbiter needs), which would put every later test's in-process /metrics on that empty folder.
ENTRY_POINTS = {
    "lms_plugin.wsgi",
    "lms_plugin.cli.__main__",
    "worker.celery_app",
    "lms_plugin.gunicorn_conf",
}


def _defined_errors() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for package in (lms_plugin, worker):
        prefix = package.__name__ + "."
        for info in pkgutil.walk_packages(package.__path__, prefix):
            if info.name in ENTRY_POINTS:
                continue
            module = importlib.import_module(info.name)
            found += [
                value
                for value in vars(module).values()
                if inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ]
    return found


def test_every_error_the_tool_defines_is_under_lms_error() -> None:
    environment = dict(os.environ)
    errors = _defined_errors()
    assert dict(os.environ) == environment  # importing a module set nothing for the process
    assert len(errors) > 20  # the walk found the tree, not nothing
    outside = sorted(
        f"{e.__module__}.{e.__qualname__}" for e in errors if not issubclass(e, LmsError)
    )
    assert outside == []


def test_errors_about_the_lms_keep_our_status_apart_from_the_lms_status() -> None:
    from lms_plugin.lti.service_client import AgsError
    from lms_plugin.lti.service_token import ServiceTokenError

    ags = AgsError("rate_limited", "slow down", lms_status=429)
    token = ServiceTokenError(401, "invalid_client")
    assert (ags.status, ags.lms_status) == (502, 429)
    assert (token.status, token.lms_status, token.retryable) == (502, 401, False)
