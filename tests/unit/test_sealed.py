"""Sealed columns: what the tool's private keys look like at rest, and changing the secret."""

from __future__ import annotations

import pytest

from lms_plugin.db.sealed import PREFIX, SealedValueError, Sealer

PEM = "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n"


def test_sealed_value_hides_the_text_and_opens_again():
    sealer = Sealer(["secret-a"])
    stored = sealer.seal(PEM)
    assert stored.startswith(PREFIX) and "PRIVATE KEY" not in stored
    assert sealer.open(stored) == PEM
    assert sealer.seal(PEM) != stored  # a fresh IV each time


def test_plain_text_from_before_sealing_is_read_and_marked_stale():
    sealer = Sealer(["secret-a"])
    assert sealer.open(PEM) == PEM
    assert not sealer.is_current(PEM)


def test_previous_secret_still_opens_and_the_value_is_stale_until_sealed_again():
    old = Sealer(["secret-a"]).seal(PEM)
    rotated = Sealer(["secret-b", "secret-a"])
    assert rotated.open(old) == PEM and not rotated.is_current(old)
    assert rotated.is_current(rotated.seal(PEM))


def test_unknown_secret_says_what_to_set():
    stored = Sealer(["secret-a"]).seal(PEM)
    with pytest.raises(SealedValueError, match="LMS_PREVIOUS_SECRET_KEYS"):
        Sealer(["secret-b"]).open(stored)
