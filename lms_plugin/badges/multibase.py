"""Multibase strings as credentials use them: base58-btc ('z') and base64url without padding ('u').

Multibase (draft-multiformats-multibase-08 §2 and its registry): the first character names the
encoding. VC DI EdDSA v1.0 §2.2 (proofValue) and §2.1.1 (Multikey) use base58-btc; Bitstring Status
List v1.0 §2.2 (encodedList) uses base64url with no padding (RFC 4648 §5).

base58-btc is written here (Bitcoin alphabet, leading zero bytes as '1'): it is used only for keys
and signatures of fixed, small size, and a dependency for these ten lines was not worth adding; the
1EdTech test vector and a round-trip property test pin it.
"""

from __future__ import annotations

import base64
import binascii
import re

from lms_plugin.badges.errors import CredentialError

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {char: value for value, char in enumerate(_ALPHABET)}
_BASE64URL = re.compile(r"u[A-Za-z0-9_-]*")


def encode_base58btc(data: bytes) -> str:
    """`data` as a multibase base58-btc string ('z' + Bitcoin-alphabet base58)."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_ALPHABET[remainder])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "z" + "1" * zeros + "".join(reversed(digits))


def decode_base58btc(text: str, *, max_chars: int = 256) -> bytes:
    """The bytes of a multibase base58-btc string; `CredentialError` if it is not one."""
    if not text.startswith("z") or len(text) > max_chars:
        raise CredentialError("Not a multibase base58-btc value.", code="proof_malformed")
    body = text[1:]
    number = 0
    for char in body:
        if char not in _INDEX:
            raise CredentialError("Not a multibase base58-btc value.", code="proof_malformed")
        number = number * 58 + _INDEX[char]
    zeros = len(body) - len(body.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def encode_base64url(data: bytes) -> str:
    """`data` as a multibase base64url string ('u', no padding)."""
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(text: str) -> bytes:
    """The bytes of a multibase base64url string; `CredentialError` if it is not one."""
    if not _BASE64URL.fullmatch(text):
        raise CredentialError("Not a multibase base64url value.", code="status_list_invalid")
    body = text[1:]
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CredentialError(
            "Not a multibase base64url value.", code="status_list_invalid"
        ) from exc
