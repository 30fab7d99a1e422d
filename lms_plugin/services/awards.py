"""The badges drain: each recorded award issued as its credential, exactly once.

When a grade change completes a level, a `pending` award is inserted in the grade's own
transaction (award_records.record_completions). The badges drain (`issue_due`, woken by
a doorbell after the commit and swept by the beat) claims due awards with FOR UPDATE SKIP LOCKED,
builds the OpenBadgeCredential (domain.awards, domain.credentials), signs it (an eddsa-rdfc-2022
proof, then the VC-JWT), and stores it as `issued` in the same transaction as the claim: a worker
killed mid-issue leaves the row `pending`, and a second delivery of the message finds nothing to
do. Errors leave the award `failed` with its tries and a backoff; it is retried when due, up to
MAX_TRIES, then waits for `lms-plugin credentials reissue`.

Cost: what is not signing is done per batch, not per credential (benchmarks/README.md, "Badges"):
the facts are read in a few set queries (award_facts), the status indexes drawn and written
together (status_lists.allocate_all), the credentials written in one flush at the commit, and the
signing keys opened once per process (issuer_keys). A credential is made in memory and set on its
award only once whole, so an award refused midway needs no savepoint (an index it was given stays
its own, for its retry); a level waiting on another of the same batch is gated in a later round.
A round's credentials are built, then signed, then stored, each step for all of them in turn
(`_issue_all`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from lms_plugin.badges.data_integrity import add_proof
from lms_plugin.badges.vc_jwt import encode_vc_jwt
from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import Award
from lms_plugin.db.models import LtiUser
from lms_plugin.domain.awards import Gate, LevelFacts, capstone, credential_data, prerequisite_gate
from lms_plugin.domain.content.model import Program
from lms_plugin.domain.credentials import build_credential
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.services.award_facts import BatchFacts, load_facts
from lms_plugin.services.content import CurrentContent, current_content
from lms_plugin.services.issuer_keys import (
    Issuer,
    NoIssuerKeyError,
    SigningKeys,
    ensure_issuer_keys,
    signing_keys,
)
from lms_plugin.services.status_lists import Allocator, allocate_all

BATCH = 100  # awards claimed per transaction (about 0.8 s of work; benchmarks/README.md)
MAX_TRIES = 8  # then it stays failed until `lms-plugin credentials reissue`
FIRST_BACKOFF_SECONDS = 10
MAX_BACKOFF_SECONDS = 3600


def issue_due(
    session: Session, issuer: Issuer, *, limit: int = BATCH, now: datetime | None = None
) -> int:
    """Issue up to `limit` due awards no other drain holds, in one transaction; returns how many
    were handled (issued, withheld or put back with a backoff)."""
    now = now or utcnow()
    keys = _keys(session, issuer)
    claimed = session.execute(
        select(Award, LtiUser.id, LtiUser.email)  # the learner's email read with the claim
        .outerjoin(LtiUser, LtiUser.id == Award.user_id)
        .where(
            Award.status.in_(("pending", "failed")),
            Award.next_attempt_at <= now,
            Award.tries < MAX_TRIES,
        )
        .order_by(Award.id)
        .limit(limit)
        .with_for_update(of=Award, skip_locked=True)
    ).all()
    if not claimed:
        session.rollback()
        return 0
    awards = [award for award, _, _ in claimed]
    emails = {user_id: email for _, user_id, email in claimed if user_id is not None}
    content = current_content(session)
    programs = {program.slug: program for program in content.programs}
    facts = load_facts(session, awards, programs, emails)
    allocator, waiting = Allocator(), awards
    while waiting:  # a level waiting on another of this batch goes in the round after it
        ready, waiting = _gate(waiting, programs, facts, now)
        statuses = allocate_all(session, ready, allocator, issuer.urls) if ready else {}
        _issue_all(ready, programs, issuer, keys, facts, statuses, now)
        if not ready:
            for award in waiting:  # waiting on each other: cannot be (content lint), but bounded
                _retry_later(award, "pending", "Waiting for a prerequisite level.", now)
            break
    _wake_dependents(session, [a for a in awards if a.status == "issued"], content, now)
    session.commit()  # claim, indexes and credentials at once: a killed drain leaves them pending
    return len(awards)


def _keys(session: Session, issuer: Issuer) -> SigningKeys:
    """The active signing keys, made first on a fresh install (that commits: before any claim)."""
    try:
        return signing_keys(session, issuer.urls)
    except NoIssuerKeyError:
        ensure_issuer_keys(session)
        return signing_keys(session, issuer.urls)


@contextmanager
def _refusals(award: Award, now: datetime) -> Iterator[None]:
    """What content or signing refuses for one award is recorded on it, to retry with a backoff."""
    try:
        yield
    except SQLAlchemyError:
        raise  # infrastructure: the task retries the whole batch
    except Exception as exc:
        _retry_later(award, "failed", f"{type(exc).__name__}: {exc}", now)


def _gate(
    awards: list[Award], programs: dict[str, Program], facts: BatchFacts, now: datetime
) -> tuple[list[Award], list[Award]]:
    """The awards to issue now, and those waiting on a level of this batch not issued yet; the
    others are withheld, or put back to wait with a backoff."""
    titles = {slug: program.badge.name for slug, program in programs.items()}
    in_batch = {(award.user_id, award.program_slug) for award in awards}
    ready: list[Award] = []
    later: list[Award] = []
    for award in awards:
        gate: Gate | None = None
        with _refusals(award, now):  # an unknown level, a learner removed
            gate = _gate_one(award, programs, facts, titles)
        if gate is None:
            facts.record(award)
        elif gate.verdict == "issue":
            ready.append(award)
        elif gate.verdict == "withhold":
            award.status, award.last_error = "withheld", gate.reason
            facts.record(award)
        elif any(
            (award.user_id, slug) in in_batch for slug in programs[award.program_slug].prerequisites
        ):
            later.append(award)
        else:
            _retry_later(award, "pending", gate.reason, now)
            facts.record(award)
    return ready, later


def _gate_one(
    award: Award, programs: dict[str, Program], facts: BatchFacts, titles: dict[str, str]
) -> Gate:
    program = programs.get(award.program_slug)
    if program is None:
        raise NotFoundError(f"The level {award.program_slug!r} is not in the synced content.")
    if award.user_id not in facts.emails or award.context_id is None:
        raise NotFoundError("The learner's platform or course was removed before issuing.")
    held = facts.held_by(award.user_id, program.prerequisites)
    return prerequisite_gate(program, held, titles)


def _issue_all(
    ready: list[Award],
    programs: dict[str, Program],
    issuer: Issuer,
    keys: SigningKeys,
    facts: BatchFacts,
    statuses: dict[int, dict[str, Any]],
    now: datetime,
) -> None:
    """Build, sign and store the round's credentials, each step for all of them in turn.

    Signing back to back keeps pyld's code and its processed contexts in the CPU's caches: with
    building, the VC-JWT and the ORM's bookkeeping between two proofs, each proof took about 5 %
    longer (benchmarks/README.md, "Badges"). What one award refuses is recorded on it alone.
    """
    unsigned: list[tuple[Award, dict[str, Any]]] = []
    for award in ready:
        with _refusals(award, now):
            unsigned.append((award, _build(award, programs, issuer, facts, statuses[award.id])))
    signed: list[tuple[Award, dict[str, Any]]] = []
    for award, credential in unsigned:
        with _refusals(award, now):
            proof = add_proof(credential, keys.proof_key, keys.verification_method, now)
            signed.append((award, proof))
    for award, credential in signed:
        with _refusals(award, now):
            token = encode_vc_jwt(credential, keys.jwt_key, kid=keys.jwt_kid)
            award.credential, award.credential_jwt = credential, token
            award.status, award.issued_at, award.last_error = "issued", now, None
            award.program_version = programs[award.program_slug].version
    for award in ready:
        facts.record(award)


def _build(
    award: Award,
    programs: dict[str, Program],
    issuer: Issuer,
    facts: BatchFacts,
    status: dict[str, Any],
) -> dict[str, Any]:
    program = programs[award.program_slug]
    return build_credential(
        credential_data(
            program,
            _level_facts(award, program, facts, issuer, status),
            issuer.reference,
            issuer.competencies,
            issuer.urls,
        )
    )


def _level_facts(
    award: Award, program: Program, facts: BatchFacts, issuer: Issuer, status: dict[str, Any]
) -> LevelFacts:
    assert award.user_id is not None and award.context_id is not None  # checked by the gate
    learner = (award.context_id, award.user_id)
    final = capstone(program)
    scores = facts.capstone_scores.get((*learner, final.slug), {}) if final is not None else {}
    return LevelFacts(
        credential_id=issuer.urls.credential(award.uuid),
        subject_id=award.subject_id,
        awarded_at=award.created_at,
        email=facts.emails[award.user_id],
        email_salt=secrets.token_hex(16),
        capstone_scores=scores,
        passed_on=facts.passed_on.get(learner, {}),
        status=status,
    )


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
