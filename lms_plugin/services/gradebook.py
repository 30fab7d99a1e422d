"""Which gradebook columns a course's scores go to, and the outbox rows that carry them there.

The columns of a course (LTI AGS 2.0 §3.2, §3.4):

* a link the teacher placed for a module (deep linking, or ``module=<slug>``) receives that
  module's score: in the link's own line item when its launch named one (the ``lineitem``
  claim), else in a column found or made by resourceId (services.lineitems);
* a link placed without a module (the certificate overview) receives the whole certificate's
  progress in its own line item;
* a module no link was placed for gets a found-or-made column only when the instructor turned
  per-module columns on for the course (``lti_context.module_columns``).

So the column the teacher placed is the one that is filled, and no column appears that nobody
asked for. What a score says is decided in domain.gradebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select, tuple_, update
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.grading import Grade, ScoreOutbox
from lms_plugin.db.models import LtiContext, ResourceLink
from lms_plugin.domain.content.model import Module, Program
from lms_plugin.domain.gradebook import (
    CERTIFICATE,
    SCORE_MAXIMUM,
    Part,
    ScorePayload,
    certificate_payload,
    module_parts,
)
from lms_plugin.services.content import current_content
from lms_plugin.services.practice_log_facts import learners_log_facts, log_parts
from lms_plugin.services.staff import course_staff

Key = tuple[int, int, str]  # (context_id, user_id, module slug or CERTIFICATE)


@dataclass(frozen=True)
class Target:
    """One column a score goes to: a placed link's own line item (``resource_link_id`` and
    ``lineitem_url``), or the module's column found or made by resourceId (both None)."""

    slug: str  # a module slug, or CERTIFICATE
    resource_link_id: int | None = None
    lineitem_url: str | None = None


@dataclass
class Columns:
    """A course's columns: per module placed by a link, the certificate's, and the switch."""

    placed: dict[str, list[Target]] = field(default_factory=dict)
    certificate: list[Target] = field(default_factory=list)
    everywhere: bool = False  # the instructor's per-module columns switch

    def of(self, slug: str) -> list[Target]:
        """Where a module's (or the certificate's) score goes in this course."""
        if slug == CERTIFICATE:
            return self.certificate
        if slug in self.placed:
            return self.placed[slug]
        return [Target(slug)] if self.everywhere else []


def course_columns(session: Session, context_ids: Iterable[int]) -> dict[int, Columns]:
    """The columns of these courses, from their links and switches (two queries)."""
    ids = set(context_ids)
    found = {
        cid: Columns(everywhere=on)
        for cid, on in session.execute(
            select(LtiContext.id, LtiContext.module_columns).where(LtiContext.id.in_(ids))
        )
    }
    links = session.execute(
        select(
            ResourceLink.context_id,
            ResourceLink.id,
            ResourceLink.module_slug,
            ResourceLink.ags_lineitem_url,
        )
        .where(ResourceLink.context_id.in_(ids))
        .order_by(ResourceLink.id)
    )
    for cid, link_id, slug, url in links:
        columns = found.setdefault(cid, Columns())
        if slug is None:
            if url is not None:  # a link without its own line item has no column to fill
                columns.certificate.append(Target(CERTIFICATE, link_id, url))
        else:
            own = columns.placed.setdefault(slug, [])
            if url is not None:
                own.append(Target(slug, link_id, url))
    for columns in found.values():  # placed links without a line item: find or make one
        for slug, own in columns.placed.items():
            if not own:
                own.append(Target(slug))
    return found


def certificate_payloads(
    session: Session, learners: Iterable[tuple[int, int]], programs: Iterable[Program]
) -> dict[Key, ScorePayload]:
    """Each learner's whole-certificate score, from their module grades and their practice log
    (one query, and two per course), each module with the parts its own column counts."""
    programs = list(programs)
    modules = {m.slug: m for p in programs for m in p.modules}
    pairs = list(set(learners))
    grades = {
        (g.context_id, g.user_id, g.module_slug): g
        for g in session.scalars(
            select(Grade).where(tuple_(Grade.context_id, Grade.user_id).in_(pairs))
        )
    }
    logs = learners_log_facts(session, pairs, modules)
    payloads: dict[Key, ScorePayload] = {}
    for cid, uid in pairs:
        parts = {
            slug: grade_parts(module, grades.get((cid, uid, slug)))
            + log_parts(logs[cid, uid, slug])
            for slug, module in modules.items()
        }
        payloads[(cid, uid, CERTIFICATE)] = certificate_payload(programs, parts)
    return payloads


