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
from lms_plugin.domain.gradebook import CERTIFICATE
from lms_plugin.services.staff import course_staff


@dataclass(frozen=True)
class ScoreLine:
    learner: str
    module_slug: str  # or domain.gradebook.CERTIFICATE: the whole certificate's score
    score_percent: float | None  # None: the score waits for a person to grade
    outbox_id: int | None
    sync: str  # pending | sent | failed | none
    classification: str | None
    last_error: str | None
    tries: int


def score_lines(session: Session, context_id: int) -> list[ScoreLine]:
    """Per learner (course staff left out): the whole certificate's score, when a certificate
    column receives one, then each module with a grade; each with its latest outbox row's
    state ("none": no column receives it)."""
    latest: dict[tuple[int, str], ScoreOutbox] = {}
    for row in session.scalars(
        select(ScoreOutbox)
        .where(ScoreOutbox.context_id == context_id, ScoreOutbox.status != "superseded")
        .order_by(ScoreOutbox.id)
    ):
        latest[(row.user_id, row.module_slug)] = row
    staff = {user for _, user in course_staff(session, [context_id])}
    grades: dict[int, list[Grade]] = {}
    for grade in session.scalars(
        select(Grade).where(Grade.context_id == context_id).order_by(Grade.module_slug)
    ):
        grades.setdefault(grade.user_id, []).append(grade)
    users = (set(grades) | {user for user, slug in latest if slug == CERTIFICATE}) - staff
    names = {
        user: name or sub
        for user, name, sub in session.execute(
            select(LtiUser.id, LtiUser.name, LtiUser.sub).where(LtiUser.id.in_(users))
        )
    }
    lines = []
    for user in sorted(users, key=lambda u: (names[u], u)):
        if (certificate := latest.get((user, CERTIFICATE))) is not None:
            lines.append(_line(names[user], CERTIFICATE, _percent(certificate), certificate))
        for grade in grades.get(user, ()):
            slug, percent = grade.module_slug, round(grade.score * 100, 2)
            lines.append(_line(names[user], slug, percent, latest.get((user, slug))))
    return lines


def _line(learner: str, slug: str, percent: float | None, last: ScoreOutbox | None) -> ScoreLine:
    return ScoreLine(
        learner=learner,
        module_slug=slug,
        score_percent=percent,
        outbox_id=last.id if last else None,
        sync=last.status if last else "none",
        classification=last.classification if last else None,
        last_error=last.last_error if last else None,
        tries=last.tries if last else 0,
    )


def _percent(row: ScoreOutbox) -> float | None:
    if row.score_given is None:
        return None
    return round(row.score_given / row.score_maximum * 100, 2)


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
