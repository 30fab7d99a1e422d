"""Credentials after they are issued: find, list, show publicly, revoke, reissue.

What the web serves (the URLs are in domain.credential_urls):

  get_public(session, uuid)                     what a credential's public page shows
  issuer_keys.issuer_profile_document(...)      the issuer Profile JSON-LD (active + retired keys)
  issuer_keys.issuer_jwks / issuer_public_jwk   the VC-JWT keys
  status_lists.status_list_document(...)        a signed BitstringStatusListCredential
  verification.verify(...)                      a presented credential (JSON-LD or JWT) checked
  learner_awards(session, user_id)              "My credentials": pending ones are "issuing…"
  set_show_name(session, user_id, uuid, show)   the learner's choice to name themself publicly
  course_awards(session, context_id)            the awards earned in one course (instructors)

Revoking (W3C Bitstring Status List: the credential's bit is set and the list credential signed
again in the revocation's transaction) records who and why; it also stops the issuing of any
level that has the revoked one as prerequisite (Level 2 needs a valid Level 1).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import Award
from lms_plugin.db.models import LtiContext, LtiUser
from lms_plugin.domain.credential_urls import CredentialUrls
from lms_plugin.domain.errors import ConflictError, InvalidInputError, NotFoundError
from lms_plugin.domain.i18n import _
from lms_plugin.services.content import current_content
from lms_plugin.services.status_lists import set_revoked

STATUSES = ("pending", "issued", "failed", "revoked", "withheld")
REASON_MAX = 1000


def parse_credential_id(credential_id: str) -> str:
    """The canonical form of a credential uuid; NotFoundError for anything else (never a 500)."""
    try:
        return str(uuid.UUID(str(credential_id).strip()))
    except ValueError:
        raise NotFoundError(_("There is no credential with this id.")) from None


def find_award(
    session: Session, credential_id: str, *, context_id: int | None = None, lock: bool = False
) -> Award:
    """The award with this credential id (of this course, when `context_id` is given)."""
    query = select(Award).where(Award.uuid == parse_credential_id(credential_id))
    if context_id is not None:
        query = query.where(Award.context_id == context_id)
    award = session.scalars(query.with_for_update() if lock else query).first()
    if award is None:
        raise NotFoundError(_("There is no credential with this id."))
    return award


def learner_awards(session: Session, user_id: int) -> list[Award]:
    """A learner's awards, every status (the overview shows "issuing…" for pending ones), by
    level. An award is the LMS identity's (registration + sub), whichever course earned it."""
    return list(
        session.scalars(select(Award).where(Award.user_id == user_id).order_by(Award.program_slug))
    )


def set_show_name(session: Session, user_id: int, credential_id: str, show: bool) -> Award:
    """Whether the public page names the learner (off until they turn it on); only the learner
    whose award it is can change it: anyone else's id is not found."""
    award = find_award(session, credential_id, lock=True)
    if award.user_id != user_id:
        raise NotFoundError(_("There is no credential with this id."))
    award.show_name = show
    session.commit()
    return award


def course_awards(session: Session, context_id: int) -> dict[int, list[Award]]:
    """The awards earned in this course, by learner (user row id), each learner's by level."""
    found: dict[int, list[Award]] = {}
    query = (
        select(Award)
        .where(Award.context_id == context_id, Award.user_id.is_not(None))
        .order_by(Award.user_id, Award.program_slug)
    )
    for award in session.scalars(query):
        assert award.user_id is not None
        found.setdefault(award.user_id, []).append(award)
    return found


@dataclass(frozen=True)
class AwardRow:
    """A line of `lms-plugin credentials list`."""

    award: Award
    sub: str | None
    course: str | None


def list_awards(session: Session, status: str | None = None, limit: int = 50) -> list[AwardRow]:
    """The latest awards (of one status), newest first, with the learner's LMS id and course."""
    query = (
        select(Award, LtiUser.sub, LtiContext.title, LtiContext.context_id)
        .outerjoin(LtiUser, LtiUser.id == Award.user_id)
        .outerjoin(LtiContext, LtiContext.id == Award.context_id)
        .order_by(Award.id.desc())
        .limit(limit)
    )
    if status is not None:
        query = query.where(Award.status == status)
    return [
        AwardRow(award, sub, title or context_id)
        for award, sub, title, context_id in session.execute(query)
    ]


def counts(session: Session) -> dict[str, int]:
    """How many awards are in each status."""
    rows = session.execute(select(Award.status, func.count()).group_by(Award.status))
    found = {status: count for status, count in rows}
    return {status: found.get(status, 0) for status in STATUSES}


@dataclass(frozen=True)
class Revocation:
    award: Award
    withheld: list[str]  # credential ids of levels whose issuing this stopped
    still_valid: list[str]  # credential ids of dependent levels issued before: revoke them apart


