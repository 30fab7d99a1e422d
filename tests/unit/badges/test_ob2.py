"""Open Badges 2.0 hosted Assertion, BadgeClass and issuer Profile: their fields as the OB 2.0
vocabulary requires, and every term defined by the OB 2.0 context (expanded offline by pyld)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld.jsonld import JsonLdProcessor

from lms_plugin.badges.canonical import canonicalize
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.loader import document_loader
from lms_plugin.badges.ob2 import (
    OB2_CONTEXT,
    Ob2UnavailableError,
    ob2_assertion,
    ob2_badge_class,
    ob2_issuer,
    ob2_revoked_assertion,
)
from lms_plugin.domain.credentials import build_credential, hashed_email
from tests.support.badges import BASE, make_data, sign

OBI = "https://w3id.org/openbadges#"
SCHEMA = "http://schema.org/"
ASSERTION_URL = f"{BASE}/credentials/0d6f8a52-94c1-4b9c-b0c4-7a61b2f0e3aa/ob2"
BADGE_URL = f"{BASE}/credentials/ob2/badges/1"
ISSUER_URL = f"{BASE}/credentials/ob2/issuer"
IMAGE_URL = f"{BASE}/credentials/ob2/badges/1/image.png"
CREDENTIAL = sign(build_credential(make_data()), Ed25519PrivateKey.from_private_bytes(b"\x42" * 32))


def _expand(document: dict[str, Any]) -> dict[str, Any]:
    """The expanded document; any term the context does not define is an error, not dropped."""

    def refuse(term: str | None) -> None:
        raise AssertionError(f"term dropped: {term}")

    processor = JsonLdProcessor(on_property_dropped=refuse)
    (node,) = processor.expand(document, {"documentLoader": document_loader()})
    canonicalize(document)  # and it is valid RDF with absolute IRIs only (the signer's own check)
    return node


def _assertion(**overrides: Any) -> dict[str, Any]:
    return ob2_assertion(
        {**CREDENTIAL, **overrides}, assertion_url=ASSERTION_URL, badge_url=BADGE_URL
    )


def test_the_assertion_has_every_required_field_and_hosted_verification():
    assertion = _assertion()
    digest = hashlib.sha256(b"learner@example.edu" + b"s4lt").hexdigest()
    assert assertion == {
        "@context": OB2_CONTEXT,
        "id": ASSERTION_URL,
        "type": "Assertion",
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": "s4lt",
            "identity": f"sha256${digest}",
        },
        "badge": BADGE_URL,
        "verification": {"type": "hosted"},
        "issuedOn": "2026-02-01T09:30:00Z",
        "evidence": [
            {"name": "Module 1: The role of the ISP", "description": "Passed on 2026-01-10."},
            {
                "id": f"{BASE}/public/capstone/9",
                "name": "Capstone",
                "description": "Passed on 2026-01-30.",
            },
        ],
    }


def test_the_assertion_expands_to_the_ob2_vocabulary():
    node = _expand(_assertion())
    assert node["@id"] == ASSERTION_URL
    assert node["@type"] == [f"{OBI}Assertion"]
    (recipient,) = node[f"{OBI}recipient"]
    assert recipient["@type"] == [f"{SCHEMA}email"]
    assert recipient[f"{OBI}hashed"] == [
        {"@type": "http://www.w3.org/2001/XMLSchema#boolean", "@value": True}
    ]
    assert recipient[f"{OBI}identityHash"][0]["@value"].startswith("sha256$")
    assert node[f"{OBI}badge"] == [{"@id": BADGE_URL}]
    assert node[f"{OBI}verify"][0]["@type"] == [f"{OBI}HostedBadge"]
    assert node[f"{OBI}issueDate"][0]["@value"] == "2026-02-01T09:30:00Z"


def test_the_check_catches_a_term_outside_the_context():
    with pytest.raises(AssertionError, match="term dropped"):
        _expand({**_assertion(), "issuedOnn": "2026-02-01T09:30:00Z"})


def test_the_hash_is_the_ob2_identity_hash_of_the_specification_example():
    # OB 2.0 §"Primitive datatypes", IdentityHash: sha256$7a1a... is SHA-256 of "mayze", unsalted.
    identity = hashed_email("mayze", "")
    del identity["salt"]
    credential = {**CREDENTIAL, "credentialSubject": {"identifier": [identity]}}
    assertion = ob2_assertion(credential, assertion_url=ASSERTION_URL, badge_url=BADGE_URL)
    assert assertion["recipient"] == {
        "type": "email",
        "hashed": True,
        "identity": "sha256$7a1a1b3f7d40552e4299180e346e3add12bf9a751a43d9c4ca4518febc2c60c6",
    }


def test_expiry_and_a_baked_image_are_carried_over():
    until = "2029-02-01T09:30:00Z"
    assertion = ob2_assertion(
        {**CREDENTIAL, "validUntil": until},
        assertion_url=ASSERTION_URL,
        badge_url=BADGE_URL,
        image_url=f"{ASSERTION_URL}/image.png",
    )
    assert assertion["expires"] == until
    assert assertion["image"] == f"{ASSERTION_URL}/image.png"
    node = _expand(assertion)
    assert node["https://w3id.org/security#expiration"][0]["@value"] == until


def test_a_credential_without_an_email_identity_has_no_ob2_form():
    subject = {k: v for k, v in CREDENTIAL["credentialSubject"].items() if k != "identifier"}
    with pytest.raises(Ob2UnavailableError) as caught:
        _assertion(credentialSubject=subject)
    assert (caught.value.status, caught.value.code) == (404, "ob2_unavailable")


def test_the_revoked_assertion_body():
    body = ob2_revoked_assertion(ASSERTION_URL, "Issued by mistake")
    assert body == {
        "@context": OB2_CONTEXT,
        "id": ASSERTION_URL,
        "type": "Assertion",
        "revoked": True,
        "revocationReason": "Issued by mistake",
    }
    assert _expand(body)[f"{OBI}revoked"][0]["@value"] is True
    assert "revocationReason" not in ob2_revoked_assertion(ASSERTION_URL, None)


def test_the_badge_class_from_the_level_achievement():
    achievement = CREDENTIAL["credentialSubject"]["achievement"]
    badge = ob2_badge_class(
        achievement, badge_url=BADGE_URL, issuer_url=ISSUER_URL, image_url=IMAGE_URL
    )
    assert badge == {
        "@context": OB2_CONTEXT,
        "id": BADGE_URL,
        "type": "BadgeClass",
        "name": "Implementation Support Practitioner, Level 1",
        "description": "Foundations of implementation support practice.",
        "image": IMAGE_URL,
        "criteria": {
            "id": f"{BASE}/achievements/isp-level-1#criteria",
            "narrative": "Pass every Level 1 module, capstone included.",
        },
        "issuer": ISSUER_URL,
        "alignment": [
            {
                "targetName": "Co-learning",
                "targetUrl": f"{BASE}/competencies/co-learning",
                "targetDescription": "Builds trust.",
                "targetFramework": "ISP",
            },
            {"targetName": "Brokering", "targetUrl": f"{BASE}/competencies/brokering"}
            | {"targetCode": "C2"},
        ],
    }
    node = _expand(badge)
    assert node["@type"] == [f"{OBI}BadgeClass"]
    assert node[f"{OBI}issuer"] == [{"@id": ISSUER_URL}]
    assert node[f"{SCHEMA}image"] == [{"@id": IMAGE_URL}]
    assert {a[f"{SCHEMA}targetName"][0]["@value"] for a in node[f"{OBI}alignment"]} == {
        "Co-learning",
        "Brokering",
    }


def test_an_alignment_without_its_url_is_refused():
    achievement = {**CREDENTIAL["credentialSubject"]["achievement"]}
    achievement["alignment"] = [{"type": ["Alignment"], "targetName": "Co-learning"}]
    with pytest.raises(CredentialError, match="targetUrl"):
        ob2_badge_class(
            achievement, badge_url=BADGE_URL, issuer_url=ISSUER_URL, image_url=IMAGE_URL
        )


def test_the_issuer_profile_has_what_an_issuer_needs():
    issuer = ob2_issuer(
        issuer_url=ISSUER_URL,
        name="Example University",
        url="https://example.edu",
        email="badges@example.edu",
    )
    assert issuer == {
        "@context": OB2_CONTEXT,
        "id": ISSUER_URL,
        "type": "Issuer",
        "name": "Example University",
        "url": "https://example.edu",
        "email": "badges@example.edu",
    }
    node = _expand(issuer)
    assert node["@type"] == [f"{OBI}Issuer"]
    assert node[f"{SCHEMA}email"][0]["@value"] == "badges@example.edu"
    assert node[f"{SCHEMA}url"] == [{"@id": "https://example.edu"}]


def test_an_issuer_without_an_email_has_no_ob2_profile():
    with pytest.raises(Ob2UnavailableError, match="contact email") as caught:
        ob2_issuer(issuer_url=ISSUER_URL, name="n", url="https://example.edu", email="")
    assert caught.value.hint == "Set LMS_ISSUER_EMAIL."


def test_issued_on_is_an_iso_8601_time_with_a_zone():
    issued = datetime.fromisoformat(_assertion()["issuedOn"])
    assert issued == datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
