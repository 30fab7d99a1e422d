"""The cohort's cells in SQL: one row per learner and shown module, with its state and score,
computed set-based from the course's work rows (no query per learner or per module).

The rules are domain/cohort.py's (``cell_state``, ``cell_score``, ``failing``); the CASE
expressions here evaluate the same rules in the database, and tests hold them to the same
answers. Portable SQL: PostgreSQL in production, SQLite on the embedded default.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    true,
    type_coerce,
    union_all,
    values,
)
from sqlalchemy.sql import column

from lms_plugin.db.base import UTCDateTime
from lms_plugin.db.grading import Review
from lms_plugin.db.learning import AssignmentDraft, AssignmentSubmission, LessonView, QuizAttempt
from lms_plugin.db.models import LtiUser, Membership
from lms_plugin.domain import cohort as rules
from lms_plugin.domain.cohort import ModuleRule


@dataclass(frozen=True)
class Scope:
    """Whose cells: a course's learners (some of them, when ``user_ids`` is given) in the
    shown modules (``shown``, in column order)."""

    context_id: int
    shown: Sequence[ModuleRule]
    user_ids: Sequence[int] | None = None


def rules_cte(shown: Sequence[ModuleRule]) -> CTE:
    """The shown modules and what their completion rules ask, as a VALUES table."""
    table = values(
        column("slug", String),
        column("position", Integer),
        column("pass_percent", Float),
        column("quiz_req", Integer),
        column("assign_req", Integer),
        name="rules",
    ).data(
        [
            (r.slug, i, r.pass_percent, int(r.quiz_required), int(r.assignment_required))
            for i, r in enumerate(shown)
        ]
    )
    return table.cte("rules")


def members_cte(scope: Scope) -> CTE:
    """The course's learners (as the LMS last told: a launch or the roster)."""
    query = (
        select(
            Membership.user_id,
            LtiUser.name,
            LtiUser.sub,
            LtiUser.email,
            Membership.launched_at,
        )
        .join(LtiUser, LtiUser.id == Membership.user_id)
        .where(Membership.context_id == scope.context_id, Membership.access == "learner")
    )
    if scope.user_ids is not None:
        query = query.where(Membership.user_id.in_(scope.user_ids))
    return query.cte("members")


def _zero() -> ColumnElement[int]:
    return literal(0, Integer)


def _none(type_: Any) -> ColumnElement[Any]:
    return cast(null(), type_)


