"""Secrets at rest: column values encrypted with a key derived from ``LMS_SECRET_KEY``.

The tool's private signing keys sign the requests that post grades to every registered LMS, so a
copy of the database (a backup, a dump sent for support) must not be enough to use them. A
:class:`SealedText` column stores ``sealed:`` + a Fernet token (AES-128-CBC + HMAC-SHA256); the key
comes from ``LMS_SECRET_KEY`` by HKDF, and ``LMS_PREVIOUS_SECRET_KEYS`` still open values sealed
before a secret was changed (``lms-plugin db upgrade`` seals them again with the current one).
A value stored before sealing existed (plain text) is read as it is, and sealed on upgrade.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app, has_app_context
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from lms_plugin.domain.errors import LmsError

PREFIX = "sealed:"
_INFO = b"lms-plugin/sealed-columns/v1"


class SealedValueError(LmsError):
    """A sealed value that none of the configured secrets opens."""

    status = 500
    code = "sealed_value_unopened"


class Sealer:
    def __init__(self, secrets: Sequence[str]) -> None:
        if not secrets:
            raise ValueError("at least one secret is needed")
        self._current = Fernet(_derive(secrets[0]))
        self._all = MultiFernet([Fernet(_derive(s)) for s in secrets])

    def seal(self, text: str) -> str:
        return PREFIX + self._current.encrypt(text.encode()).decode()

    def open(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # stored before sealing: sealed by the next upgrade
        try:
            return self._all.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise SealedValueError(
                "A sealed value does not open with LMS_SECRET_KEY: if the secret was changed, "
                "put the old one in LMS_PREVIOUS_SECRET_KEYS and run lms-plugin db upgrade."
            ) from None

    def is_current(self, stored: str) -> bool:
        """Sealed with the current secret (nothing to do on upgrade)."""
        if not stored.startswith(PREFIX):
            return False
        try:
            self._current.decrypt(stored[len(PREFIX) :].encode())
        except InvalidToken:
            return False
        return True


def _derive(secret: str) -> bytes:
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(key)


def current_sealer() -> Sealer:
    """The app's sealer (``create_app`` makes it from the settings)."""
    if not has_app_context():
        raise RuntimeError("sealed columns are read and written inside the app context")
    sealer: Sealer = current_app.extensions["lms_sealer"]
    return sealer


class SealedText(TypeDecorator[str]):
    """Text sealed on the way in and opened on the way out."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: object) -> str | None:
        return None if value is None else current_sealer().seal(value)

    def process_result_value(self, value: str | None, dialect: object) -> str | None:
        return None if value is None else current_sealer().open(value)
