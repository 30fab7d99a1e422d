"""Data Integrity proofs with the cryptosuite `eddsa-rdfc-2022` (W3C VC DI EdDSA v1.0 §3.3).

Signing (§3.3.1 Create Proof, VC Data Integrity v1.0 §4.2 Add Proof): the proof configuration
(type `DataIntegrityProof`, cryptosuite, created, verificationMethod, proofPurpose, and the
document's `@context`, §3.3.5) and the document without proof (§3.3.3) are canonicalized with
RDFC-1.0; hashData = SHA-256(canonical proof config) || SHA-256(canonical document) (§3.3.4); the
Ed25519 signature of hashData is the `proofValue`, multibase base58-btc (§3.3.6). The proof is
written as a one-element array: VC Data Integrity v1.0 §2.1 lets `proof` be one object or a set,
and OB 3.0's data model has AchievementCredential `proof` [0..*], which 1EdTech's published JSON
Schema requires as an array (the single object is OB 3.0 §"Compacted document form", which "MAY not
pass" that schema).

Verifying (§3.3.2 Verify Proof, and VC Data Integrity v1.0 "Verify Proof"): the same bytes are
rebuilt from the document and the proof minus its value (with the `@context` check of step 4), after
the checks the specifications name: proof type and cryptosuite (§3.3.3 step 1), proofPurpose equal
to the expected one, `created`/`expires` as XML Schema dateTimeStamps and not expired, and the
verification method resolved through the caller's `resolve`, which must also check that its
controller lists it under the purpose (VC Data Integrity "Retrieve Verification Method";
Controlled Identifiers "Verification Relationships"). One proof per document, as an object or an
array of exactly one (1EdTech's test vector writes the object): proof sets and chains are refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms_plugin.badges.canonical import canonicalize
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.multibase import decode_base58btc, encode_base58btc
from lms_plugin.badges.multikey import VerificationMethod

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"

# Given the verification method id and the proof purpose, the method: or CredentialError when it
# is unknown or its controller does not authorize it for that purpose.
Resolver = Callable[[str, str], VerificationMethod]

_DATE_TIME_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def xsd_datetime(moment: datetime) -> str:
    """`moment` as the XML Schema dateTimeStamp credentials use (UTC, whole seconds, 'Z')."""
    if moment.tzinfo is None:
        raise ValueError("credential times must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_xsd_datetime(value: Any, field: str) -> datetime:
    """An XML Schema dateTimeStamp as an aware datetime; `CredentialError` naming `field` if not."""
    if isinstance(value, str) and _DATE_TIME_STAMP.fullmatch(value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise CredentialError(f"{field} is not a date-time with a time zone.", code="proof_malformed")


def hash_data(unsecured: Mapping[str, Any], proof_options: Mapping[str, Any]) -> bytes:
    """hashData of §3.3.4: SHA-256 of the canonical proof config, then of the document."""
    if proof_options.get("type") != PROOF_TYPE or proof_options.get("cryptosuite") != CRYPTOSUITE:
        raise CredentialError(
            f"The proof is not a {PROOF_TYPE} with cryptosuite {CRYPTOSUITE}.", code="proof_type"
        )
    if "created" in proof_options:
        parse_xsd_datetime(proof_options["created"], "proof.created")
    config = {**proof_options, "@context": unsecured.get("@context")}
    config_hash = hashlib.sha256(canonicalize(config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured).encode("utf-8")).digest()
    return config_hash + document_hash


def add_proof(
    document: Mapping[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    proof_purpose: str = ASSERTION_METHOD,
) -> dict[str, Any]:
    """`document` with an `eddsa-rdfc-2022` proof made with `key` (§3.3.1), as `[proof]`."""
    if "proof" in document:
        raise CredentialError("The document already carries a proof.", code="proof_malformed")
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = key.sign(hash_data(document, options))
    return {**document, "proof": [{**options, "proofValue": encode_base58btc(signature)}]}


def verify_proof(
    secured: Mapping[str, Any],
    resolve: Resolver,
    *,
    now: datetime,
    expected_purpose: str = ASSERTION_METHOD,
) -> VerificationMethod:
    """The verification method whose key made the document's proof; `CredentialError` if none."""
    if not isinstance(secured, Mapping):
        raise CredentialError("A credential is a JSON object.", code="proof_malformed")
    proof = single_proof(secured)
    purpose = proof.get("proofPurpose")
    if purpose != expected_purpose:
        raise CredentialError(
            f"The proof's purpose is {purpose!r}, not {expected_purpose!r}.", code="proof_purpose"
        )
    if "expires" in proof and parse_xsd_datetime(proof["expires"], "proof.expires") <= now:
        raise CredentialError("The proof has expired.", code="expired")
    method_id = proof.get("verificationMethod")
    if not isinstance(method_id, str):
        raise CredentialError("The proof names no verification method.", code="proof_malformed")
    signature = decode_base58btc(_string(proof.get("proofValue"), "proof.proofValue"))
    method = resolve(method_id, expected_purpose)
    unsecured = {key: value for key, value in secured.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in options:  # §3.3.2 step 4: the proof's contexts must lead the document's
        unsecured["@context"] = _leading_context(secured.get("@context"), options.pop("@context"))
    data = hash_data(unsecured, options)
    try:
        method.public_key.verify(signature, data)
    except InvalidSignature as exc:
        raise CredentialError(
            "The proof's signature does not match.", code="signature_invalid"
        ) from exc
    return method


def single_proof(secured: Mapping[str, Any]) -> Mapping[str, Any]:
    """The document's one proof, written as an object or a one-element array; else refused."""
    proof = secured.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if proof is None:
        raise CredentialError("The document carries no proof.", code="proof_missing")
    if not isinstance(proof, dict):
        raise CredentialError("Exactly one proof object is expected.", code="proof_malformed")
    return proof


def _leading_context(document_context: Any, proof_context: Any) -> Any:
    def as_list(value: Any) -> list[Any]:
        return value if isinstance(value, list) else [value]

    document_list, proof_list = as_list(document_context), as_list(proof_context)
    if document_list[: len(proof_list)] != proof_list:
        raise CredentialError(
            "The proof's @context does not match the document's.", code="proof_malformed"
        )
    return proof_context


def _string(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise CredentialError(f"{field} is missing or not a string.", code="proof_malformed")
    return value
