"""The cohort's cells in SQL: one row per learner and shown module, with its state and score,
computed set-based from the course's work rows (no query per learner or per module).

The rules are domain/cohort.py's (``cell_state``, ``cell_score``, ``failing``), evaluated in
the database by services.cohort_rules_sql's CASE expressions over the facts built here.
Portable SQL: PostgreSQL in production, SQLite on the embedded default.
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
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    select,
    text,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from lms_plugin.db.base import UTCDateTime
from lms_plugin.db.grading import Review
from lms_plugin.db.learning import AssignmentDraft, AssignmentSubmission, LessonView, QuizAttempt
from lms_plugin.db.models import LtiUser, Membership, PracticeLogEntry, PracticeLogExemption
from lms_plugin.domain import practice_log
from lms_plugin.domain.cohort import ModuleRule
from lms_plugin.services.cohort_rules_sql import (
    LOG_COMPLETE,
    LOG_DRAFT,
    Facts,
    score_sql,
    state_sql,
)

# The course (its context row id) and, for a limited scope, the learners' ids are parameters:
# one statement object serves every course, so SQLAlchemy compiles it once per process.
COURSE = bindparam("course", type_=Integer)
USERS = bindparam("users", type_=Integer, expanding=True)


@dataclass(frozen=True)
class Scope:
    """Whose cells: the :data:`COURSE`'s learners (only the :data:`USERS`, when ``some``) in
    the shown modules (``shown``, in column order)."""

    shown: tuple[ModuleRule, ...]
    some: bool = False


def literal_table(
    name: str, columns: Sequence[tuple[str, Any]], rows: Sequence[Sequence[Any]]
) -> CTE:
    """A small table of values as a CTE: a UNION ALL of one-row SELECTs of bound values. (A
    VALUES construct would do, but SQLAlchemy does not cache statements holding one, and
    compiling the grid's statement costs more than running it.)"""
    selects = [
        select(
            *(
                literal(value, type_).label(col)
                for value, (col, type_) in zip(row, columns, strict=True)
            )
        )
        for row in rows
    ]
    return (union_all(*selects) if len(selects) > 1 else selects[0]).cte(name)


def rules_cte(shown: tuple[ModuleRule, ...]) -> CTE:
    """The shown modules and what their completion rules ask."""
    return literal_table(
        "rules",
        (
            ("slug", String),
            ("position", Integer),
            ("pass_percent", Float),
            ("quiz_req", Integer),
            ("assign_req", Integer),
            ("failure_req", Integer),
        ),
        [
            (
                r.slug,
                i,
                r.pass_percent,
                int(r.quiz_required),
                int(r.assignment_required),
                int(r.failure_required),
            )
            for i, r in enumerate(shown)
        ],
    )


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
        .where(Membership.context_id == COURSE, Membership.access == "learner")
    )
    if scope.some:
        query = query.where(Membership.user_id.in_(USERS))
    return query.cte("members")


def _zero() -> ColumnElement[int]:
    return literal(0, Integer)


def _none(type_: Any) -> ColumnElement[Any]:
    return cast(null(), type_)


# An assignment round's status as a small number through the grouping (text is wider to hash
# and compare), back to words once grouped.
_ROUND_STATUS = ("submitted", "revise", "passed", "failed")

# The facts, in the work union's column order (after the learner and the module's position,
# before the time of the work). A branch adds some; the others are 0, or NULL for a score.
_FACTS = (
    "lessons",
    "open",
    "grading",
    "graded",
    "failed",
    "best",
    "status",
    "rubric",
    "drafted",
    "logged",
    "failure",
)
_SCORES = frozenset({"best", "rubric"})

_WorkModel = type[
    LessonView
    | QuizAttempt
    | AssignmentSubmission
    | AssignmentDraft
    | PracticeLogEntry
    | PracticeLogExemption
]


def facts_cte(scope: Scope, rule_table: CTE) -> CTE:
    """Per learner and shown module (by its ``position``): the counts domain.cohort.CellFacts
    holds, and the latest time of any of that work (``at``). One scan of each work table,
    grouped on integers."""
    work = union_all(
        _lesson_facts(scope, rule_table),
        _quiz_facts(scope, rule_table),
        _latest_round_facts(scope, rule_table),
        _draft_facts(scope, rule_table),
        _log_facts(scope, rule_table),
        _exempt_facts(scope, rule_table),
    ).subquery("work")
    return _per_cell(work).cte("facts")


