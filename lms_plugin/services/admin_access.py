"""Who may open the admin pages without an LMS launch: one-time sign-in links and the admin
sessions they open (``lms-plugin admin link``; web/admin_auth.py sets the cookie).

Only a SHA-256 of each link token and session id is stored (a dump of the store opens
nothing); both carry their expiry, checked against an injectable clock, and the store's TTL
removes them as a backstop. A link is consumed by its first use, expired or not (an atomic
``pop``), so two tabs racing with one link open one session at most.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable

from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.kv import KeyValueStore

Clock = Callable[[], float]
LINK_PREFIX = "admin-link:"
SESSION_PREFIX = "admin-session:"
SESSION_SECONDS = 8 * 3600  # an admin session lasts a working day, then a new link is needed
MAX_LINK_MINUTES = 24 * 60


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_link(store: KeyValueStore, minutes: float, *, clock: Clock = time.time) -> str:
    """A fresh one-time sign-in token, valid for ``minutes`` (its hash is what is stored)."""
    if not 0 < minutes <= MAX_LINK_MINUTES:
        raise InvalidInputError(f"a link lives between 1 second and {MAX_LINK_MINUTES} minutes")
    token = secrets.token_urlsafe(32)
    seconds = minutes * 60
    record = json.dumps({"expires_at": clock() + seconds})
    store.set(LINK_PREFIX + _digest(token), record, int(seconds) + 1)
    return token


def redeem_link(store: KeyValueStore, token: str, *, clock: Clock = time.time) -> bool:
    """Consume the link: True only for its first use before it expires."""
    if not token or len(token) > 200:
        return False
    raw = store.pop(LINK_PREFIX + _digest(token))
    return raw is not None and float(json.loads(raw)["expires_at"]) > clock()


def start_session(store: KeyValueStore, *, clock: Clock = time.time) -> str:
    """A new admin session (every platform in view); returns the id the cookie carries."""
    sid = secrets.token_urlsafe(32)
    record = json.dumps({"expires_at": clock() + SESSION_SECONDS})
    store.set(SESSION_PREFIX + _digest(sid), record, SESSION_SECONDS)
    return sid


def session_is_open(store: KeyValueStore, sid: str, *, clock: Clock = time.time) -> bool:
    """Whether ``sid`` names an admin session that has not expired or been closed."""
    if not sid or len(sid) > 200:
        return False
    raw = store.get(SESSION_PREFIX + _digest(sid))
    return raw is not None and float(json.loads(raw)["expires_at"]) > clock()


def end_session(store: KeyValueStore, sid: str) -> None:
    """Sign out: the session is gone in every process."""
    store.delete(SESSION_PREFIX + _digest(sid))
