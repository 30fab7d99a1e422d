"""Submissions graded per second end to end, and submit-to-graded latency, vs a trivial task.

    .venv/bin/python benchmarks/grading.py [--submissions 200] [--floor-tasks 400]

Production shape on one machine: PostgreSQL, a Redis broker, gunicorn (2 workers) for the web
and a Celery worker with 2 processes; the suite's test LMS receives the scores over AGS.
Prints: graded/s (submit over HTTP -> grade row) and p50/p95 latency beside a trivial Celery
task with one DB write measured in the same run, their ratios (targets: >= 0.5x the floor's
throughput, p50 <= 3x its round trip), and scores delivered per second. Throughput runs in
rounds (floor, then submissions; each timed to the database's timestamp of its last row) and
the medians are reported: one short phase alone swings with whatever else the machine does.
For the floor and the throughput phases it also prints the CPU each part used (web, worker,
PostgreSQL, Redis, this process: the HTTP clients and the test LMS) per task or submission,
from Linux /proc.
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
    gunicorn_deployed,
    prepare_tool,
    process,
    scratch_database,
    tool_env,
    wait_http,
)
from tests.support.worker import celery_worker
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
    parser.add_argument("--rounds", type=int, default=3, help="floor + throughput rounds")
    args = parser.parse_args()

    with ExitStack() as stack:
        tool = production_tool(stack, "lms-bench-grading-")
        worker = stack.enter_context(
            celery_worker(tool.env, tool.tmp / "worker.log", concurrency=2)
        )
        meter = CpuMeter(  # both were started in sessions of their own
            sessions={"web": tool.web.pid, "worker": worker.pid},
            commands={"postgres": "postgres", "redis": "redis-server"},
        )
        figures, cpu = run(args, tool.url, tool.lms, tool.engine, tool.settings, meter)
    report(figures)
    for line in cpu:
        print(line)


def production_tool(stack: ExitStack, name: str) -> types.SimpleNamespace:
    """The tool as deployed, on one machine: a scratch PostgreSQL database, Redis (broker and
    cache), gunicorn with 2 workers, and the suite's test LMS registered; all undone by
    ``stack``. Returns url, tmp, env, settings, engine, lms and the web process."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix=name))
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
    )
    engine = create_engine(database)
    stack.callback(engine.dispose)
    lms = LmsPlatform(tool_url=url).start()
    stack.callback(lms.stop)
    prepare_tool(env, lms)
    web = stack.enter_context(process(gunicorn_deployed(port, 2), env, tmp / "web.log"))
    wait_http(url + "/healthz")
    return types.SimpleNamespace(
        url=url,
        tmp=tmp,
        env=env,
        prefix=prefix,
        settings=load_settings(env),
        engine=engine,
        lms=lms,
        web=web,
    )


def count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar_one())


def run(args, url, lms, engine, settings, meter: CpuMeter) -> tuple[dict[str, float], list[str]]:
    """Latency once; then ``rounds`` of (floor, throughput), each measured to the database's
    own timestamp of its last row (no polling interval in the figure), and their medians."""
    figures: dict[str, float] = {}
    tool = types.SimpleNamespace(url=url)
    ready = [_ready(tool, lms, url, f"b{n}") for n in range(args.submissions * args.rounds)]
    latency_ready = [_ready(tool, lms, url, f"l{n}") for n in range(args.latency)]
    figures["floor_p50"] = _floor_round_trip(engine, settings)
    figures["p50"], figures["p95"] = _grading_latency(engine, url, latency_ready)
    _until(lambda: len(lms.scores) >= args.latency, 120)

    floor_cpu: dict[str, float] = {}
    grading_cpu: dict[str, float] = {}
    rounds: list[tuple[float, float, float]] = []
    for r in range(args.rounds):
        tokens = [f"r{r}t{n}" for n in range(args.floor_tasks)]
        used, floor_tps = _measured(meter, lambda t=tokens: _floor(engine, settings, t))
        _add(floor_cpu, used)
        batch = ready[r * args.submissions : (r + 1) * args.submissions]
        lms.scores.clear()
        used, (graded_tps, scores_tps) = _measured(
            meter, lambda b=batch: _throughput(args, url, lms, engine, b)
        )
        _add(grading_cpu, used)
        rounds.append((floor_tps, graded_tps, scores_tps))
        print(
            f"round {r + 1}: floor {floor_tps:6.1f} tasks/s, graded {graded_tps:6.1f}/s, "
            f"ratio {graded_tps / floor_tps:.2f}, scores {scores_tps:6.1f}/s"
        )
    figures["floor_tps"] = statistics.median(f for f, _, _ in rounds)
    figures["graded_tps"] = statistics.median(g for _, g, _ in rounds)
    figures["ratio"] = statistics.median(g / f for f, g, _ in rounds)
    figures["scores_tps"] = statistics.median(s for _, _, s in rounds)
    figures["submissions"] = args.submissions
    figures["rounds"] = args.rounds
    n = args.rounds
    cpu = [
        describe(floor_cpu, floor_cpu.pop("wall"), args.floor_tasks * n, "floor task"),
        describe(
            grading_cpu,
            grading_cpu.pop("wall"),
            args.submissions * n,
            "submission (submit, grade, send score)",
        ),
    ]
    return figures, cpu


