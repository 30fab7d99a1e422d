"""Level credentials issued per second through the badges drain, beside signing alone.

    .venv/bin/python benchmarks/badges.py [--learners 200] [--save DIR]

On a scratch PostgreSQL database: learners complete Level 1 (their work rows written, then the
grading service folds the grades, which records the awards), then the production drain
(services.awards.issue_due: claim, build, eddsa-rdfc-2022 proof, RS256 VC-JWT, status index,
store) issues them in batches. Beside it, in alternating rounds (a drain batch, then as many
signatures), the floor: pyld eddsa-rdfc-2022 signing alone of the same credential. Prints issued/s,
floor signs/s and their ratio (target >= 0.8), and the worker time per credential from the
completing grade: recording the award in the grade's transaction (the level's completion checked,
the award inserted, the commit), then issuing it alone (p50/p99, target p99 <= 25 ms). The
grade's own computation, which comes before that grade exists, is shown beside it, and the sum of
all three as earlier runs counted it. Each figure is given in wall time and in the process's CPU
time: on a shared machine the wall time also counts other processes' turns, the CPU time does
not (nor PostgreSQL's own work). `--save DIR` writes every credential (.json, .jwt), the issuer
profile and the status lists, for checking with another verifier. Loopback only; bounded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lms_plugin.badges.data_integrity import add_proof
from lms_plugin.db import db
from lms_plugin.db.models import Deployment, LtiContext, LtiUser, Registration
from lms_plugin.process_gc import prepare_collector
from lms_plugin.services import award_records, awards, grades
from lms_plugin.services.issuer_keys import (
    ensure_issuer_keys,
    issuer_from_settings,
    issuer_profile_document,
    signing_keys,
)
from lms_plugin.services.status_lists import status_list_document
from lms_plugin.settings import Settings
from lms_plugin.web.app import create_app
from tests.conftest import sync_courses
from tests.support.awards import write_passed_work
from tests.support.content_keys import catalogue
from tests.support.endpoints import PG_ADMIN_URL
from tests.support.processes import scratch_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--save", type=Path, default=None, help="write what was issued here")
    args = parser.parse_args()
    with (
        scratch_database(PG_ADMIN_URL, "lms_bench_badges_") as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = Settings(
            env="test",
            instance_dir=tmp,
            secret_key="bench-" + uuid.uuid4().hex,
            database_url=url,
            broker_url="filesystem://",
            public_url="https://isp.example.edu",
            log_level="WARNING",
        )
        app = create_app(settings)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            sync_courses()
            # As a worker process does at its start (worker.celery_app): the loaded tool's
            # objects frozen, out of the collector's full passes, and those spaced
            # (lms_plugin/process_gc.py).
            prepare_collector()
            run(settings, args.learners, args.save)
            db.engine.dispose()


def run(settings: Settings, learners: int, save: Path | None) -> None:
    competencies = {c.id: c for c in catalogue().competencies}
    issuer = issuer_from_settings(settings, competencies)
    session = db.session()
    ensure_issuer_keys(session)
    context_id, user_ids = make_learners(session, learners)
    program = catalogue().program("isp-level-1")
    assert program is not None

    # Latency: each of the first tenth completes the level, then is issued alone (limit 1).
    grading, recording, issuing = Clocks(), Clocks(), Clocks()
    sample = user_ids[: max(11, learners // 10)]
    *before, last = program.modules
    record_completions = award_records.record_completions
    for user_id in sample:
        # Every module but the last passed and graded; then the grade that completes the level.
        grades.refresh_grades(session, write_passed_work(session, context_id, user_id, before))
        session.commit()
        completing = write_passed_work(session, context_id, user_id, [last])
        session.commit()
        # The grade's transaction: the grade computed, then (award_records.record_completions, timed
        # apart) the level's completion checked and the award inserted, then the commit.
        with grading.timed():
            award_records.record_completions = recording.timing(record_completions)
            try:
                grades.refresh_grades(session, completing)
            finally:
                award_records.record_completions = record_completions
            with recording.timed():
                session.commit()
        with issuing.timed():
            awards.issue_due(session, issuer, limit=1)
    recording.merge_pairs()  # record_completions and the commit: one sample per grade
    grading = grading.minus(recording)
    for clocks in (grading, recording, issuing):
        clocks.drop_first()  # the first warms the caches

    # Throughput: the rest complete, then the drain issues them batch after batch, each batch
    # followed by as many signatures of the same credential alone (the floor).
    for user_id in user_ids[len(sample) :]:
        grades.refresh_grades(
            session, write_passed_work(session, context_id, user_id, program.modules)
        )
        session.commit()
    rest = len(user_ids) - len(sample)
    drained, floor = Clocks(), Clocks()
    sign = _signer(session, issuer)
    while True:
        with drained.timed():
            handled = awards.issue_due(session, issuer)
        if not handled:
            break
        with floor.timed():
            for _ in range(handled):
                sign()
    issued = session.execute(
        db.text("SELECT count(*) FROM award WHERE status = 'issued'")
    ).scalar_one()
    assert issued == learners, f"{issued} of {learners} issued"

    print(f"{rest} credentials in {drained.total('wall'):.2f} s, batches of {awards.BATCH}")
    for clock in ("wall", "cpu"):
        rate, signs = rest / drained.total(clock), rest / floor.total(clock)
        print(f"{clock:<4} issued          {rate:8.1f} credentials/s")
        print(f"{clock:<4} floor           {signs:8.1f} signs/s  (eddsa-rdfc-2022 alone)")
        print(f"{clock:<4} ratio           {rate / signs:8.2f}  (target >= 0.8)")
    parts = (
        ("grade computed", grading),
        ("award recorded", recording),
        ("issued alone", issuing),
    )
    for name, clocks in parts:
        for clock in ("wall", "cpu"):
            print(f"{clock:<4} {name:<15} {_percentiles(clocks.samples(clock))}")
    for clock in ("wall", "cpu"):
        target = "(target p99 <= 25 ms of worker time)"
        total = recording.plus(issuing).samples(clock)
        print(f"{clock:<4} from the grade  {_percentiles(total)}  {target}")
    for clock in ("wall", "cpu"):
        whole = grading.plus(recording).plus(issuing).samples(clock)
        print(f"{clock:<4} grade + issue   {_percentiles(whole)}  (the grade's computation too)")
    if save is not None:
        _save(session, issuer, save)


class Clocks:
    """Wall and process CPU seconds of each timed block."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    @contextmanager
    def timed(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)

    def timing(self, function: Callable[..., object]) -> Callable[..., object]:
        """`function`, each call of it timed here."""

        def timed(*args: object, **kwargs: object) -> object:
            with self.timed():
                return function(*args, **kwargs)

        return timed

    def merge_pairs(self) -> None:
        """Each two samples in a row (one timed block in two parts) as one."""
        for name in ("wall", "cpu"):
            values = getattr(self, name)
            setattr(self, name, [a + b for a, b in zip(values[::2], values[1::2], strict=True)])

    def minus(self, other: Clocks) -> Clocks:
        rest = Clocks()
        rest.wall = [a - b for a, b in zip(self.wall, other.wall, strict=True)]
        rest.cpu = [a - b for a, b in zip(self.cpu, other.cpu, strict=True)]
        return rest

    def drop_first(self) -> None:
        del self.wall[0], self.cpu[0]

    def samples(self, clock: str) -> list[float]:
        return self.wall if clock == "wall" else self.cpu

    def total(self, clock: str) -> float:
        return sum(self.samples(clock))

    def plus(self, other: Clocks) -> Clocks:
        both = Clocks()
        both.wall = [a + b for a, b in zip(self.wall, other.wall, strict=True)]
        both.cpu = [a + b for a, b in zip(self.cpu, other.cpu, strict=True)]
        return both


