"""Competency mastery for the cohort dashboard: per learner and ISP competency, the share of the
evidence they got right, and the cohort's mean; set-based, with the grid's filters.

Evidence (domain/cohort_mastery.py says why): the items of each module's latest graded quiz
attempt tagged with the competency (points awarded / possible), and the rubric criteria of each
module's latest review tagged with it (level / 4, each weighing as one 1-point item).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Float,
    Select,
    SQLColumnExpression,
    String,
    Subquery,
    and_,
    cast,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import Review
from lms_plugin.db.learning import AssignmentSubmission, QuizAttempt
from lms_plugin.domain.cohort_mastery import RUBRIC_TOP, ScoredCompetency
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.services import cohort_shape as sql
from lms_plugin.services.cohort_grid import Column, learner_row, shape
from lms_plugin.services.cohort_scope import COURSE, USERS, Scope
from lms_plugin.services.cohort_sql import literal_table, no_jit
from lms_plugin.services.cohort_union import person, row_of


def _tags(shown: Sequence[Column], wanted: frozenset[str]) -> tuple[CTE, CTE]:
    """(items, criteria): which quiz item and which rubric criterion of each shown module is
    tagged with which wanted competency, as literal tables (cohort_sql.literal_table)."""
    items = [
        (col.module.slug, item.id, competency)
        for col in shown
        for item in col.module.items
        for competency in item.competencies
        if competency in wanted
    ]
    criteria = [
        (col.module.slug, criterion.id, competency)
        for col in shown
        if col.module.assignment is not None
        for criterion in col.module.assignment.criteria
        for competency in criterion.competencies
        if competency in wanted
    ]

    def table(name: str, rows: list[tuple[str, str, str]]) -> CTE:
        cols = (("module_slug", String), ("part", String), ("competency", String))
        # A table needs a row: a tag no row can match stands in for none.
        return literal_table(name, cols, rows or [("", "", "")])

    return table("item_tags", items), table("criterion_tags", criteria)


def _json_rows(
    dialect: str, document: ColumnElement[Any], *, object_: bool
) -> tuple[Any, ColumnElement[Any], ColumnElement[Any]]:
    """A table function over a JSON array (its elements) or object (key, value), per database."""
    if dialect == "postgresql":
        if object_:
            fn = func.json_each_text(document).table_valued("key", "value")
            return fn, fn.c.key, fn.c.value
        fn = func.json_array_elements(document).table_valued("value")
        return fn, fn.c.value, fn.c.value
    fn = func.json_each(document).table_valued("key", "value")
    return fn, fn.c.key, fn.c.value


def _field(dialect: str, element: ColumnElement[Any], name: str) -> ColumnElement[Any]:
    if dialect == "postgresql":
        text: ColumnElement[Any] = type_coerce(element, postgresql.JSON)[name].astext
        return text
    return func.json_extract(element, f"$.{name}")


def _only_some(scope: Scope, user_id: SQLColumnExpression[int]) -> list[ColumnElement[bool]]:
    """The condition keeping only the :data:`USERS`' rows, when the scope is some learners."""
    return [user_id.in_(USERS)] if scope.some else []


def _newest(
    user_id: SQLColumnExpression[int],
    module_slug: SQLColumnExpression[str],
    order: SQLColumnExpression[int],
) -> ColumnElement[int]:
    """The ``newest`` column: a learner's rows in a module numbered from the latest (1)."""
    window = func.row_number().over(partition_by=(user_id, module_slug), order_by=order.desc())
    return window.label("newest")


def _attempts(scope: Scope) -> Subquery:
    """The course's graded quiz attempts with their results, numbered ``newest``."""
    return (
        select(
            QuizAttempt.user_id,
            QuizAttempt.module_slug,
            QuizAttempt.results,
            _newest(QuizAttempt.user_id, QuizAttempt.module_slug, QuizAttempt.number),
        )
        .where(
            QuizAttempt.context_id == COURSE,
            QuizAttempt.status == "graded",
            *_only_some(scope, QuizAttempt.user_id),
        )
        .subquery("attempts")
    )