def _mine(scope: Scope, model: _WorkModel) -> ColumnElement[bool]:
    """The scope's rows of a work table: the course's (only the USERS', when ``some``)."""
    where = model.context_id == COURSE
    if scope.some:
        where = and_(where, model.user_id.in_(USERS))
    return where


def _work_row(
    user_id: SQLColumnExpression[int],
    pos: SQLColumnExpression[int],
    at: SQLColumnExpression[Any],
    **facts: SQLColumnExpression[Any],
) -> list[SQLColumnExpression[Any]]:
    """A branch's columns in the union's order: the ``facts`` it adds, 0 or NULL the rest."""
    rest = [
        facts[name] if name in facts else _none(Float) if name in _SCORES else _zero()
        for name in _FACTS
    ]
    return [user_id, pos, *rest, at]


def _lesson_facts(scope: Scope, rule_table: CTE) -> Select[Any]:
    """Lessons viewed; the first branch, so its labels name the union's columns."""
    rules_c = rule_table.c
    row = _work_row(
        LessonView.user_id,
        rules_c.position,
        func.max(LessonView.viewed_at),
        lessons=func.count(),
    )
    names = ("pos", *_FACTS, "at")
    return (
        select(row[0], *(col.label(name) for col, name in zip(row[1:], names, strict=True)))
        .join(rule_table, rules_c.slug == LessonView.module_slug)
        .where(_mine(scope, LessonView))
        .group_by(LessonView.user_id, rules_c.position)
    )


def _quiz_facts(scope: Scope, rule_table: CTE) -> Select[Any]:
    """Quiz attempts open, being graded, graded and failed, and the best graded percent."""
    rules_c = rule_table.c
    graded = QuizAttempt.status == "graded"
    percent = func.coalesce(QuizAttempt.percent, 0.0)
    row = _work_row(
        QuizAttempt.user_id,
        rules_c.position,
        func.max(func.coalesce(QuizAttempt.submitted_at, QuizAttempt.started_at)),
        open=func.count().filter(QuizAttempt.status == "open"),
        grading=func.count().filter(QuizAttempt.status == "submitted"),
        graded=func.count().filter(graded),
        failed=func.count().filter(and_(graded, percent < rules_c.pass_percent)),
        best=func.max(case((graded, percent))),
    )
    return (
        select(*row)
        .join(rule_table, rules_c.slug == QuizAttempt.module_slug)
        .where(_mine(scope, QuizAttempt))
        .group_by(QuizAttempt.user_id, rules_c.position)
    )


def _rounds(scope: Scope, rule_table: CTE) -> Subquery:
    """Assignment rounds in shown modules, numbered newest first per learner and module."""
    rules_c = rule_table.c
    newest = func.row_number().over(
        partition_by=(AssignmentSubmission.user_id, AssignmentSubmission.module_slug),
        order_by=AssignmentSubmission.round.desc(),
    )
    return (
        select(
            AssignmentSubmission.id,
            AssignmentSubmission.user_id,
            rules_c.position,
            AssignmentSubmission.status,
            AssignmentSubmission.submitted_at,
            newest.label("newest"),
        )
        .join(rule_table, rules_c.slug == AssignmentSubmission.module_slug)
        .where(_mine(scope, AssignmentSubmission))
        .subquery("rounds")
    )


def _latest_round_facts(scope: Scope, rule_table: CTE) -> Select[Any]:
    """The latest assignment round's status (as a :data:`_ROUND_STATUS` number) and rubric."""
    rounds = _rounds(scope, rule_table).c
    status_code = case(
        *((rounds.status == name, n) for n, name in enumerate(_ROUND_STATUS, 1)), else_=0
    )
    row = _work_row(
        rounds.user_id,
        rounds.position,
        rounds.submitted_at,
        status=status_code,
        rubric=Review.percent,
    )
    return (
        select(*row).outerjoin(Review, Review.submission_id == rounds.id).where(rounds.newest == 1)
    )


def _draft_facts(scope: Scope, rule_table: CTE) -> Select[Any]:
    """A non-empty assignment draft (``drafted``: 1)."""
    rules_c = rule_table.c
    row = _work_row(
        AssignmentDraft.user_id,
        rules_c.position,
        AssignmentDraft.saved_at,
        drafted=literal(1, Integer),
    )
    return (
        select(*row)
        .join(rule_table, rules_c.slug == AssignmentDraft.module_slug)
        .where(_mine(scope, AssignmentDraft), func.length(AssignmentDraft.text) > 0)
    )


