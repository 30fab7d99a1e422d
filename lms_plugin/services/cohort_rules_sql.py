"""domain/cohort.py's cell rules as SQL: CASE expressions over one cell's facts.

``cell_state``, ``cell_score`` and the state's rank, evaluated in the database so the cohort's
cells are computed set-based (services.cohort_sql). tests/integration/test_cohort_rules_sql.py
holds each expression to the Python rule's answer over the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Float, and_, case, func, or_, type_coerce

from lms_plugin.domain import cohort as rules
from lms_plugin.domain.cohort import ModuleRule

# Facts.logged. An exemption (a module complete before the practice log existed) asks nothing
# more of the log, as a complete entry, but is not the learner's work: it alone is no start.
# It ranks above a complete entry, as it wins over one in services.practice_log_facts.
LOG_DRAFT, LOG_COMPLETE, LOG_EXEMPT = 1, 2, 3


@dataclass(frozen=True)
class Facts:
    """Column expressions of one cell's facts and its module's rule (see CellFacts)."""

    lessons: ColumnElement[int]
    open: ColumnElement[int]
    grading: ColumnElement[int]
    graded: ColumnElement[int]
    failed: ColumnElement[int]
    best: ColumnElement[float]
    status: ColumnElement[str]
    rubric: ColumnElement[float]
    drafted: ColumnElement[int]
    logged: ColumnElement[int]  # the practice log entry: 0 none, 1 draft, 2 complete, 3 exempt
    failure_ok: ColumnElement[int]  # 1: the learning-from-failure entry passed, or exempt
    pass_percent: ColumnElement[float]
    quiz_req: ColumnElement[int]
    assign_req: ColumnElement[int]
    failure_req: ColumnElement[int]


def _quiz_ok(f: Facts) -> ColumnElement[bool]:
    return and_(f.best.is_not(None), f.best >= f.pass_percent)


def _quiz_failed(f: Facts) -> ColumnElement[bool]:
    """A required quiz graded and not passed (no best score counts as not passed)."""
    not_ok = or_(f.best.is_(None), f.best < f.pass_percent)
    return and_(f.quiz_req == 1, f.graded > 0, not_ok)


def state_sql(f: Facts) -> ColumnElement[str]:
    """domain.cohort.cell_state, as a CASE over the facts (counts coalesced to 0)."""
    passed = and_(
        or_(f.quiz_req == 0, _quiz_ok(f)),
        or_(f.assign_req == 0, func.coalesce(f.status, "") == "passed"),
        f.logged >= LOG_COMPLETE,
        or_(f.failure_req == 0, f.failure_ok > 0),
    )
    failed = or_(
        _quiz_failed(f),
        and_(f.assign_req == 1, func.coalesce(f.status, "") == "failed"),
    )
    worked = or_(
        f.lessons + f.open + f.graded > 0,
        f.status.is_not(None),
        f.drafted > 0,
        f.logged.between(LOG_DRAFT, LOG_COMPLETE),  # an entry written; an exemption is not
    )
    return case(
        (passed, rules.PASSED.code),
        (func.coalesce(f.status, "") == "submitted", rules.NEEDS_REVIEW.code),
        (f.grading > 0, rules.SUBMITTED.code),
        (failed, rules.FAILED.code),
        (worked, rules.IN_PROGRESS.code),
        else_=rules.NOT_STARTED.code,
    )


def score_sql(f: Facts, state: ColumnElement[str]) -> ColumnElement[float]:
    """domain.cohort.cell_score, as a CASE over the facts and the state."""
    both = (f.best + f.rubric) / 2.0
    passed_score = case(
        (
            and_(f.quiz_req == 1, f.assign_req == 1),
            (func.coalesce(f.best, 0.0) + func.coalesce(f.rubric, 0.0)) / 2.0,
        ),
        (f.quiz_req == 1, f.best),
        (f.assign_req == 1, f.rubric),
        (and_(f.best.is_not(None), f.rubric.is_not(None)), both),
        else_=func.coalesce(f.best, f.rubric),
    )
    quiz_failed = _quiz_failed(f)
    return type_coerce(
        case(
            (state == rules.PASSED.code, passed_score),
            (state == rules.FAILED.code, case((quiz_failed, f.best), else_=f.rubric)),
            else_=f.best,
        ),
        Float,
    )


def rank_sql(state: ColumnElement[str]) -> ColumnElement[int]:
    """The state's rank (domain.cohort.CellState.rank), for sorting by a module."""
    return case(*((state == s.code, s.rank) for s in rules.STATES), else_=0)


def empty_state(rule: ModuleRule) -> rules.CellState:
    """The state of a module a learner has no row in (not started, unless it asks nothing)."""
    return rules.cell_state(rules.CellFacts(), rule)