def revoke(
    session: Session,
    urls: CredentialUrls,
    credential_id: str,
    reason: str,
    by: str,
    *,
    context_id: int | None = None,
) -> Revocation:
    """Revoke an issued credential: its status bit is set and the list signed again; who and
    why are recorded; levels that need this one are no longer issued."""
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInputError(_("Say why the credential is revoked."), code="reason_missing")
    if len(reason) > REASON_MAX:
        raise InvalidInputError(_("The reason is longer than %(max)s characters.", max=REASON_MAX))
    award = find_award(session, credential_id, context_id=context_id, lock=True)
    if award.status == "revoked":
        raise ConflictError(_("This credential is already revoked."), code="already_revoked")
    if award.status != "issued" or award.status_list_id is None or award.status_index is None:
        raise ConflictError(
            _("Only an issued credential can be revoked; this one has not been issued yet."),
            code="not_issued",
        )
    set_revoked(session, award.status_list_id, award.status_index, urls)
    award.status, award.revoked_at = "revoked", utcnow()
    award.revoked_reason, award.revoked_by = reason, by[:200]
    withheld, still_valid = _stop_dependents(session, award)
    session.commit()
    return Revocation(award, withheld, still_valid)


def _stop_dependents(session: Session, award: Award) -> tuple[list[str], list[str]]:
    """Withhold the learner's not-yet-issued levels that need `award`'s level. Rows a drain is
    issuing right now are skipped, not waited for (the drain reads the prerequisite FOR SHARE,
    so it waits for this commit and then withholds them itself)."""
    needing = [
        p.slug for p in current_content(session).programs if award.program_slug in p.prerequisites
    ]
    if not needing or award.user_id is None:
        return [], []
    dependents = session.scalars(
        select(Award)
        .where(Award.user_id == award.user_id, Award.program_slug.in_(needing))
        .with_for_update(skip_locked=True)
    )
    withheld, still_valid = [], []
    for dependent in dependents:
        if dependent.status in {"pending", "failed"}:
            dependent.status = "withheld"
            dependent.last_error = f"A prerequisite credential was revoked: {award.revoked_reason}"
            withheld.append(dependent.uuid)
        elif dependent.status == "issued":
            still_valid.append(dependent.uuid)
    return withheld, still_valid


def reissue(session: Session, credential_id: str) -> Award:
    """Put a failed award back in the queue (tries from zero), after its cause is fixed."""
    award = find_award(session, credential_id, lock=True)
    if award.status != "failed":
        raise ConflictError(
            _(
                "Only a failed credential is issued again; this one is %(state)s.",
                state=award.status,
            )
        )
    award.status, award.tries, award.next_attempt_at = "pending", 0, utcnow()
    session.commit()
    return award


@dataclass(frozen=True)
class PublicCredential:
    """What a credential's public page shows: what the signed credential says, its state, and
    the learner's name only if they chose to show it."""

    uuid: str
    url: str
    status: str  # issued | revoked
    program_slug: str
    credential: dict[str, Any]
    credential_jwt: str
    issued_at: datetime
    revoked_at: datetime | None
    revoked_reason: str | None
    recipient_name: str | None
    course: str | None = None  # the title of the course it was earned in, as the LMS gave it

    @property
    def achievement(self) -> dict[str, Any]:
        """The signed Achievement: name, description, criteria, alignment, image."""
        achievement: dict[str, Any] = self.credential["credentialSubject"]["achievement"]
        return achievement

    @property
    def issuer(self) -> dict[str, Any]:
        """The signed issuer: id, name, url."""
        issuer: dict[str, Any] = self.credential["issuer"]
        return issuer


def get_public(session: Session, credential_id: str) -> PublicCredential:
    """A credential anyone may see: issued or revoked; NotFoundError for any other id."""
    # One query: the public page is the most visited credential route.
    found = session.execute(
        select(Award, LtiUser.name, LtiContext.title)
        .outerjoin(LtiUser, LtiUser.id == Award.user_id)
        .outerjoin(LtiContext, LtiContext.id == Award.context_id)
        .where(Award.uuid == parse_credential_id(credential_id))
    ).first()
    if found is None:
        raise NotFoundError(_("There is no credential with this id."))
    award, user_name, course = found
    if not award.public or award.credential is None:
        raise NotFoundError(_("There is no credential with this id."))
    name = user_name if award.show_name else None
    assert award.issued_at is not None and award.credential_jwt is not None
    return PublicCredential(
        uuid=award.uuid,
        url=str(award.credential["id"]),
        status=award.status,
        program_slug=award.program_slug,
        credential=award.credential,
        credential_jwt=award.credential_jwt,
        issued_at=award.issued_at,
        revoked_at=award.revoked_at,
        revoked_reason=award.revoked_reason,
        recipient_name=name,
        course=course,
    )
