"""The launch benchmark's core layout (benchmarks/cpu.py): the web tier on cores of its own."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from benchmarks.cpu import pin, split_cores

if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
    pytest.skip("pinning needs Linux and two cores", allow_module_level=True)


def test_the_cores_are_split_in_two_halves_that_do_not_overlap() -> None:
    halves = split_cores()
    assert halves is not None
    web, load = halves
    assert web and load and not web & load
    assert web | load == os.sched_getaffinity(0)


_CHILD = """
import os, subprocess, sys, threading
done = threading.Event()
second = threading.Thread(target=done.wait)
second.start()
print("ready", flush=True)
sys.stdin.readline()
threads = [sorted(os.sched_getaffinity(int(tid))) for tid in os.listdir("/proc/self/task")]
show = "import os; print(sorted(os.sched_getaffinity(0)))"
grandchild = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True)
print(threads, grandchild.stdout.strip())
done.set()
second.join()
"""


def test_pin_moves_every_thread_of_a_process_and_the_children_it_starts_later() -> None:
    """``os.sched_setaffinity(pid)`` alone would leave the child's second thread everywhere."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"  # its second thread runs
    core = min(os.sched_getaffinity(0))
    pin(child.pid, {core})
    out, _ = child.communicate("go\n", timeout=30)
    threads, grandchild = out.strip().rsplit(" ", 1)
    assert threads == str([[core], [core]])
    assert grandchild == str([core])
