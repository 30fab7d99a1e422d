"""The grid's SQL gives the answers of domain/cohort.py: the state and score of a cell, for any
facts and module rule hypothesis draws, evaluated by PostgreSQL and by SQLite (the embedded
default) in one statement per batch."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Float, Integer, String, cast, create_engine, select, values
from sqlalchemy.sql import column

from lms_plugin.domain import cohort as rules
from lms_plugin.domain.cohort import CellFacts, ModuleRule
from lms_plugin.services.cohort_rules_sql import (
    LOG_COMPLETE,
    LOG_DRAFT,
    LOG_EXEMPT,
    Facts,
    score_sql,
    state_sql,
)
from tests.support.endpoints import PG_ADMIN_URL
from tests.support.processes import scratch_database

pytestmark = pytest.mark.integration

# Percents as the tool computes them (points or rubric levels over a total): never subnormal
# floats, which PostgreSQL refuses as input ("value out of range: underflow", e.g. 5e-324).
percent = st.one_of(
    st.none(),
    st.sampled_from([0.0, 40.0, 79.99, 80.0, 100.0]),
    st.floats(0, 100, allow_subnormal=False),
)
facts = st.builds(
    CellFacts,
    lessons_viewed=st.integers(0, 3),
    open_attempts=st.integers(0, 2),
    grading_attempts=st.integers(0, 2),
    graded_attempts=st.integers(0, 3),
    failed_attempts=st.integers(0, 3),
    best_percent=percent,
    submission=st.sampled_from([None, "submitted", "revise", "passed", "failed"]),
    rubric_percent=percent,
    drafted=st.booleans(),
    log_written=st.booleans(),
    log_complete=st.booleans(),
    failure_passed=st.booleans(),
)
module_rules = st.builds(
    ModuleRule,
    slug=st.just("m"),
    pass_percent=st.sampled_from([0.0, 50.0, 80.0, 100.0]),
    max_attempts=st.just(3),
    quiz_required=st.booleans(),
    assignment_required=st.booleans(),
    failure_required=st.booleans(),
)
COLUMNS = (
    ("lessons", Integer),
    ("open", Integer),
    ("grading", Integer),
    ("graded", Integer),
    ("failed", Integer),
    ("best", Float),
    ("status", String),
    ("rubric", Float),
    ("drafted", Integer),
    ("logged", Integer),
    ("failure_ok", Integer),
    ("pass_percent", Float),
    ("quiz_req", Integer),
    ("assign_req", Integer),
    ("failure_req", Integer),
)


def log_facts(facts: CellFacts) -> tuple[int, int]:
    """(logged, failure_ok) as the SQL facts hold a CellFacts' practice log (complete and not
    written: an exemption)."""
    if facts.log_complete:
        logged = LOG_COMPLETE if facts.log_written else LOG_EXEMPT
    else:
        logged = LOG_DRAFT if facts.log_written else 0
    return logged, int(facts.failure_passed)


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def engine(request):
    if request.param == "sqlite":
        yield create_engine("sqlite://")
        return
    with scratch_database(PG_ADMIN_URL, "lms_rules_") as url:
        made = create_engine(url)
        yield made
        made.dispose()


def in_sql(engine, cases: list[tuple[CellFacts, ModuleRule]]) -> list[tuple[str, float | None]]:
    """(state, score) of each case, by the grid's CASE expressions."""
    rows = [
        (
            f.lessons_viewed, f.open_attempts, f.grading_attempts, f.graded_attempts,
            f.failed_attempts, f.best_percent, f.submission, f.rubric_percent, int(f.drafted),
            *log_facts(f), r.pass_percent, int(r.quiz_required), int(r.assignment_required),
            int(r.failure_required), n,
        )
        for n, (f, r) in enumerate(cases)
    ]  # fmt: skip
    table = values(
        *(column(name, type_) for name, type_ in COLUMNS), column("n", Integer), name="cases"
    ).data(rows)
    t = table.cte("cases")  # WITH cases(...) AS (VALUES ...): SQLite takes no column aliases
    # typed, so a column of NULLs is not text in PostgreSQL
    given = Facts(**{name: cast(t.c[name], type_) for name, type_ in COLUMNS})
    state = state_sql(given)
    query = select(t.c.n, state, score_sql(given, state)).order_by(t.c.n)
    with engine.connect() as conn:
        return [(s, x) for _, s, x in conn.execute(query)]


@settings(max_examples=25, deadline=None)
@given(cases=st.lists(st.tuples(facts, module_rules), min_size=1, max_size=60))
# An exemption from the log, nothing else, a quiz asked (found by the full run of 2026-12-07).
@example(
    cases=[
        (CellFacts(log_complete=True, failure_passed=True), ModuleRule("m", 80.0, 3, True, False))
    ]
)
def test_the_sql_agrees_with_the_rules(engine, cases):
    found = in_sql(engine, cases)
    for (f, r), (state, score) in zip(cases, found, strict=True):
        want = rules.cell_state(f, r)
        assert state == want.code, (f, r)
        expected = rules.cell_score(want, f, r)
        assert (score is None) == (expected is None), (f, r, score, expected)
        if expected is not None:
            assert math.isclose(score, expected, abs_tol=1e-9), (f, r, score, expected)
