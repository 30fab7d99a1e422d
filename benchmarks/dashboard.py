"""The cohort dashboard against the one query that reads the same rows, on PostgreSQL.

    .venv/bin/python benchmarks/dashboard.py [--requests 15] [--rounds 3]
                                             [--small 500] [--large 10000]

Production shape on one machine: a scratch PostgreSQL database, Redis, gunicorn (2 workers),
the suite's test LMS. Two courses are seeded with COPY (learners at every stage: never
launched, started, quizzes passed and failed, assignments passed, waiting for review and sent
back, drafts, practice log entries), then measured in alternating rounds, each a run of page
requests over HTTP (an instructor's launch token) and a run of the floor on a plain psycopg
connection:

* the small course (500) with every learner on one page (``?per=500``: 500 x 11 cells), and
  its first page (50 learners) with the per-module statistics, each against the floor: one
  hand-written statement that reads every work row of the course and returns each learner's
  name and facts per module (what the grid shows); target p50 <= 3x;
* the first page of the large course (10,000) with its per-module statistics, against the
  floor: the same reading of every row of that course returning each module's statistics (the
  part of the page that needs every row); target p50 <= 2x;
* the CSV of each course streamed in process (Flask's test client, the same app): peak Python
  memory (tracemalloc) while it streams; the same figure for 500 and 10,000 learners shows it
  is streamed, not built in memory.

Both sides run with PostgreSQL's JIT off, as the page's statements do (cohort_sql.no_jit).
Prints the p50 of each side and their ratio. Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lms_plugin.services.practice_log_facts import log_spec
from lms_plugin.settings import load_settings
from tests.support.content_keys import catalogue
from tests.support.endpoints import PG_ADMIN_URL, REDIS_URL
from tests.support.launch_flow import full_launch
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

HTML = {"Accept": "text/html"}
NOW = datetime.now(UTC)

# The floor: every work row of the course read once and grouped per learner and module (the
# latest assignment round with its review, the practice log's entries and exemptions), joined
# to the course's learners. Run, as the
# page's statement is, with PostgreSQL's JIT off (services/cohort_sql.no_jit).
FACTS = """
WITH work AS (
  SELECT user_id, module_slug, count(*) AS lessons, 0 AS tries, 0 AS failed,
         NULL::float AS best, NULL::text AS status, NULL::float AS rubric, 0 AS logged,
         max(viewed_at) AS at
    FROM lesson_view WHERE context_id = %(c)s GROUP BY user_id, module_slug
  UNION ALL
  SELECT user_id, module_slug, 0, count(*), count(*) FILTER (WHERE percent < 80),
         max(percent), NULL, NULL, 0, max(started_at)
    FROM quiz_attempt WHERE context_id = %(c)s GROUP BY user_id, module_slug
  UNION ALL
  SELECT * FROM (
    SELECT DISTINCT ON (s.user_id, s.module_slug) s.user_id, s.module_slug, 0, 0, 0,
           NULL::float, s.status, r.percent, 0, s.submitted_at
      FROM assignment_submission s LEFT JOIN review r ON r.submission_id = s.id
     WHERE s.context_id = %(c)s ORDER BY s.user_id, s.module_slug, s.round DESC) latest
  UNION ALL
  SELECT user_id, module_slug, 0, 0, 0, NULL, NULL, NULL, 0, saved_at
    FROM assignment_draft WHERE context_id = %(c)s
  UNION ALL
  SELECT user_id, module_slug, 0, 0, 0, NULL, NULL, NULL,
         max(CASE WHEN status IN ('complete', 'passed') THEN 2 ELSE 1 END), max(updated_at)
    FROM practice_log_entry WHERE context_id = %(c)s GROUP BY user_id, module_slug
  UNION ALL
  SELECT user_id, module_slug, 0, 0, 0, NULL, NULL, NULL, 2, NULL
    FROM practice_log_exemption WHERE context_id = %(c)s
), facts AS (
  SELECT m.user_id, w.module_slug, sum(lessons) AS lessons, sum(tries) AS tries,
         sum(failed) AS failed, max(best) AS best, max(status) AS status,
         max(rubric) AS rubric, max(logged) AS logged, max(at) AS at
    FROM membership m JOIN work w ON w.user_id = m.user_id
   WHERE m.context_id = %(c)s AND m.access = 'learner'
   GROUP BY m.user_id, w.module_slug
)
"""
# The whole grid shows each learner's name too.
FLOOR_GRID = FACTS + (
    "SELECT u.name, u.sub, u.email, f.* FROM facts f JOIN lti_user u ON u.id = f.user_id"
)
FLOOR_STATS = FACTS + (
    "SELECT module_slug, count(*), count(*) FILTER (WHERE best >= 80), avg(best),"
    " count(*) FILTER (WHERE status = 'submitted') FROM facts GROUP BY module_slug"
)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=15, help="per side and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--small", type=int, default=500)
    parser.add_argument("--large", type=int, default=10_000)
    args = parser.parse_args()

    with ExitStack() as stack:
        tool = start(stack)
        small = course(tool, "bench-small", args.small, seed=1)
        large = course(tool, "bench-large", args.large, seed=2)
        with psycopg.connect(tool.raw_url, autocommit=True) as conn:
            conn.execute("ANALYZE")
        took = time.perf_counter() - tool.t0
        print(f"seeded: {args.small} and {args.large} learners in {took:.0f} s")
        whole = f"?per={args.small}" if args.small <= 500 else "?per=500"
        figures = [
            (
                f"{args.small} learners x 11 modules, all on one page",
                3,
                compare(tool, small, whole, FLOOR_GRID, args, "small, whole grid"),
            ),
            (
                f"{args.small} learners x 11 modules, first page (50) and statistics",
                3,
                compare(tool, small, "", FLOOR_GRID, args, "small, first page"),
            ),
            (
                f"{args.large} learners paged (50) with per-module statistics",
                2,
                compare(tool, large, "", FLOOR_STATS, args, "large, first page"),
            ),
        ]
        memory = csv_memory(tool, small, large)
    print()
    for label, target, (page, floor, ratio) in figures:
        verdict = "met" if ratio <= target else "NOT met"
        print(
            f"cohort page, {label}: p50 {page:.1f} ms, floor {floor:.1f} ms,"
            f" ratio {ratio:.2f} (target <= {target}: {verdict})"
        )
    for label, (rows, size, seconds, peak) in memory.items():
        print(
            f"CSV of {label}: {rows} learners, {size / 1e6:.1f} MB in {seconds:.2f} s,"
            f" peak Python memory while streaming {peak / 1e6:.2f} MB"
        )


class Tool:
    """The running tool: its URL, environment and raw database URL."""

    def __init__(self, url: str, env: dict[str, str], lms: LmsPlatform, raw_url: str) -> None:
        self.url, self.env, self.lms, self.raw_url = url, env, lms, raw_url
        self.t0 = time.perf_counter()


def start(stack: ExitStack) -> Tool:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    tmp = Path(tempfile.mkdtemp(prefix="lms-bench-dashboard-"))
    prefix = f"bench:{uuid.uuid4().hex[:6]}:"
    stack.callback(forget_prefix, REDIS_URL, prefix)
    database = stack.enter_context(scratch_database(PG_ADMIN_URL, "lms_bench_"))
    env = tool_env(
        instance_dir=str(tmp),
        public_url=url,
        secret_key=uuid.uuid4().hex,
        database_url=database,
        cache_url=REDIS_URL,
        cache_prefix=prefix,
        log_level="WARNING",
    )
    lms = LmsPlatform(tool_url=url).start()
    stack.callback(lms.stop)
    prepare_tool(env, lms)
    stack.enter_context(process(gunicorn_deployed(port, 2), env, tmp / "web.log"))
    wait_http(url + "/healthz")
    return Tool(url, env, lms, database.replace("postgresql+psycopg://", "postgresql://"))


class Course:
    def __init__(self, context_id: int, token: str, learners: int) -> None:
        self.context_id, self.token, self.learners = context_id, token, learners


def course(tool: Tool, name: str, learners: int, seed: int) -> Course:
    """A course launched by its instructor, then filled with ``learners`` by COPY."""
    browser = requests.Session()
    response = full_launch(
        browser, tool.url, tool.lms, login_hint="teacher-1", claims={"context_id": name}
    )
    assert response.status_code == 200, response.text
    token = response.url.split("lh=")[1]
    with psycopg.connect(tool.raw_url) as conn:
        context_id = conn.execute(
            "SELECT id FROM lti_context WHERE context_id = %s", (name,)
        ).fetchone()[0]
        seed_learners(conn, context_id, name, learners, random.Random(seed))
    return Course(context_id, token, learners)


TABLES = {
    "lti_user": ("id", "registration_id", "sub", "name", "email", "created_at", "updated_at"),
    "membership": (
        "context_id", "user_id", "roles", "access", "launched_at", "created_at", "updated_at",
    ),
    "lesson_view": ("context_id", "user_id", "module_slug", "lesson_slug", "viewed_at"),
    "quiz_attempt": (
        "context_id", "user_id", "module_slug", "module_id", "number", "seed", "item_ids",
        "answers", "status", "started_at", "submitted_at", "graded_at", "score", "max_score",
        "percent",
    ),
    "assignment_submission": (
        "id", "context_id", "user_id", "module_slug", "module_id", "assignment_id", "round",
        "text", "word_count", "status", "submitted_at",
    ),
    "review": (
        "submission_id", "reviewer_id", "scores", "feedback", "decision", "percent", "passed",
        "rule_min_level", "created_at", "folded_at",
    ),
    "assignment_draft": ("context_id", "user_id", "module_slug", "text", "saved_at"),
    "practice_log_entry": (
        "context_id", "user_id", "module_slug", "kind", "sections", "word_count", "status",
        "round", "completed_at", "updated_at",
    ),
}  # fmt: skip


class Seeder:
    """Rows of one course's learners, by table, to COPY in at the end."""

    def __init__(self, conn: psycopg.Connection, context_id: int, rng: random.Random) -> None:
        self.conn, self.context_id, self.rng = conn, context_id, rng
        self.rows: dict[str, list[tuple[object, ...]]] = {table: [] for table in TABLES}
        self.modules = [m for p in catalogue().programs for m in p.modules]
        query = "SELECT slug, max(id) FROM content_module GROUP BY slug"
        self.module_ids = dict(conn.execute(query).fetchall())
        self.reviewer = self.one("SELECT id FROM lti_user WHERE sub = 'teacher-1'")
        self.round_id = self.one("SELECT coalesce(max(id), 0) FROM assignment_submission")
        self.failure_module = log_spec().failure.module

    def one(self, sql: str) -> int:
        return int(self.conn.execute(sql).fetchone()[0])

    def add(self, table: str, **values: object) -> None:
        self.rows[table].append(tuple(values[c] for c in TABLES[table]))

    def learner(self, user: int, name: str, registration: int) -> None:
        """A learner who never launched (8%), or one who got through some modules (fewer get
        further) and is somewhere in the next one."""
        self.add("lti_user", id=user, registration_id=registration, sub=name, name=name,
                 email=f"{name}@example.edu", created_at=NOW, updated_at=NOW)  # fmt: skip
        launched = self.rng.random() > 0.08
        self.add("membership", context_id=self.context_id, user_id=user, roles="[]",
                 access="learner", launched_at=NOW if launched else None, created_at=NOW,
                 updated_at=NOW)  # fmt: skip
        if not launched:
            return
        reach = min(len(self.modules), int(self.rng.random() ** 1.5 * (len(self.modules) + 1)))
        when = NOW - timedelta(days=self.rng.randint(0, 40))
        for k, module in enumerate(self.modules[: reach + 1]):
            self.module(user, module, done=k < reach, when=when)

    def module(self, user: int, module, *, done: bool, when: datetime) -> None:
        rng, scope = self.rng, {"context_id": self.context_id, "user_id": user}
        lessons = module.lessons if done else module.lessons[: rng.randint(0, len(module.lessons))]
        for lesson in lessons:
            self.add("lesson_view", **scope, module_slug=module.slug, lesson_slug=lesson.slug,
                     viewed_at=when)  # fmt: skip
        self.log(user, module.slug, done=done, when=when)
        tries = rng.randint(1, 3) if done else rng.choice((0, 0, 1))
        for number in range(1, tries + 1):
            last_of_done = done and number == tries
            percent = rng.choice((80.0, 90.0, 100.0) if last_of_done else (40.0, 60.0, 70.0))
            status = "graded" if done or rng.random() < 0.7 else rng.choice(("open", "submitted"))
            graded = status == "graded"
            self.add("quiz_attempt", **scope, module_slug=module.slug,
                     module_id=self.module_ids[module.slug], number=number, seed=number,
                     item_ids="[]", answers="{}", status=status, started_at=when,
                     submitted_at=when if status != "open" else None,
                     graded_at=when if graded else None, score=percent / 10 if graded else None,
                     max_score=10.0 if graded else None,
                     percent=percent if graded else None)  # fmt: skip
        if module.assignment is None or (not done and rng.random() < 0.8):
            return
        if rng.random() < 0.1:
            self.add("assignment_draft", **scope, module_slug=module.slug, text="A draft.",
                     saved_at=when)  # fmt: skip
            return
        outcome = rng.choices(("passed", "submitted", "revise"), (7, 2, 1))[0]
        self.round_id += 1
        self.add("assignment_submission", id=self.round_id, **scope, module_slug=module.slug,
                 module_id=self.module_ids[module.slug], assignment_id=module.assignment.id,
                 round=1, text="My work.", word_count=2, status=outcome,
                 submitted_at=when)  # fmt: skip
        if outcome != "submitted":
            level = 3 if outcome == "passed" else 1
            scores = json.dumps({c.id: level for c in module.assignment.criteria})
            self.add("review", submission_id=self.round_id, reviewer_id=self.reviewer,
                     scores=scores, feedback="", decision="pass" if level == 3 else "revise",
                     percent=25.0 * level, passed=level == 3, rule_min_level=2, created_at=when,
                     folded_at=when)  # fmt: skip

    def log(self, user: int, slug: str, *, done: bool, when: datetime) -> None:
        """The practice log entry: complete in a module done (with the learning-from-failure
        entry passed where the module asks for it), a draft in a third of the others."""
        scope = {"context_id": self.context_id, "user_id": user, "module_slug": slug}
        if not done and self.rng.random() > 0.33:
            return
        status, words = ("complete", 260) if done else ("draft", 80)
        self.add("practice_log_entry", **scope, kind="module", sections="{}", word_count=words,
                 status=status, round=0, completed_at=when if done else None,
                 updated_at=when)  # fmt: skip
        if done and slug == self.failure_module:
            self.add("practice_log_entry", **scope, kind="failure", sections="{}",
                     word_count=400, status="passed", round=1, completed_at=when,
                     updated_at=when)  # fmt: skip

    def copy(self) -> None:
        for table, rows in self.rows.items():
            with self.conn.cursor().copy(
                f"COPY {table} ({', '.join(TABLES[table])}) FROM STDIN"
            ) as out:
                for row in rows:
                    out.write_row(row)
        for table in ("lti_user", "assignment_submission"):
            self.conn.execute(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
        self.conn.commit()


def seed_learners(
    conn: psycopg.Connection, context_id: int, name: str, n: int, rng: random.Random
) -> None:
    """``n`` learners at every stage, with their rows in every work table, by COPY."""
    seeder = Seeder(conn, context_id, rng)
    registration = seeder.one("SELECT id FROM registration")
    first = seeder.one("SELECT coalesce(max(id), 0) + 1 FROM lti_user")
    for i in range(n):
        seeder.learner(first + i, f"{name}-{i:05d}", registration)
    seeder.copy()


def compare(
    tool: Tool, target: Course, query: str, floor_sql: str, args, label: str
) -> tuple[float, float, float]:
    """Rounds of (page requests, floor queries): p50 of each and the ratio of the p50s."""
    headers = {**HTML, "Authorization": f"Bearer {target.token}"}
    port = int(tool.url.rsplit(":", 1)[1])
    path = "/instructor/cohort" + query
    page_ms: list[float] = []
    floor_ms: list[float] = []
    with psycopg.connect(tool.raw_url, autocommit=True) as conn:
        conn.execute("SET jit = off")  # as the page's transaction (services/cohort_sql.no_jit)
        for _ in range(3):  # warm both: caches, both gunicorn workers, plans
            _page(port, path, headers)
            conn.execute(floor_sql, {"c": target.context_id}).fetchall()
        for r in range(args.rounds):
            pages = [_timed(lambda: _page(port, path, headers)) for _ in range(args.requests)]
            floors = [
                _timed(lambda: conn.execute(floor_sql, {"c": target.context_id}).fetchall())
                for _ in range(args.requests)
            ]
            page_ms += pages
            floor_ms += floors
            print(
                f"{label}, round {r + 1}: page p50 {statistics.median(pages):.1f} ms,"
                f" floor p50 {statistics.median(floors):.1f} ms"
            )
    page, floor = statistics.median(page_ms), statistics.median(floor_ms)
    return page, floor, page / floor


def _page(port: int, path: str, headers: dict[str, str]) -> None:
    """One page over a new connection (gunicorn's sync workers close theirs), read to its last
    byte with the standard library's client, which costs the load generator little."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 200 and b'data-testid="grid"' in body, response.status


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def csv_memory(tool: Tool, *courses: Course) -> dict[str, tuple[int, int, float, int]]:
    """Each course's CSV streamed through the app in this process: learners, bytes, seconds and
    the peak of Python allocations while streaming."""
    from lms_plugin.web.app import create_app

    app = create_app(load_settings(tool.env))
    client = app.test_client()
    for target in courses:  # the process's first requests fill its caches (content, plans)
        client.get("/instructor/cohort.csv", headers={"Authorization": f"Bearer {target.token}"})
    found = {}
    for target in courses:
        headers = {"Authorization": f"Bearer {target.token}"}
        tracemalloc.start()
        start = time.perf_counter()
        response = client.get("/instructor/cohort.csv", headers=headers, buffered=False)
        size = lines = 0
        for chunk in response.response:
            size += len(chunk)
            lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
        response.close()
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert response.status_code == 200 and lines - 1 == target.learners, lines
        found[f"{target.learners} learners"] = (lines - 1, size, seconds, peak)
    return found


if __name__ == "__main__":
    main()
