"""Quiz attempts an instructor allows a learner beyond the module's ``max_attempts`` (Moodle's
user override, Canvas's "extra attempts"): the learner told "ask your instructor what comes
next" once their attempts are used gets one more, and the record says who allowed it and when.
The question statistics page offers the same to every learner of the course in that case at once
(after a question that turned out unfair, say)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.learning import QuizAttempt, QuizExtraAttempt
from lms_plugin.db.models import LtiUser, Membership
from lms_plugin.domain import quiz_state as quiz_rules
from lms_plugin.domain.content.model import Module
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.domain.i18n import _
from lms_plugin.domain.quiz_state import AttemptRow, quiz_state
from lms_plugin.domain.roles import AccessLevel
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


@dataclass(frozen=True)
class OutOfAttempts:
    """A learner who has used every attempt they were allowed at a quiz without passing it."""

    user_id: int
    name: str
    used: int
    extra: int  # attempts added already: the next one added is number ``extra + 1``


def out_of_attempts(session: Session, context_id: int, module: Module) -> list[OutOfAttempts]:
    """The course's learners whom ``module``'s quiz tells to ask their instructor
    (``quiz_state.out_of_attempts``), by name. Course staff's own tries are left out."""
    attempts: defaultdict[int, list[AttemptRow]] = defaultdict(list)
    for user_id, *attempt in session.execute(
        select(
            QuizAttempt.user_id,
            QuizAttempt.id,
            QuizAttempt.status,
            QuizAttempt.percent,
            QuizAttempt.submitted_at,
        )
        .join(
            Membership,
            and_(
                Membership.context_id == QuizAttempt.context_id,
                Membership.user_id == QuizAttempt.user_id,
            ),
        )
        .where(
            QuizAttempt.context_id == context_id,
            QuizAttempt.module_slug == module.slug,
            Membership.access == AccessLevel.LEARNER.value,
        )
    ):
        attempts[user_id].append(tuple(attempt))  # type: ignore[arg-type]
    added = {
        user_id: int(n)
        for user_id, n in session.execute(
            select(QuizExtraAttempt.user_id, func.count())
            .where(
                QuizExtraAttempt.context_id == context_id,
                QuizExtraAttempt.module_slug == module.slug,
            )
            .group_by(QuizExtraAttempt.user_id)
        )
    }
    states = {
        user_id: replace(quiz_state(rows), extra=added.get(user_id, 0))
        for user_id, rows in attempts.items()
    }
    out = [u for u, state in states.items() if quiz_rules.out_of_attempts(module.quiz, state)]
    if not out:
        return []
    names = session.execute(
        select(LtiUser.id, LtiUser.name, LtiUser.sub)
        .where(LtiUser.id.in_(out))
        .order_by(func.coalesce(LtiUser.name, LtiUser.sub), LtiUser.id)
    )
    return [
        OutOfAttempts(user_id, name or sub, states[user_id].used, states[user_id].extra)
        for user_id, name, sub in names
    ]


def allow_one_more_each(
    session: Session,
    context_id: int,
    module_slug: str,
    numbers: Mapping[int, int],
    *,
    by_user_id: int,
) -> int:
    """``allow_one_more`` for each learner of ``numbers`` (user id -> the attempt number the
    page offered them): how many were added. A learner who has left the course, or was given
    that attempt already, is passed over; the others still get theirs."""
    added = 0
    for user_id, number in numbers.items():
        learner = Learner(context_id, user_id)
        try:
            if allow_one_more(session, learner, module_slug, number=number, by_user_id=by_user_id):
                added += 1
        except NotFoundError:
            continue
    return added
