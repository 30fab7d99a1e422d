"""Load and soak: mixed traffic against the production shape for a bounded time.

    .venv/bin/python benchmarks/load.py [--seconds 60] [--warmup 10] [--users 8]
                                        [--web-workers 4] [--worker-concurrency 2]

Starts, on 127.0.0.1 only: a scratch PostgreSQL database, Redis (broker and cache), gunicorn
with ``--web-workers`` workers under lms_plugin.gunicorn_conf (as in docker-compose), a Celery
worker with ``--worker-concurrency`` pool processes, and the suite's test LMS, which receives the
scores over AGS. ``--users`` virtual users then each repeat a random kind of work, weighted as a
course's traffic: launches (a new learner each: OIDC login, the LMS's auth, the launch and its
landing page), page views (a module or the overview), quiz submissions (start an attempt and
answer it), assignment submissions and instructors' rubric reviews of them.

After ``--warmup`` seconds (not counted: imports, caches and connection pools fill) it runs for
``--seconds`` and stops by itself; then it waits (bounded) until the worker has graded every
submission and sent every score. Prints throughput, p50/p99 per kind, errors (target: 0), the
work left undone, what /metrics counted, and the resident memory (RSS) of every process of the
tool at the start of the measured run and after each quarter of it, with its growth in the first
and in the second half (target: no growth; caches filling show as growth in the first half
that stops in the second).
"""

from __future__ import annotations

import argparse
import collections
import logging
import random
import statistics
import sys
import tempfile
import threading
import time
import types
import uuid
from contextlib import ExitStack
from pathlib import Path

import redis
import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.content_keys import L1M1, answers_for
from tests.support.endpoints import BENCH_BROKER_URL, PG_ADMIN_URL, REDIS_URL
from tests.support.learners import ags_claim, api_launch
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
from tests.support.reviews import rubric_form
from tests.support.worker import celery_worker

# kind -> weight: mostly reading, a steady flow of launches and submissions, a few reviews
WEIGHTS = {"launch": 2, "page": 8, "quiz": 2, "assignment": 1, "review": 1}
HTML = {"Accept": "text/html"}


