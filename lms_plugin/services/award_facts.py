"""What the badges drain reads about a claimed batch of awards: a few set queries per batch.

The modules the learners passed and when, their capstone reviews, and the prerequisite levels'
awards they hold are each read for the whole batch at once (their emails come with the claim,
services/awards.py), instead of three or four queries per credential (benchmarks/README.md,
"Badges"). The prerequisite awards are read FOR SHARE, as one award at a time was: a revocation
in flight is waited for, so a level is never issued on a prerequisite being revoked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.credentials import Award
from lms_plugin.db.grading import Grade, Review
from lms_plugin.db.learning import AssignmentSubmission
from lms_plugin.domain.awards import Held, capstone
from lms_plugin.domain.content.model import Module, Program

Learner = tuple[int, int]  # (context_id, user_id)


@dataclass
class BatchFacts:
    """The database's side of each claimed award, keyed as the drain asks for it."""

    emails: dict[int, str | None]  # user id -> email, for learners still on file
    passed_on: dict[Learner, dict[str, datetime]]  # learner -> module slug -> when it was passed
    capstone_scores: dict[tuple[int, int, str], dict[str, int]]  # (context, user, module)
    held: dict[tuple[int | None, str], Held]  # (user id, level slug) -> that award

    def held_by(self, user_id: int | None, slugs: Iterable[str]) -> dict[str, Held]:
        """The learner's awards of these levels."""
        return {slug: self.held[(user_id, slug)] for slug in slugs if (user_id, slug) in self.held}

    def record(self, award: Award) -> None:
        """An award of the batch was just issued, withheld or put back: the gate sees it so."""
        self.held[(award.user_id, award.program_slug)] = Held(award.status, award.revoked_reason)


def load_facts(
    session: Session,
    awards: Sequence[Award],
    programs: Mapping[str, Program],
    emails: dict[int, str | None],
) -> BatchFacts:
    """Everything the batch's credentials need from the database besides the learners' emails
    (user id -> email of those still on file, read with the claim), in three queries at most."""
    user_ids = sorted({a.user_id for a in awards if a.user_id is not None})
    learners = {(a.context_id, a.user_id) for a in awards if a.context_id and a.user_id}
    passed_on: dict[Learner, dict[str, datetime]] = {}
    grades = select(Grade.context_id, Grade.user_id, Grade.module_slug, Grade.updated_at).where(
        Grade.complete.is_(True), Grade.user_id.in_(user_ids)
    )
    for context_id, user_id, slug, updated_at in session.execute(grades):
        if (context_id, user_id) in learners:
            passed_on.setdefault((context_id, user_id), {})[slug] = updated_at
    return BatchFacts(
        emails=emails,
        passed_on=passed_on,
        capstone_scores=_capstone_scores(session, awards, programs, user_ids),
        held=_held(session, awards, programs),
    )


def _capstone_scores(
    session: Session, awards: Sequence[Award], programs: Mapping[str, Program], user_ids: list[int]
) -> dict[tuple[int, int, str], dict[str, int]]:
    """The scores of each learner's latest passed review of their level's capstone."""
    finals = {final.slug for a in awards if (final := _capstone_of(programs, a)) is not None}
    if not finals:
        return {}
    rows = session.execute(
        select(
            AssignmentSubmission.context_id,
            AssignmentSubmission.user_id,
            AssignmentSubmission.module_slug,
            Review.scores,
        )
        .join(Review, Review.submission_id == AssignmentSubmission.id)
        .where(
            Review.passed.is_(True),
            AssignmentSubmission.user_id.in_(user_ids),
            AssignmentSubmission.module_slug.in_(sorted(finals)),
        )
        .order_by(AssignmentSubmission.round.desc())
    )
    scores: dict[tuple[int, int, str], dict[str, int]] = {}
    for context_id, user_id, slug, review_scores in rows:
        scores.setdefault((context_id, user_id, slug), dict(review_scores))  # the latest round
    return scores


def _capstone_of(programs: Mapping[str, Program], award: Award) -> Module | None:
    program = programs.get(award.program_slug)
    return capstone(program) if program is not None else None


def _held(
    session: Session, awards: Sequence[Award], programs: Mapping[str, Program]
) -> dict[tuple[int | None, str], Held]:
    """The prerequisite levels' awards of the batch's learners, read FOR SHARE."""
    slugs = {s for a in awards if a.program_slug in programs for s in _prerequisites(programs, a)}
    users = {a.user_id for a in awards if a.program_slug in programs and a.user_id is not None}
    if not slugs or not users:
        return {}
    rows = session.execute(
        select(Award.user_id, Award.program_slug, Award.status, Award.revoked_reason)
        .where(Award.user_id.in_(sorted(users)), Award.program_slug.in_(sorted(slugs)))
        .order_by(Award.id)
        .with_for_update(read=True)
    )
    return {(user_id, slug): Held(status, reason) for user_id, slug, status, reason in rows}


def _prerequisites(programs: Mapping[str, Program], award: Award) -> tuple[str, ...]:
    return programs[award.program_slug].prerequisites
