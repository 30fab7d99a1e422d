"""Check a presented credential (JSON-LD with its proof, or the VC-JWT) against this issuer.

OB 3.0 §"Verification": the JWT's signature and claims (§8.2.6) with the issuer's RSA keys, the
embedded eddsa-rdfc-2022 proof with the keys the issuer Profile publishes (active and retired),
the proof's key controlled by the credential's issuer, the validity period, then the revocation
bit in this issuer's status list (W3C Bitstring Status List "Validate Algorithm"). Each refusal
has a stable code (badges.errors) and a sentence for the person who asked.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.profile import profile_resolver
from lms_plugin.badges.status_list import read_status
from lms_plugin.badges.vc_jwt import decode_vc_jwt
from lms_plugin.badges.verify import verify_credential
from lms_plugin.db.base import utcnow
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.domain.i18n import N_  # sentences the page translates (|tr)
from lms_plugin.services.issuer_keys import Issuer, issuer_profile_document, jwt_key_resolver
from lms_plugin.services.status_lists import status_list_document

MAX_JSON_CHARS = 256_000


@dataclass(frozen=True)
class Verification:
    """The verdict: `code` is "valid", "revoked" or the refusal's code; `reason` a sentence."""

    valid: bool
    code: str
    reason: str
    form: str  # json-ld | jwt
    credential: dict[str, Any] | None = None


def verify(
    session: Session,
    issuer: Issuer,
    presented: str | Mapping[str, Any],
    now: datetime | None = None,
) -> Verification:
    """Verify a credential as JSON-LD (a dict or its text) or as a compact VC-JWT."""
    now = now or utcnow()
    text_json = not isinstance(presented, Mapping) and presented.lstrip()[:1] in {"{", "["}
    form = "json-ld" if isinstance(presented, Mapping) or text_json else "jwt"
    credential: dict[str, Any] | None = None
    try:
        if isinstance(presented, Mapping):
            credential = dict(presented)
        elif form == "json-ld":
            credential = _parse_json(presented)
        else:
            credential = decode_vc_jwt(
                presented.strip(), jwt_key_resolver(session, issuer.urls), now=now
            )
        profile = issuer_profile_document(session, issuer)
        verify_credential(credential, profile_resolver([profile]), now=now)
        if is_revoked(session, issuer, credential):
            return Verification(
                False, "revoked", N_("The issuer has revoked this credential."), form, credential
            )
    except CredentialError as exc:
        return Verification(False, exc.code, exc.message, form, credential)
    return Verification(
        True,
        "valid",
        N_("The credential is valid: signed by its issuer, in its validity period, not revoked."),
        form,
        credential,
    )


def _parse_json(text: str) -> dict[str, Any]:
    if len(text) > MAX_JSON_CHARS:
        raise CredentialError(
            N_("The credential is larger than any this issuer makes."), code="jsonld_invalid"
        )
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise CredentialError(
            N_("The credential is not valid JSON."), code="jsonld_invalid"
        ) from exc
    if not isinstance(document, dict):
        raise CredentialError(N_("A credential is a JSON object."), code="jsonld_invalid")
    return document


def is_revoked(
    session: Session,
    issuer: Issuer,
    credential: Mapping[str, Any],
    lists: Mapping[int, dict[str, Any]] | None = None,
) -> bool:
    """Whether the credential's revocation bit is set; a status list that is not this issuer's
    cannot be checked here, so it is refused. `lists`: signed list documents already read."""
    entries = credential.get("credentialStatus")
    if entries is None:
        return False
    for entry in entries if isinstance(entries, list) else [entries]:
        url = entry.get("statusListCredential") if isinstance(entry, dict) else None
        list_id = issuer.urls.status_list_id(url) if isinstance(url, str) else None
        if list_id is None:
            raise CredentialError(
                N_("The credential's status list is not this issuer's."), code="status_list_invalid"
            )
        try:
            document = (lists or {}).get(list_id) or status_list_document(
                session, list_id, issuer.urls
            )
        except NotFoundError as exc:
            raise CredentialError(
                N_("The credential's status list does not exist."), code="status_list_invalid"
            ) from exc
        if read_status(document, entry):
            return True
    return False
