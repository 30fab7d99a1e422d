"""Quiz attempts an instructor allows a learner beyond the module's ``max_attempts`` (Moodle's
user override, Canvas's "extra attempts"): the learner told "ask your instructor what comes
next" once their attempts are used gets one more, and the record says who allowed it and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.learning import QuizExtraAttempt
from lms_plugin.db.models import LtiUser, Membership
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.domain.i18n import _
from lms_plugin.services.progress import Learner


@dataclass(frozen=True)
class Grant:
    number: int
    by: str | None  # the instructor's name (None: their account is gone)
    at: datetime


def count(session: Session, learner: Learner, module_slug: str) -> int:
    """How many attempts instructors have added to this learner's quiz of the module."""
    query = (
        select(func.count()).select_from(QuizExtraAttempt).filter_by(**learner.scope(module_slug))
    )
    return int(session.scalar(query) or 0)


def grants(session: Session, learner: Learner, module_slug: str) -> list[Grant]:
    """Each attempt added, oldest first, with who added it."""
    rows = session.execute(
        select(QuizExtraAttempt.number, LtiUser.name, LtiUser.sub, QuizExtraAttempt.granted_at)
        .outerjoin(LtiUser, LtiUser.id == QuizExtraAttempt.granted_by)
        .filter_by(**learner.scope(module_slug))
        .order_by(QuizExtraAttempt.number)
    )
    return [Grant(number, name or sub, at) for number, name, sub, at in rows]


def allow_one_more(
    session: Session, learner: Learner, module_slug: str, *, number: int, by_user_id: int
) -> bool:
    """Add attempt ``number`` (the page's count of added attempts, plus one). False when it was
    added already (the form sent twice, or by two instructors at once): nothing more is added.
    A learner who is not in the course is not found."""
    member = select(Membership.id).filter_by(**learner.scope()).limit(1)
    if session.scalar(member) is None:
        raise NotFoundError(_("There is no such learner in this course."))
    if number != count(session, learner, module_slug) + 1:
        return False
    try:
        with session.begin_nested():
            session.add(
                QuizExtraAttempt(
                    **learner.scope(module_slug),
                    number=number,
                    granted_by=by_user_id,
                    granted_at=utcnow(),
                )
            )
    except IntegrityError:
        return False
    session.commit()
    return True
