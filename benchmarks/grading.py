"""Submissions graded per second end to end, and submit-to-graded latency, vs a trivial task.

    .venv/bin/python benchmarks/grading.py [--submissions 200] [--floor-tasks 400]

Production shape on one machine: PostgreSQL, a Redis broker, gunicorn (2 workers) for the web
and a Celery worker with 2 processes; the suite's test LMS receives the scores over AGS.
Prints: graded/s (submit over HTTP -> grade row) and p50/p95 latency beside a trivial Celery
task with one DB write measured in the same run, their ratios (targets: >= 0.5x the floor's
throughput, p50 <= 3x its round trip), and scores delivered per second. For the floor and the
throughput phase it also prints the CPU each part used (web, worker, PostgreSQL, Redis, this
process: the HTTP clients and the test LMS) per task or submission, from Linux /proc.
Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import types
import uuid
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

import redis
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import CpuMeter, describe
from lms_plugin.settings import load_settings
from tests.support.content_keys import L1M1, answers_for
from tests.support.endpoints import BENCH_BROKER_URL, PG_ADMIN_URL, REDIS_URL
from tests.support.learners import ags_claim, api_launch
from tests.support.lti_platform import LmsPlatform
from tests.support.processes import (
    forget_prefix,
    free_port,
    gunicorn_quiet,
    prepare_tool,
    process,
    scratch_database,
    tool_env,
    wait_http,
)
from tests.support.worker import celery_worker, wait_for
from worker import dispatch


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the test LMS's access log
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--floor-tasks", type=int, default=400)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--latency", type=int, default=30, help="sequential submissions")
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-grading-"))
    redis.Redis.from_url(BENCH_BROKER_URL).flushdb()
    prefix = f"bench:{uuid.uuid4().hex[:6]}:"
    with ExitStack() as stack:
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
        )
        engine = create_engine(database)
        stack.callback(engine.dispose)
        lms = LmsPlatform(tool_url=url).start()
        stack.callback(lms.stop)
        prepare_tool(env, lms)
        web = stack.enter_context(process(gunicorn_quiet(port, 2), env, tmp / "web.log"))
        worker = stack.enter_context(celery_worker(env, tmp / "worker.log", concurrency=2))
        wait_http(url + "/healthz")
        meter = CpuMeter(  # both were started in sessions of their own
            sessions={"web": web.pid, "worker": worker.pid},
            commands={"postgres": "postgres", "redis": "redis-server"},
        )
        figures, cpu = run(args, url, lms, engine, load_settings(env), meter)
    report(figures)
    for line in cpu:
        print(line)


def count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def run(args, url, lms, engine, settings, meter: CpuMeter) -> tuple[dict[str, float], list[str]]:
    figures: dict[str, float] = {}

    # Floor: a trivial task with one DB write, through the same broker and worker.
    def floor() -> None:
        for n in range(args.floor_tasks):
            dispatch.touch(settings, f"t{n}")
        wait_for(lambda: count(engine, "SELECT count(*) FROM job_run") >= args.floor_tasks, 300)

    used, wall = meter.measure(floor)
    figures["floor_tps"] = args.floor_tasks / wall
    cpu = [describe(used, wall, args.floor_tasks, "floor task")]
    trips = []
    for n in range(30):
        token = f"rt{n}"
        sent = time.perf_counter()
        dispatch.touch(settings, token)
        sql = f"SELECT count(*) FROM job_run WHERE result::text LIKE '%\"{token}\"%'"
        while count(engine, sql) == 0:
            time.sleep(0.002)
        trips.append(time.perf_counter() - sent)
    figures["floor_p50"] = statistics.median(trips)

    # Learners ready: launched, attempt started.
    tool = types.SimpleNamespace(url=url)
    ready = [_ready(tool, lms, url, f"b{n}") for n in range(args.submissions + args.latency)]

    # Latency: one submission at a time, like the floor's round trips (no queueing).
    for browser, attempt_id, answers in ready[args.submissions :]:
        _submit(browser, url, attempt_id, answers)
        sql = f"SELECT count(*) FROM quiz_attempt WHERE id = {attempt_id} AND status = 'graded'"
        while count(engine, sql) == 0:
            time.sleep(0.002)
    with engine.connect() as conn:
        latencies = [
            float(row[0])
            for row in conn.execute(
                text(
                    "SELECT EXTRACT(EPOCH FROM graded_at - submitted_at) FROM quiz_attempt "
                    "WHERE status = 'graded'"
                )
            )
        ]
    figures["p50"] = percentile(latencies, 0.5)
    figures["p95"] = percentile(latencies, 0.95)
    wait_for(lambda: len(lms.scores) >= args.latency, 120)

    # Throughput: everyone submits at once over HTTP; time until every grade row exists.
    lms.scores.clear()
    used_before, start = meter.sample(), time.perf_counter()
    lock = threading.Lock()
    queue = list(ready[: args.submissions])

    def submit() -> None:
        while True:
            with lock:
                if not queue:
                    return
                browser, attempt_id, answers = queue.pop()
            _submit(browser, url, attempt_id, answers)

    threads = [threading.Thread(target=submit) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = args.submissions + args.latency
    wait_for(
        lambda: count(engine, "SELECT count(*) FROM quiz_attempt WHERE status = 'graded'") >= total,
        600,
    )
    figures["graded_tps"] = args.submissions / (time.perf_counter() - start)
    wait_for(
        lambda: len(lms.scores) >= args.submissions,
        300,
        lambda: f"{len(lms.scores)} scores arrived; see the worker log",
    )
    wall = time.perf_counter() - start
    figures["scores_tps"] = args.submissions / wall
    figures["submissions"] = args.submissions
    used_after = meter.sample()
    used = {group: used_after[group] - used_before[group] for group in used_after}
    cpu.append(describe(used, wall, args.submissions, "submission (submit, grade, send score)"))
    return figures, cpu


def _ready(tool, lms, url: str, user: str):
    browser = api_launch(tool, lms, user=user, claims=ags_claim(lms))
    attempt = browser.post(url + f"/api/v1/modules/{L1M1}/attempts").json()
    return browser, attempt["id"], answers_for(L1M1, [i["id"] for i in attempt["items"]])


def _submit(browser, url: str, attempt_id: int, answers) -> None:
    """One submission as an API client sends it, with the launch's bearer token. (http.client:
    the load generator shares the machine, and requests costs about as much CPU as the
    request it sends.)"""
    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
    try:
        conn.request(
            "POST",
            f"/api/v1/attempts/{attempt_id}/answers",
            body=json.dumps({"answers": answers}),
            headers={
                "Authorization": browser.headers["Authorization"],
                "Accept": "application/json",
                "Content-Type": "application/json",
            },
        )
        response = conn.getresponse()
        text_ = response.read()
    finally:
        conn.close()
    assert response.status == 200, text_


def report(f: dict[str, float]) -> None:
    print(
        f"submissions={int(f['submissions'])} web=gunicorn x2 worker=celery -c 2 "
        f"cores={os.cpu_count()}"
    )
    print(
        f"floor (trivial task, 1 DB write): {f['floor_tps']:8.1f} tasks/s   "
        f"round trip p50 {f['floor_p50'] * 1000:7.1f} ms"
    )
    print(
        f"grading end to end:               {f['graded_tps']:8.1f} graded/s  "
        f"p50 {f['p50'] * 1000:7.1f} ms  p95 {f['p95'] * 1000:7.1f} ms"
    )
    print(
        f"ratio throughput graded/floor:    {f['graded_tps'] / f['floor_tps']:8.2f}  "
        "(target >= 0.5)"
    )
    print(f"ratio p50 latency grading/floor:  {f['p50'] / f['floor_p50']:8.2f}  (target <= 3)")
    print(f"scores delivered to the LMS:      {f['scores_tps']:8.1f} scores/s (submit to last)")


if __name__ == "__main__":
    main()
