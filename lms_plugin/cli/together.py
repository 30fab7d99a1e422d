"""Run a few processes as one (``lms-plugin run``): when one ends, or we are asked to stop,
all of them stop, whole trees included, within a deadline.

Each child starts in its own session, so it leads a process group that also holds whatever it
forks (gunicorn's workers, Celery's pool and embedded beat). A stop sends SIGTERM to each leader,
which shuts its own tree down in order (gunicorn drains its workers, Celery does a warm
shutdown), and SIGKILLs every group at the deadline, so nothing outlives ``run``: a terminal's
Ctrl-C or a SIGTERM reaches only ``run`` (the children are not in its group) and ``run`` decides.
A child that exits stops the rest and ``run`` exits non-zero; nothing is restarted here. This is
the embedded default's convenience; production runs gunicorn and Celery directly under a
platform that restarts each on its own (docker-compose.yml). About 60 lines of the standard
library; honcho would do the same with a helper process per child and its own output format.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence

import click

GRACE_SECONDS = 7.0  # SIGTERM to SIGKILL; run promises all gone within 10 s of a stop
POLL_SECONDS = 0.2


def run_together(commands: Mapping[str, Sequence[str]], grace: float = GRACE_SECONDS) -> int:
    """Run ``commands`` until one exits or SIGTERM/SIGINT arrives; 0 only for a requested stop."""
    requested: list[int] = []
    previous = {
        signum: signal.signal(signum, lambda signum, _frame: requested.append(signum))
        for signum in (signal.SIGTERM, signal.SIGINT)
    }
    procs: dict[str, subprocess.Popen[bytes]] = {}
    code = 1
    try:
        for name, args in commands.items():
            procs[name] = subprocess.Popen(args, start_new_session=True)
        ended = _first_to_end(procs, requested)
        if ended is not None:
            name, child_code = ended
            click.echo(f"{name} exited with code {child_code}; stopping the others", err=True)
        else:
            code = 0
    finally:
        _stop(procs, grace, requested)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return code


def _first_to_end(
    procs: Mapping[str, subprocess.Popen[bytes]], requested: list[int]
) -> tuple[str, int] | None:
    """The first child to exit and its code, or None once a stop is requested."""
    while not requested:
        for name, proc in procs.items():
            code = proc.poll()
            if code is not None:
                return name, code
        time.sleep(POLL_SECONDS)  # a signal's handler runs here at once (PEP 475 resumes)
    return None


def _stop(procs: Mapping[str, subprocess.Popen[bytes]], grace: float, requested: list[int]) -> None:
    """SIGTERM each leader; at the deadline, or on a second Ctrl-C, SIGKILL every group."""
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    seen = len(requested)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and len(requested) == seen:  # a further Ctrl-C: kill now
        if not any(_group_alive(proc) for proc in procs.values()):
            break
        time.sleep(POLL_SECONDS / 2)
    for proc in procs.values():
        _kill_group(proc.pid)
        proc.wait()


def _group_alive(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the leader or anything it left in its group still runs."""
    if proc.poll() is None:
        return True
    _kill_group(proc.pid)  # the leader is gone: whatever is left of its tree is an orphan
    return False


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # nothing left in the group
        os.killpg(pgid, signal.SIGKILL)
