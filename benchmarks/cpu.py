"""Where a benchmark's CPU goes: user + system time by process group, read from Linux /proc.

The benchmarks share the machine's cores with everything they start, so a rate alone does not
say which part is expensive. A :class:`CpuMeter` samples named groups before and after a phase:
process sessions we started (gunicorn, the Celery worker: every process in the session counts),
services found by command name (``postgres``, ``redis-server``), this process (load generator
and test LMS), and the whole machine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """A process's direct children (gunicorn's workers)."""
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids``, in seconds."""
    return sum(_stat(pid)[0] for pid in pids)


def preemptions(pids: list[int]) -> int:
    """Involuntary context switches of ``pids`` so far: how often the system took a core from
    them in the middle of their work (another process wanted it)."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("nonvoluntary_ctxt_switches:"):
                total += int(line.split()[1])
    return total


def split_cores() -> tuple[set[int], set[int]] | None:
    """This process's cores in two halves (the first for the system under test, the rest for
    the load), or None where there are fewer than two or Linux cannot pin."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        return None
    half = len(cores) // 2
    return set(cores[:half]), set(cores[half:])


def pin(pid: int, cores: set[int]) -> None:
    """Keep every thread of ``pid`` on ``cores`` (threads and children it starts later inherit
    it). ``os.sched_setaffinity`` alone moves one thread: the process's main one."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            os.sched_setaffinity(int(task.name), cores)
        except ProcessLookupError:  # the thread ended meanwhile
            continue


def _stat(pid: int) -> tuple[float, str, int]:
    """(CPU seconds, command name, session id) of one process."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK, name, int(fields[3])


def _every_process() -> list[tuple[float, str, int, int]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cpu, name, session = _stat(int(entry.name))
            except (OSError, ValueError):  # exited while we looked
                continue
            found.append((cpu, name, session, int(entry.name)))
    return found


def _machine_busy() -> float:
    """CPU seconds the whole machine spent not idle (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / _TICK  # minus idle and iowait


@dataclass
class CpuMeter:
    """Groups by session id (processes started with ``start_new_session``) or command name."""

    sessions: dict[str, int] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)

    def sample(self) -> dict[str, float]:
        totals = dict.fromkeys([*self.sessions, *self.commands, "this process"], 0.0)
        by_session = {sid: group for group, sid in self.sessions.items()}
        by_name = {name: group for group, name in self.commands.items()}
        me = os.getpid()
        for cpu, name, session, pid in _every_process():
            group = "this process" if pid == me else by_session.get(session) or by_name.get(name)
            if group is not None:
                totals[group] += cpu
        totals["machine"] = _machine_busy()
        return totals

    def measure(self, phase: Callable[[], object]) -> tuple[dict[str, float], float]:
        """CPU seconds per group spent while ``phase`` ran, and its wall time."""
        before, start = self.sample(), time.perf_counter()
        phase()
        wall = time.perf_counter() - start
        after = self.sample()
        return {group: after[group] - before[group] for group in after}, wall


def describe(used: dict[str, float], wall: float, per: float, unit: str) -> str:
    """One line: milliseconds of CPU per ``unit`` in each group, and cores kept busy."""
    parts = [f"{group} {seconds / per * 1000:.2f}" for group, seconds in used.items()]
    return f"CPU ms per {unit}: " + ", ".join(parts) + f"; {used['machine'] / wall:.2f} cores busy"
