"""An instructor's view of their course's gradebook columns, and the two ways a column starts
being filled: the per-module switch, and a placed link's own line item seen for the first time
(both fill the new column at once with every learner's current score)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from lms_plugin.db.grading import Grade, ScoreOutbox
from lms_plugin.db.models import LtiContext, ResourceLink
from lms_plugin.domain.gradebook import CERTIFICATE, ScorePayload, module_payload
from lms_plugin.services.content import current_content
from lms_plugin.services.gradebook import (
    Key,
    Target,
    certificate_payloads,
    course_columns,
    enqueue,
    grade_parts,
)
from lms_plugin.services.practice_log_facts import learners_log_facts, log_parts


@dataclass(frozen=True)
class Column:
    """One column the course's scores go to, as the instructor page lists it."""

    title: str  # the link's title, or the module's
    kind: str  # "certificate" | "placed" (a link placed for a module) | "made" (by the switch)
    module_slug: str | None
    own_lineitem: bool  # the link's own line item, as the LMS made it with the link
    sent: int = 0  # learners whose latest score for this column reached the LMS
    pending: int = 0
    failed: list[int] | None = None  # outbox ids of learners' latest scores the LMS refused
    last_error: str | None = None


@dataclass(frozen=True)
class Overview:
    columns: list[Column]
    module_columns: bool  # the switch
    unplaced: list[str]  # titles of modules that get no column while the switch is off


def overview(session: Session, context_id: int) -> Overview:
    """Where this course's scores go, with how many reached the LMS gradebook per column."""
    columns = course_columns(session, [context_id]).get(context_id)
    titles = {m.slug: m.title for p in current_content(session).programs for m in p.modules}
    links = {
        link_id: title
        for link_id, title in session.execute(
            select(ResourceLink.id, ResourceLink.title).where(ResourceLink.context_id == context_id)
        )
    }
    states = _latest_states(session, context_id)
    listed: list[Column] = []
    for target in columns.certificate if columns else []:
        name = links.get(target.resource_link_id or 0) or "Certificate activity"
        listed.append(_column(name, "certificate", target, True, states))
    for slug, targets in sorted((columns.placed if columns else {}).items()):
        for target in targets:
            own = target.lineitem_url is not None
            listed.append(_column(titles.get(slug, slug), "placed", target, own, states))
    everywhere = bool(columns and columns.everywhere)
    placed = set(columns.placed) if columns else set()
    unplaced = [title for slug, title in titles.items() if slug not in placed]
    if everywhere:
        listed += [
            _column(titles[slug], "made", Target(slug), False, states)
            for slug in titles
            if slug not in placed
        ]
    return Overview(listed, everywhere, [] if everywhere else unplaced)


def _latest_states(
    session: Session, context_id: int
) -> dict[tuple[str, int | None], list[tuple[int, str, str | None]]]:
    """(slug, link) -> each learner's latest row there: (id, status, last error)."""
    latest = (
        select(func.max(ScoreOutbox.id))
        .where(ScoreOutbox.context_id == context_id, ScoreOutbox.status != "superseded")
        .group_by(ScoreOutbox.user_id, ScoreOutbox.module_slug, ScoreOutbox.resource_link_id)
    )
    found: dict[tuple[str, int | None], list[tuple[int, str, str | None]]] = {}
    for row_id, slug, link_id, status, error in session.execute(
        select(
            ScoreOutbox.id,
            ScoreOutbox.module_slug,
            ScoreOutbox.resource_link_id,
            ScoreOutbox.status,
            ScoreOutbox.last_error,
        ).where(ScoreOutbox.id.in_(latest))
    ):
        found.setdefault((slug, link_id), []).append((row_id, status, error))
    return found


def _column(
    title: str,
    kind: str,
    target: Target,
    own: bool,
    states: Mapping[tuple[str, int | None], list[tuple[int, str, str | None]]],
) -> Column:
    rows = states.get((target.slug, target.resource_link_id), [])
    failed = [(row_id, error) for row_id, status, error in rows if status == "failed"]
    return Column(
        title=title,
        kind=kind,
        module_slug=None if target.slug == CERTIFICATE else target.slug,
        own_lineitem=own,
        sent=sum(status == "sent" for _, status, _ in rows),
        pending=sum(status == "pending" for _, status, _ in rows),
        failed=[row_id for row_id, _ in failed],
        last_error=failed[-1][1] if failed else None,
    )


def fill_new_column(session: Session, link: ResourceLink) -> list[ScoreOutbox]:
    """A column a placed link brings (its own line item, or a module's column found or made)
    that never received a score gets every learner's current one: the teacher added the link
    after learners made progress. Caller commits."""
    if link.module_slug is None and link.ags_lineitem_url is None:
        return []  # an overview link without a line item has no column
    slug = link.module_slug or CERTIFICATE
    own = link.ags_lineitem_url is not None
    target = Target(slug, link.id, link.ags_lineitem_url) if own else Target(slug)
    sent_before = session.scalar(
        select(
            exists().where(
                ScoreOutbox.context_id == link.context_id,
                ScoreOutbox.module_slug == slug,
                ScoreOutbox.resource_link_id == link.id
                if own
                else ScoreOutbox.resource_link_id.is_(None),
            )
        )
    )
    if sent_before:
        return []
    return _queue_current(session, link.context_id, {slug: [target]})


def set_module_columns(session: Session, context_id: int, on: bool) -> list[ScoreOutbox]:
    """The instructor's switch: turned on, every module no link was placed for gets a column,
    filled at once with every learner's current module score; turned off, the tool stops
    sending to those columns (the LMS keeps them). Commits."""
    course = session.get_one(LtiContext, context_id)
    queued: list[ScoreOutbox] = []
    if on and not course.module_columns:
        course.module_columns = True
        session.flush()
        columns = course_columns(session, [context_id])[context_id]
        slugs = {m.slug for p in current_content(session).programs for m in p.modules}
        queued = _queue_current(
            session, context_id, {s: [Target(s)] for s in slugs - set(columns.placed)}
        )
    course.module_columns = on
    session.commit()
    return queued


def _queue_current(
    session: Session, context_id: int, targets: Mapping[str, list[Target]]
) -> list[ScoreOutbox]:
    """Every learner's current score (from their grades) for these targets."""
    grades = list(session.scalars(select(Grade).where(Grade.context_id == context_id)))
    if not grades:
        return []
    programs = current_content(session).programs
    modules = {m.slug: m for p in programs for m in p.modules}
    scores: dict[Key, tuple[ScorePayload, list[Target]]] = {}
    learners = {(context_id, g.user_id) for g in grades}
    logs = learners_log_facts(session, learners, targets)  # as the grading drain's payloads
    for grade in grades:
        module = modules.get(grade.module_slug)
        if module is None or grade.module_slug not in targets:
            continue
        key = (context_id, grade.user_id, grade.module_slug)
        parts = grade_parts(module, grade) + log_parts(logs.get(key))
        payload = module_payload(parts, grade.score)
        scores[(context_id, grade.user_id, grade.module_slug)] = (payload, targets[module.slug])
    if CERTIFICATE in targets:
        for key, payload in certificate_payloads(session, learners, programs).items():
            scores[key] = (payload, targets[CERTIFICATE])
    return enqueue(session, scores)