def facts_cte(scope: Scope, rule_table: CTE) -> CTE:
    """Per learner and module: the counts domain.cohort.CellFacts holds, and the latest time
    of any of that work (``at``). One scan of each work table, grouped."""
    cid = scope.context_id

    def mine(
        model: type[LessonView | QuizAttempt | AssignmentSubmission | AssignmentDraft],
    ) -> ColumnElement[bool]:
        where = model.context_id == cid
        if scope.user_ids is not None:
            where = and_(where, model.user_id.in_(scope.user_ids))
        return where

    lessons = (
        select(
            LessonView.user_id,
            LessonView.module_slug,
            func.count().label("lessons"),
            _zero().label("open"),
            _zero().label("grading"),
            _zero().label("graded"),
            _zero().label("failed"),
            _none(Float).label("best"),
            _none(String).label("status"),
            _none(Float).label("rubric"),
            _zero().label("drafted"),
            func.max(LessonView.viewed_at).label("at"),
        )
        .where(mine(LessonView))
        .group_by(LessonView.user_id, LessonView.module_slug)
    )

    graded = QuizAttempt.status == "graded"
    percent = func.coalesce(QuizAttempt.percent, 0.0)
    quizzes = (
        select(
            QuizAttempt.user_id,
            QuizAttempt.module_slug,
            _zero(),
            func.sum(case((QuizAttempt.status == "open", 1), else_=0)),
            func.sum(case((QuizAttempt.status == "submitted", 1), else_=0)),
            func.sum(case((graded, 1), else_=0)),
            func.sum(case((and_(graded, percent < rule_table.c.pass_percent), 1), else_=0)),
            func.max(case((graded, percent))),
            _none(String),
            _none(Float),
            _zero(),
            func.max(func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at)),
        )
        .join(rule_table, rule_table.c.slug == QuizAttempt.module_slug)
        .where(mine(QuizAttempt))
        .group_by(QuizAttempt.user_id, QuizAttempt.module_slug)
    )

    rounds = (
        select(
            AssignmentSubmission.id,
            AssignmentSubmission.user_id,
            AssignmentSubmission.module_slug,
            AssignmentSubmission.status,
            AssignmentSubmission.submitted_at,
            func.row_number()
            .over(
                partition_by=(AssignmentSubmission.user_id, AssignmentSubmission.module_slug),
                order_by=AssignmentSubmission.round.desc(),
            )
            .label("newest"),
        )
        .where(mine(AssignmentSubmission))
        .subquery("rounds")
    )
    latest = (
        select(
            rounds.c.user_id,
            rounds.c.module_slug,
            _zero(),
            _zero(),
            _zero(),
            _zero(),
            _zero(),
            _none(Float),
            rounds.c.status,
            Review.percent,
            _zero(),
            rounds.c.submitted_at,
        )
        .outerjoin(Review, Review.submission_id == rounds.c.id)
        .where(rounds.c.newest == 1)
    )

    drafts = select(
        AssignmentDraft.user_id,
        AssignmentDraft.module_slug,
        _zero(),
        _zero(),
        _zero(),
        _zero(),
        _zero(),
        _none(Float),
        _none(String),
        _none(Float),
        literal(1, Integer),
        AssignmentDraft.saved_at,
    ).where(mine(AssignmentDraft), func.length(AssignmentDraft.text) > 0)

    every = union_all(lessons, quizzes, latest, drafts).subquery("work")
    w = every.c
    return (
        select(
            w.user_id,
            w.module_slug,
            func.sum(w.lessons).label("lessons"),
            func.sum(w.open).label("open"),
            func.sum(w.grading).label("grading"),
            func.sum(w.graded).label("graded"),
            func.sum(w.failed).label("failed"),
            func.max(w.best).label("best"),
            func.max(w.status).label("status"),
            func.max(w.rubric).label("rubric"),
            func.max(w.drafted).label("drafted"),
            type_coerce(func.max(w.at), UTCDateTime).label("at"),
        )
        .group_by(w.user_id, w.module_slug)
        .cte("facts")
    )


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
    pass_percent: ColumnElement[float]
    quiz_req: ColumnElement[int]
    assign_req: ColumnElement[int]


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
    )
    failed = or_(
        _quiz_failed(f),
        and_(f.assign_req == 1, func.coalesce(f.status, "") == "failed"),
    )
    worked = or_(f.lessons + f.open + f.graded > 0, f.status.is_not(None), f.drafted > 0)
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


def cells_cte(scope: Scope) -> tuple[CTE, CTE]:
    """(members, cells): every learner and every shown module, with state, score, failed
    attempts, graded attempts and the time of the latest work in it."""
    rule_table = rules_cte(scope.shown)
    members = members_cte(scope)
    facts = facts_cte(scope, rule_table)
    fc, rc = facts.c, rule_table.c
    f = Facts(
        lessons=func.coalesce(fc.lessons, 0),
        open=func.coalesce(fc.open, 0),
        grading=func.coalesce(fc.grading, 0),
        graded=func.coalesce(fc.graded, 0),
        failed=func.coalesce(fc.failed, 0),
        best=fc.best,
        status=fc.status,
        rubric=fc.rubric,
        drafted=func.coalesce(fc.drafted, 0),
        pass_percent=rc.pass_percent,
        quiz_req=rc.quiz_req,
        assign_req=rc.assign_req,
    )
    state = state_sql(f)
    cells = (
        select(
            members.c.user_id,
            rc.slug,
            rc.position,
            state.label("state"),
            score_sql(f, state).label("score"),
            f.failed.label("failed"),
            f.graded.label("graded"),
            fc.at,
        )
        .select_from(members)
        .join(rule_table, true())
        .outerjoin(facts, and_(fc.user_id == members.c.user_id, fc.module_slug == rc.slug))
        .cte("cells")
    )
    return members, cells
