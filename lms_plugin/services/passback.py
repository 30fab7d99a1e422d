"""Send queued scores to the LMS gradebook (LTI AGS 2.0), and decide what happens on failure.

429, 5xx and network errors leave the row pending and ask the caller to retry later (with
backoff); 401 is refreshed once inside the AGS client; any other 4xx is classified on the row
(not gradable, scope missing, ...) and shown to people instead of being retried in a loop.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import ScoreOutbox
from lms_plugin.db.models import Deployment, LtiContext, LtiUser, Registration, ResourceLink
from lms_plugin.lti.ags import LINEITEM_SCOPE, AgsError, Score
from lms_plugin.services.content import current_content

TAG = "isp-module-grade"
MAX_BACKOFF_SECONDS = 600


class AgsPort(Protocol):
    def post_score(self, lineitem_url: str, score: Score) -> None: ...
    def find_lineitem(
        self, lineitems_url: str, *, resource_id: str, resource_link_id: str | None
    ) -> str | None: ...
    def create_lineitem(
        self,
        lineitems_url: str,
        *,
        label: str,
        score_maximum: float,
        resource_id: str,
        tag: str,
        resource_link_id: str | None,
    ) -> str: ...


class RetryLater(Exception):
    def __init__(self, delay: float, reason: str) -> None:
        super().__init__(reason)
        self.delay = delay


class NotGradableError(Exception):
    """No line item can be found or made for this score (no AGS in the course, no scope)."""

    def __init__(self, classification: str, message: str) -> None:
        super().__init__(message)
        self.classification = classification


def backoff(tries: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter, honouring the LMS's Retry-After when longer."""
    ceiling = min(MAX_BACKOFF_SECONDS, 2 ** min(tries, 10))
    delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security
    return max(delay, retry_after or 0.0)


def publish_due(
    session: Session, ags_for: Callable[[Registration], AgsPort], limit: int = 200
) -> int:
    """Send due rows one at a time, each in its own short transaction, until none is left or
    ``limit`` were handled; returns how many. Raises RetryLater when the LMS asks us to wait
    (the row that met it keeps its own backoff; the rest wait for the retry)."""
    handled = 0
    while handled < limit and publish_next(session, ags_for) is not None:
        handled += 1
    return handled


def publish_next(
    session: Session,
    ags_for: Callable[[Registration], AgsPort],
    now: datetime | None = None,
) -> str | None:
    """Send the next due row no other worker holds: sent / failed, None when there is none,
    or raises RetryLater. The row stays locked until its outcome is committed, so a row is
    never sent twice at once and a killed worker leaves it pending."""
    now = now or utcnow()
    row = session.scalars(
        select(ScoreOutbox)
        .where(ScoreOutbox.status == "pending", ScoreOutbox.next_attempt_at <= now)
        .order_by(ScoreOutbox.next_attempt_at, ScoreOutbox.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if row is None:
        session.rollback()
        return None
    context, user_sub, registration = session.execute(
        select(LtiContext, LtiUser.sub, Registration)
        .join(Deployment, Deployment.id == LtiContext.deployment_id)
        .join(Registration, Registration.id == Deployment.registration_id)
        .join(LtiUser, LtiUser.id == row.user_id)
        .where(LtiContext.id == row.context_id)
    ).one()
    ags = ags_for(registration)
    try:
        row.lineitem_url = row.lineitem_url or _lineitem(session, ags, context, row.module_slug)
        ags.post_score(
            row.lineitem_url,
            Score(
                user_id=user_sub,
                score_given=row.score_given,
                score_maximum=row.score_maximum,
                timestamp=row.timestamp,
                comment=row.comment,
            ),
        )
    except NotGradableError as exc:
        return _fail(session, row, exc.classification, str(exc))
    except AgsError as exc:
        if not exc.retryable:
            return _fail(session, row, exc.classification, str(exc))
        row.tries += 1
        row.classification, row.last_error = exc.classification, str(exc)[:2000]
        delay = backoff(row.tries, exc.retry_after)
        row.next_attempt_at = now + timedelta(seconds=delay)
        session.commit()
        raise RetryLater(delay, str(exc)) from exc
    row.status, row.sent_at, row.tries = "sent", now, row.tries + 1
    row.classification = row.last_error = None
    session.commit()
    return "sent"


def _fail(session: Session, row: ScoreOutbox, classification: str, message: str) -> str:
    row.status, row.tries = "failed", row.tries + 1
    row.classification, row.last_error = classification, message[:2000]
    session.commit()
    return "failed"


def _lineitem(session: Session, ags: AgsPort, context: LtiContext, module_slug: str) -> str:
    """The module's line item: from its link's AGS claim, else found or made by resourceId."""
    links = list(session.scalars(select(ResourceLink).filter_by(context_id=context.id)))
    own = [link for link in links if link.module_slug == module_slug]
    for link in own:
        if link.ags_lineitem_url:
            return link.ags_lineitem_url
    service = next((link for link in own + links if link.ags_lineitems_url), None)
    if service is None or service.ags_lineitems_url is None:
        raise NotGradableError(
            "not_gradable",
            "No link in this course offers the gradebook "
            "service (AGS); add the activity with grading enabled.",
        )
    if LINEITEM_SCOPE not in service.ags_scopes:
        raise NotGradableError(
            "scope_missing",
            "The LMS did not grant the line item scope, "
            "so a gradebook column cannot be created for this module.",
        )
    link_id = service.resource_link_id if service.module_slug == module_slug else None
    found = ags.find_lineitem(
        service.ags_lineitems_url, resource_id=module_slug, resource_link_id=link_id
    )
    if found is None:
        _, module = current_content(session).find(module_slug)
        found = ags.create_lineitem(
            service.ags_lineitems_url,
            label=module.title,
            score_maximum=100.0,
            resource_id=module_slug,
            tag=TAG,
            resource_link_id=link_id,
        )
    if service.module_slug == module_slug:
        service.ags_lineitem_url = found
    return found


def resend(session: Session, context_id: int, outbox_ids: list[int]) -> list[int]:
    """Put failed rows of this course back in the queue (the instructor's "resend")."""
    rows = list(
        session.scalars(
            select(ScoreOutbox).where(
                ScoreOutbox.context_id == context_id,
                ScoreOutbox.id.in_(outbox_ids),
                ScoreOutbox.status == "failed",
            )
        )
    )
    for row in rows:
        row.status, row.next_attempt_at = "pending", utcnow()
    session.commit()
    return [row.id for row in rows]