def _measured(meter: CpuMeter, phase):
    """(CPU used by each group plus "wall", what ``phase`` returned)."""
    before, start = meter.sample(), time.perf_counter()
    result = phase()
    wall = time.perf_counter() - start
    after = meter.sample()
    used = {group: after[group] - before[group] for group in after}
    used["wall"] = wall
    return used, result


def _add(total: dict[str, float], used: dict[str, float]) -> None:
    for group, seconds in used.items():
        total[group] = total.get(group, 0.0) + seconds


def _until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not done within {timeout} s")
        time.sleep(0.01)


def _floor(engine, settings, tokens: list[str]) -> float:
    """A trivial task with one DB write, through the same broker and worker: tasks/s."""
    start = time.time()
    for token in tokens:
        dispatch.touch(settings, token)
    done = f"SELECT count(*) FROM job_run WHERE created_at >= to_timestamp({start})"
    _until(lambda: count(engine, done) >= len(tokens), 300)
    with engine.connect() as conn:
        last = conn.execute(
            text("SELECT EXTRACT(EPOCH FROM max(created_at)) FROM job_run")
        ).scalar_one()
    return len(tokens) / (float(last) - start)


def _floor_round_trip(engine, settings) -> float:
    trips = []
    for n in range(30):
        token = f"rt{n}"
        sent = time.perf_counter()
        dispatch.touch(settings, token)
        sql = f"SELECT count(*) FROM job_run WHERE result::text LIKE '%\"{token}\"%'"
        while count(engine, sql) == 0:
            time.sleep(0.002)
        trips.append(time.perf_counter() - sent)
    return statistics.median(trips)


def _grading_latency(engine, url: str, ready) -> tuple[float, float]:
    """One submission at a time, like the floor's round trips (no queueing): p50, p95."""
    ids = []
    for browser, attempt_id, answers in ready:
        _submit(browser, url, attempt_id, answers)
        sql = f"SELECT count(*) FROM quiz_attempt WHERE id = {attempt_id} AND status = 'graded'"
        while count(engine, sql) == 0:
            time.sleep(0.002)
        ids.append(str(attempt_id))
    with engine.connect() as conn:
        latencies = [
            float(row[0])
            for row in conn.execute(
                text(
                    "SELECT EXTRACT(EPOCH FROM graded_at - submitted_at) FROM quiz_attempt "
                    f"WHERE id IN ({', '.join(ids)})"
                )
            )
        ]
    return percentile(latencies, 0.5), percentile(latencies, 0.95)


def _throughput(args, url, lms, engine, batch) -> tuple[float, float]:
    """Everyone in ``batch`` submits at once over HTTP: (graded/s to the last grade row,
    scores/s to the last score the test LMS recorded)."""
    start = time.time()
    submit_concurrently(url, batch, args.threads)
    ids = ", ".join(str(attempt_id) for _, attempt_id, _ in batch)
    graded = f"SELECT count(*) FROM quiz_attempt WHERE status = 'graded' AND id IN ({ids})"
    _until(lambda: count(engine, graded) >= len(batch), 600)
    with engine.connect() as conn:
        last = conn.execute(
            text(f"SELECT EXTRACT(EPOCH FROM max(graded_at)) FROM quiz_attempt WHERE id IN ({ids})")
        ).scalar_one()
    _until(lambda: len(lms.scores) >= len(batch), 300)
    scores_done = time.time()
    return len(batch) / (float(last) - start), len(batch) / (scores_done - start)


def submit_concurrently(url: str, batch, threads: int) -> None:
    """Every learner in ``batch`` submits, from ``threads`` clients at once."""
    lock = threading.Lock()
    queue = list(batch)

    def submit() -> None:
        while True:
            with lock:
                if not queue:
                    return
                browser, attempt_id, answers = queue.pop()
            _submit(browser, url, attempt_id, answers)

    clients = [threading.Thread(target=submit) for _ in range(threads)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()


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
        f"submissions={int(f['submissions'])} x {int(f['rounds'])} rounds (medians below) "
        f"web=gunicorn x2 worker=celery -c 2 cores={os.cpu_count()}"
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
        f"ratio throughput graded/floor:    {f['ratio']:8.2f}  (target >= 0.5; median of the "
        "rounds' ratios)"
    )
    print(f"ratio p50 latency grading/floor:  {f['p50'] / f['floor_p50']:8.2f}  (target <= 3)")
    print(f"scores delivered to the LMS:      {f['scores_tps']:8.1f} scores/s (submit to last)")


if __name__ == "__main__":
    main()
