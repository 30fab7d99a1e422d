"""Complete LTI launches per second (login + launch) vs a trivial one-query route, via gunicorn.

    .venv/bin/python benchmarks/launch.py [--seconds 5] [--rounds 3] [--workers 4]
                                          [--processes 2] [--threads 4]
                                          [--backend postgres|sqlite] [--shared-cores]

Starts the tool under gunicorn on 127.0.0.1 (PostgreSQL + Redis by default, as in production),
a test LMS that signs real RS256 id_tokens, and a bounded load from client processes. Prints
requests/s of GET /healthz, launches/s, and their ratio (target >= 0.40; a launch is two
requests, but a relaunch queries no database as /healthz does), and the gunicorn workers' CPU
per request and per launch.

The web tier gets cores of its own: gunicorn (arbiter and workers) runs on the first half of
this machine's cores, the load generator and the test LMS on the others, as in production, where
the LMS signs its id_tokens on its own machines and the browsers run on theirs. On shared cores
the load generator's CPU per launch (the LMS's RS256 signature, a second request: 1.5 to 2.0 ms,
some seven times its CPU per trivial request) is taken from the tool's cores and charged to the
launch, and the workers are preempted five to seven times per request instead of under once
(the "preempted" figure); the ratio then measures the load generator as much as the tool
(benchmarks/README.md, seventeenth session). ``--shared-cores`` lets every process run on any
core, as the earlier sessions measured. PostgreSQL and Redis are the machine's services and run
where the system puts them. Keeping them off the web tier's core, as far as the system does,
does not flatter the launch: the database's CPU per trivial request (0.26 to 0.31 ms) is about
the size of Redis's per launch (0.25 to 0.29 ms), a larger share of the cheaper route, so
counting both on the web tier's core would raise the ratio, not lower it.
"load generator busy" says how much of its cores the load took: far under 100 % means the web
tier, not the load, set the rate.

The load comes from a minimal HTTP/1.1 client (one connection per request, as gunicorn's sync
workers close them; the state cookie carried by hand, as a browser would) so that the load
generator takes as little CPU as it can. Stops by itself; touches only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import children, cpu_seconds, pin, preemptions, split_cores
from tests.support.endpoints import PG_ADMIN_URL, REDIS_URL
from tests.support.lti_platform import LmsPlatform
from tests.support.processes import (
    forget_prefix,
    free_port,
    gunicorn_deployed,
    prepare_tool,
    process,
    scratch_database,
    tool_env,
    wait_http,
)


class Client:
    """The least an HTTP/1.1 client does: one request per connection on a plain socket, the
    status and the headers back. ``http.client`` cost the load generator about 0.1 ms more per
    request here (its ``email`` header parser), which it took from the server's cores."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.host = f"Host: 127.0.0.1:{port}\r\n"

    def request(
        self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str]]:
        """The status and the headers (the first of a repeated name) of one request."""
        lines = [f"{method} {path} HTTP/1.1\r\n", self.host, "Connection: close\r\n"]
        lines += [f"{name}: {value}\r\n" for name, value in (headers or {}).items()]
        if body:
            lines.append(f"Content-Length: {len(body)}\r\n")
        lines += ["\r\n", body]
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as conn:
            conn.sendall("".join(lines).encode("latin-1"))
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        head = b"".join(chunks).split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        found: dict[str, str] = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            found.setdefault(name.title(), value.strip())
        return int(head[0].split(" ", 2)[1]), found


Action = Callable[[Client], None]


def _client_process(
    seconds: float, threads: int, action: Action, start_at: float
) -> tuple[int, float]:
    """One load process: ``threads`` threads repeating ``action`` until the deadline; how many
    it completed and the CPU seconds it took."""
    done = [0] * threads
    errors: list[BaseException] = []
    while time.time() < start_at:
        time.sleep(0.001)
    stop_at = time.time() + seconds
    cpu = time.process_time()

    def worker(i: int) -> None:
        client = Client(_PORT)
        while time.time() < stop_at:
            try:
                action(client)
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
    return sum(done), time.process_time() - cpu


def measure(seconds: float, processes: int, threads: int, action: Action) -> tuple[float, float]:
    """Completions per second of ``action`` from several client processes (no shared GIL), and
    the load generator's CPU seconds per completion."""
    start_at = time.time() + 0.5
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        ends = pool.starmap(_client_process, [(seconds, threads, action, start_at)] * processes)
    count = sum(n for n, _ in ends)
    return count / seconds, sum(cpu for _, cpu in ends) / count


_PORT = 0
_LMS: LmsPlatform | None = None


def trivial(client: Client) -> None:
    status, _ = client.request("GET", "/healthz")
    assert status == 200, status


