"""Run a real Celery worker process for the tool under test, configured like its web side."""

from __future__ import annotations

import dataclasses
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from subprocess import Popen

from lms_plugin.settings import Settings
from tests.support.processes import process, tool_env


def settings_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """The environment that gives a worker process exactly the web's settings."""
    values = {f.name: str(getattr(settings, f.name)) for f in dataclasses.fields(settings)}
    values.update(overrides)
    return tool_env(**values)


@contextmanager
def celery_worker(
    env: dict[str, str], log: Path, *, beat: bool = False, concurrency: int = 2
) -> Iterator[Popen[bytes]]:
    # Through the CLI: `lms-plugin worker` becomes `celery worker` (exec), the same process.
    args = [
        sys.executable,
        "-m",
        "lms_plugin.cli",
        "worker",
        "--concurrency",
        str(concurrency),
        "--name",
        f"test-{uuid.uuid4().hex[:6]}@%h",
    ]
    if beat:
        args += ["--beat", "--schedule", str(log.with_suffix(".beat"))]
    with process(args, env, log) as proc:
        wait_for(
            lambda: "ready." in log.read_text(errors="replace"),
            60,
            lambda: f"worker did not start:\n{log.read_text(errors='replace')[-3000:]}",
        )
        yield proc


def wait_for(
    condition: Callable[[], object], timeout: float, explain: Callable[[], str] = lambda: ""
) -> None:
    """Poll ``condition`` until it is true; fail with ``explain()`` after ``timeout`` s."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s. {explain()}")
