"""Our RSA signing keys and their public JWKS form (RFC 7517; Security Framework §6.3)."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def new_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@lru_cache(maxsize=16)
def public_jwk(private_key_pem: str, kid: str) -> dict[str, Any]:
    """The public half of a key as a JWK for our JWKS endpoint (cached: parsing PEM is slow)."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    jwk = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)  # PyJWT encodes n and e
    return {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": jwk["n"], "e": jwk["e"]}


@lru_cache(maxsize=16)
def public_pem(private_key_pem: str) -> str:
    """The public key in PEM (cached: loading a private key costs ~25 ms of RSA checks)."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def kid_for(private_key_pem: str) -> str:
    """A stable key id: the RFC 7638 thumbprint of the public key."""
    jwk = public_jwk(private_key_pem, "")
    canonical = json.dumps({"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
