"""The cohort dashboard's data: counts, the page's learners (filtered, sorted), the at-risk and
never-launched lists and the per-module statistics of the filtered learners, in one statement
over the course's rows; then one more for the cells of the learners shown.

Every query is scoped by the course (context) row: an instructor sees their course only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
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
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from lms_plugin.db.base import UTCDateTime, utcnow
from lms_plugin.domain import cohort as rules
from lms_plugin.domain.cohort import BINS, BY_CODE, CellState, ModuleRule
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.domain.content.model import Module, Program
from lms_plugin.services.cohort_sql import Scope, cells_cte, rank_sql
from lms_plugin.services.content import CurrentContent

LIST_LIMIT = 20  # learners in the at-risk and never-launched lists (the rest: by a filter)


@dataclass(frozen=True)
class Column:
    """A module shown as a grid column; ``code`` is its short name ("1.3": level 1, module 3)."""

    module: Module
    program: Program
    code: str
    rule: ModuleRule


def columns(content: CurrentContent, query: GridQuery) -> list[Column]:
    """The modules the query shows, in certificate order."""
    shown = []
    for program in content.programs:
        if query.level is not None and program.level != query.level:
            continue
        for n, module in enumerate(program.modules, start=1):
            if query.module is None or module.slug == query.module:
                code = f"{program.level}.{n}"
                shown.append(Column(module, program, code, ModuleRule.of(module)))
    return shown


@dataclass(frozen=True)
class Cell:
    """A learner in a module: state, score and what the at-risk rule and the title need."""

    slug: str
    state: CellState
    score: float | None
    failed: int  # graded attempts below the pass mark
    graded: int
    at: datetime | None

    @property
    def text(self) -> str:
        return rules.cell_text(self.state, self.score)


@dataclass
class LearnerRow:
    user_id: int
    name: str
    sub: str
    email: str | None
    passed: int
    last_activity: datetime | None
    at_risk: bool
    position: int = 0  # in the order asked for
    cells: dict[str, Cell] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ModuleStats:
    """One module over the filtered learners: how many are in each state, the score bins."""

    slug: str
    learners: int
    counts: dict[str, int]
    bins: tuple[int, ...]
    mean: float | None

    @property
    def completion(self) -> float:
        """Percent of the learners who passed it."""
        done = self.counts.get(rules.PASSED.code, 0)
        return 100.0 * done / self.learners if self.learners else 0.0


@dataclass
class Grid:
    columns: list[Column]
    query: GridQuery
    rows: list[LearnerRow] = field(default_factory=list)
    matching: int = 0  # learners the filters keep
    learners: int = 0  # all learners of the course
    at_risk_count: int = 0
    never_count: int = 0
    at_risk: list[LearnerRow] = field(default_factory=list)
    never_launched: list[LearnerRow] = field(default_factory=list)
    stats: list[ModuleStats] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // self.query.per))


# --- the statement --------------------------------------------------------------------------


def _summary(scope: Scope, query: GridQuery) -> tuple[CTE, CTE]:
    """(cells, summary): per learner, modules passed, modules failing (domain.cohort.failing),
    last activity (their latest work or launch), the cells in the status filtered on, and the
    sort key of the module sorted on; conditional aggregates, so no per-learner subquery."""
    members, cells = cells_cte(scope)
    c, m = cells.c, members.c
    last_work = func.max(c.at)
    last = case(
        (last_work.is_(None), m.launched_at),
        (and_(m.launched_at.is_not(None), m.launched_at > last_work), m.launched_at),
        else_=last_work,
    )
    failing = and_(c.state != rules.PASSED.code, c.failed >= rules.FAILED_ATTEMPTS)
    hits = case((c.state == query.status, 1), else_=0) if query.status else literal(0, Integer)
    key = rank_sql(c.state) * 1000 + func.coalesce(c.score, -1.0)
    summary = (
        select(
            m.user_id,
            m.name,
            m.sub,
            m.email,
            func.sum(case((c.state == rules.PASSED.code, 1), else_=0)).label("passed"),
            func.sum(case((failing, 1), else_=0)).label("failing"),
            type_coerce(last, UTCDateTime).label("last"),
            func.sum(hits).label("hits"),
            func.max(case((c.slug == query.sort, key))).label("module_key"),
        )
        .select_from(members)
        .join(cells, c.user_id == m.user_id)
        .group_by(m.user_id, m.name, m.sub, m.email, m.launched_at)
        .cte("summary")
    )
    return cells, summary


def _at_risk(t: Any, modules: int, now: datetime) -> ColumnElement[bool]:
    """domain.cohort.risk_reasons is not empty (``t``: columns of a summary)."""
    return and_(
        t.passed < modules,
        t.last.is_not(None),
        or_(t.failing > 0, t.last < literal(rules.idle_cutoff(now), UTCDateTime)),
    )


def _since(now: datetime, days: int) -> ColumnElement[datetime]:
    return literal(now - timedelta(days=days), UTCDateTime)


def _filters(s: Any, query: GridQuery, modules: int, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.activity == "never":
        where.append(s.last.is_(None))
    elif query.activity == "week":
        where.append(s.last >= _since(now, 7))
    elif query.activity in ("idle14", "idle30"):
        where.append(s.last < _since(now, 14 if query.activity == "idle14" else 30))
    if query.risk:
        where.append(_at_risk(s, modules, now))
    if query.q:
        escaped = query.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(_name(s).like(f"%{escaped}%", escape="\\"))
    if query.status:
        where.append(s.hits > 0)
    return where


def _name(s: Any) -> ColumnElement[str]:
    return func.lower(func.coalesce(s.name, s.sub))


def _order(s: Any, query: GridQuery) -> list[ColumnElement[Any]]:
    keys = {"activity": s.last, "passed": s.passed, "name": _name(s)}
    key = keys.get(query.sort, s.module_key)
    first = key.desc().nulls_last() if query.desc else key.asc().nulls_first()
    return [first, _name(s), s.user_id]


_COLUMNS = {
    "kind": String,
    "user_id": Integer,
    "name": String,
    "sub": String,
    "email": String,
    "slug": String,
    "state": String,
    "i1": Integer,
    "i2": Integer,
    "i3": Integer,
    "i4": Integer,
    "x": Float,
    "at": UTCDateTime,
}


def row_of(kind: str, **given: Any) -> list[ColumnElement[Any]]:
    """One branch's columns: every branch of the union has the same typed columns."""
    given["kind"] = literal(kind, String)
    return [
        (given[name] if name in given else cast(null(), type_)).label(name)
        for name, type_ in _COLUMNS.items()
    ]


