"""Where a submission review launch lands (LTI Submission Review Service 1.0).

From the LMS gradebook a person opens "what is behind this grade" for one learner
(``for_user``) and one column (the AGS ``lineitem``): an instructor of the course lands on
that learner's latest submission of the module (its review page), or on the learner's module
page when the module has nothing submitted; a learner lands on their own work and feedback.
A learner asking for someone else's work, or an instructor asking for someone who is not a
member of the launch's course, is refused: the launch's course is the only one it can open.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.learning import AssignmentSubmission
from lms_plugin.db.models import LtiUser, Membership, ResourceLink
from lms_plugin.domain.errors import ForbiddenError, LmsError, NotFoundError
from lms_plugin.domain.i18n import _
from lms_plugin.domain.launch import LaunchContext
from lms_plugin.services.content import current_content
from lms_plugin.services.launches import LaunchRecord


@dataclass(frozen=True)
class ReviewTarget:
    """What to open: ``kind`` is ``submission`` (an instructor's review page), ``learner``
    (an instructor's view of the learner in the module), ``own_assignment`` (the learner's own
    submissions and feedback), ``own`` (the learner's own module, for a module without an
    assignment) or ``overview`` (the learner's certificate overview: a whole-certificate
    column)."""

    kind: str
    module_slug: str | None = None
    submission_id: int | None = None
    user_id: int | None = None


def review_target(session: Session, record: LaunchRecord, launch: LaunchContext) -> ReviewTarget:
    """The page a submission review launch opens, or a refusal (see the module docstring)."""
    module = _module_of(session, record, launch)
    if not record.is_staff:
        if launch.for_user != launch.sub:
            raise ForbiddenError(
                _(
                    "This gradebook entry belongs to another learner; you can open only your own"
                    " work."
                ),
                code="review_not_yours",
            )
        if module is None:
            return ReviewTarget("overview")
        return ReviewTarget("own_assignment" if _has_assignment(session, module) else "own", module)
    learner_id = _member(session, record, launch.for_user)
    if module is None:
        return ReviewTarget("learner", None, None, learner_id)
    latest = session.scalar(
        select(AssignmentSubmission.id)
        .filter_by(context_id=record.context_id, user_id=learner_id, module_slug=module)
        .order_by(AssignmentSubmission.round.desc())
        .limit(1)
    )
    if latest is not None:
        return ReviewTarget("submission", module, latest, learner_id)
    return ReviewTarget("learner", module, None, learner_id)


def _has_assignment(session: Session, slug: str) -> bool:
    try:
        _program, module = current_content(session).find(slug)
    except LmsError:  # a module the content no longer has: its page says so
        return False
    return module.assignment is not None


def _member(session: Session, record: LaunchRecord, sub: str | None) -> int:
    """The learner's user id, if they are a member of the launch's course."""
    found = session.scalar(
        select(LtiUser.id)
        .join(Membership, Membership.user_id == LtiUser.id)
        .where(
            LtiUser.registration_id == record.registration_id,
            LtiUser.sub == sub,
            Membership.context_id == record.context_id,
        )
    )
    if record.context_id is None or found is None:
        raise NotFoundError(
            _("The learner this gradebook entry is about is not in this course."),
            code="review_learner_unknown",
        )
    return int(found)


def _module_of(session: Session, record: LaunchRecord, launch: LaunchContext) -> str | None:
    """The module the reviewed column belongs to: the launch's ``module`` custom parameter
    (the tool puts it in the line item's submissionReview and in each placed link), else the
    module of the link, or of the link whose column is the reviewed line item."""
    custom = launch.custom.get("module")
    if custom:
        return custom
    if record.resource_link_id is not None:
        link = session.get(ResourceLink, record.resource_link_id)
        if link is not None and link.module_slug:
            return link.module_slug
    lineitem = (launch.ags or {}).get("lineitem")
    if lineitem and record.context_id is not None:
        slug = session.scalar(
            select(ResourceLink.module_slug).filter_by(
                context_id=record.context_id, ags_lineitem_url=lineitem
            )
        )
        return slug or None
    return None