def _quiz_evidence(scope: Scope, item_tags: CTE, dialect: str) -> Select[Any]:
    """Quiz evidence: per latest attempt's tagged item, its competency, points awarded, possible."""
    attempts = _attempts(scope)
    element, _, value = _json_rows(dialect, attempts.c.results, object_=False)
    return (
        select(
            attempts.c.user_id,
            item_tags.c.competency,
            cast(_field(dialect, value, "points_awarded"), Float).label("awarded"),
            cast(_field(dialect, value, "points_possible"), Float).label("possible"),
        )
        .select_from(attempts)
        .join(element, literal(True))
        .join(
            item_tags,
            and_(
                item_tags.c.module_slug == attempts.c.module_slug,
                item_tags.c.part == _field(dialect, value, "item_id"),
            ),
        )
        .where(attempts.c.newest == 1)
    )


def _reviews(scope: Scope) -> Subquery:
    """The course's reviews with their scores, numbered ``newest`` by submission round."""
    return (
        select(
            AssignmentSubmission.user_id,
            AssignmentSubmission.module_slug,
            Review.scores,
            _newest(
                AssignmentSubmission.user_id,
                AssignmentSubmission.module_slug,
                AssignmentSubmission.round,
            ),
        )
        .join(Review, Review.submission_id == AssignmentSubmission.id)
        .where(
            AssignmentSubmission.context_id == COURSE,
            *_only_some(scope, AssignmentSubmission.user_id),
        )
        .subquery("reviews")
    )


def _rubric_evidence(scope: Scope, criterion_tags: CTE, dialect: str) -> Select[Any]:
    """Rubric evidence: per latest review's tagged criterion, its competency, level / top, 1."""
    reviews = _reviews(scope)
    scores, key, level = _json_rows(dialect, reviews.c.scores, object_=True)
    return (
        select(
            reviews.c.user_id,
            criterion_tags.c.competency,
            cast(level, Float) / RUBRIC_TOP,
            literal(1.0, Float),
        )
        .select_from(reviews)
        .join(scores, literal(True))
        .join(
            criterion_tags,
            and_(
                criterion_tags.c.module_slug == reviews.c.module_slug,
                criterion_tags.c.part == key,
            ),
        )
        .where(reviews.c.newest == 1)
    )


def _mastery(evidence: Subquery) -> CTE:
    """The ``evidence`` CTE: per learner and competency, the % of the possible points awarded."""
    e = evidence.c
    mastery = 100.0 * func.sum(e.awarded) / func.nullif(func.sum(e.possible), 0)
    return (
        select(e.user_id, e.competency, mastery.label("mastery"))
        .group_by(e.user_id, e.competency)
        .cte("evidence")
    )


def evidence_cte(
    scope: Scope, shown: Sequence[Column], wanted: frozenset[str], dialect: str
) -> CTE:
    """Per learner and competency: the mastery percent, points awarded over points possible in
    the quiz items and rubric criteria tagged with it."""
    item_tags, criterion_tags = _tags(shown, wanted)
    rows = union_all(
        _quiz_evidence(scope, item_tags, dialect),
        _rubric_evidence(scope, criterion_tags, dialect),
    )
    return _mastery(rows.subquery("evidence_rows"))


@dataclass
class CompetencyView:
    competencies: list[ScoredCompetency]
    query: GridQuery
    matching: int = 0
    learners: int = 0
    rows: list[Any] = field(default_factory=list)  # LearnerRow, with .mastery filled
    mastery: dict[int, dict[str, float]] = field(default_factory=dict)  # user -> competency -> %

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // self.query.per))


def _statements(
    shown: Sequence[Column], wanted: frozenset[str], query: GridQuery, dialect: str
) -> tuple[CompoundSelect[Any], Select[Any]]:
    """(the page's statement, the CSV's) for this shape, built once per process (see
    services/cohort_statements.py)."""
    key = (shape(shown, query), wanted, dialect)
    found = _BUILT.get(key)
    if found is None:
        found = _BUILT[key] = _build(shown, wanted, key[0], dialect)
        while len(_BUILT) > 32:
            del _BUILT[next(iter(_BUILT))]
    return found


