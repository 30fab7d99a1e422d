"""RS256 compact JWS, the one form an LTI id_token takes (RFC 7515 §7.1, RFC 7518 §3.3).

PyJWT checks the base64url alphabet character by character in Python, which on a 2 kB id_token
costs more than the RSA verification; the launch is the tool's hottest path, so the compact form
is split and checked here with C-speed primitives and the signature is verified by
``cryptography`` (RSASSA-PKCS1-v1_5 with SHA-256). Nothing but RS256 is accepted.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.hashes import SHA256

_BASE64URL = re.compile(rb"[A-Za-z0-9_-]*")  # unpadded (RFC 7515 §2)


class MalformedToken(ValueError):
    """Not a compact JWS with a JSON object header and payload."""


class BadSignature(ValueError):
    """Well formed, but the signature does not verify with the given key."""


def header(token: str) -> dict[str, Any]:
    """The protected header, unverified (to choose the key)."""
    return _json(_segments(token)[0], "header")


def unverified_payload(token: str) -> dict[str, Any]:
    """The payload without checking the signature: only to name what to read ahead."""
    return _json(_segments(token)[1], "payload")


def verify_rs256(token: str, key: RSAPublicKey) -> dict[str, Any]:
    """The payload, once the RS256 signature verifies with ``key``."""
    head, body, signature = _segments(token)
    if _json(head, "header").get("alg") != "RS256":
        raise BadSignature("the token is not RS256")
    if not isinstance(key, RSAPublicKey):
        raise BadSignature("RS256 needs an RSA public key")
    try:
        key.verify(_decode(signature), head + b"." + body, PKCS1v15(), SHA256())
    except InvalidSignature:
        raise BadSignature("Signature verification failed") from None
    return _json(body, "payload")


def _segments(token: str) -> tuple[bytes, bytes, bytes]:
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError:
        raise MalformedToken("the token is not ASCII") from None
    parts = raw.split(b".")
    if len(parts) != 3 or not all(_BASE64URL.fullmatch(part) for part in parts):
        raise MalformedToken("not a compact JWS (three base64url segments)")
    return parts[0], parts[1], parts[2]


def _decode(segment: bytes) -> bytes:
    try:
        return base64.urlsafe_b64decode(segment + b"=" * (-len(segment) % 4))
    except binascii.Error:
        raise MalformedToken("invalid base64url") from None


def _json(segment: bytes, name: str) -> dict[str, Any]:
    try:
        value = json.loads(_decode(segment))
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise MalformedToken(f"the {name} is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedToken(f"the {name} is not a JSON object")
    return value
