"""The OpenBadgeCredential a completed level earns, as plain data (unsigned: badges signs it).

Open Badges 3.0 §"OpenBadgeCredential" over VC Data Model 2.0: contexts VCDM 2.0 + OB 3.0.3, types
VerifiableCredential and OpenBadgeCredential, `id` (the credential's public page), `issuer` (a
Profile), `validFrom` / optional `validUntil`, `awardedDate`, and a `credentialSubject` of type
AchievementSubject holding the `achievement` (id, Certificate, name, description, criteria, image,
alignments, rubric result descriptions), the capstone `result`s and the recipient. `evidence`
lists the modules passed; `credentialStatus` is the caller's Bitstring Status List entry.

No `credentialSchema`: the type OB 3.0's examples give it, "1EdTechJsonSchemaValidator2019", is
defined by neither the VCDM 2.0 context nor OB context 3.0.3, so it expands to a relative IRI,
which eddsa-rdfc-2022 verifiers in safe mode (and badges/canonical.py) refuse. The credentials
are checked against 1EdTech's JSON Schema in the tests instead.

The recipient: `credentialSubject.id` is always an opaque URN chosen by the caller (the VC-JWT's
`sub` claim needs one, OB 3.0 §8.2.4); when the LMS shares an email, `identifier` adds an
IdentityObject with its salted SHA-256 hash (OB 3.0 §"IdentityObject": identityHash
"sha256$<hex of sha256(email + salt)>", hashed true), so the raw email never appears.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

CREDENTIAL_CONTEXT = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
)


@dataclass(frozen=True)
class Alignment:
    """A competency the achievement assesses (OB 3.0 Alignment)."""

    name: str
    url: str
    description: str | None = None
    framework: str | None = None
    code: str | None = None


@dataclass(frozen=True)
class RubricResult:
    """The level reached on one capstone rubric criterion (ResultDescription + Result)."""

    id: str  # https URL naming the criterion, stable per level
    criterion: str
    levels: tuple[tuple[str, str], ...]  # (level id, level name), lowest first
    achieved: str  # a level id among `levels`


@dataclass(frozen=True)
class AchievementData:
    """The level as an OB 3.0 Achievement."""

    id: str
    name: str
    description: str
    criteria_narrative: str
    criteria_url: str | None = None
    image_url: str | None = None
    image_caption: str | None = None
    alignments: tuple[Alignment, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """A module passed, and when; `url` only for a page the learner made public."""

    name: str
    passed_on: datetime
    url: str | None = None


@dataclass(frozen=True)
class CredentialData:
    """Everything a level credential says, before it is signed."""

    id: str
    name: str
    issuer: dict[str, Any]
    achievement: AchievementData
    subject_id: str
    valid_from: datetime
    valid_until: datetime | None = None
    email_identity: dict[str, Any] | None = None
    results: tuple[RubricResult, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    status: dict[str, Any] | None = None


def hashed_email(email: str, salt: str) -> dict[str, Any]:
    """An IdentityObject for `email` (trimmed, lower-cased) hashed with `salt`."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def build_credential(data: CredentialData) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for `data`."""
    subject: dict[str, Any] = {
        "id": data.subject_id,
        "type": ["AchievementSubject"],
        "achievement": _achievement(data.achievement, data.results),
    }
    if data.email_identity is not None:
        subject["identifier"] = [data.email_identity]
    if data.results:
        subject["result"] = [_result(result) for result in data.results]
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXT),
        "id": data.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": data.name,
        "issuer": data.issuer,
        "validFrom": _xsd(data.valid_from),
        "awardedDate": _xsd(data.valid_from),
        "credentialSubject": subject,
    }
    if data.valid_until is not None:
        credential["validUntil"] = _xsd(data.valid_until)
    if data.evidence:
        credential["evidence"] = [_evidence(item) for item in data.evidence]
    if data.status is not None:
        credential["credentialStatus"] = data.status
    return credential


def achievement_document(data: AchievementData) -> dict[str, Any]:
    """The Achievement as served at its `id` (JSON-LD, the credential's contexts)."""
    return {"@context": list(CREDENTIAL_CONTEXT), **_achievement(data, ())}


def _achievement(data: AchievementData, results: tuple[RubricResult, ...]) -> dict[str, Any]:
    criteria: dict[str, Any] = {"narrative": data.criteria_narrative}
    if data.criteria_url:
        criteria["id"] = data.criteria_url
    achievement: dict[str, Any] = {
        "id": data.id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": data.name,
        "description": data.description,
        "criteria": criteria,
    }
    if data.image_url:
        image = {"id": data.image_url, "type": "Image"}
        achievement["image"] = image | (
            {"caption": data.image_caption} if data.image_caption else {}
        )
    if data.alignments:
        achievement["alignment"] = [_alignment(a) for a in data.alignments]
    if results:
        achievement["resultDescription"] = [_result_description(r) for r in results]
    return achievement


def _alignment(alignment: Alignment) -> dict[str, Any]:
    optional = {
        "targetDescription": alignment.description,
        "targetFramework": alignment.framework,
        "targetCode": alignment.code,
    }
    return {
        "type": ["Alignment"],
        "targetName": alignment.name,
        "targetUrl": alignment.url,
        **{key: value for key, value in optional.items() if value},
    }


def _result_description(result: RubricResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "type": ["ResultDescription"],
        "name": result.criterion,
        "resultType": "RubricCriterionLevel",
        "rubricCriterionLevel": [
            {"id": f"{result.id}#{level_id}", "type": ["RubricCriterionLevel"], "name": name}
            for level_id, name in result.levels
        ],
    }


def _result(result: RubricResult) -> dict[str, Any]:
    if result.achieved not in {level_id for level_id, _ in result.levels}:
        raise ValueError(f"{result.achieved!r} is not a level of {result.criterion!r}")
    return {
        "type": ["Result"],
        "resultDescription": result.id,
        "achievedLevel": f"{result.id}#{result.achieved}",
    }


def _evidence(item: Evidence) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "type": ["Evidence"],
        "name": item.name,
        "description": f"Passed on {item.passed_on.astimezone(UTC):%Y-%m-%d}.",
    }
    return evidence | ({"id": item.url} if item.url else {})


def _xsd(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("credential times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