_BUILT: dict[tuple[Any, ...], tuple[CompoundSelect[Any], Select[Any]]] = {}


def _build(
    shown: Sequence[Column], wanted: frozenset[str], form: sql.Shape, dialect: str
) -> tuple[CompoundSelect[Any], Select[Any]]:
    """Counts (T), the page's learners (P), their mastery (M) and the cohort's (K); and every
    filtered learner in order with their mastery."""
    _, summary, learners = sql.learners_of(form)
    lc = learners.c
    evidence = evidence_cte(form.scope, shown, wanted, dialect)
    e = evidence.c
    on_page = and_(lc.rn > sql.FIRST, lc.rn <= sql.LAST)
    counts = select(
        *row_of(
            "T",
            i1=select(func.count()).select_from(learners).scalar_subquery(),
            i2=func.count(),
        )
    ).select_from(summary)
    page = select(*row_of("P", **person(lc), i4=lc.rn)).where(on_page)
    mine = (
        select(*row_of("M", user_id=e.user_id, slug=e.competency, x=e.mastery))
        .join(learners, lc.user_id == e.user_id)
        .where(on_page)
    )
    cohort = (
        select(*row_of("K", slug=e.competency, i2=func.count(e.mastery), x=func.avg(e.mastery)))
        .join(learners, lc.user_id == e.user_id)
        .group_by(e.competency)
    )
    every = (
        select(lc.user_id, lc.name, lc.sub, lc.email, e.competency, e.mastery)
        .outerjoin(evidence, e.user_id == lc.user_id)
        .order_by(lc.rn)
    )
    return union_all(counts, page, mine, cohort), every


def competency_view(
    session: Session,
    context_id: int,
    shown: Sequence[Column],
    competencies: Sequence[tuple[str, str]],
    query: GridQuery,
    now: datetime | None = None,
) -> CompetencyView:
    """The cohort's mean mastery per competency (id, name) and each learner's on the page."""
    wanted = frozenset(cid for cid, _ in competencies)
    statement, _ = _statements(shown, wanted, query, session.get_bind().dialect.name)
    no_jit(session)
    found: dict[str, tuple[float, int]] = {}
    view = CompetencyView([], query)
    for row in session.execute(statement, sql.params(context_id, query, now or utcnow())):
        if row.kind == "T":
            view.matching, view.learners = row.i1, row.i2
        elif row.kind == "P":
            view.rows.append(learner_row(row))
        elif row.kind == "M":
            view.mastery.setdefault(row.user_id, {})[row.slug] = row.x
        elif row.x is not None:
            found[row.slug] = (row.x, row.i2)
    view.rows.sort(key=lambda r: r.position)
    view.competencies = [
        ScoredCompetency(cid, name, *found.get(cid, (None, 0))) for cid, name in competencies
    ]
    return view


def mastery_rows(
    session: Session,
    context_id: int,
    shown: Sequence[Column],
    competencies: Sequence[tuple[str, str]],
    query: GridQuery,
    now: datetime | None = None,
) -> Iterator[tuple[Any, dict[str, float]]]:
    """Every filtered learner in order with their mastery, streamed (the CSV export)."""
    wanted = frozenset(cid for cid, _ in competencies)
    _, every = _statements(shown, wanted, query, session.get_bind().dialect.name)
    no_jit(session)
    values = sql.params(context_id, query, now or utcnow())
    current: Any = None
    mastery: dict[str, float] = {}
    for row in session.execute(every.execution_options(yield_per=500), values):
        if current is not None and row.user_id != current.user_id:
            yield current, mastery
            mastery = {}
        current = row
        if row.competency is not None and row.mastery is not None:
            mastery[row.competency] = row.mastery
    if current is not None:
        yield current, mastery
