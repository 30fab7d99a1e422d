"""Revocation status as a W3C Bitstring Status List v1.0.

A list is a bitstring of at least 131,072 entries (16 KB uncompressed, "Bitstring Generation
Algorithm"; the size gives group privacy), published GZIP-compressed and multibase base64url-encoded
('u', no padding) as the `encodedList` of a `BitstringStatusListCredential` ("Data Model"), which is
signed like any credential. Entry 0 is the left-most bit, i.e. the most significant bit of the
first byte ("Bitstring Expansion Algorithm"). A credential points at its bit with a
`BitstringStatusListEntry`; its index is drawn at random ("Privacy Considerations": sequential
indexes would tell who was issued when). Reading follows the "Validate Algorithm": the entry's list
and purpose must be the list's, a list shorter than the minimum is an error (STATUS_LIST_LENGTH),
an index outside it too (RANGE_ERROR).
"""

from __future__ import annotations

import gzip
import secrets
import zlib
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

from lms_plugin.badges.errors import CredentialError, StatusListError
from lms_plugin.badges.loader import CREDENTIALS_V2
from lms_plugin.badges.multibase import decode_base64url, encode_base64url

MIN_ENTRIES = 131_072  # 16 KB uncompressed
MAX_ENTRIES = 1 << 26  # a decoded list larger than 8 MB is refused (a GZIP bomb is not inflated)
REVOCATION = "revocation"


@dataclass
class StatusList:
    """A bitstring of statuses, one bit per credential, entry 0 the left-most bit."""

    bits: bytearray

    @classmethod
    def empty(cls, entries: int = MIN_ENTRIES) -> StatusList:
        """A list with every status unset (entries: a multiple of 8, at least 131,072)."""
        if entries < MIN_ENTRIES or entries % 8 or entries > MAX_ENTRIES:
            raise ValueError(f"a status list has {MIN_ENTRIES}..{MAX_ENTRIES} entries, whole bytes")
        return cls(bytearray(entries // 8))

    @property
    def size(self) -> int:
        """How many entries the list has."""
        return len(self.bits) * 8

    def get(self, index: int) -> bool:
        """Whether entry `index` is set."""
        byte, bit = self._locate(index)
        return bool(self.bits[byte] & (0x80 >> bit))

    def set(self, index: int, value: bool = True) -> None:
        """Set (or clear) entry `index`."""
        byte, bit = self._locate(index)
        if value:
            self.bits[byte] |= 0x80 >> bit
        else:
            self.bits[byte] &= ~(0x80 >> bit) & 0xFF

    def encode(self) -> str:
        """The `encodedList`: GZIP (mtime 0, so the same list encodes the same) then base64url."""
        return encode_base64url(gzip.compress(bytes(self.bits), mtime=0))

    @classmethod
    def decode(cls, encoded: str) -> StatusList:
        """The list an `encodedList` holds; `StatusListError` if malformed or too short."""
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP framing only
        try:
            raw = inflater.decompress(decode_base64url(encoded), MAX_ENTRIES // 8 + 1)
        except CredentialError as exc:
            raise StatusListError("The encodedList is not multibase base64url.") from exc
        except zlib.error as exc:
            raise StatusListError("The encodedList is not GZIP data.") from exc
        if not inflater.eof or len(raw) * 8 > MAX_ENTRIES:
            raise StatusListError("The encodedList is truncated or too large.")
        if len(raw) * 8 < MIN_ENTRIES:
            raise StatusListError("The status list is shorter than 131,072 entries.")
        return cls(bytearray(raw))

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.size:
            raise StatusListError(f"Status index {index} is outside the list.")
        return divmod(index, 8)


def allocate_index(taken: Container[int], entries: int = MIN_ENTRIES, tries: int = 64) -> int:
    """A random index not in `taken`: a few random draws, then a random pick among the free."""
    for _ in range(tries):
        index = secrets.randbelow(entries)
        if index not in taken:
            return index
    free = [index for index in range(entries) if index not in taken]
    if not free:
        raise StatusListError("The status list is full.", code="status_list_full")
    return secrets.choice(free)


def status_entry(list_url: str, index: int, purpose: str = REVOCATION) -> dict[str, Any]:
    """The `credentialStatus` of a credential whose status is bit `index` of `list_url`."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str,
    issuer: str | Mapping[str, Any],
    status_list: StatusList,
    valid_from: str,
    purpose: str = REVOCATION,
) -> dict[str, Any]:
    """The unsigned `BitstringStatusListCredential` publishing `status_list`."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode(),
        },
    }


def read_status(list_credential: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    """Whether `entry`'s bit is set in the (already verified) list credential."""
    if not (isinstance(list_credential, Mapping) and isinstance(entry, Mapping)):
        raise StatusListError("The status entry and list must be JSON objects.")
    subject = list_credential.get("credentialSubject")
    if entry.get("type") != "BitstringStatusListEntry" or not isinstance(subject, dict):
        raise StatusListError("Not a Bitstring Status List entry and list.")
    if entry.get("statusListCredential") != list_credential.get("id"):
        raise StatusListError("The entry points at another status list.")
    if entry.get("statusPurpose") != subject.get("statusPurpose"):
        raise StatusListError("The entry's status purpose is not the list's.")
    index = entry.get("statusListIndex")
    if not (isinstance(index, str) and index.isdigit() and index.isascii()):
        raise StatusListError("The statusListIndex is not a non-negative integer string.")
    encoded = subject.get("encodedList")
    if not isinstance(encoded, str):
        raise StatusListError("The status list has no encodedList.")
    return StatusList.decode(encoded).get(int(index))
