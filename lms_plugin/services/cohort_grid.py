"""The cohort dashboard's data: counts, the page's learners (filtered, sorted) with their
cells, the at-risk and never-launched lists and the per-module statistics of the filtered
learners, from one statement over the course's rows (services/cohort_statements.py); the CSV
export as a stream; the cells of a few learners.

Cells exist only where a learner has work (services/cohort_sql.py); a learner with none in a
module is in that module's empty state, which the statements and the statistics add by
arithmetic, so the work grows with the course's rows, not with learners x modules. Every query
is scoped by the course (context) row: an instructor sees their course only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.domain import cohort as rules
from lms_plugin.domain.cohort import BINS, BY_CODE, CellState, ModuleRule
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.domain.content.model import Module, Program
from lms_plugin.services import cohort_statements as sql
from lms_plugin.services.cohort_rules_sql import empty_state
from lms_plugin.services.cohort_shape import Shape, Shown, params
from lms_plugin.services.cohort_sql import no_jit
from lms_plugin.services.cohort_union import SEP_CELL, SEP_FIELD
from lms_plugin.services.content import CurrentContent
from lms_plugin.services.practice_log_facts import log_spec


@dataclass(frozen=True)
class Cell:
    """A learner in a module: state, score and what the at-risk rule and the title need."""

    slug: str
    state: CellState
    score: float | None = None
    failed: int = 0  # graded attempts below the pass mark
    graded: int = 0
    text: str = ""  # what the cell shows after its glyph (domain.cohort.cell_text)


@lru_cache(maxsize=8192)
def make_cell(slug: str, state: str, score: float | None, failed: int, graded: int) -> Cell:
    """A cell from a statement's row (a course has few distinct ones: each is made once)."""
    found = BY_CODE[state]
    return Cell(slug, found, score, failed, graded, rules.cell_text(found, score))


@dataclass(frozen=True)
class Column:
    """A module shown as a grid column; ``code`` is its short name ("1.3": level 1, module 3);
    ``empty``: the cell of a learner with no work in it."""

    module: Module
    program: Program
    code: str
    rule: ModuleRule
    empty: Cell
    shown: Shown


def columns(content: CurrentContent, query: GridQuery) -> list[Column]:
    """The modules the query shows, in certificate order."""
    found = []
    for program in content.programs:
        if query.level is not None and program.level != query.level:
            continue
        for n, module in enumerate(program.modules, start=1):
            if query.module is None or module.slug == query.module:
                rule = ModuleRule.of(module, log_spec().failure.module)
                state = empty_state(rule)
                empty = make_cell(module.slug, state.code, None, 0, 0)
                version = content.module_ids.get(module.slug, 0)
                shown = Shown(rule, state.code, state.rank, version)
                found.append(Column(module, program, f"{program.level}.{n}", rule, empty, shown))
    return found


def shape(shown: Sequence[Column], query: GridQuery) -> Shape:
    return Shape.of(tuple(col.shown for col in shown), query)


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

    def fill(self, shown: Sequence[Column]) -> None:
        """The empty cell of every shown module the learner has no work in."""
        for col in shown:
            self.cells.setdefault(col.module.slug, col.empty)


def unpack(packed: str | None, empty: dict[str, Cell] | None = None) -> dict[str, Cell]:
    """A learner's cells from cohort_union.packed_cells, over ``empty`` (the shown
    modules' empty cells, in their order) when given."""
    found = dict(empty) if empty else {}
    for part in packed.split(SEP_CELL) if packed else ():
        slug, cell = _unpacked(part)
        found[slug] = cell
    return found


@lru_cache(maxsize=8192)
def _unpacked(part: str) -> tuple[str, Cell]:
    """One packed cell (a course's cells repeat: "slug|passed|90|0|1" is read once)."""
    slug, state, score, failed, graded = part.split(SEP_FIELD)
    return slug, make_cell(slug, state, float(score) if score else None, int(failed), int(graded))


def learner_row(row: Any) -> LearnerRow:
    return LearnerRow(
        user_id=row.user_id,
        name=row.name or row.sub,
        sub=row.sub,
        email=row.email,
        passed=row.i1 or 0,
        last_activity=row.at,
        at_risk=bool(row.i3),
        position=row.i4 or 0,
    )


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


