"""The cohort dashboard's statements, built once per shape and reused.

A statement's shape is what changes its SQL: the modules shown and their rules, the status
filtered on, the sort, which other filters are on. Everything else (the course, the page, the
instants the activity filters compare with, the name searched) is a bound parameter, so one
statement object serves every course and page, and SQLAlchemy compiles it once per process:
building and compiling the grid's statement costs more than PostgreSQL takes to run it for a
course of 500 (benchmarks/dashboard.py).

The shape, the parameters' values and the learners the statements are over (each one's
summary, filtered and numbered in order) are in services/cohort_shape.py.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Select,
    Subquery,
    and_,
    case,
    func,
    select,
    union_all,
)

from lms_plugin.domain.cohort import BINS
from lms_plugin.services.cohort_scope import Scope
from lms_plugin.services.cohort_shape import (
    FIRST,
    LAST,
    Shape,
    Shown,
    at_risk,
    learners_of,
    name_key,
)
from lms_plugin.services.cohort_sql import cells_cte
from lms_plugin.services.cohort_union import packed_cells, person, row_of

LIST_LIMIT = 20  # learners in the at-risk and never-launched lists (the rest: by a filter)


def _bin_sql(score: ColumnElement[float]) -> ColumnElement[int]:
    """domain.cohort.score_bin (no floor(): SQLite may lack it, PostgreSQL rounds on cast)."""
    return case(*((score < 10.0 * (b + 1), b) for b in range(BINS - 1)), else_=BINS - 1)


def _on_page(learners: CTE) -> ColumnElement[bool]:
    """The condition that keeps the learners of the page asked for."""
    return and_(learners.c.rn > FIRST, learners.c.rn <= LAST)


def _counts(summary: CTE, learners: CTE, risk: ColumnElement[bool]) -> Select[Any]:
    """The T row: learners kept by the filters, in the course, at risk, never launched."""
    s = summary.c
    return select(
        *row_of(
            "T",
            i1=select(func.count()).select_from(learners).scalar_subquery(),
            i2=func.count(),
            i3=func.coalesce(func.sum(case((risk, 1), else_=0)), 0),
            i4=func.coalesce(func.sum(case((s.last.is_(None), 1), else_=0)), 0),
        )
    ).select_from(summary)


def _risky(summary: CTE, risk: ColumnElement[bool]) -> Subquery:
    """The at-risk learners, numbered (``rn``) from the longest idle, then by name."""
    s = summary.c
    rn = func.row_number().over(order_by=(s.last, name_key(s), s.user_id)).label("rn")
    return select(summary, rn).where(risk).subquery("risky")


def _never(summary: CTE) -> Subquery:
    """The never-launched learners, numbered (``rn``) by name."""
    s = summary.c
    rn = func.row_number().over(order_by=(name_key(s), s.user_id)).label("rn")
    return select(summary, rn).where(s.last.is_(None)).subquery("never")


def _listed_cells(cells: CTE, learners: CTE, risky: Subquery) -> CTE:
    """The packed cells with work of the learners listed: the page's and the first at-risk."""
    listed = union_all(
        select(learners.c.user_id).where(_on_page(learners)),
        select(risky.c.user_id).where(risky.c.rn <= LIST_LIMIT),
    ).subquery("listed")
    packed: CTE = packed_cells(cells, select(listed.c.user_id))
    return packed


def _page_rows(learners: CTE, packed: CTE, modules: int) -> Select[Any]:
    """The P rows: the page's learners, whether at risk, their position and packed cells."""
    lc = learners.c
    return (
        select(
            *row_of(
                "P",
                **person(lc),
                i3=case((at_risk(lc, modules), 1), else_=0),
                i4=lc.rn,
                cells=packed.c.cells,
            )
        )
        .outerjoin(packed, packed.c.user_id == lc.user_id)
        .where(_on_page(learners))
    )


def _risky_rows(risky: Subquery, packed: CTE) -> Select[Any]:
    """The R rows: the first at-risk learners, their position and packed cells."""
    return (
        select(*row_of("R", **person(risky.c), i4=risky.c.rn, cells=packed.c.cells))
        .outerjoin(packed, packed.c.user_id == risky.c.user_id)
        .where(risky.c.rn <= LIST_LIMIT)
    )


def _never_rows(never: Subquery) -> Select[Any]:
    """The N rows: the first never-launched learners and their position."""
    return select(*row_of("N", **person(never.c), i4=never.c.rn)).where(never.c.rn <= LIST_LIMIT)


def _stats(shape: Shape, cells: CTE, learners: CTE) -> Select[Any]:
    """The S rows: per module, state and score bin, the filtered learners' cells and score sum."""
    c = cells.c
    score_bin = _bin_sql(c.score)
    stats = (
        select(
            *row_of(
                "S", slug=c.slug, state=c.state, i1=score_bin, i2=func.count(), x=func.sum(c.score)
            )
        )
        .select_from(cells)
        .group_by(c.slug, c.state, score_bin)
    )
    if shape.filtered:  # else every learner is kept, and the cells are all learners' already
        stats = stats.join(learners, learners.c.user_id == c.user_id)
    return stats


@lru_cache(maxsize=64)
def grid_statement(shape: Shape) -> CompoundSelect[Any]:
    """The page's one statement over every learner: counts (T), the page's learners (P) and
    the at-risk (R) with their cells with work, the never-launched (N), and the statistics of
    the filtered learners' cells with work (S)."""
    modules = len(shape.shown)
    cells, summary, learners = learners_of(shape)
    risk = at_risk(summary.c, modules)  # one expression: the T row and the risky share its binds
    risky = _risky(summary, risk)
    packed = _listed_cells(cells, learners, risky)
    return union_all(
        _counts(summary, learners, risk),
        _page_rows(learners, packed, modules),
        _risky_rows(risky, packed),
        _never_rows(_never(summary)),
        _stats(shape, cells, learners),
    )


@lru_cache(maxsize=64)
def rows_statement(shape: Shape) -> Select[Any]:
    """Every filtered learner in order, each with their cells with work (the CSV)."""
    cells, _, learners = learners_of(shape)
    lc, c = learners.c, cells.c
    risk = case((at_risk(lc, len(shape.shown)), 1), else_=0)
    return (
        select(
            *row_of("P", **person(lc), i3=risk),
            c.slug.label("cell_slug"),
            c.state.label("cell_state"),
            c.score.label("cell_score"),
            c.failed.label("cell_failed"),
            c.graded.label("cell_graded"),
        )
        .outerjoin(cells, c.user_id == lc.user_id)
        .order_by(lc.rn)
    )


@lru_cache(maxsize=64)
def cells_statement(shown: tuple[Shown, ...]) -> Select[Any]:
    """The cells with work of some learners (the :data:`~cohort_scope.USERS`)."""
    _, cells = cells_cte(Scope(tuple(s.rule for s in shown), some=True))
    c = cells.c
    return select(c.user_id, c.slug, c.state, c.score, c.failed, c.graded)
