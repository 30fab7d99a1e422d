"""The review queue of one course: its submissions by filter and page, what waits (how many,
since when, per module), and which waiting submission to open next.

Staff who tried an assignment through "View as learner" are in the queue too, so that they can
try the review as well; their entries say so (services.staff: their grades go nowhere)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from lms_plugin.db.grading import Review
from lms_plugin.db.learning import AssignmentSubmission
from lms_plugin.db.models import LtiUser
from lms_plugin.domain.errors import UnprocessableError
from lms_plugin.domain.i18n import _
from lms_plugin.services.staff import is_staff

WAITING = "submitted"
# Queue filters: a submission status, every reviewed one, or all.
FILTERS = ("submitted", "reviewed", "passed", "revise", "failed", "all")
PAGE_SIZE = 50
QUEUE_ORDER = (
    AssignmentSubmission.submitted_at,
    AssignmentSubmission.id,
)  # the longest waiting first


@dataclass(frozen=True)
class Person:
    """A user as the LMS shared them (name and email only when it shared them)."""

    name: str | None
    email: str | None
    sub: str

    @property
    def label(self) -> str:
        return self.name or _("Learner %(sub)s (the LMS did not share a name)", sub=self.sub)


@dataclass(frozen=True)
class QueueEntry:
    submission: AssignmentSubmission
    learner_name: str
    review: Review | None = None
    reviewer_name: str | None = None
    staff: bool = False  # a staff member's own try, through "View as learner"


@dataclass(frozen=True)
class Queue:
    """One page of a filtered queue, and how many submissions each filter holds."""

    entries: list[QueueEntry]
    counts: dict[str, int]
    page: int
    pages: int


@dataclass(frozen=True)
class Waiting:
    """What waits for review in a course: how many, the oldest, how many per module."""

    count: int
    oldest_at: datetime | None
    oldest_id: int | None
    by_module: dict[str, int]
    staff: int = 0  # of ``count``, staff members' own tries


def _where(context_id: int, status: str, module_slug: str | None) -> list[ColumnElement[bool]]:
    """Submissions of this course under a queue filter (and of one module, if given)."""
    where = [AssignmentSubmission.context_id == context_id]
    if status == "reviewed":
        where.append(AssignmentSubmission.status != WAITING)
    elif status != "all":
        where.append(AssignmentSubmission.status == status)
    if module_slug:
        where.append(AssignmentSubmission.module_slug == module_slug)
    return where


def review_queue(
    session: Session,
    context_id: int,
    status: str = WAITING,
    module_slug: str | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> Queue:
    """Submissions in this course only: waiting ones first, the longest waiting on top; then
    reviewed ones, the latest review first, each with its outcome and reviewer. A page past
    the last shows the last."""
    if status not in FILTERS:
        raise UnprocessableError(_("status must be one of %(values)s.", values=", ".join(FILTERS)))
    counts = _counts(session, context_id, module_slug)
    pages = max(1, ceil(counts[status] / per_page))
    page = min(max(page, 1), pages)
    learner, reviewer = aliased(LtiUser), aliased(LtiUser)
    is_waiting = AssignmentSubmission.status == WAITING
    query = (
        select(
            AssignmentSubmission,
            learner.name,
            learner.sub,
            Review,
            reviewer.name,
            is_staff(context_id, AssignmentSubmission.user_id),
        )
        .join(learner, learner.id == AssignmentSubmission.user_id)
        .outerjoin(Review, Review.submission_id == AssignmentSubmission.id)
        .outerjoin(reviewer, reviewer.id == Review.reviewer_id)
        .where(*_where(context_id, status, module_slug))
        .order_by(
            case((is_waiting, 0), else_=1),
            case((is_waiting, AssignmentSubmission.submitted_at)),
            Review.created_at.desc(),
            AssignmentSubmission.id,
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    entries = [
        QueueEntry(sub, Person(name, None, sub_id).label, review, reviewer_name, staff)
        for sub, name, sub_id, review, reviewer_name, staff in session.execute(query)
    ]
    return Queue(entries, counts, page, pages)


def _counts(session: Session, context_id: int, module_slug: str | None) -> dict[str, int]:
    rows = session.execute(
        select(AssignmentSubmission.status, func.count())
        .where(*_where(context_id, "all", module_slug))
        .group_by(AssignmentSubmission.status)
    )
    by_status = {status: n for status, n in rows}
    counts = {key: by_status.get(key, 0) for key in ("submitted", "passed", "revise", "failed")}
    total = sum(by_status.values())
    return {**counts, "reviewed": total - counts[WAITING], "all": total}


def waiting(session: Session, context_id: int) -> Waiting:
    """How many submissions wait for review in this course, since when, and per module."""
    where = _where(context_id, WAITING, None)
    staff_try = case((is_staff(context_id, AssignmentSubmission.user_id), 1), else_=0)
    rows = session.execute(
        select(AssignmentSubmission.module_slug, func.count(), func.sum(staff_try))
        .where(*where)
        .group_by(AssignmentSubmission.module_slug)
    ).all()
    by_module = {slug: n for slug, n, _staff in rows}
    oldest = session.execute(
        select(AssignmentSubmission.id, AssignmentSubmission.submitted_at)
        .where(*where)
        .order_by(*QUEUE_ORDER)
        .limit(1)
    ).first()
    return Waiting(
        count=sum(by_module.values()),
        oldest_at=oldest[1] if oldest else None,
        oldest_id=oldest[0] if oldest else None,
        by_module=by_module,
        staff=sum(staff for _slug, _n, staff in rows),
    )


def count_waiting(session: Session, context_id: int) -> int:
    """How many submissions wait for review in this course."""
    count = session.scalar(select(func.count()).where(*_where(context_id, WAITING, None)))
    return count or 0


def next_waiting(
    session: Session, context_id: int, after: AssignmentSubmission | None = None
) -> int | None:
    """The waiting submission to open next: the first after ``after`` in queue order (oldest
    first), wrapping round to the oldest; never ``after`` itself. None when nothing waits."""
    query = (
        select(AssignmentSubmission.id)
        .where(*_where(context_id, WAITING, None))
        .order_by(*QUEUE_ORDER)
        .limit(1)
    )
    if after is None:
        return session.scalars(query).first()
    later = or_(
        AssignmentSubmission.submitted_at > after.submitted_at,
        and_(
            AssignmentSubmission.submitted_at == after.submitted_at,
            AssignmentSubmission.id > after.id,
        ),
    )
    found = session.scalars(query.where(later)).first()
    if found is None:  # wrap round to the oldest
        found = session.scalars(query.where(AssignmentSubmission.id != after.id)).first()
    return found
