"""Send queued scores to the LMS gradebook (LTI AGS 2.0), and decide what happens on failure.

429, 5xx and network errors leave the row pending and ask the caller to retry later (with
backoff); 401 is refreshed once inside the AGS client; any other 4xx is classified on the row
(not gradable, scope missing, ...) and shown to people instead of being retried in a loop.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import ScoreOutbox
from lms_plugin.db.models import Deployment, LtiContext, LtiUser, Registration, ResourceLink
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.ags import LINEITEM_SCOPE, AgsError, Score
from lms_plugin.services.content import current_content

TAG = "isp-module-grade"
LINEITEM_TTL = 3600
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


class _Looked:
    """What a drain has already looked up: AGS clients, and each module's line item URL
    (shared by all workers through the store for LINEITEM_TTL, forgotten when refused)."""

    def __init__(self, store: KeyValueStore | None = None) -> None:
        self.clients: dict[int, AgsPort] = {}
        self._lineitems: dict[str, str] = {}
        self._store = store

    def lineitem(self, context_id: int, module_slug: str) -> str | None:
        key = f"lineitem:{context_id}:{module_slug}"
        if key not in self._lineitems and self._store is not None:
            url = self._store.get(key)
            if url is not None:
                self._lineitems[key] = url
        return self._lineitems.get(key)

    def remember(self, context_id: int, module_slug: str, url: str) -> None:
        key = f"lineitem:{context_id}:{module_slug}"
        if self._lineitems.get(key) != url:
            self._lineitems[key] = url
            if self._store is not None:
                self._store.set(key, url, LINEITEM_TTL)

    def forget(self, context_id: int, module_slug: str) -> None:
        key = f"lineitem:{context_id}:{module_slug}"
        self._lineitems.pop(key, None)
        if self._store is not None:
            self._store.delete(key)


def publish_due(
    session: Session,
    ags_for: Callable[[Registration], AgsPort],
    store: KeyValueStore | None = None,
    limit: int = 200,
) -> int:
    """Send due rows one at a time, each in its own short transaction, until none is left or
    ``limit`` were handled; returns how many. Raises RetryLater when the LMS asks us to wait
    (the row that met it keeps its own backoff; the rest wait for the retry)."""
    looked = _Looked(store)
    handled = 0
    while handled < limit and publish_next(session, ags_for, looked=looked) is not None:
        handled += 1
    return handled


_OUTBOX = cast(Table, ScoreOutbox.__table__)
# Built once: these run once per score, and a statement built per call must be hashed anew.
_NEXT_DUE = (
    select(
        _OUTBOX.c.id,
        _OUTBOX.c.context_id,
        _OUTBOX.c.module_slug,
        _OUTBOX.c.lineitem_url,
        _OUTBOX.c.score_given,
        _OUTBOX.c.score_maximum,
        _OUTBOX.c.timestamp,
        _OUTBOX.c.comment,
        _OUTBOX.c.tries,
        LtiUser.sub,
        Deployment.registration_id,
    )
    .join(LtiContext, LtiContext.id == _OUTBOX.c.context_id)
    .join(Deployment, Deployment.id == LtiContext.deployment_id)
    .join(LtiUser, LtiUser.id == _OUTBOX.c.user_id)
    .where(_OUTBOX.c.status == "pending", _OUTBOX.c.next_attempt_at <= bindparam("now"))
    .order_by(_OUTBOX.c.next_attempt_at, _OUTBOX.c.id)
    .limit(1)
    .with_for_update(of=_OUTBOX, skip_locked=True)
)
_OUTCOME = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("outbox_id"))
    .values(
        {
            name: bindparam(name)
            for name in (
                "status",
                "tries",
                "lineitem_url",
                "classification",
                "last_error",
                "next_attempt_at",
                "sent_at",
            )
        }
    )
)


def publish_next(
    session: Session,
    ags_for: Callable[[Registration], AgsPort],
    now: datetime | None = None,
    looked: _Looked | None = None,
) -> str | None:
    """Send the next due row no other worker holds: sent / failed, None when there is none,
    or raises RetryLater. The row stays locked until its outcome is committed, so a row is
    never sent twice at once and a killed worker leaves it pending. (Plain column reads and
    one UPDATE: this runs once per score, and ORM objects would cost more than the SQL.)"""
    now, looked = now or utcnow(), looked or _Looked()
    row = session.execute(_NEXT_DUE, {"now": now}).first()
    if row is None:
        session.rollback()
        return None
    ags = looked.clients.get(row.registration_id)
    if ags is None:
        ags = ags_for(session.get_one(Registration, row.registration_id))
        looked.clients[row.registration_id] = ags
    outcome: dict[str, object] = {
        "tries": row.tries + 1,
        "lineitem_url": row.lineitem_url,
        "next_attempt_at": now,
        "sent_at": None,
    }
    try:
        if row.lineitem_url is None:
            url = looked.lineitem(row.context_id, row.module_slug) or _lineitem(
                session, ags, row.context_id, row.module_slug
            )
            looked.remember(row.context_id, row.module_slug, url)
            outcome["lineitem_url"] = url
        ags.post_score(
            str(outcome["lineitem_url"]),
            Score(
                user_id=row.sub,
                score_given=row.score_given,
                score_maximum=row.score_maximum,
                timestamp=row.timestamp,
                comment=row.comment,
            ),
        )
    except NotGradableError as exc:
        return _record(session, row.id, outcome, "failed", exc.classification, str(exc))
    except AgsError as exc:
        if not exc.retryable:
            looked.forget(row.context_id, row.module_slug)  # the next score looks it up again
            return _record(session, row.id, outcome, "failed", exc.classification, str(exc))
        delay = backoff(row.tries + 1, exc.retry_after)
        outcome["next_attempt_at"] = now + timedelta(seconds=delay)
        _record(session, row.id, outcome, "pending", exc.classification, str(exc))
        raise RetryLater(delay, str(exc)) from exc
    outcome["sent_at"] = now
    return _record(session, row.id, outcome, "sent", None, None)


def _record(
    session: Session,
    outbox_id: int,
    values: dict[str, object],
    status: str,
    classification: str | None,
    error: str | None,
) -> str:
    """Write a send's outcome and commit (which also releases the row)."""
    session.execute(
        _OUTCOME,
        {
            **values,
            "outbox_id": outbox_id,
            "status": status,
            "classification": classification,
            "last_error": error[:2000] if error else None,
        },
    )
    session.commit()
    return status


def _lineitem(session: Session, ags: AgsPort, context_id: int, module_slug: str) -> str:
    """The module's line item: from its link's AGS claim, else found or made by resourceId."""
    links = list(session.scalars(select(ResourceLink).filter_by(context_id=context_id)))
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