def launch(client: Client) -> None:
    """Login (302 to the LMS with state + nonce, state cookie set), then the id_token POST
    (303 to the player). The player page it redirects to is a page view, not the launch."""
    assert _LMS is not None
    status, headers = client.request("GET", "/lti/login?" + urlencode(_LMS.login_params()))
    assert status == 302, status
    auth = dict(parse_qsl(urlsplit(headers["Location"]).query))
    cookie = headers["Set-Cookie"].split(";", 1)[0]  # lti1p3-<state>=<state>
    token = _LMS.id_token(_LMS.claims(nonce=auth["nonce"]))
    status, _ = client.request(
        "POST",
        "/lti/launch",
        body=urlencode({"state": auth["state"], "id_token": token}),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    assert status == 303, status


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the test LMS's access log
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="per load, per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per client process")
    parser.add_argument(
        "--workers", type=int, default=4, help="gunicorn workers (docker-compose.yml's web: 4)"
    )
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument(
        "--shared-cores",
        action="store_true",
        help="gunicorn and the load on the same cores (by default each has its own half)",
    )
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = tempfile.mkdtemp(prefix="lms-bench-")
    settings = {
        "instance_dir": tmp,
        "public_url": url,
        "secret_key": uuid.uuid4().hex,
        "log_level": "WARNING",
        "rate_limit_lti": "1000000/minute",  # every launch comes from this one address
    }
    with ExitStack() as stack:
        if args.backend == "postgres":
            prefix = f"bench:{uuid.uuid4().hex[:6]}:"
            stack.callback(forget_prefix, REDIS_URL, prefix)  # launches leave state, sessions
            settings.update(
                database_url=stack.enter_context(scratch_database(PG_ADMIN_URL)),
                cache_url=REDIS_URL,
                broker_url=REDIS_URL,
                cache_prefix=prefix,
            )
        env = tool_env(**settings)
        lms = LmsPlatform(tool_url=url).start()
        stack.callback(lms.stop)
        prepare_tool(env, lms)
        web_env = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}  # its own
        gunicorn = gunicorn_deployed(port, args.workers)
        web = stack.enter_context(process(gunicorn, web_env, Path(tmp) / "gunicorn.log"))
        wait_http(url + "/healthz")
        time.sleep(1)  # let gunicorn finish booting its workers
        global _PORT, _LMS
        _PORT, _LMS = port, lms
        load = (args.processes, args.threads)
        measure(2, *load, launch)  # warm-up: JWKS cache, connections, code paths
        workers = children(web.pid)
        layout, load_cores = _place(web.pid, workers, shared=args.shared_cores)
        # Alternate the two loads in rounds: this machine's speed drifts, so each round's
        # ratio compares neighbours in time and the median is reported.
        rounds = [_round(args.seconds, load, workers, load_cores) for _ in range(args.rounds)]

    print(
        f"backend={args.backend} gunicorn_workers={args.workers} client={args.processes} "
        f"processes x {args.threads} threads, {args.rounds} rounds of {args.seconds:g} s "
        f"per load, {os.cpu_count()} cores: {layout}"
    )
    for n, r in enumerate(rounds, 1):
        print(
            f"round {n}: trivial {r['trivial']:7.1f} req/s, launches {r['launches']:7.1f}/s, "
            f"ratio {r['launches'] / r['trivial']:.2f}; server CPU {r['cpu_trivial'] * 1000:.2f} "
            f"ms per request, {r['cpu_launch'] * 1000:.2f} ms per launch (preempted "
            f"{r['preempted_trivial']:.1f} / {r['preempted_launch']:.1f} times); "
            f"load generator {r['client_cpu_trivial'] * 1000:.2f} / "
            f"{r['client_cpu_launch'] * 1000:.2f} ms, "
            f"busy {r['load_busy_trivial']:.0%} / {r['load_busy_launch']:.0%} of its cores"
        )
    median = statistics.median
    trivial_rps = median(r["trivial"] for r in rounds)
    launches = median(r["launches"] for r in rounds)
    ratio = median(r["launches"] / r["trivial"] for r in rounds)
    server = median(r["cpu_trivial"] / r["cpu_launch"] for r in rounds)
    print(f"trivial route (GET /healthz, 1 query): {trivial_rps:8.1f} requests/s (median)")
    print(f"complete launches (login + launch):     {launches:8.1f} launches/s (median)")
    print(f"ratio launches/trivial:                 {ratio:8.2f}  (median; target >= 0.40)")
    print(
        f"server-side ratio (gunicorn CPU per trivial request / per launch): {server:.2f} "
        "(with --shared-cores the end-to-end ratio also carries the load generator's CPU)"
    )


def _place(web: int, workers: list[int], *, shared: bool) -> tuple[str, int]:
    """Pin gunicorn to half the cores and this process (the test LMS's thread, the client
    processes it forks) to the rest, unless ``shared``; the layout in words and how many cores
    the load has."""
    halves = None if shared else split_cores()
    if halves is None:
        return "every process on every core", os.cpu_count() or 1
    web_cores, load_cores = halves
    for pid in (web, *workers):  # a worker gunicorn restarts inherits the arbiter's
        pin(pid, web_cores)
    pin(os.getpid(), load_cores)
    layout = f"gunicorn on cores {sorted(web_cores)}, the load on {sorted(load_cores)}"
    return layout, len(load_cores)


def _round(
    seconds: float, load: tuple[int, int], workers: list[int], load_cores: int
) -> dict[str, float]:
    figures: dict[str, float] = {}
    for rate, action, kind in (("trivial", trivial, "trivial"), ("launches", launch, "launch")):
        before, preempted = cpu_seconds(workers), preemptions(workers)
        figures[rate], client_cpu = measure(seconds, *load, action)
        done = figures[rate] * seconds
        figures[f"cpu_{kind}"] = (cpu_seconds(workers) - before) / done
        figures[f"preempted_{kind}"] = (preemptions(workers) - preempted) / done
        figures[f"client_cpu_{kind}"] = client_cpu
        figures[f"load_busy_{kind}"] = client_cpu * figures[rate] / load_cores
    return figures


if __name__ == "__main__":
    main()
