"""A credential's public page against a one-query route: p50 latency through gunicorn.

    .venv/bin/python benchmarks/credential_page.py [--requests 300] [--rounds 5] [--workers 4]
                                                   [--clients 1]

Starts the tool under gunicorn on 127.0.0.1 on PostgreSQL + Redis (as in production), with one
Level 1 credential issued through the badges drain from a learner's passed work, then times
GET /credentials/<id> (the HTML page, with its live check: proof, validity dates, revocation bit)
against GET /healthz (one query), in alternating rounds from `--clients` threads, one request after
another. Each round times the two routes twice: in blocks (`--requests` of /healthz, then as many
of the page, as benchmarks/launch.py alternates its loads) and in turns (the routes taken by turns,
request by request, so that neighbours in time meet the same machine). Prints each round's p50
and p95, the ratio of the p50s and the gunicorn workers' CPU per request (blocks), then the median
ratio over the rounds of each way (issue 13's Measure: the page's p50 at most 3 times the
one-query route's). Stops by itself; touches only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.badges import make_learners
from benchmarks.cpu import children, cpu_seconds
from benchmarks.launch import Client
from tests.support.endpoints import PG_ADMIN_URL, REDIS_URL
from tests.support.processes import (
    cli,
    forget_prefix,
    free_port,
    gunicorn_deployed,
    process,
    scratch_database,
    tool_env,
    wait_http,
)

HTML = {"Accept": "text/html"}


def issue_one(env: dict[str, str]) -> str:
    """Migrate, load the content, and issue one Level 1 credential in this process; its id."""
    for step in (("db", "upgrade"), ("content", "sync")):
        subprocess.run(cli(*step), env=env, check=True, capture_output=True, timeout=180)
    from lms_plugin.db import db
    from lms_plugin.services import awards, grades
    from lms_plugin.services.issuer_keys import issuer_from_settings
    from lms_plugin.settings import load_settings
    from lms_plugin.web.app import create_app
    from tests.support.awards import write_passed_work
    from tests.support.content_keys import catalogue

    settings = load_settings(env)
    app = create_app(settings)
    with app.app_context():
        session = db.session()
        context_id, [user_id] = make_learners(session, 1)
        program = catalogue().program("isp-level-1")
        assert program is not None
        grades.refresh_grades(
            session, write_passed_work(session, context_id, user_id, program.modules)
        )
        session.commit()
        competencies = {c.id: c for c in catalogue().competencies}
        assert awards.issue_due(session, issuer_from_settings(settings, competencies)) == 1
        credential_id = session.execute(db.text("SELECT uuid FROM award")).scalar_one()
        db.engine.dispose()
    return str(credential_id)


def latencies(
    port: int, paths: list[tuple[str, dict[str, str]]], count: int, clients: int
) -> list[list[float]]:
    """Seconds each GET took, per path: `count` of each, the paths taken in turn (so that both
    meet the same machine), from `clients` threads one request after another."""
    found: list[list[float]] = [[] for _ in paths]
    errors: list[BaseException] = []

    def client() -> None:
        http = Client(port)
        for _ in range(count // clients):
            for samples, (path, headers) in zip(found, paths, strict=True):
                start = time.perf_counter()
                try:
                    status, _ = http.request("GET", path, headers=headers)
                    assert status == 200, f"{path}: {status}"
                except BaseException as exc:  # reported after the run
                    errors.append(exc)
                    return
                samples.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} errors, first: {errors[0]!r}")
    return found


def percentile(samples: list[float], share: float) -> float:
    """The `share` percentile of `samples`, in milliseconds (nearest rank)."""
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per route, per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=1, help="client threads")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = tempfile.mkdtemp(prefix="lms-bench-")
    prefix = f"bench:{uuid.uuid4().hex[:6]}:"
    with ExitStack() as stack:
        stack.callback(forget_prefix, REDIS_URL, prefix)
        env = tool_env(
            instance_dir=tmp,
            public_url=url,
            secret_key=uuid.uuid4().hex,
            log_level="WARNING",
            database_url=stack.enter_context(scratch_database(PG_ADMIN_URL, "lms_bench_page_")),
            cache_url=REDIS_URL,
            broker_url=REDIS_URL,
            cache_prefix=prefix,
        )
        page = f"/credentials/{issue_one(env)}"
        web = stack.enter_context(
            process(gunicorn_deployed(port, args.workers), env, Path(tmp) / "gunicorn.log")
        )
        wait_http(url + "/healthz")
        time.sleep(1)  # let gunicorn finish booting its workers
        workers = children(web.pid)
        routes = [("/healthz", {}), (page, HTML)]
        latencies(port, routes, 20 * args.workers, args.workers)  # warm every worker
        rounds = [
            _round(port, routes, args.requests, args.clients, workers) for _ in range(args.rounds)
        ]

    print(
        f"gunicorn_workers={args.workers} clients={args.clients}, {args.rounds} rounds of "
        f"{args.requests} requests per route in blocks and in turns, PostgreSQL + Redis"
    )
    for n, r in enumerate(rounds, 1):
        print(
            f"round {n}: blocks /healthz {_summary(r.trivial)}, page {_summary(r.page)}: "
            f"ratio {r.ratio:.2f}, server CPU {1000 * r.cpu_trivial:.2f} and "
            f"{1000 * r.cpu_page:.2f} ms per request; turns /healthz p50 "
            f"{percentile(r.trivial_turns, 0.5):.2f} ms, page {percentile(r.page_turns, 0.5):.2f} "
            f"ms: ratio {r.ratio_turns:.2f}"
        )
    median = statistics.median
    print(
        f"public page p50 / one-query route p50, in blocks: {median(r.ratio for r in rounds):.2f}"
    )
    print(
        f"public page p50 / one-query route p50, in turns:  "
        f"{median(r.ratio_turns for r in rounds):.2f}  (medians; target <= 3)"
    )


@dataclass
class Round:
    """One round's latencies (seconds) and the workers' CPU per request (blocks)."""

    trivial: list[float]
    page: list[float]
    cpu_trivial: float
    cpu_page: float
    trivial_turns: list[float]
    page_turns: list[float]

    @property
    def ratio(self) -> float:
        return percentile(self.page, 0.5) / percentile(self.trivial, 0.5)

    @property
    def ratio_turns(self) -> float:
        return percentile(self.page_turns, 0.5) / percentile(self.trivial_turns, 0.5)


def _round(
    port: int,
    routes: list[tuple[str, dict[str, str]]],
    count: int,
    clients: int,
    workers: list[int],
) -> Round:
    blocks: list[tuple[list[float], float]] = []
    for route in routes:
        before = cpu_seconds(workers)
        [samples] = latencies(port, [route], count, clients)
        blocks.append((samples, (cpu_seconds(workers) - before) / len(samples)))
    (trivial, cpu_trivial), (page, cpu_page) = blocks
    return Round(trivial, page, cpu_trivial, cpu_page, *latencies(port, routes, count, clients))


def _summary(samples: list[float]) -> str:
    return f"p50 {percentile(samples, 0.5):.2f} ms p95 {percentile(samples, 0.95):.2f} ms"


if __name__ == "__main__":
    main()
