"""eddsa-rdfc-2022 proofs: 1EdTech's OB 3.0 test vector reproduced exactly, and every refusal."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms_plugin.badges.canonical import canonicalize
from lms_plugin.badges.data_integrity import add_proof, hash_data, verify_proof
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.multikey import multikey_id
from lms_plugin.badges.profile import profile_resolver
from lms_plugin.badges.verify import verify_credential
from tests.support.badges import (
    ISSUER_ID,
    NOW,
    VECTOR_DOCUMENT_HASH,
    VECTOR_PROOF_HASH,
    VECTOR_PROOF_VALUE,
    VECTOR_SIGNATURE_HEX,
    VECTORS,
    load_vector,
    make_credential,
    make_profile,
    sign,
    vector_key,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def _vector_parts() -> tuple[dict[str, Any], dict[str, Any]]:
    signed = load_vector("1edtech-ob3-eddsa-test-vector.json")
    proof = signed.pop("proof")
    return signed, proof


def _vector_resolver() -> Any:
    return profile_resolver([load_vector("1edtech-test-vector-issuer.json")])


def test_canonical_forms_and_hashes_are_the_published_ones():
    document, proof = _vector_parts()
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = document["@context"]
    assert canonicalize(document) == (VECTORS / "1edtech-ob3-document-canon.nq").read_text()
    assert canonicalize(config) == (VECTORS / "1edtech-ob3-proof-canon.nq").read_text()
    data = hash_data(document, {k: v for k, v in proof.items() if k != "proofValue"})
    assert data.hex() == VECTOR_PROOF_HASH + VECTOR_DOCUMENT_HASH


def test_signing_the_vector_document_with_its_key_gives_the_published_proof():
    document, proof = _vector_parts()
    created = datetime(2010, 1, 1, 19, 23, 24, tzinfo=UTC)
    signed = add_proof(document, vector_key(), proof["verificationMethod"], created)
    assert signed["proof"] == [proof]  # the same proof, as a set of one
    assert signed["proof"][0]["proofValue"] == VECTOR_PROOF_VALUE
    signature = vector_key().sign(bytes.fromhex(VECTOR_PROOF_HASH + VECTOR_DOCUMENT_HASH))
    assert signature.hex() == VECTOR_SIGNATURE_HEX


def test_the_vector_verifies_and_its_tampered_copy_does_not():
    resolve = _vector_resolver()
    method = verify_credential(load_vector("1edtech-ob3-eddsa-test-vector.json"), resolve, now=NOW)
    assert method.controller == "https://example.edu/issuers/565049"
    tampered = load_vector("1edtech-ob3-eddsa-test-vector-tampered.json")
    with pytest.raises(CredentialError) as caught:
        verify_credential(tampered, resolve, now=NOW)
    assert caught.value.code == "signature_invalid"


CHANGES = [
    (("name",), "ISP Level 2"),
    (("validFrom",), "2026-02-01T09:30:01Z"),
    (("issuer", "name"), "Another University"),
    (("credentialSubject", "id"), "urn:uuid:00000000-0000-4000-8000-000000000000"),
    (("credentialSubject", "achievement", "name"), "Something else"),
    (("credentialSubject", "achievement", "criteria", "narrative"), "Nothing at all."),
    (("type",), ["VerifiableCredential", "EndorsementCredential"]),
    (("proof", 0, "created"), "2026-03-01T12:00:01Z"),
]


@pytest.mark.parametrize(
    ("path", "value"), CHANGES, ids=[".".join(map(str, p)) for p, _ in CHANGES]
)
def test_changing_any_field_breaks_the_proof(path: tuple[str | int, ...], value: Any):
    signed = sign(make_credential(), KEY)
    resolve = profile_resolver([make_profile(KEY)])
    verify_credential(signed, resolve, now=NOW)
    changed = copy.deepcopy(signed)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    with pytest.raises(CredentialError) as caught:
        verify_credential(changed, resolve, now=NOW)
    assert caught.value.code == "signature_invalid"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("proofPurpose", "authentication", "proof_purpose"),
        ("cryptosuite", "ecdsa-rdfc-2019", "proof_type"),
        ("type", "Ed25519Signature2020", "proof_type"),
        ("created", "yesterday", "proof_malformed"),
        ("expires", "2026-03-01T11:59:59Z", "expired"),
        ("proofValue", "u" + "A" * 86, "proof_malformed"),
        (
            "verificationMethod",
            f"{ISSUER_ID}#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "verification_method",
        ),
    ],
)
def test_a_proof_that_is_not_what_it_should_be_is_refused(field: str, value: str, code: str):
    signed = sign(make_credential(), KEY)
    signed["proof"][0][field] = value
    with pytest.raises(CredentialError) as caught:
        verify_credential(signed, profile_resolver([make_profile(KEY)]), now=NOW)
    assert caught.value.code == code


def test_a_key_the_profile_does_not_list_for_assertions_is_refused():
    profile = make_profile(KEY)
    profile["assertionMethod"] = []
    with pytest.raises(CredentialError) as caught:
        verify_credential(sign(make_credential(), KEY), profile_resolver([profile]), now=NOW)
    assert caught.value.code == "verification_method"


def test_a_revoked_key_no_longer_verifies():
    profile = make_profile(KEY)
    profile["verificationMethod"][0]["revoked"] = "2026-02-15T00:00:00Z"
    with pytest.raises(CredentialError, match="revoked"):
        verify_credential(sign(make_credential(), KEY), profile_resolver([profile]), now=NOW)


def test_a_credential_signed_before_a_rotation_verifies_with_the_new_profile():
    old, new = KEY, Ed25519PrivateKey.generate()
    earlier = sign(make_credential(), old)
    later = sign(make_credential(name="ISP Level 2"), new)
    resolve = profile_resolver([make_profile(new, old)])  # active first, then retired
    assert verify_credential(earlier, resolve, now=NOW).public_key == old.public_key()
    assert verify_credential(later, resolve, now=NOW).public_key == new.public_key()


def test_another_issuers_key_cannot_sign_for_this_issuer():
    other = "https://evil.example/issuer"
    signed = add_proof(make_credential(), KEY, multikey_id(other, KEY.public_key()), NOW)
    profile = make_profile(KEY) | {"id": other}
    profile["verificationMethod"] = [
        {**m, "id": m["id"].replace(ISSUER_ID, other), "controller": other}
        for m in profile["verificationMethod"]
    ]
    profile["assertionMethod"] = [m["id"] for m in profile["verificationMethod"]]
    verify_proof(signed, profile_resolver([profile]), now=NOW)  # the proof itself is fine
    with pytest.raises(CredentialError) as caught:
        verify_credential(signed, profile_resolver([profile]), now=NOW)
    assert caught.value.code == "issuer_mismatch"


def test_validity_period_is_checked():
    resolve = profile_resolver([make_profile(KEY)])
    future = sign(make_credential(validFrom="2026-03-02T00:00:00Z"), KEY)
    with pytest.raises(CredentialError) as caught:
        verify_credential(future, resolve, now=NOW)
    assert caught.value.code == "not_yet_valid"
    ended = sign(make_credential(validUntil="2026-03-01T12:00:00Z"), KEY)
    with pytest.raises(CredentialError) as caught:
        verify_credential(ended, resolve, now=NOW)
    assert caught.value.code == "expired"


def test_the_proof_is_written_as_a_set_of_one_and_read_as_a_set_or_an_object():
    resolve = profile_resolver([make_profile(KEY)])
    signed = sign(make_credential(), KEY)
    [proof] = signed["proof"]  # VC DI §2.1 allows a set; OB 3.0's JSON Schema wants an array
    assert proof["type"] == "DataIntegrityProof" and proof["proofValue"].startswith("z")
    assert verify_credential(signed, resolve, now=NOW).controller == ISSUER_ID
    compacted = signed | {"proof": proof}  # OB 3.0 "Compacted document form", as 1EdTech's vector
    assert verify_credential(compacted, resolve, now=NOW).controller == ISSUER_ID


@pytest.mark.parametrize(
    "proofs", [[], ["proof", "proof"], ["proof", "later"]], ids=["none", "twice", "two"]
)
def test_a_missing_proof_or_a_proof_set_is_refused(proofs: list[str]):
    resolve = profile_resolver([make_profile(KEY)])
    with pytest.raises(CredentialError) as caught:
        verify_credential(make_credential(), resolve, now=NOW)
    assert caught.value.code == "proof_missing"
    signed = sign(make_credential(), KEY)
    later = sign(make_credential(), KEY, NOW + timedelta(hours=1))["proof"][0]
    made = {"proof": signed["proof"][0], "later": later}  # each valid alone
    signed["proof"] = [made[name] for name in proofs]
    with pytest.raises(CredentialError) as caught:
        verify_credential(signed, resolve, now=NOW)
    assert caught.value.code == "proof_malformed"


def test_a_proof_context_must_lead_the_document_context():
    signed = sign(make_credential(), KEY)
    resolve = profile_resolver([make_profile(KEY)])
    signed["proof"][0]["@context"] = signed["@context"]
    verify_credential(signed, resolve, now=NOW)  # the document's own contexts (§3.3.2 step 4)
    signed["proof"][0]["@context"] = ["https://w3id.org/security/data-integrity/v2"]
    with pytest.raises(CredentialError, match="@context"):
        verify_credential(signed, resolve, now=NOW)


def test_signing_refuses_a_document_that_already_has_a_proof():
    with pytest.raises(CredentialError):
        sign(sign(make_credential(), KEY), KEY)


def test_hash_data_is_sha256_of_each_canonical_form():
    document = make_credential()
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-03-01T12:00:00Z",
        "verificationMethod": multikey_id(ISSUER_ID, KEY.public_key()),
        "proofPurpose": "assertionMethod",
    }
    config = canonicalize({**options, "@context": document["@context"]})
    expected = hashlib.sha256(config.encode()).digest()
    expected += hashlib.sha256(canonicalize(document).encode()).digest()
    assert hash_data(document, options) == expected
