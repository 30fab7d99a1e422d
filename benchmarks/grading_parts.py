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
import tempfile
import threading
import types
import uuid
from contextlib import ExitStack
from pathlib import Path

import redis
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.cpu import CpuMeter, describe
from benchmarks.grading import _ready, _submit, count
from lms_plugin.settings import load_settings
from tests.support.endpoints import BENCH_BROKER_URL, PG_ADMIN_URL, REDIS_URL
from tests.support.lti_platform import LmsPlatform
from tests.support.processes import (
    cli,
    forget_prefix,
    free_port,
    gunicorn_quiet,
    prepare_tool,
    process,
    scratch_database,
    tool_env,
    wait_http,
)
from tests.support.worker import wait_for
from worker import dispatch


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the test LMS's access log
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-parts-"))
    broker = redis.Redis.from_url(BENCH_BROKER_URL)
    broker.flushdb()
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
        wait_http(url + "/healthz")
        settings = load_settings(env)
        tool = types.SimpleNamespace(url=url)
        ready = [_ready(tool, lms, url, f"p{n}") for n in range(args.submissions)]
        meter = CpuMeter(
            sessions={"web": web.pid},
            commands={"postgres": "postgres", "redis": "redis-server"},
        )
        n = args.submissions

        def submit_all() -> None:
            queue, lock = list(ready), threading.Lock()

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

        used, wall = meter.measure(submit_all)
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
