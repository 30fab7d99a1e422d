"""The cohort pages' CSV exports (the grid, the competency view), with the page's filters,
streamed from the database; and the ISP competencies the competency view lists.

The files are in English whatever the page's language (column headers, state labels): a CSV is
data for spreadsheets and scripts, and its columns keep one name across the course's staff."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import cache

from flask import Response
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.domain.cohort_mastery import isp_competencies
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.services.cohort_competency import mastery_rows
from lms_plugin.services.cohort_grid import columns, grid_rows
from lms_plugin.services.content import CurrentContent
from lms_plugin.web.credential_views import issuer
from lms_plugin.web.csv_export import csv_response, filename


@cache
def competency_list() -> list[tuple[str, str]]:
    """(id, name) of the ISP competencies, from courses/ (read once per process)."""
    return isp_competencies(issuer(competencies=True).competencies.values())


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""


def _percent(value: float | None) -> str:
    """A score as stored (two decimals): a spreadsheet gets the figure, not one rounded to it."""
    return "" if value is None else f"{value:.2f}"


def grid_csv(
    session: Session, content: CurrentContent, course: int, query: GridQuery, title: str | None
) -> Response:
    """One line per learner: who, launched, last activity, modules passed, at risk, then each
    shown module's status and score."""
    now = utcnow()
    shown = columns(content, query)
    header = [
        "Learner",
        "LMS user id",
        "Email",
        "Launched",
        "Last activity (UTC)",
        f"Modules passed (of {len(shown)})",
        "At risk",
    ]
    for col in shown:
        header += [
            f"{col.code} {col.module.title}: status",
            f"{col.code} {col.module.title}: score %",
        ]

    def rows() -> Iterator[Sequence[object]]:
        for learner in grid_rows(session, content, course, query, now):
            line: list[object] = [
                learner.name,
                learner.sub,
                learner.email or "",
                "yes" if learner.last_activity else "no",
                _when(learner.last_activity),
                learner.passed,
                "yes" if learner.at_risk else "no",
            ]
            for col in shown:
                cell = learner.cells.get(col.module.slug)
                line += [cell.state.label if cell else "", _percent(cell.score if cell else None)]
            yield line

    return csv_response(header, rows(), filename(title, "cohort", now.date()))


def mastery_csv(
    session: Session, content: CurrentContent, course: int, query: GridQuery, title: str | None
) -> Response:
    """One line per learner: who, then their mastery of each ISP competency (empty: no
    evidence yet)."""
    now = utcnow()
    listed = competency_list()
    shown = columns(content, query)
    header = ["Learner", "LMS user id", "Email"] + [
        f"{cid} {name}: mastery %" for cid, name in listed
    ]

    def rows() -> Iterator[Sequence[object]]:
        for learner, mastery in mastery_rows(session, course, shown, listed, query, now):
            yield [
                learner.name or learner.sub,
                learner.sub,
                learner.email or "",
                *(_percent(mastery.get(cid)) for cid, _ in listed),
            ]

    return csv_response(header, rows(), filename(title, "competencies", now.date()))
