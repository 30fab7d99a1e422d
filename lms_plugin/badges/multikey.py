"""Ed25519 keys as Multikey verification methods (W3C Controlled Identifiers v1.0 §2.2.2 Multikey;
VC DI EdDSA v1.0 §2.1.1).

`publicKeyMultibase` is base58-btc of the multicodec `ed25519-pub` header 0xed 0x01 followed by the
32-byte public key (so it always starts 'z6Mk'); a secret key uses `ed25519-priv` 0x80 0x26 and the
32-byte seed. The verification method's id is `<controller>#<publicKeyMultibase>`, as in 1EdTech's
OB 3.0 test vector.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from lms_plugin.badges.errors import CredentialError
from lms_plugin.badges.loader import MULTIKEY_V1
from lms_plugin.badges.multibase import decode_base58btc, encode_base58btc

ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
_CODE = "verification_method"


def public_key_multibase(key: Ed25519PublicKey) -> str:
    """The `publicKeyMultibase` of an Ed25519 public key ('z6Mk…')."""
    return encode_base58btc(ED25519_PUB + key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def secret_key_multibase(key: Ed25519PrivateKey) -> str:
    """The `secretKeyMultibase` of an Ed25519 private key (for tests and key export only)."""
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return encode_base58btc(ED25519_PRIV + seed)


def decode_public_key(multibase: str) -> Ed25519PublicKey:
    """The Ed25519 public key a `publicKeyMultibase` holds; `CredentialError` if it holds none."""
    raw = decode_base58btc(multibase, max_chars=64)
    if len(raw) != 34 or not raw.startswith(ED25519_PUB):
        raise CredentialError(
            "The verification method is not an Ed25519 Multikey.", code="verification_method"
        )
    return Ed25519PublicKey.from_public_bytes(raw[2:])


@dataclass(frozen=True)
class VerificationMethod:
    """A resolved verification method: who controls it and the key it holds."""

    id: str
    controller: str
    public_key: Ed25519PublicKey


def multikey_id(controller: str, key: Ed25519PublicKey) -> str:
    """The verification method id for `key` under `controller`: `<controller>#<multibase>`."""
    return f"{controller}#{public_key_multibase(key)}"


def multikey_document(controller: str, key: Ed25519PublicKey, *, context: bool) -> dict[str, Any]:
    """The Multikey JSON for `key` (with the Multikey context when served on its own)."""
    document: dict[str, Any] = {"@context": MULTIKEY_V1} if context else {}
    document.update(
        id=multikey_id(controller, key),
        type="Multikey",
        controller=controller,
        publicKeyMultibase=public_key_multibase(key),
    )
    return document


def read_multikey(document: Any) -> VerificationMethod:
    """A Multikey JSON object as a `VerificationMethod`; `CredentialError` if it is not one."""
    if not isinstance(document, dict) or document.get("type") != "Multikey":
        raise CredentialError(
            "The verification method is not a Multikey.", code="verification_method"
        )
    vm_id, controller = document.get("id"), document.get("controller")
    multibase = document.get("publicKeyMultibase")
    if not all(isinstance(value, str) for value in (vm_id, controller, multibase)):
        raise CredentialError(
            "The Multikey lacks its id, controller or publicKeyMultibase.",
            code="verification_method",
        )
    return VerificationMethod(str(vm_id), str(controller), decode_public_key(str(multibase)))
