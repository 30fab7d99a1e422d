"""The cohort's cells in SQL: one row per learner and shown module, with its state and score,
computed set-based from the course's work rows (no query per learner or per module).

The rules are domain/cohort.py's (``cell_state``, ``cell_score``, ``failing``), evaluated in
the database by services.cohort_rules_sql's CASE expressions over the facts that
services.cohort_work_sql gathers from the work rows.
Portable SQL: PostgreSQL in production, SQLite on the embedded default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import CTE, Float, Integer, String, literal, select, text, union_all
from sqlalchemy.orm import Session

from lms_plugin.db.models import LtiUser, Membership
from lms_plugin.domain.cohort import ModuleRule
from lms_plugin.services.cohort_rules_sql import Facts, score_sql, state_sql
from lms_plugin.services.cohort_scope import COURSE, USERS, Scope
from lms_plugin.services.cohort_work_sql import facts_cte


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
