"""The issuer `Profile` document with its keys, and resolving a proof's key from such documents.

OB 3.0 §"Profile" (the issuer: id, type Profile, name, url) and Implementation Guide §"Issuer"
(the JSON-LD served at the issuer id carries the public keys the issuer signs with). The keys are
published as W3C Controlled Identifiers v1.0 verification methods: `verificationMethod` holds one
`Multikey` per key, and `assertionMethod` lists the ones allowed to sign credentials (VC Data
Integrity "Retrieve Verification Method"). Retired keys stay listed so that credentials signed
before a rotation still verify; only a key marked `revoked` stops verifying.

The `@context` starts with the DID v1 context, as 1EdTech's test-vector issuer and the OB 3.0
Implementation Guide example do: verifiers (e.g. jsonld-signatures' ControllerProofPurpose) then
read `verificationMethod`/`assertionMethod` as plain JSON, which the OB and VC contexts do not
define. That context is therefore named but never loaded by the tool.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms_plugin.badges.data_integrity import Resolver
from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.loader import CREDENTIALS_V2, DID_V1, MULTIKEY_V1, OB_V3P0
from lms_plugin.badges.multikey import VerificationMethod, multikey_document, read_multikey

PROFILE_CONTEXT = [DID_V1, CREDENTIALS_V2, OB_V3P0, MULTIKEY_V1]


def issuer_reference(issuer_id: str, name: str, url: str) -> dict[str, Any]:
    """The `issuer` object a credential embeds: id, type, name, url (OB 3.0 Profile)."""
    return {"id": issuer_id, "type": ["Profile"], "name": name, "url": url}


def issuer_profile(
    issuer_id: str,
    name: str,
    url: str,
    keys: Iterable[Ed25519PublicKey],
    **extra: Any,
) -> dict[str, Any]:
    """The issuer's Profile document, publishing `keys` (active first, then retired)."""
    methods = [multikey_document(issuer_id, key, context=False) for key in keys]
    return {
        "@context": PROFILE_CONTEXT,
        **issuer_reference(issuer_id, name, url),
        **extra,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def profile_resolver(profiles: Iterable[Mapping[str, Any]]) -> Resolver:
    """A `Resolver` over known controller documents (e.g. this deployment's issuer profile)."""
    by_id = {profile.get("id"): profile for profile in profiles}

    def resolve(method_id: str, purpose: str) -> VerificationMethod:
        controller_id = method_id.split("#", 1)[0]
        profile = by_id.get(controller_id)
        if profile is None:
            raise _unknown(f"The key {method_id!r} belongs to no known issuer.")
        found = [m for m in _as_list(profile.get("verificationMethod")) if _id(m) == method_id]
        if len(found) != 1:
            raise _unknown(f"The issuer does not publish the key {method_id!r}.")
        if method_id not in {_id(entry) for entry in _as_list(profile.get(purpose))}:
            raise _unknown(f"The issuer does not allow the key {method_id!r} for {purpose}.")
        if "revoked" in found[0]:
            raise _unknown(f"The issuer has revoked the key {method_id!r}.")
        method = read_multikey(found[0])
        if method.controller != controller_id:
            raise _unknown(f"The key {method_id!r} names another controller.")
        return method

    return resolve


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _id(entry: Any) -> Any:
    return entry.get("id") if isinstance(entry, dict) else entry


def _unknown(message: str) -> CredentialError:
    return CredentialError(message, code="verification_method")
