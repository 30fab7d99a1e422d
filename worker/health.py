"""Is the beat alive? ``python -m worker.health beat`` exits 0 if so (a container healthcheck).

A worker answers ``celery inspect ping``; the beat answers nothing, so it leaves a heartbeat:
the file ``<LMS_INSTANCE_DIR>/beat.heartbeat``, touched when the beat starts and each time it
has sent a due task to the broker. It sends the drains every LMS_SWEEP_SECONDS, so a heartbeat
older than two sweeps and a minute means a beat that is stuck or cannot reach the broker.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from celery.signals import after_task_publish, beat_init

from lms_plugin.settings import Settings, SettingsError, load_settings

HEARTBEAT_FILE = "beat.heartbeat"
SLACK_SECONDS = 60


def heartbeat_path(settings: Settings) -> Path:
    """Where the beat of these settings leaves its heartbeat."""
    return Path(settings.instance_dir).resolve() / HEARTBEAT_FILE


def watch_beat(settings: Settings) -> None:
    """Make a beat started from this app (``celery beat`` or ``worker -B``) leave a heartbeat."""
    path = heartbeat_path(settings)
    in_beat: list[bool] = []  # set in the beat's own process only (-B forks one)

    def started(**_: Any) -> None:
        in_beat.append(True)
        path.touch()

    def published(**_: Any) -> None:
        if in_beat:  # workers publish too (drains hand over): only the beat's sends count
            path.touch()

    beat_init.connect(started, weak=False)
    after_task_publish.connect(published, weak=False)


def beat_problem(settings: Settings, now: float) -> str | None:
    """Why the beat looks dead at ``now`` (seconds since the epoch), or None if it is alive."""
    path = heartbeat_path(settings)
    try:
        age = now - path.stat().st_mtime
    except FileNotFoundError:
        return f"no beat heartbeat at {path}: the beat has not started"
    limit = 2 * settings.sweep_seconds + SLACK_SECONDS
    if age > limit:
        return f"beat heartbeat is {age:.0f} s old (limit {limit} s): the beat sends nothing"
    return None


def main(argv: list[str]) -> int:
    """``python -m worker.health beat``: exit 0 when the beat is alive, else 1 with one line."""
    if argv != ["beat"]:
        print("usage: python -m worker.health beat", file=sys.stderr)
        return 2
    try:
        problem = beat_problem(load_settings(), time.time())
    except SettingsError as exc:
        problem = f"error: {exc}"
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
