"""Completion credentials, exactly once: an award row when a level completes, and the drain that
issues it.

When a grade change completes a level (services.grades calls `record_completions` in the
grade's own transaction), a `pending` award is inserted; the unique (user, level) constraint
makes a second completion (a regrade, the same level finished in another course of the same LMS:
`lti_user` is one per registration + sub) insert nothing. The badges drain (`issue_due`, woken by
a doorbell after the commit and swept by the beat) claims due awards with FOR UPDATE SKIP LOCKED,
builds the OpenBadgeCredential (domain.awards, domain.credentials), signs it (an eddsa-rdfc-2022
proof, then the VC-JWT), and stores it as `issued` in the same transaction as the claim: a worker
killed mid-issue leaves the row `pending`, and a second delivery of the message finds nothing to
do. Errors leave the award `failed` with its tries and a backoff; it is retried when due, up to
MAX_TRIES, then waits for `lms-plugin credentials reissue`.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from lms_plugin.badges.data_integrity import add_proof
from lms_plugin.badges.vc_jwt import encode_vc_jwt
from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import Award
from lms_plugin.db.grading import Grade, Review
from lms_plugin.db.learning import AssignmentSubmission
from lms_plugin.db.models import LtiUser
from lms_plugin.domain.awards import Held, LevelFacts, capstone, credential_data, prerequisite_gate
from lms_plugin.domain.content.model import Program
from lms_plugin.domain.credentials import build_credential
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.services.content import CurrentContent, current_content
from lms_plugin.services.issuer_keys import (
    Issuer,
    NoIssuerKeyError,
    SigningKeys,
    ensure_issuer_keys,
    signing_keys,
)
from lms_plugin.services.progress import Learner, learner_progress
from lms_plugin.services.status_lists import Allocator, allocate

BATCH = 20  # awards claimed per transaction
MAX_TRIES = 8  # then it stays failed until `lms-plugin credentials reissue`
FIRST_BACKOFF_SECONDS = 10
MAX_BACKOFF_SECONDS = 3600
_LEARNER_LOCK = 0x4157  # namespace of the per-learner advisory locks ("AW")


def record_completions(session: Session, learners: Iterable[tuple[int, int]]) -> list[int]:
    """Insert a pending award for every level these (context_id, user_id) learners have now
    completed and hold none of; returns the new award ids. Caller commits."""
    wanted = sorted(set(learners), key=lambda learner: (learner[1], learner[0]))
    if not wanted:
        return []
    _serialize_learners(session, sorted({user_id for _, user_id in wanted}))
    content = current_content(session)
    now = utcnow()
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for context_id, user_id in wanted:
        progress = learner_progress(session, content, Learner(context_id, user_id))
        for slug in sorted(progress.completed_programs):
            rows.setdefault((user_id, slug), _new_award(context_id, user_id, slug, now))
    if not rows:
        return []
    statement = _insert(session).values(list(rows.values()))
    statement = statement.on_conflict_do_nothing(index_elements=["user_id", "program_slug"])
    return list(session.scalars(statement.returning(Award.id)))


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


def issue_due(
    session: Session, issuer: Issuer, *, limit: int = BATCH, now: datetime | None = None
) -> int:
    """Issue up to `limit` due awards no other drain holds, in one transaction; returns how many
    were handled (issued, withheld or put back with a backoff)."""
    now = now or utcnow()
    keys = _keys(session, issuer)
    awards = list(
        session.scalars(
            select(Award)
            .where(
                Award.status.in_(("pending", "failed")),
                Award.next_attempt_at <= now,
                Award.tries < MAX_TRIES,
            )
            .order_by(Award.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not awards:
        session.rollback()
        return 0
    content = current_content(session)
    allocator = Allocator()
    for award in awards:
        try:
            with session.begin_nested():
                _issue(session, award, issuer, keys, content, allocator, now)
        except SQLAlchemyError:
            raise  # infrastructure: the task retries the whole batch
        except Exception as exc:  # content or signing refused it: record, retry with backoff
            _retry_later(award, "failed", f"{type(exc).__name__}: {exc}", now)
    _wake_dependents(session, [a for a in awards if a.status == "issued"], content, now)
    session.commit()
    return len(awards)


def _keys(session: Session, issuer: Issuer) -> SigningKeys:
    """The active signing keys, made first on a fresh install (that commits: before any claim)."""
    try:
        return signing_keys(session, issuer.urls)
    except NoIssuerKeyError:
        ensure_issuer_keys(session)
        return signing_keys(session, issuer.urls)


def _issue(
    session: Session,
    award: Award,
    issuer: Issuer,
    keys: SigningKeys,
    content: CurrentContent,
    allocator: Allocator,
    now: datetime,
) -> None:
    program = _program(content, award.program_slug)
    gate = prerequisite_gate(
        program,
        _held(session, award.user_id, program.prerequisites),
        {p.slug: p.badge.name for p in content.programs},
    )
    if gate.verdict == "withhold":
        award.status, award.last_error = "withheld", gate.reason
        return
    if gate.verdict == "wait":
        _retry_later(award, "pending", gate.reason, now)
        return
    status = allocate(session, award, allocator, issuer.urls)
    facts = _facts(session, award, program, issuer.urls.credential(award.uuid), status)
    unsigned = build_credential(
        credential_data(program, facts, issuer.reference, issuer.competencies, issuer.urls)
    )
    signed = add_proof(unsigned, keys.proof_key, keys.verification_method, now)
    award.credential = signed
    award.credential_jwt = encode_vc_jwt(signed, keys.jwt_key, kid=keys.jwt_kid)
    award.status, award.issued_at, award.program_version = "issued", now, program.version
    award.last_error = None


def _program(content: CurrentContent, slug: str) -> Program:
    for program in content.programs:
        if program.slug == slug:
            return program
    raise NotFoundError(f"The level {slug!r} is not in the synced content.")


def _held(session: Session, user_id: int | None, slugs: tuple[str, ...]) -> dict[str, Held]:
    """The learner's awards of these levels, read FOR SHARE: a revocation in flight is waited
    for, so a level is never issued on a prerequisite being revoked."""
    if not slugs:
        return {}
    rows = session.execute(
        select(Award.program_slug, Award.status, Award.revoked_reason)
        .where(Award.user_id == user_id, Award.program_slug.in_(list(slugs)))
        .with_for_update(read=True)
    )
    return {slug: Held(status, reason) for slug, status, reason in rows}


def _facts(
    session: Session, award: Award, program: Program, credential_id: str, status: dict[str, Any]
) -> LevelFacts:
    user = session.get(LtiUser, award.user_id) if award.user_id is not None else None
    if user is None or award.context_id is None:
        raise NotFoundError("The learner's platform or course was removed before issuing.")
    scope = {"context_id": award.context_id, "user_id": user.id}
    grades = session.execute(
        select(Grade.module_slug, Grade.updated_at).filter_by(complete=True, **scope)
    )
    passed_on = {slug: passed for slug, passed in grades}
    return LevelFacts(
        credential_id=credential_id,
        subject_id=award.subject_id,
        awarded_at=award.created_at,
        email=user.email,
        email_salt=secrets.token_hex(16),
        capstone_scores=_capstone_scores(session, program, scope),
        passed_on=passed_on,
        status=status,
    )


def _capstone_scores(session: Session, program: Program, scope: dict[str, int]) -> dict[str, int]:
    final = capstone(program)
    if final is None:
        return {}
    review = session.scalars(
        select(Review)
        .join(AssignmentSubmission, Review.submission_id == AssignmentSubmission.id)
        .filter_by(module_slug=final.slug, **scope)
        .where(Review.passed.is_(True))
        .order_by(AssignmentSubmission.round.desc())
        .limit(1)
    ).first()
    return dict(review.scores) if review is not None else {}


def _wake_dependents(
    session: Session, issued: list[Award], content: CurrentContent, now: datetime
) -> None:
    """Levels of the same learners waiting on one just issued are due now (not after their
    backoff); rows another drain holds are skipped, never waited for. One statement a batch."""
    slugs = {award.program_slug for award in issued}
    waiting = [p.slug for p in content.programs if slugs.intersection(p.prerequisites)]
    if not waiting:
        return
    due = (
        select(Award.id)
        .where(
            Award.user_id.in_({award.user_id for award in issued}),
            Award.program_slug.in_(waiting),
            Award.status == "pending",
        )
        .with_for_update(skip_locked=True)
    )
    session.execute(
        update(Award)
        .where(Award.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )


def _retry_later(award: Award, status: str, error: str, now: datetime) -> None:
    award.tries += 1
    award.status = "failed" if award.tries >= MAX_TRIES else status
    award.last_error = error[:2000]
    delay = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** (award.tries - 1))
    award.next_attempt_at = now + timedelta(seconds=delay)


def any_due(session: Session, now: datetime | None = None) -> bool:
    """Whether an award waits to be issued now (to ring the badges drain only when needed)."""
    due = session.scalar(
        select(Award.id)
        .where(
            Award.status.in_(("pending", "failed")),
            Award.next_attempt_at <= (now or utcnow()),
            Award.tries < MAX_TRIES,
        )
        .limit(1)
    )
    session.commit()  # nothing written; end the read transaction
    return due is not None