def _percentiles(seconds: list[float]) -> str:
    ms = sorted(1000 * s for s in seconds)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):6.1f} ms  p99 {p99:6.1f} ms  (n={len(ms)})"


def make_learners(session, count: int) -> tuple[int, list[int]]:
    """A course of `count` learners (with emails) on a registration of its own: (course, users)."""
    registration = Registration(
        name="Bench LMS",
        issuer="https://lms.example.edu",
        client_id="bench",
        auth_login_url="https://lms.example.edu/auth",
        auth_token_url="https://lms.example.edu/token",  # noqa: S106 - a URL, not a password
        jwks_url="https://lms.example.edu/jwks",
    )
    session.add(registration)
    session.flush()
    deployment = Deployment(registration_id=registration.id, deployment_id="1", status="active")
    session.add(deployment)
    session.flush()
    context = LtiContext(deployment_id=deployment.id, context_id="bench-course", title="Bench")
    users = [
        LtiUser(
            registration_id=registration.id, sub=f"l{n}", name=f"L {n}", email=f"l{n}@example.edu"
        )
        for n in range(count)
    ]
    session.add(context)
    session.add_all(users)
    session.commit()
    return context.id, [user.id for user in users]


def _signer(session, issuer) -> Callable[[], object]:
    """Signing alone of one issued credential (unsigned again) with the issuer's active key."""
    issued = session.execute(db.text("SELECT credential FROM award LIMIT 1")).scalar_one()
    unsigned = {key: value for key, value in issued.items() if key != "proof"}
    keys = signing_keys(session, issuer.urls)
    session.commit()
    return lambda: add_proof(unsigned, keys.proof_key, keys.verification_method, awards.utcnow())


def _save(session, issuer, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    rows = session.execute(db.text("SELECT uuid, credential, credential_jwt FROM award")).all()
    for credential_id, credential, token in rows:
        (folder / f"{credential_id}.json").write_text(json.dumps(credential, indent=2))
        (folder / f"{credential_id}.jwt").write_text(token)
    (folder / "issuer.json").write_text(
        json.dumps(issuer_profile_document(session, issuer), indent=2)
    )
    for (list_id,) in session.execute(db.text("SELECT id FROM status_list")):
        document = status_list_document(session, list_id, issuer.urls)
        (folder / f"status-list-{list_id}.json").write_text(json.dumps(document, indent=2))
    print(
        f"saved {len(rows)} credentials (.json, .jwt), issuer.json and the status lists in {folder}"
    )


if __name__ == "__main__":
    main()
