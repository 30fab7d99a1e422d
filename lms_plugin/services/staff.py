"""Who is a course's staff: the members whose access there is not learner (instructors, TAs,
administrators, as their launch's roles said; domain.roles).

Staff may try the learner's side ("View as learner"): their work is graded for them to see, but
what a course gives its learners is not theirs. Their scores are not sent to the LMS gradebook
(Canvas refuses a teacher's score, Moodle would keep it; services.gradebook), they are not listed
among the learners whose grades are sent (services.cohort), and a level they complete earns them
no credential (services.award_records). Their submitted assignments wait in the review queue
beside the learners', marked as theirs, so that they can try the review too
(services.review_queue).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from lms_plugin.db.models import Membership
from lms_plugin.domain.roles import AccessLevel


def _staff_of(context_ids: Iterable[int]) -> list[ColumnElement[bool]]:
    """Memberships of these courses that are not learners'."""
    return [
        Membership.context_id.in_(set(context_ids)),
        Membership.access != AccessLevel.LEARNER.value,
    ]


def course_staff(session: Session, context_ids: Iterable[int]) -> set[tuple[int, int]]:
    """The (course, user) pairs of these courses' staff: a few rows, however many learners the
    courses have."""
    ids = set(context_ids)
    if not ids:
        return set()
    rows = session.execute(select(Membership.context_id, Membership.user_id).where(*_staff_of(ids)))
    return {(cid, uid) for cid, uid in rows}


def is_staff(context_id: int, user_id: InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """A condition for a query of one course's work: its user is on the course's staff (in the
    query itself, no round trip of its own)."""
    return user_id.in_(select(Membership.user_id).where(*_staff_of([context_id])))