def person(t: Any) -> dict[str, Any]:
    return {
        "user_id": t.user_id,
        "name": t.name,
        "sub": t.sub,
        "email": t.email,
        "i1": t.passed,
        "i2": t.failing,
        "at": t.last,
    }


def _bin_sql(score: ColumnElement[float]) -> ColumnElement[int]:
    """domain.cohort.score_bin (no floor(): SQLite may lack it, PostgreSQL rounds on cast)."""
    return case(*((score < 10.0 * (b + 1), b) for b in range(BINS - 1)), else_=BINS - 1)


def filtered_learners(scope: Scope, query: GridQuery, now: datetime) -> tuple[CTE, CTE]:
    """(summary, learners): every learner's summary, and those the filters keep, numbered
    (``rn``) in the order asked for."""
    _, summary = _summary(scope, query)
    learners = _learners(summary, query, len(scope.shown), now)
    return summary, learners


def _learners(summary: CTE, query: GridQuery, modules: int, now: datetime) -> CTE:
    s = summary.c
    return (
        select(summary, func.row_number().over(order_by=_order(s, query)).label("rn"))
        .where(*_filters(s, query, modules, now))
        .cte("learners")
    )


def grid_statement(scope: Scope, query: GridQuery, now: datetime) -> CompoundSelect[Any]:
    """The page's one statement over every learner: counts (T), the page's learners (P), the
    at-risk (R) and never-launched (N) lists, and the statistics of the filtered learners (S)."""
    modules = len(scope.shown)
    cells, summary = _summary(scope, query)
    s = summary.c
    learners = _learners(summary, query, modules, now)
    lc = learners.c
    counts = select(
        *row_of(
            "T",
            i1=select(func.count()).select_from(learners).scalar_subquery(),
            i2=func.count(),
            i3=func.coalesce(func.sum(case((_at_risk(s, modules, now), 1), else_=0)), 0),
            i4=func.coalesce(func.sum(case((s.last.is_(None), 1), else_=0)), 0),
        )
    ).select_from(summary)
    first = (query.page - 1) * query.per
    page = select(
        *row_of("P", **person(lc), i3=case((_at_risk(lc, modules, now), 1), else_=0), i4=lc.rn)
    ).where(lc.rn > first, lc.rn <= first + query.per)
    name = _name(s)
    risky = (
        select(summary, func.row_number().over(order_by=(s.last, name, s.user_id)).label("rn"))
        .where(_at_risk(s, modules, now))
        .subquery("risky")
    )
    never = (
        select(summary, func.row_number().over(order_by=(name, s.user_id)).label("rn"))
        .where(s.last.is_(None))
        .subquery("never")
    )
    c = cells.c
    score_bin = _bin_sql(c.score)
    stats = (
        select(
            *row_of(
                "S", slug=c.slug, state=c.state, i1=score_bin, i2=func.count(), x=func.sum(c.score)
            )
        )
        .select_from(cells)
        .join(learners, lc.user_id == c.user_id)
        .group_by(c.slug, c.state, score_bin)
    )
    return union_all(
        counts,
        page,
        select(*row_of("R", **person(risky.c), i4=risky.c.rn)).where(risky.c.rn <= LIST_LIMIT),
        select(*row_of("N", **person(never.c), i4=never.c.rn)).where(never.c.rn <= LIST_LIMIT),
        stats,
    )


# --- reading it -------------------------------------------------------------------------------


def scope_of(
    context_id: int, shown: Sequence[Column], user_ids: Sequence[int] | None = None
) -> Scope:
    return Scope(context_id, [col.rule for col in shown], user_ids)


