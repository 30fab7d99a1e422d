"""What instructors see of their own course: grades and the gradebook sync state per learner,
and the credentials learners earned in it. The cohort dashboard's grid: services/cohort_grid.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.credentials import Award
from lms_plugin.db.grading import Grade, ScoreOutbox
from lms_plugin.db.models import LtiUser


@dataclass(frozen=True)
class ScoreLine:
    learner: str
    module_slug: str
    score_percent: float
    complete: bool
    outbox_id: int | None
    sync: str  # pending | sent | failed | none
    classification: str | None
    last_error: str | None
    tries: int


def score_lines(session: Session, context_id: int) -> list[ScoreLine]:
    """One line per learner and module with a grade, with its latest outbox row's state."""
    latest: dict[tuple[int, str], ScoreOutbox] = {}
    for row in session.scalars(
        select(ScoreOutbox)
        .where(ScoreOutbox.context_id == context_id, ScoreOutbox.status != "superseded")
        .order_by(ScoreOutbox.id)
    ):
        latest[(row.user_id, row.module_slug)] = row
    lines = []
    for grade, name, sub in session.execute(
        select(Grade, LtiUser.name, LtiUser.sub)
        .join(LtiUser, LtiUser.id == Grade.user_id)
        .where(Grade.context_id == context_id)
        .order_by(LtiUser.name, Grade.module_slug)
    ):
        last = latest.get((grade.user_id, grade.module_slug))
        lines.append(
            ScoreLine(
                learner=name or sub,
                module_slug=grade.module_slug,
                score_percent=round(grade.score * 100, 2),
                complete=grade.complete,
                outbox_id=last.id if last else None,
                sync=last.status if last else "none",
                classification=last.classification if last else None,
                last_error=last.last_error if last else None,
                tries=last.tries if last else 0,
            )
        )
    return lines


def learner_sync(session: Session, context_id: int, user_id: int) -> dict[str, str]:
    """module slug -> sync state of the learner's latest score (for the learner's own page)."""
    states: dict[str, str] = {}
    for row in session.scalars(
        select(ScoreOutbox)
        .where(
            ScoreOutbox.context_id == context_id,
            ScoreOutbox.user_id == user_id,
            ScoreOutbox.status != "superseded",
        )
        .order_by(ScoreOutbox.id)
    ):
        states[row.module_slug] = row.status
    return states


def awards_of(session: Session, context_id: int, user_ids: Sequence[int]) -> dict[int, list[Award]]:
    """The awards these learners earned in this course (the cohort page's credentials column:
    one query for the learners shown, not the whole course's awards)."""
    found: dict[int, list[Award]] = {}
    if not user_ids:
        return found
    query = select(Award).where(Award.context_id == context_id, Award.user_id.is_not(None))
    wanted = set(user_ids)
    if len(wanted) <= 100:  # a long list of ids costs more to send than the course's awards
        query = query.where(Award.user_id.in_(wanted))
    for award in session.scalars(query.order_by(Award.user_id, Award.program_slug)):
        if award.user_id in wanted:
            found.setdefault(award.user_id, []).append(award)
    return found
