"""Which learners a cohort dashboard statement is over, and in what order, per its shape.

A shape (the modules shown and their rules, the status filtered on, the sort, which other
filters are on) decides the SQL; the request's values (the course, the page, the instants the
activity filters compare with, the name searched) are bound parameters (:func:`params`). From
the shape: per learner a summary (modules passed, modules failing, last activity, the shown
modules in the status filtered on, the sort key), those the filters keep, numbered in order.
The grid's statements over them are in services/cohort_statements.py; the competency view's
in services/cohort_competency.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
)

from lms_plugin.db.base import UTCDateTime
from lms_plugin.domain import cohort as rules
from lms_plugin.domain.cohort import ModuleRule
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.services.cohort_rules_sql import rank_sql
from lms_plugin.services.cohort_scope import Scope
from lms_plugin.services.cohort_sql import cells_cte

FIRST = bindparam("first", type_=Integer)  # the page: rows first+1 .. last
LAST = bindparam("last", type_=Integer)
IDLE = bindparam("idle", type_=UTCDateTime)  # domain.cohort.idle_cutoff(now)
SINCE = {days: bindparam(f"since{days}", type_=UTCDateTime) for days in (7, 14, 30)}
PATTERN = bindparam("pattern", type_=String)  # LIKE pattern of the name searched


@dataclass(frozen=True)
class Shown:
    """A shown module as the statements see it."""

    rule: ModuleRule
    empty: str  # the state code of a learner with no work in it
    empty_rank: int
    version: int  # its content row: its rules and tags


@dataclass(frozen=True)
class Shape:
    shown: tuple[Shown, ...]
    status: str | None = None
    sort: str = "name"
    desc: bool = False
    activity: str | None = None
    risk: bool = False
    search: bool = False

    @classmethod
    def of(cls, shown: tuple[Shown, ...], query: GridQuery) -> Shape:
        return cls(
            shown, query.status, query.sort, query.desc, query.activity, query.risk, bool(query.q)
        )

    @property
    def filtered(self) -> bool:
        """Whether filters keep only some learners (GridQuery.filtered)."""
        return bool(self.status or self.activity or self.risk or self.search)

    @property
    def scope(self) -> Scope:
        return Scope(tuple(s.rule for s in self.shown))


def params(
    course: int, query: GridQuery, now: datetime, users: list[int] | None = None
) -> dict[str, Any]:
    """The values of a statement's parameters for this request."""
    escaped = query.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    values: dict[str, Any] = {
        "course": course,
        "first": (query.page - 1) * query.per,
        "last": query.page * query.per,
        "idle": rules.idle_cutoff(now),
        "pattern": f"%{escaped}%",
        **{f"since{days}": now - timedelta(days=days) for days in SINCE},
    }
    if users is not None:
        values["users"] = users
    return values


def _in_state(c: Any, state: str, shown: tuple[Shown, ...]) -> ColumnElement[int]:
    """Per learner: shown modules in ``state``, cells with work plus the modules they have no
    work in whose empty state it is (each learner has one cell per shown module)."""
    present = func.sum(case((c.state == state, 1), else_=0))
    empties = [s.rule.slug for s in shown if s.empty == state]
    if not empties:
        return present
    worked = func.sum(case((c.slug.in_(empties), 1), else_=0))
    return func.coalesce(present, 0) + len(empties) - func.coalesce(worked, 0)


def _summary(shape: Shape) -> tuple[CTE, CTE]:
    """(cells, summary): per learner, modules passed, modules failing (domain.cohort.failing),
    last activity (their latest work or launch), the shown modules in the status filtered on,
    and the sort key of the module sorted on: conditional aggregates, no per-learner query."""
    members, cells = cells_cte(shape.scope)
    c, m = cells.c, members.c
    failing = and_(c.state != rules.PASSED.code, c.failed >= rules.FAILED_ATTEMPTS)
    sorted_by = next((s for s in shape.shown if s.rule.slug == shape.sort), None)
    key = (
        func.max(
            case((c.slug == shape.sort, rank_sql(c.state) * 1000 + func.coalesce(c.score, -1.0)))
        )
        if sorted_by is not None
        else cast(null(), Float)
    )
    status = shape.status
    per_user = (
        select(
            c.user_id,
            _in_state(c, rules.PASSED.code, shape.shown).label("passed"),
            func.sum(case((failing, 1), else_=0)).label("failing"),
            func.max(c.at).label("at"),
            (_in_state(c, status, shape.shown) if status else literal(0)).label("hits"),
            key.label("module_key"),
        )
        .group_by(c.user_id)
        .subquery("per_user")
    )
    u = per_user.c
    last = case(
        (u.at.is_(None), m.launched_at),
        (and_(m.launched_at.is_not(None), m.launched_at > u.at), m.launched_at),
        else_=u.at,
    )
    # A learner without a cell is in every shown module's empty state.
    empty_passed = sum(1 for s in shape.shown if s.empty == rules.PASSED.code)
    empty_hits = sum(1 for s in shape.shown if s.empty == status)
    empty_key = sorted_by.empty_rank * 1000 - 1.0 if sorted_by is not None else None
    summary = (
        select(
            m.user_id,
            m.name,
            m.sub,
            m.email,
            func.coalesce(u.passed, empty_passed).label("passed"),
            func.coalesce(u.failing, 0).label("failing"),
            type_coerce(last, UTCDateTime).label("last"),
            func.coalesce(u.hits, empty_hits).label("hits"),
            func.coalesce(u.module_key, empty_key).label("module_key"),
        )
        .select_from(members)
        .outerjoin(per_user, u.user_id == m.user_id)
        .cte("summary")
    )
    return cells, summary


def at_risk(t: Any, modules: int) -> ColumnElement[bool]:
    """domain.cohort.risk_reasons is not empty (``t``: columns of a summary)."""
    return and_(t.passed < modules, t.last.is_not(None), or_(t.failing > 0, t.last < IDLE))


def _filters(s: Any, shape: Shape) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if shape.activity == "never":
        where.append(s.last.is_(None))
    elif shape.activity == "week":
        where.append(s.last >= SINCE[7])
    elif shape.activity in ("idle14", "idle30"):
        where.append(s.last < SINCE[14 if shape.activity == "idle14" else 30])
    if shape.risk:
        where.append(at_risk(s, len(shape.shown)))
    if shape.search:
        where.append(name_key(s).like(PATTERN, escape="\\"))
    if shape.status:
        where.append(s.hits > 0)
    return where


def name_key(s: Any) -> ColumnElement[str]:
    """What learners are searched and sorted by: their name, lower-cased, or their ``sub``."""
    return func.lower(func.coalesce(s.name, s.sub))


def _order(s: Any, shape: Shape) -> list[ColumnElement[Any]]:
    keys = {"activity": s.last, "passed": s.passed, "name": name_key(s)}
    key = keys.get(shape.sort, s.module_key)
    first = key.desc().nulls_last() if shape.desc else key.asc().nulls_first()
    return [first, name_key(s), s.user_id]


@lru_cache(maxsize=64)
def learners_of(shape: Shape) -> tuple[CTE, CTE, CTE]:
    """(cells, summary, learners): every learner's summary, and those the filters keep,
    numbered (``rn``) in the order asked for."""
    cells, summary = _summary(shape)
    s = summary.c
    learners = (
        select(summary, func.row_number().over(order_by=_order(s, shape)).label("rn"))
        .where(*_filters(s, shape))
        .cte("learners")
    )
    return cells, summary, learners