def _log_facts(scope: Scope, rule_table: CTE) -> Select[Any]:
    """The practice log: the module's entry (draft or complete) and the learning-from-failure
    entry passed."""
    rules_c = rule_table.c
    entry = PracticeLogEntry
    module_entry = entry.kind == practice_log.MODULE
    row = _work_row(
        entry.user_id,
        rules_c.position,
        func.max(entry.updated_at),
        logged=func.max(
            case(
                (and_(module_entry, entry.status == "complete"), LOG_COMPLETE),
                (module_entry, LOG_DRAFT),
                else_=0,
            )
        ),
        failure=func.max(
            case((and_(entry.kind == practice_log.FAILURE, entry.status == "passed"), 1), else_=0)
        ),
    )
    return (
        select(*row)
        .join(rule_table, rules_c.slug == entry.module_slug)
        .where(_mine(scope, entry))
        .group_by(entry.user_id, rules_c.position)
    )


def _exempt_facts(scope: Scope, rule_table: CTE) -> Select[Any]:
    """Modules complete before the practice log existed: their log asks nothing (no time of
    work: the exemption is not the learner's doing)."""
    rules_c = rule_table.c
    exempt = PracticeLogExemption
    row = _work_row(
        exempt.user_id,
        rules_c.position,
        _none(UTCDateTime),
        logged=literal(LOG_COMPLETE, Integer),
        failure=literal(1, Integer),
    )
    return (
        select(*row)
        .join(rule_table, rules_c.slug == exempt.module_slug)
        .where(_mine(scope, exempt))
    )


def _per_cell(work: Subquery) -> Select[Any]:
    """The work branches' rows merged per learner and module, the round status in words."""
    w = work.c
    code = func.max(w.status)
    return select(
        w.user_id,
        w.pos,
        # Each (learner, module) has at most one row per table's branch, and each count
        # comes from one branch: max() is the sum, on integers (sum() of PostgreSQL's
        # bigint counts accumulates in numeric, slowly).
        func.max(w.lessons).label("lessons"),
        func.max(w.open).label("open"),
        func.max(w.grading).label("grading"),
        func.max(w.graded).label("graded"),
        func.max(w.failed).label("failed"),
        func.max(w.best).label("best"),
        case(*((code == n, name) for n, name in enumerate(_ROUND_STATUS, 1))).label("status"),
        func.max(w.rubric).label("rubric"),
        func.max(w.drafted).label("drafted"),
        func.max(w.logged).label("logged"),
        func.max(w.failure).label("failure"),
        type_coerce(func.max(w.at), UTCDateTime).label("at"),
    ).group_by(w.user_id, w.pos)


def cells_cte(scope: Scope) -> tuple[CTE, CTE]:
    """(members, cells): a row per learner and shown module they have any work in, with its
    state, score, failed and graded attempts and the time of the latest work. A learner with
    no row in a module is in ``cohort_rules_sql.empty_state`` there: the cells stay as many as
    the work (not learners x modules), and callers count the others."""
    rule_table = rules_cte(scope.shown)
    members = members_cte(scope)
    facts = facts_cte(scope, rule_table)
    fc, rc = facts.c, rule_table.c
    f = Facts(
        lessons=fc.lessons,
        open=fc.open,
        grading=fc.grading,
        graded=fc.graded,
        failed=fc.failed,
        best=fc.best,
        status=fc.status,
        rubric=fc.rubric,
        drafted=fc.drafted,
        logged=fc.logged,
        failure_ok=fc.failure,
        pass_percent=rc.pass_percent,
        quiz_req=rc.quiz_req,
        assign_req=rc.assign_req,
        failure_req=rc.failure_req,
    )
    state = state_sql(f)
    cells = (
        select(
            fc.user_id,
            rc.slug,
            rc.position,
            state.label("state"),
            score_sql(f, state).label("score"),
            f.failed.label("failed"),
            f.graded.label("graded"),
            fc.at,
        )
        .select_from(facts)
        .join(rule_table, rc.position == fc.pos)
        .join(members, members.c.user_id == fc.user_id)
        .cte("cells")
    )
    return members, cells


def no_jit(session: Session) -> None:
    """Turn PostgreSQL's JIT off for the rest of this transaction. The cohort statements' CTEs
    carry no statistics, so the planner's guesses pass ``jit_above_cost`` and it compiles the
    plan: measured on 10,000 learners, 3 s of compiling for a 1.5 s statement
    (benchmarks/dashboard.py)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
