"""Complete LTI launches per second (login + launch) vs a trivial one-query route, via gunicorn.

    .venv/bin/python benchmarks/launch.py [--seconds 10] [--concurrency 8] [--workers 2]
                                          [--backend postgres|sqlite]

Starts the tool under gunicorn on 127.0.0.1 (PostgreSQL + Redis by default, as in production),
a test LMS that signs real RS256 id_tokens, and a bounded load from client threads. Prints
requests/s of GET /healthz, launches/s, and their ratio (target >= 0.40; a launch is two
requests, so 0.5 is the ceiling). Stops by itself; touches only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.endpoints import PG_ADMIN_URL, REDIS_URL
from tests.support.launch_flow import start_login
from tests.support.lti_platform import LmsPlatform
from tests.support.processes import (
    free_port,
    gunicorn_quiet,
    prepare_tool,
    process,
    scratch_database,
    tool_env,
    wait_http,
)


def _client_process(
    seconds: float, threads: int, action: Callable[[requests.Session], None], start_at: float
) -> int:
    """One load process: ``threads`` threads repeating ``action`` until the deadline."""
    done = [0] * threads
    errors: list[BaseException] = []
    while time.time() < start_at:
        time.sleep(0.001)
    stop_at = time.time() + seconds

    def worker(i: int) -> None:
        with requests.Session() as session:
            session.headers["Accept"] = "application/json"
            while time.time() < stop_at:
                try:
                    action(session)
                except BaseException as exc:  # reported after the run
                    errors.append(exc)
                    return
                done[i] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} errors, first: {errors[0]!r}")
    return sum(done)


def measure(
    seconds: float, processes: int, threads: int, action: Callable[[requests.Session], None]
) -> float:
    """Completions per second of ``action`` from several client processes (no shared GIL)."""
    start_at = time.time() + 0.5
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        counts = pool.starmap(_client_process, [(seconds, threads, action, start_at)] * processes)
    return sum(counts) / seconds


_URL = ""
_LMS: LmsPlatform | None = None


def trivial(session: requests.Session) -> None:
    assert session.get(_URL + "/healthz").status_code == 200


def launch(session: requests.Session) -> None:
    assert _LMS is not None
    auth = start_login(session, _URL, _LMS)
    token = _LMS.id_token(_LMS.claims(nonce=auth["nonce"]))
    # The launch is login + the id_token POST (303 to the player); the player page it
    # redirects to is a page view of its own, not part of the launch.
    response = session.post(
        _URL + "/lti/launch",
        data={"state": auth["state"], "id_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 303, response.text


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the test LMS's access log
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per client process")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = tempfile.mkdtemp(prefix="lms-bench-")
    settings = {
        "instance_dir": tmp,
        "public_url": url,
        "secret_key": uuid.uuid4().hex,
        "log_level": "WARNING",
    }
    with ExitStack() as stack:
        if args.backend == "postgres":
            settings.update(
                database_url=stack.enter_context(scratch_database(PG_ADMIN_URL)),
                cache_url=REDIS_URL,
                broker_url=REDIS_URL,
                cache_prefix=f"bench:{uuid.uuid4().hex[:6]}:",
            )
        env = tool_env(**settings)
        lms = LmsPlatform(tool_url=url).start()
        stack.callback(lms.stop)
        prepare_tool(env, lms)
        web = stack.enter_context(
            process(gunicorn_quiet(port, args.workers), env, Path(tmp) / "gunicorn.log")
        )
        wait_http(url + "/healthz")
        time.sleep(1)  # let gunicorn finish booting its workers
        global _URL, _LMS
        _URL, _LMS = url, lms
        load = (args.processes, args.threads)
        measure(2, *load, launch)  # warm-up: JWKS cache, connections, code paths
        workers = _children(web.pid)
        cpu_before = _cpu_seconds(workers)
        trivial_rps = measure(args.seconds, *load, trivial)
        cpu_trivial = (_cpu_seconds(workers) - cpu_before) / (trivial_rps * args.seconds)
        cpu_before = _cpu_seconds(workers)
        launches = measure(args.seconds, *load, launch)
        cpu_launch = (_cpu_seconds(workers) - cpu_before) / (launches * args.seconds)

    print(
        f"backend={args.backend} gunicorn_workers={args.workers} client={args.processes} "
        f"processes x {args.threads} threads, {args.seconds:g} s each, {os.cpu_count()} cores"
    )
    print(f"trivial route (GET /healthz, 1 query): {trivial_rps:8.1f} requests/s")
    print(f"complete launches (login + launch):     {launches:8.1f} launches/s")
    print(
        f"ratio launches/trivial:                 {launches / trivial_rps:8.2f}  (target >= 0.40)"
    )
    print(
        f"server CPU per trivial request {cpu_trivial * 1000:.2f} ms, per launch "
        f"{cpu_launch * 1000:.2f} ms: server-side ratio {cpu_trivial / cpu_launch:.2f} "
        "(the client shares the cores, so the end-to-end ratio also carries its cost)"
    )


def _children(pid: int) -> list[int]:
    """gunicorn's worker processes (Linux /proc)."""
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` (Linux /proc), in seconds."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