class Traffic:
    """The virtual users' shared state: learners in each stage, and what each request did."""

    def __init__(self, url: str, lms: LmsPlatform, teacher: requests.Session) -> None:
        self.url, self.lms, self.teacher = url, lms, teacher
        self.tool = types.SimpleNamespace(url=url)
        self.lock = threading.Lock()
        self.learners: list[requests.Session] = []
        self.fresh: collections.deque[requests.Session] = collections.deque()  # no quiz yet
        self.writers: collections.deque[requests.Session] = collections.deque()  # no assignment
        self.submitted: collections.deque[int] = collections.deque()  # waiting for review
        self.times: dict[str, list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter[str] = collections.Counter()
        self.first_errors: list[str] = []
        self.recording = False
        self.serial = 0

    def run(self, until: float, seed: int) -> None:
        """One virtual user: random kinds of work until ``until`` (time.monotonic)."""
        rng = random.Random(seed)
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.monotonic() < until:
            kind = rng.choices(kinds, weights)[0]
            action = getattr(self, "_" + kind)
            started = time.perf_counter()
            try:
                done = action(rng)
            except Exception as exc:  # a failed assertion or a connection error: an error
                self._error(kind, repr(exc)[:300])
                continue
            if done is not None and self.recording:
                with self.lock:
                    self.times[done].append(time.perf_counter() - started)

    def _error(self, kind: str, what: str) -> None:
        with self.lock:
            if self.recording:
                self.errors[kind] += 1
                if len(self.first_errors) < 5:
                    self.first_errors.append(f"{kind}: {what}")

    def _launch(self, _rng: random.Random) -> str:
        with self.lock:
            self.serial += 1
            user = f"load-{self.serial}"
        learner = api_launch(self.tool, self.lms, user=user, claims=ags_claim(self.lms))
        with self.lock:
            self.learners.append(learner)
            self.fresh.append(learner)
            self.writers.append(learner)
        return "launch"

    def _page(self, rng: random.Random) -> str:
        with self.lock:
            learner = rng.choice(self.learners) if self.learners else None
        if learner is None:
            return self._launch(rng)
        path = rng.choice([f"/modules/{L1M1}", "/"])
        response = learner.get(self.url + path, headers=HTML)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        return "page"

    def _quiz(self, rng: random.Random) -> str:
        learner = self._take(self.fresh)
        if learner is None:
            return self._launch(rng)
        attempt = learner.post(self.url + f"/api/v1/modules/{L1M1}/attempts")
        assert attempt.status_code == 201, f"start attempt: {attempt.status_code}"
        body = attempt.json()
        answers = answers_for(L1M1, [item["id"] for item in body["items"]])
        done = learner.post(
            self.url + f"/api/v1/attempts/{body['id']}/answers", json={"answers": answers}
        )
        assert done.status_code == 200, f"answers: {done.status_code}"
        return "quiz"

    def _assignment(self, rng: random.Random) -> str:
        learner = self._take(self.writers)
        if learner is None:
            return self._launch(rng)
        response = learner.post(
            self.url + f"/api/v1/modules/{L1M1}/assignment/submissions",
            json={"text": "My role map, in **Markdown**, with its data sources."},
        )
        assert response.status_code == 201, f"submit assignment: {response.status_code}"
        with self.lock:
            self.submitted.append(int(response.json()["id"]))
        return "assignment"

    def _review(self, rng: random.Random) -> str:
        with self.lock:
            submission = self.submitted.popleft() if self.submitted else None
        if submission is None:
            return self._assignment(rng)
        response = self.teacher.post(
            self.url + f"/instructor/reviews/{submission}",
            data=rubric_form(3, "pass"),
            headers=HTML,
            allow_redirects=False,
        )
        assert response.status_code == 303, f"review: {response.status_code}"
        return "review"

    def _take(self, pool: collections.deque[requests.Session]) -> requests.Session | None:
        with self.lock:
            return pool.popleft() if pool else None


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


ROLES = {"gunicorn": ("arbiter", "worker"), "celery": ("main", "child")}


def memory(sessions: dict[str, int]) -> dict[tuple[str, int], int]:
    """RSS in bytes of every process in each named session (gunicorn's, Celery's): the
    session leader is the arbiter or the worker's main process, the others its workers, pool
    processes and (with --beat) its beat."""
    found: dict[tuple[str, int], int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            status = (entry / "status").read_text()
        except OSError:  # exited meanwhile
            continue
        session = int(stat.rsplit(")", 1)[1].split()[3])
        for name, leader in sessions.items():
            if session == leader:
                role = f"{name} {ROLES[name][0 if int(entry.name) == leader else 1]}"
                rss = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
                found[(role, int(entry.name))] = int(rss.split()[1]) * 1024
    return found


def production(stack: ExitStack, web_workers: int, concurrency: int) -> types.SimpleNamespace:
    """The tool as docker-compose runs it, on this machine; all undone by ``stack``."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-load-"))
    redis.Redis.from_url(BENCH_BROKER_URL).flushdb()
    prefix = f"bench:{uuid.uuid4().hex[:6]}:"
    stack.callback(forget_prefix, REDIS_URL, prefix)
    database = stack.enter_context(scratch_database(PG_ADMIN_URL, "lms_bench_"))
    env = tool_env(
        instance_dir=str(tmp),
        public_url=url,
        secret_key=uuid.uuid4().hex,
        database_url=database,
        broker_url=BENCH_BROKER_URL,
        cache_url=REDIS_URL,
        cache_prefix=prefix,
        log_level="WARNING",
        rate_limit_lti="1000000/minute",  # every learner launches from this one address
        sweep_seconds="5",
    )
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "worker-metrics")  # the worker's pool
    engine = create_engine(database)
    stack.callback(engine.dispose)
    lms = LmsPlatform(tool_url=url).start()
    stack.callback(lms.stop)
    prepare_tool(env, lms)
    gunicorn = gunicorn_deployed(port, web_workers)
    web_env = {k: v for k, v in env.items() if k != "PROMETHEUS_MULTIPROC_DIR"}  # its own
    web = stack.enter_context(process(gunicorn, web_env, tmp / "web.log"))
    wait_http(url + "/healthz")
    worker = stack.enter_context(
        celery_worker(env, tmp / "worker.log", beat=True, concurrency=concurrency)
    )
    return types.SimpleNamespace(url=url, lms=lms, engine=engine, web=web, worker=worker)


def drive(traffic: Traffic, users: int, seconds: float, recording: bool) -> float:
    """``users`` threads for ``seconds``; returns the wall time."""
    traffic.recording = recording
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=traffic.run, args=(until, n), daemon=True) for n in range(users)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def backlog(engine) -> dict[str, int]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT (SELECT count(*) FROM quiz_attempt WHERE status = 'submitted'),"
                " (SELECT count(*) FROM score_outbox WHERE status = 'pending'),"
                " (SELECT count(*) FROM score_outbox WHERE status = 'failed'),"
                " (SELECT count(*) FROM review WHERE folded_at IS NULL)"
            )
        ).one()
    names = ("ungraded", "scores pending", "scores failed", "reviews unfolded")
    return dict(zip(names, row, strict=True))


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the test LMS's access log
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--worker-concurrency", type=int, default=2)
    args = parser.parse_args()

    with ExitStack() as stack:
        tool = production(stack, args.web_workers, args.worker_concurrency)
        teacher = api_launch(tool, tool.lms, user="teacher-1", claims=ags_claim(tool.lms))
        traffic = Traffic(tool.url, tool.lms, teacher)
        sessions = {"gunicorn": tool.web.pid, "celery": tool.worker.pid}
        drive(traffic, args.users, args.warmup, recording=False)
        rss = [memory(sessions)]
        wall = 0.0
        for _ in range(QUARTERS):
            wall += drive(traffic, args.users, args.seconds / QUARTERS, recording=True)
            rss.append(memory(sessions))
        deadline = time.monotonic() + 120
        while any(backlog(tool.engine)[k] for k in ("ungraded", "scores pending")):
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        left = backlog(tool.engine)
        counted = requests.get(tool.url + "/metrics", timeout=10).text
    report(args, traffic, wall, left, counted, rss)


QUARTERS = 4  # RSS is read at the start and after each quarter of the measured run


def report(args, traffic: Traffic, wall, left, counted, rss) -> None:
    total = sum(len(t) for t in traffic.times.values())
    errors = sum(traffic.errors.values())
    print(
        f"{args.users} users, {args.seconds:.0f} s (after {args.warmup:.0f} s warm-up), "
        f"gunicorn x{args.web_workers}, Celery worker x{args.worker_concurrency}, "
        f"PostgreSQL + Redis"
    )
    print(f"throughput: {total / wall:.1f} operations/s ({total} in {wall:.1f} s)")
    print(f"{'kind':<11} {'count':>6} {'per s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")
    for kind in WEIGHTS:
        times = traffic.times.get(kind, [])
        if not times:
            print(f"{kind:<11} {0:>6} {'-':>7} {'-':>8} {'-':>8} {traffic.errors[kind]:>6}")
            continue
        print(
            f"{kind:<11} {len(times):>6} {len(times) / wall:>7.1f} "
            f"{statistics.median(times) * 1000:>8.1f} {percentile(times, 0.99) * 1000:>8.1f} "
            f"{traffic.errors[kind]:>6}"
        )
    print(f"errors: {errors}" + ("".join(f"\n  {e}" for e in traffic.first_errors)))
    print("left after the run: " + ", ".join(f"{k} {v}" for k, v in left.items()))
    launches = [line for line in counted.splitlines() if line.startswith("lms_launches_total{")]
    print("/metrics: " + "; ".join(launches))
    marks = "".join(f"{f'{q}/4':>9}" for q in range(1, QUARTERS + 1))
    halves = f"{'1st half':>9} {'2nd half':>9}"
    print(f"{'process (RSS MB)':<16} {'pid':>7}{'start':>9}{marks} {halves}")
    half = QUARTERS // 2
    for role, pid in sorted(rss[0]):
        series = [sample.get((role, pid)) for sample in rss]
        shown = "".join(f"{m / 2**20:>9.1f}" if m else f"{'exited':>9}" for m in series)
        if any(m is None for m in series):
            print(f"{role:<16} {pid:>7}{shown}")
            continue
        first, second = (series[half] - series[0]) / 2**20, (series[-1] - series[half]) / 2**20
        print(f"{role:<16} {pid:>7}{shown} {first:>+8.1f} {second:>+9.1f}")
    for (role, pid), end in sorted(rss[-1].items()):
        if (role, pid) not in rss[0]:
            print(f"{role:<16} {pid:>7} {'(new)':>9} ... {end / 2**20:>9.1f}")


if __name__ == "__main__":
    main()