def grid(
    session: Session,
    content: CurrentContent,
    context_id: int,
    query: GridQuery,
    now: datetime | None = None,
) -> Grid:
    """The dashboard for one course, in one statement whatever the cohort's size."""
    now = now or utcnow()
    shown = columns(content, query)
    out = Grid(shown, query)
    if not shown:
        return out
    no_jit(session)
    statement = sql.grid_statement(shape(shown, query))
    stats: dict[str, dict[str, Any]] = {}
    lists = {"P": out.rows, "R": out.at_risk, "N": out.never_launched}
    empty = {col.module.slug: col.empty for col in shown}
    for row in session.execute(statement, params(context_id, query, now)):
        kind = row.kind
        if kind == "S":
            _add_stat(stats, row)
        elif kind == "T":
            out.matching, out.learners = row.i1, row.i2
            out.at_risk_count, out.never_count = row.i3, row.i4
        else:
            learner = learner_row(row)
            learner.cells = unpack(row.cells, empty)
            lists[kind].append(learner)
    for listed in lists.values():
        listed.sort(key=lambda r: r.position)
    out.stats = [_stats(col, stats.get(col.module.slug), out.matching) for col in shown]
    titles = {col.module.slug: f"{col.code} {col.module.title}" for col in shown}
    for learner in out.at_risk:
        failing = [
            titles[s] for s, cell in learner.cells.items() if rules.failing(cell.state, cell.failed)
        ]
        learner.reasons = rules.risk_reasons(learner.last_activity, failing, False, now)
    return out


def _add_stat(stats: dict[str, dict[str, Any]], row: Any) -> None:
    module = stats.setdefault(
        row.slug, {"counts": defaultdict(int), "bins": [0] * BINS, "sum": 0.0, "n": 0}
    )
    module["counts"][row.state] += row.i2
    if row.x is not None:
        module["bins"][row.i1] += row.i2
        module["sum"] += row.x
        module["n"] += row.i2


def _stats(col: Column, found: dict[str, Any] | None, learners: int) -> ModuleStats:
    """A module's statistics: its cells with work, and every other learner in its empty state."""
    found = found or {"counts": {}, "bins": [0] * BINS, "sum": 0.0, "n": 0}
    counts = dict(found["counts"])
    worked = sum(counts.values())
    empty = col.empty.state.code
    counts[empty] = counts.get(empty, 0) + learners - worked
    mean = found["sum"] / found["n"] if found["n"] else None
    return ModuleStats(col.module.slug, learners, counts, tuple(found["bins"]), mean)


def fill_cells(
    session: Session, context_id: int, shown: Sequence[Column], learners: Sequence[LearnerRow]
) -> None:
    """Every shown cell of these learners, in one statement (index lookups by learner)."""
    by_id = {learner.user_id: learner for learner in learners}
    if by_id:
        statement = sql.cells_statement(tuple(col.shown for col in shown))
        values = params(context_id, GridQuery(), utcnow(), sorted(by_id))
        for row in session.execute(statement, values):
            by_id[row.user_id].cells[row.slug] = make_cell(
                row.slug, row.state, row.score, row.failed, row.graded
            )
    for learner in learners:
        learner.fill(shown)


def grid_rows(
    session: Session,
    content: CurrentContent,
    context_id: int,
    query: GridQuery,
    now: datetime | None = None,
) -> Iterator[LearnerRow]:
    """Every learner the filters keep, in order, with their cells: one statement, read in
    batches from a server-side cursor, so memory stays flat whatever the cohort's size."""
    shown = columns(content, query)
    if not shown:
        return
    no_jit(session)
    statement = sql.rows_statement(shape(shown, query)).execution_options(yield_per=500)
    current: LearnerRow | None = None
    for row in session.execute(statement, params(context_id, query, now or utcnow())):
        if current is None or current.user_id != row.user_id:
            if current is not None:
                current.fill(shown)
                yield current
            current = learner_row(row)
        if row.cell_slug is not None:
            current.cells[row.cell_slug] = make_cell(
                row.cell_slug, row.cell_state, row.cell_score, row.cell_failed, row.cell_graded
            )
    if current is not None:
        current.fill(shown)
        yield current
