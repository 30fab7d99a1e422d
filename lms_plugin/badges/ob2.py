"""Open Badges 2.0 documents for backpacks that only read 2.0: a hosted Assertion, its BadgeClass
and its issuer Profile, made from the OB 3.0 credential the tool issued.

Open Badges v2.0 (IMS Final Release), "Open Badges Vocabulary": every document has the context
https://w3id.org/openbadges/v2 (shipped in contexts/) and an HTTP(S) `id` where it is served.
- Assertion (§Assertion): id, type, recipient (an IdentityObject), badge (the BadgeClass URL),
  verification, issuedOn; optional expires, image, evidence. HostedBadge verification
  (§VerificationObject, §"HostedBadge Verification"): the `id` is the URL that serves the
  Assertion, on the issuer Profile's origin (the default scope when the Profile declares no
  `verification`); a revoked one is served with 410 Gone and a body of id, revoked and
  revocationReason (§"Revoking Hosted Assertions").
- IdentityObject (§IdentityObject, §"Primitive datatypes" IdentityHash): type `email`, hashed
  true, the salt, and identity "sha256$" + hex of sha256(email + salt). The OB 3.0 credential
  already carries exactly this hash and salt (domain.credentials.hashed_email), so both versions
  name the same recipient and the raw address never appears. A credential without an email
  identity has no OB 2.0 form (`Ob2UnavailableError`, 404).
- BadgeClass (§BadgeClass): id, type, name, description, image (a PNG or SVG URL), criteria,
  issuer (the Profile URL); optional alignment (§AlignmentObject: targetName, targetUrl, ...).
- Issuer Profile (§Profile, "A note on required properties"): an issuer needs id, type, name,
  url and email.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lms_plugin.badges.errors import CredentialError

OB2_CONTEXT = "https://w3id.org/openbadges/v2"
_ALIGNMENT_FIELDS = (
    "targetName",
    "targetUrl",
    "targetDescription",
    "targetFramework",
    "targetCode",
)


class Ob2UnavailableError(CredentialError):
    """There is no Open Badges 2.0 form of this credential or issuer (what it needs is missing)."""

    status = 404
    code = "ob2_unavailable"


def ob2_assertion(
    credential: Mapping[str, Any],
    *,
    assertion_url: str,
    badge_url: str,
    image_url: str | None = None,
) -> dict[str, Any]:
    """The hosted Assertion (served at `assertion_url`) for an issued OB 3.0 credential."""
    assertion: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "id": assertion_url,
        "type": "Assertion",
        "recipient": _recipient(credential),
        "badge": badge_url,
        "verification": {"type": "hosted"},
        "issuedOn": _required(credential, "validFrom"),
    }
    if "validUntil" in credential:
        assertion["expires"] = credential["validUntil"]
    if image_url:
        assertion["image"] = image_url
    evidence = [_evidence(item) for item in _as_list(credential.get("evidence"))]
    if evidence:
        assertion["evidence"] = evidence
    return assertion


def ob2_revoked_assertion(assertion_url: str, reason: str | None) -> dict[str, Any]:
    """The body served with 410 Gone at a revoked Assertion's URL."""
    body: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "id": assertion_url,
        "type": "Assertion",
        "revoked": True,
    }
    return body | ({"revocationReason": reason} if reason else {})


def ob2_badge_class(
    achievement: Mapping[str, Any], *, badge_url: str, issuer_url: str, image_url: str
) -> dict[str, Any]:
    """The BadgeClass for a level, from its OB 3.0 Achievement (as a credential embeds it)."""
    criteria = achievement.get("criteria") or {}
    badge_class: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "id": badge_url,
        "type": "BadgeClass",
        "name": _required(achievement, "name"),
        "description": _required(achievement, "description"),
        "image": image_url,
        "criteria": {key: criteria[key] for key in ("id", "narrative") if criteria.get(key)},
        "issuer": issuer_url,
    }
    if not badge_class["criteria"]:
        raise CredentialError("The achievement has no criteria.", code="ob2_invalid")
    alignments = [_alignment(item) for item in _as_list(achievement.get("alignment"))]
    if alignments:
        badge_class["alignment"] = alignments
    return badge_class


def ob2_issuer(
    *,
    issuer_url: str,
    name: str,
    url: str,
    email: str,
    image_url: str | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    """The issuer Profile; OB 2.0 requires an issuer's contact email."""
    if "@" not in email:
        raise Ob2UnavailableError(
            "Open Badges 2.0 needs a contact email for the issuer, and none is configured.",
            hint="Set LMS_ISSUER_EMAIL.",
        )
    issuer: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "id": issuer_url,
        "type": "Issuer",
        "name": name,
        "url": url,
        "email": email,
    }
    optional = {"image": image_url, "description": description}
    return issuer | {key: value for key, value in optional.items() if value}


def _recipient(credential: Mapping[str, Any]) -> dict[str, Any]:
    subject = credential.get("credentialSubject")
    identifiers = _as_list(subject.get("identifier") if isinstance(subject, dict) else None)
    for identity in identifiers:
        if (
            isinstance(identity, dict)
            and identity.get("identityType") == "emailAddress"
            and identity.get("hashed") is True
            and str(identity.get("identityHash", "")).startswith("sha256$")
        ):
            salt = {"salt": identity["salt"]} if "salt" in identity else {}  # none: unsalted
            return {"type": "email", "hashed": True, **salt, "identity": identity["identityHash"]}
    raise Ob2UnavailableError(
        "This credential names its recipient by no email address, which Open Badges 2.0 needs."
    )


def _evidence(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise CredentialError("The credential's evidence is malformed.", code="ob2_invalid")
    return {key: item[key] for key in ("id", "name", "description", "narrative") if key in item}


def _alignment(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict) or not item.get("targetName") or not item.get("targetUrl"):
        raise CredentialError("An alignment lacks targetName or targetUrl.", code="ob2_invalid")
    return {key: item[key] for key in _ALIGNMENT_FIELDS if item.get(key)}


def _required(document: Mapping[str, Any], key: str) -> Any:
    value = document.get(key)
    if not isinstance(value, str) or not value:
        raise CredentialError(f"The credential has no {key}.", code="ob2_invalid")
    return value


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]
