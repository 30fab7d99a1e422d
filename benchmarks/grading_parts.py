"""CPU per submission of each stage of grading, each stage measured alone.

    .venv/bin/python benchmarks/grading_parts.py [--submissions 300]

benchmarks/grading.py runs the stages at once, so its figures mix them. Here, on the same
production shape (PostgreSQL, Redis broker, gunicorn x2, Celery -c 2), the stages run one after
another: the submissions over HTTP with no worker, then a worker on the ``grading`` queue only,
then one on the ``lms`` queue only (the scores to the test LMS). For each: wall time, rate, and
CPU ms per submission by process group. Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import logging
import sys
import types
from contextlib import ExitStack
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import CpuMeter, describe
from benchmarks.grading import _ready, count, production_tool, submit_concurrently
from tests.support.endpoints import BENCH_BROKER_URL, REDIS_URL
from tests.support.processes import (
    cli,
    forget_prefix,
    process,
)
from tests.support.worker import wait_for
from worker import dispatch


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the test LMS's access log
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    broker = redis.Redis.from_url(BENCH_BROKER_URL)
    with ExitStack() as stack:
        shape = production_tool(stack, "lms-bench-parts-")
        url, env, tmp, lms, engine = shape.url, shape.env, shape.tmp, shape.lms, shape.engine
        web, settings, prefix = shape.web, shape.settings, shape.prefix
        tool = types.SimpleNamespace(url=url)
        ready = [_ready(tool, lms, url, f"p{n}") for n in range(args.submissions)]
        meter = CpuMeter(
            sessions={"web": web.pid},
            commands={"postgres": "postgres", "redis": "redis-server"},
        )
        n = args.submissions

        used, wall = meter.measure(lambda: submit_concurrently(url, ready, args.threads))
        print(f"submit over HTTP:  {n / wall:7.1f}/s  " + describe(used, wall, n, "submission"))

        def drained(queue: str, drain: str, done: str, log: str) -> None:
            broker.delete(queue)  # the doorbells rung so far: this stage rings its own
            forget_prefix(REDIS_URL, prefix + "doorbell:")
            args_ = cli("worker", "--concurrency", "2", "--queues", queue, "--name", log + "@%h")
            with process(args_, env, tmp / f"{log}.log") as worker:
                wait_for(lambda: "ready." in (tmp / f"{log}.log").read_text(), 60)
                meter.sessions["worker"] = worker.pid
                meter.sessions.pop("web", None)

                def stage() -> None:
                    dispatch._send(settings, drain)
                    wait_for(lambda: count(engine, done) >= n, 600)

                used, wall = meter.measure(stage)
            print(f"{log + ':':18} {n / wall:7.1f}/s  " + describe(used, wall, n, "submission"))

        drained(
            "grading",
            dispatch.GRADE_SUBMITTED,
            "SELECT count(*) FROM quiz_attempt WHERE status = 'graded'",
            "grade",
        )
        drained(
            "lms",
            dispatch.PUBLISH_SCORES,
            "SELECT count(*) FROM score_outbox WHERE status = 'sent'",
            "send score",
        )


if __name__ == "__main__":
    main()
