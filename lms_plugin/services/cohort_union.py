"""The row every branch of a cohort statement's UNION ALL returns, and a learner's cells
packed into one of its columns.

The grid's page is one statement whose branches (counts, the page's learners, the at-risk,
the never-launched, the statistics; the competency view's own) each fill some of the same
typed columns; ``kind`` says which branch a row came from.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    String,
    cast,
    func,
    literal,
    null,
    select,
    type_coerce,
)

from lms_plugin.db.base import UTCDateTime

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
    "cells": String,
}


def row_of(kind: str, **given: Any) -> list[ColumnElement[Any]]:
    """One branch's columns: every branch of a union has the same columns, cast, so each has
    one type in every branch (PostgreSQL settles on numeric for a column of sums otherwise)."""
    given["kind"] = literal(kind, String)
    return [
        (_typed(given[name], type_) if name in given else cast(null(), type_)).label(name)
        for name, type_ in _COLUMNS.items()
    ]


def _typed(value: Any, type_: Any) -> ColumnElement[Any]:
    # Not a SQL CAST for times: SQLite keeps them as text, and CAST(... AS DATETIME) there
    # makes a number of them.
    return type_coerce(value, type_) if type_ is UTCDateTime else cast(value, type_)


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


SEP_CELL, SEP_FIELD = ";", "|"  # slugs and state codes hold neither


def packed_cells(cells: CTE, users: Any) -> Any:
    """Per learner among ``users`` (a select of ids): their cells with work in one string,
    ``slug|state|score|failed|graded`` joined by ``;`` (a page of 500 learners reads 500 rows,
    not 2,500; services/cohort_grid.unpack reads them)."""
    c = cells.c
    text = (
        c.slug
        + SEP_FIELD
        + c.state
        + SEP_FIELD
        + func.coalesce(cast(c.score, String), "")
        + SEP_FIELD
        + cast(c.failed, String)
        + SEP_FIELD
        + cast(c.graded, String)
    )
    return (
        select(c.user_id, func.aggregate_strings(text, SEP_CELL).label("cells"))
        .where(c.user_id.in_(users))
        .group_by(c.user_id)
        .cte("packed")  # the page's rows and the at-risk rows join it: computed once, not twice
    )
