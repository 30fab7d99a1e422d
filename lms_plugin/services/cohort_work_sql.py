"""The work rows behind the cohort's cells: one UNION ALL over the course's work tables (lessons
viewed, quiz attempts, the latest assignment round with its review, drafts, the practice log's
entries and exemptions), merged per learner and shown module into the facts that
domain.cohort.CellFacts holds (services.cohort_sql turns them into states and scores). One scan
of each table, grouped on integers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    Select,
    SQLColumnExpression,
    Subquery,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)

from lms_plugin.db.base import UTCDateTime
from lms_plugin.db.grading import Review
from lms_plugin.db.learning import AssignmentDraft, AssignmentSubmission, LessonView, QuizAttempt
from lms_plugin.db.models import PracticeLogEntry, PracticeLogExemption
from lms_plugin.domain import practice_log
from lms_plugin.services.cohort_rules_sql import LOG_COMPLETE, LOG_DRAFT, LOG_EXEMPT
from lms_plugin.services.cohort_scope import COURSE, USERS, Scope


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
        logged=literal(LOG_EXEMPT, Integer),
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
