"""The last refused launches per registration, for the admin's diagnostics page.

Each entry is a refusal code (``domain.errors.LAUNCH_ERRORS`` and the other error codes a
launch can end in), its HTTP status and when: nothing about the person. Refusals that name no
registered platform (an unknown issuer or client id at login) are kept under ``None`` with the
issuer and client id they named, so an admin can see a mistyped registration. At most ``KEEP``
per registration, newest first, for ``KEEP_SECONDS``. Read-modify-write in the store: two
refusals at the same instant may keep only one, which a diagnostic can afford.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from lms_plugin.kv import KeyValueStore

KEEP = 50
KEEP_SECONDS = 30 * 24 * 3600
_PREFIX = "admin:launch-refusals:"
_MAX_TEXT = 200  # an unknown issuer or client id is shown cut to this length


@dataclass(frozen=True)
class Refusal:
    code: str
    status: int
    at: str  # ISO 8601, UTC
    issuer: str | None = None  # only for refusals naming no registered platform
    client_id: str | None = None

    @property
    def when(self) -> datetime:
        return datetime.fromisoformat(self.at)


def _key(registration_id: int | None) -> str:
    return _PREFIX + (str(registration_id) if registration_id is not None else "unknown")


def record(
    store: KeyValueStore,
    registration_id: int | None,
    code: str,
    status: int,
    *,
    issuer: str | None = None,
    client_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Remember one refused launch (the oldest beyond ``KEEP`` is dropped)."""
    at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    entry = Refusal(code[:64], status, at)
    if registration_id is None:
        entry = Refusal(entry.code, status, at, _cut(issuer), _cut(client_id))
    entries = [entry, *recent(store, registration_id)][:KEEP]
    store.set(_key(registration_id), json.dumps([asdict(e) for e in entries]), KEEP_SECONDS)


def recent(store: KeyValueStore, registration_id: int | None) -> list[Refusal]:
    """The kept refusals, newest first."""
    raw = store.get(_key(registration_id))
    if not raw:
        return []
    try:
        return [Refusal(**item) for item in json.loads(raw)]
    except (TypeError, ValueError):  # written by another version: start again
        return []


def _cut(value: str | None) -> str | None:
    return value[:_MAX_TEXT] if value else None
