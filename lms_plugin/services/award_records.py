"""Recording awards: the grade change that completes a level inserts its `pending` award.

services.grades calls `record_completions` in the grade's own transaction; the unique (user,
level) constraint makes a second completion (a regrade, the same level finished in another course
of the same LMS: `lti_user` is one per registration + sub) insert nothing. The badges drain
(services.awards) issues what is recorded here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import Award
from lms_plugin.services.content import current_content
from lms_plugin.services.progress import Learner, learner_progress
from lms_plugin.services.staff import course_staff

_LEARNER_LOCK = 0x4157  # namespace of the per-learner advisory locks ("AW")


def record_completions(session: Session, learners: Iterable[tuple[int, int]]) -> list[int]:
    """Insert a pending award for every level these (context_id, user_id) learners have now
    completed and hold none of; returns the new award ids. The course's staff, trying the
    learner's side, earn none there (services.staff). Caller commits."""
    given = set(learners)
    given -= course_staff(session, {context_id for context_id, _ in given})
    wanted = sorted(given, key=lambda learner: (learner[1], learner[0]))
    if not wanted:
        return []
    _serialize_learners(session, sorted({user_id for _, user_id in wanted}))
    content = current_content(session)
    now = utcnow()
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for context_id, user_id in wanted:
        progress = learner_progress(session, content, Learner(context_id, user_id), lessons=False)
        for slug in sorted(progress.completed_programs):
            rows.setdefault((user_id, slug), _new_award(context_id, user_id, slug, now))
    if not rows:
        return []
    # The rows as parameters, not in the statement: one compiled statement, kept in SQLAlchemy's
    # cache (a multi-row VALUES clause is compiled again for every call).
    statement = _insert(session).on_conflict_do_nothing(index_elements=["user_id", "program_slug"])
    return list(session.scalars(statement.returning(Award.id), list(rows.values())))


def _serialize_learners(session: Session, user_ids: list[int]) -> None:
    """Completions of one learner are checked one transaction at a time (PostgreSQL advisory
    locks until commit, in user order): two drains finishing a level's last two modules at once
    each wait for the other's commit, so one of them sees the level complete. SQLite writes one
    transaction at a time anyway."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for user_id in user_ids:
        session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :user_id)"),
            {"space": _LEARNER_LOCK, "user_id": user_id},
        )


def _insert(session: Session) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert: Insert = dialect.insert(Award)
    return insert


def _new_award(context_id: int, user_id: int, slug: str, now: datetime) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "user_id": user_id,
        "context_id": context_id,
        "program_slug": slug,
        "status": "pending",
        "tries": 0,
        "next_attempt_at": now,
        "subject_id": f"urn:uuid:{uuid.uuid4()}",  # opaque: says nothing about the LMS account
        "show_name": False,
        "created_at": now,
    }