def grade_parts(module: Module, grade: Grade | None) -> tuple[Part, ...]:
    """The module's quiz and assignment parts as its grade row holds them (none: not started)."""
    return module_parts(
        module,
        best_quiz=grade.quiz_percent if grade else None,
        submission_status=grade.assignment_status if grade else None,
        rubric_percent=grade.rubric_percent if grade else None,
    )


def queue_changes(session: Session, changed: Mapping[Key, ScorePayload]) -> list[ScoreOutbox]:
    """Queue these module scores to their columns, and each learner's certificate score to the
    certificate's columns of their course. Caller commits."""
    columns = course_columns(session, {key[0] for key in changed})
    payloads = dict(changed)
    learners = {(cid, uid) for cid, uid, _ in changed if columns.get(cid, Columns()).certificate}
    if learners:
        programs = current_content(session).programs
        payloads.update(certificate_payloads(session, learners, programs))
    return enqueue(
        session,
        {key: (p, columns.get(key[0], Columns()).of(key[2])) for key, p in payloads.items()},
    )


def enqueue(
    session: Session,
    scores: Mapping[Key, tuple[ScorePayload, list[Target]]],
    now: datetime | None = None,
) -> list[ScoreOutbox]:
    """A new outbox row per score and target; a pending row for the same target is superseded
    by it; course staff's are not queued (course_staff). Timestamps strictly increase per
    learner and module (AGS 2.0 §3.4.1), in whole seconds as Moodle compares: a line item
    only ever receives one module's scores."""
    staff = course_staff(session, {key[0] for key in scores})
    wanted = [
        (key, payload, t)
        for key, (payload, ts) in scores.items()
        if key[:2] not in staff
        for t in ts
    ]
    if not wanted:
        return []
    now = now or utcnow()
    targets = [(*key, t.resource_link_id or 0) for key, _, t in wanted]
    # Conditional update: a row a worker is sending right now (and marks sent) is left alone.
    session.execute(
        update(ScoreOutbox)
        .where(ScoreOutbox.status == "pending", _target_among(targets))
        .values(status="superseded")
        .execution_options(synchronize_session=False)
    )
    last = _last_timestamps(session, {key for key, _, _ in wanted})
    rows = [
        ScoreOutbox(
            context_id=key[0],
            user_id=key[1],
            module_slug=key[2],
            resource_link_id=target.resource_link_id,
            lineitem_url=target.lineitem_url,
            score_given=payload.score_given,
            score_maximum=SCORE_MAXIMUM,
            activity_progress=payload.activity_progress,
            grading_progress=payload.grading_progress,
            comment=payload.comment,
            timestamp=next_timestamp(now, last.get(key)),
            status="pending",
            next_attempt_at=now,
        )
        for key, payload, target in wanted
    ]
    session.add_all(rows)
    session.flush()
    return rows


def _last_timestamps(session: Session, keys: set[Key]) -> dict[Key, datetime]:
    """The latest score timestamp queued so far for each learner and module."""
    latest = session.execute(
        select(
            ScoreOutbox.context_id,
            ScoreOutbox.user_id,
            ScoreOutbox.module_slug,
            func.max(ScoreOutbox.timestamp),
        )
        .where(among(ScoreOutbox, keys))
        .group_by(ScoreOutbox.context_id, ScoreOutbox.user_id, ScoreOutbox.module_slug)
    )
    return {(cid, uid, slug): stamp for cid, uid, slug, stamp in latest}


def next_timestamp(now: datetime, last: datetime | None) -> datetime:
    """AGS: timestamps strictly increase per user and line item; Moodle compares seconds."""
    if last is None:
        return now
    return max(now, last.replace(microsecond=0) + timedelta(seconds=1))


def among(model: type[Any], keys: Iterable[Key]) -> ColumnElement[bool]:
    """``(context_id, user_id, module_slug) IN keys`` for a learner-scoped table."""
    return tuple_(model.context_id, model.user_id, model.module_slug).in_(list(keys))


def _target_among(targets: list[tuple[int, int, str, int]]) -> ColumnElement[bool]:
    return tuple_(
        ScoreOutbox.context_id,
        ScoreOutbox.user_id,
        ScoreOutbox.module_slug,
        func.coalesce(ScoreOutbox.resource_link_id, 0),
    ).in_(targets)