def grid(
    session: Session,
    content: CurrentContent,
    context_id: int,
    query: GridQuery,
    now: datetime | None = None,
) -> Grid:
    """The dashboard for one course: two statements, whatever the cohort's size."""
    now = now or utcnow()
    shown = columns(content, query)
    out = Grid(shown, query)
    if not shown:
        return out
    stats: dict[str, dict[str, Any]] = {}
    for row in session.execute(grid_statement(scope_of(context_id, shown), query, now)):
        kind = row.kind
        if kind == "T":
            out.matching, out.learners, out.at_risk_count, out.never_count = (
                row.i1,
                row.i2,
                row.i3,
                row.i4,
            )
        elif kind == "S":
            _add_stat(stats, row)
        else:
            target = {"P": out.rows, "R": out.at_risk, "N": out.never_launched}[kind]
            target.append(learner_row(row))
    for target in (out.rows, out.at_risk, out.never_launched):
        target.sort(key=lambda r: r.position)
    out.stats = [_stats(col.module.slug, stats.get(col.module.slug), out.matching) for col in shown]
    fill_cells(session, context_id, shown, out.rows + out.at_risk)
    titles = {col.module.slug: f"{col.code} {col.module.title}" for col in shown}
    for learner in out.at_risk:
        failing = [
            titles[s] for s, cell in learner.cells.items() if rules.failing(cell.state, cell.failed)
        ]
        learner.reasons = rules.risk_reasons(learner.last_activity, failing, False, now)
    return out


def learner_row(row: Any) -> LearnerRow:
    return LearnerRow(
        user_id=row.user_id,
        name=row.name or row.sub,
        sub=row.sub,
        email=row.email,
        passed=row.i1 or 0,
        last_activity=row.at,
        at_risk=bool(row.i3),
        position=row.i4,
    )


def _add_stat(stats: dict[str, dict[str, Any]], row: Any) -> None:
    module = stats.setdefault(
        row.slug, {"counts": defaultdict(int), "bins": [0] * BINS, "sum": 0.0, "n": 0}
    )
    module["counts"][row.state] += row.i2
    if row.x is not None:
        module["bins"][row.i1] += row.i2
        module["sum"] += row.x
        module["n"] += row.i2


def _stats(slug: str, found: dict[str, Any] | None, learners: int) -> ModuleStats:
    if found is None:
        return ModuleStats(slug, learners, {}, (0,) * BINS, None)
    mean = found["sum"] / found["n"] if found["n"] else None
    return ModuleStats(slug, learners, dict(found["counts"]), tuple(found["bins"]), mean)


def cells_statement(scope: Scope) -> Any:
    _, cells = cells_cte(scope)
    c = cells.c
    return select(c.user_id, c.slug, c.state, c.score, c.failed, c.graded, c.at)


def fill_cells(
    session: Session, context_id: int, shown: Sequence[Column], learners: Sequence[LearnerRow]
) -> None:
    """Every shown cell of these learners, in one statement (index lookups by learner)."""
    by_id: dict[int, list[LearnerRow]] = defaultdict(list)
    for learner in learners:
        by_id[learner.user_id].append(learner)
    if not by_id:
        return
    for row in session.execute(cells_statement(scope_of(context_id, shown, sorted(by_id)))):
        cell = Cell(row.slug, BY_CODE[row.state], row.score, row.failed, row.graded, row.at)
        for learner in by_id[row.user_id]:
            learner.cells[row.slug] = cell


def grid_rows(
    session: Session,
    content: CurrentContent,
    context_id: int,
    query: GridQuery,
    now: datetime | None = None,
) -> Iterator[LearnerRow]:
    """Every learner the filters keep, in order, with their cells: one statement, read in
    batches from a server-side cursor, so memory stays flat whatever the cohort's size."""
    now = now or utcnow()
    shown = columns(content, query)
    if not shown:
        return
    scope = scope_of(context_id, shown)
    cells, summary = _summary(scope, query)
    learners = _learners(summary, query, len(shown), now)
    lc, c = learners.c, cells.c
    statement = (
        select(
            *row_of(
                "P", **person(lc), i3=case((_at_risk(lc, len(shown), now), 1), else_=0), i4=lc.rn
            ),
            c.slug.label("cell_slug"),
            c.state.label("cell_state"),
            c.score.label("cell_score"),
            c.failed.label("cell_failed"),
            c.graded.label("cell_graded"),
            c.at.label("cell_at"),
        )
        .join(cells, c.user_id == lc.user_id)
        .order_by(lc.rn, c.position)
        .execution_options(yield_per=500)
    )
    current: LearnerRow | None = None
    for row in session.execute(statement):
        if current is None or current.user_id != row.user_id:
            if current is not None:
                yield current
            current = learner_row(row)
        current.cells[row.cell_slug] = Cell(
            row.cell_slug,
            BY_CODE[row.cell_state],
            row.cell_score,
            row.cell_failed,
            row.cell_graded,
            row.cell_at,
        )
    if current is not None:
        yield current
