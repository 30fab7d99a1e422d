"""The live check a credential's public page shows: is it signed, in date and not revoked, now.

The checks of OB 3.0 §"Verification" that `verification.verify` makes, on the stored credential:
the embedded eddsa-rdfc-2022 proof against the keys the issuer Profile publishes (active and
retired) and the key's controller (badges.verify), the validity period (VCDM 2.0 §4.9), and the
revocation bit read from the published status list (W3C Bitstring Status List §3.2 "Validate").

Why the proof's verdict is remembered: RDFC-1.0 canonicalization costs tens of milliseconds per
view, and its outcome depends only on the credential's bytes and the keys published, both part
of the memo's key, so a changed credential or key set is checked afresh. The dates and the
status bit, which change with time and revocation, are checked on every view.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.badges.data_integrity import single_proof, verify_proof
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.profile import profile_resolver
from lms_plugin.badges.verify import check_validity_period, issuer_id
from lms_plugin.db import json_codec
from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import StatusList
from lms_plugin.services.issuer_keys import (
    Issuer,
    profile_of,
    proof_kids_subquery,
    public_keys_of,
)
from lms_plugin.services.verification import is_revoked

MEMO_SIZE = 4096  # proof verdicts kept per process (a verdict is a few hundred bytes)
_proofs: dict[str, tuple[str, str] | None] = {}  # digest -> None (verified) or (code, reason)


@dataclass(frozen=True)
class LiveCheck:
    """The verdict: `code` is "valid", "revoked", "expired", "not_yet_valid" or a proof
    refusal's code (badges.errors); `reason` says it in a sentence."""

    valid: bool
    code: str
    reason: str
    checked_at: datetime


def live_check(
    session: Session, issuer: Issuer, credential: Mapping[str, Any], now: datetime | None = None
) -> LiveCheck:
    """Check a stored credential: its proof, its validity period, then its revocation bit."""
    now = now or utcnow()
    try:
        profile, lists = _published(session, issuer, credential)
        _check_proof(credential, profile, now)
        check_validity_period(credential, now)
        if is_revoked(session, issuer, credential, lists):
            return LiveCheck(False, "revoked", "The issuer has revoked this credential.", now)
    except CredentialError as exc:
        return LiveCheck(False, exc.code, exc.message, now)
    return LiveCheck(True, "valid", "", now)


def _published(
    session: Session, issuer: Issuer, credential: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """The issuer Profile (its keys in kid order) and the credential's signed status list, read
    in one query: every view of the public page needs both. A list it names that does not exist,
    or whose document is behind its bits, is left to `is_revoked` (which signs it again)."""
    kids = proof_kids_subquery()
    list_id = _list_id(issuer, credential)
    found = None
    if list_id is not None:
        found = session.execute(
            select(
                kids, StatusList.document, StatusList.version, StatusList.document_version
            ).where(StatusList.id == list_id)
        ).first()
    if list_id is None or found is None:
        return profile_of(issuer, public_keys_of(session.scalar(select(kids)))), {}
    names, document, version, signed_version = found
    fresh = document is not None and signed_version == version
    return profile_of(issuer, public_keys_of(names)), {list_id: document} if fresh else {}


def _list_id(issuer: Issuer, credential: Mapping[str, Any]) -> int | None:
    """The id of this issuer's list the credential's (first) status entry names, if any."""
    entries = credential.get("credentialStatus")
    entry = entries[0] if isinstance(entries, list) and entries else entries
    url = entry.get("statusListCredential") if isinstance(entry, dict) else None
    return issuer.urls.status_list_id(url) if isinstance(url, str) else None


def _check_proof(credential: Mapping[str, Any], profile: Mapping[str, Any], now: datetime) -> None:
    """VC Data Integrity v1.0 "Verify Proof" (eddsa-rdfc-2022 §3.3.2), and the proof's key
    controlled by the credential's issuer (VCDM 2.0 §4.7)."""
    if _expires(credential):  # a verdict that depends on `now`
        _verify_proof(credential, profile, now)
        return
    # The stored credential as orjson writes it, keys sorted (it holds no NaN: PostgreSQL's json
    # and our writer refuse or drop them): 15 µs where json.dumps took 170 (a 25 KB credential).
    key = hashlib.sha256(json_codec.dumps_sorted([credential, profile])).hexdigest()
    if key not in _proofs:
        if len(_proofs) >= MEMO_SIZE:
            _proofs.clear()  # bounded; a verdict forgotten is only computed again
        try:
            _verify_proof(credential, profile, now)
            _proofs[key] = None
        except CredentialError as exc:
            _proofs[key] = (exc.code, exc.message)
    failure = _proofs[key]
    if failure is not None:
        raise CredentialError(failure[1], code=failure[0])


def _expires(credential: Mapping[str, Any]) -> bool:
    """Whether the proof (an object or a one-element array) has an `expires`."""
    try:
        return "expires" in single_proof(credential)
    except CredentialError:
        return False  # no single proof: refused alike at any time, so the verdict may be kept


def _verify_proof(credential: Mapping[str, Any], profile: Mapping[str, Any], now: datetime) -> None:
    method = verify_proof(credential, profile_resolver([profile]), now=now)
    if method.controller != issuer_id(credential):
        raise CredentialError(
            "The credential is signed with a key its issuer does not control.",
            code="issuer_mismatch",
        )
