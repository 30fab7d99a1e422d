"""The level credential payload (domain/credentials.py): its OB 3.0 shape, every term defined by
the shipped contexts (so it signs and verifies), the hashed email, rubric results and evidence."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms_plugin.badges.canonical import canonicalize
from lms_plugin.badges.profile import profile_resolver
from lms_plugin.badges.vc_jwt import decode_vc_jwt, encode_vc_jwt
from lms_plugin.badges.verify import verify_credential
from lms_plugin.domain.credentials import (
    AchievementData,
    RubricResult,
    build_credential,
)
from tests.support.badges import BASE, ISSUER_ID, NOW, make_data, make_profile, sign

KEY = Ed25519PrivateKey.from_private_bytes(b"\x21" * 32)


def test_the_credential_has_the_ob3_shape():
    credential = build_credential(make_data())
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == credential["awardedDate"] == "2026-02-01T09:30:00Z"
    assert "validUntil" not in credential
    subject = credential["credentialSubject"]
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["criteria"]["id"].endswith("#criteria")
    assert [a["targetName"] for a in achievement["alignment"]] == ["Co-learning", "Brokering"]
    assert subject["result"] == [
        {
            "type": ["Result"],
            "resultDescription": f"{BASE}/achievements/isp-level-1/rubric/analysis",
            "achievedLevel": f"{BASE}/achievements/isp-level-1/rubric/analysis#3",
        }
    ]
    assert credential["evidence"][0] == {
        "type": ["Evidence"],
        "name": "Module 1: The role of the ISP",
        "description": "Passed on 2026-01-10.",
    }
    assert credential["evidence"][1]["id"] == f"{BASE}/public/capstone/9"
    assert credential["credentialStatus"]["statusListIndex"] == "4711"


def test_the_email_is_only_there_salted_and_hashed():
    credential = build_credential(make_data())
    (identity,) = credential["credentialSubject"]["identifier"]
    digest = hashlib.sha256(b"learner@example.edu" + b"s4lt").hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": "s4lt",
    }
    assert "learner@" not in str(credential).lower()


def test_every_field_is_defined_by_the_contexts_so_it_signs_verifies_and_becomes_a_jwt():
    credential = build_credential(make_data(valid_until=datetime(2029, 2, 1, tzinfo=UTC)))
    canonicalize(credential)  # raises on any undefined term or relative IRI
    signed = sign(credential, KEY)
    resolve = profile_resolver([make_profile(KEY)])
    verify_credential(signed, resolve, now=NOW)
    token = encode_vc_jwt(signed, KEY, kid=f"{ISSUER_ID}/keys/1")
    assert decode_vc_jwt(token, lambda header: KEY.public_key(), now=NOW) == signed


def test_a_minimal_credential_without_email_results_or_evidence():
    achievement = AchievementData("https://b.example/a/1", "L1", "Level 1.", "Pass everything.")
    data = make_data(
        achievement=achievement, email_identity=None, results=(), evidence=(), status=None
    )
    credential = build_credential(data)
    subject = credential["credentialSubject"]
    assert set(subject) == {"id", "type", "achievement"}
    assert "evidence" not in credential and "credentialStatus" not in credential
    assert set(subject["achievement"]) == {
        "id",
        "type",
        "achievementType",
        "name",
        "description",
        "criteria",
    }
    canonicalize(credential)


def test_a_result_level_outside_the_rubric_and_naive_times_are_refused():
    bad = RubricResult("https://b.example/r", "Analysis", (("1", "Beginning"),), achieved="4")
    with pytest.raises(ValueError, match="not a level"):
        build_credential(make_data(results=(bad,)))
    with pytest.raises(ValueError, match="timezone"):
        build_credential(make_data(valid_from=datetime(2026, 2, 1)))
