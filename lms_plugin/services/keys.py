"""Our signing keys: ensure one exists, rotate (next -> active -> retired), publish JWKS."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.models import ToolKey
from lms_plugin.lti.keys import kid_for, new_private_key_pem, public_jwk


def _new_key(state: str) -> ToolKey:
    pem = new_private_key_pem()
    return ToolKey(
        kid=kid_for(pem),
        private_key_pem=pem,
        state=state,
        activated_at=utcnow() if state == "active" else None,
    )


def _by_state(session: Session, state: str) -> list[ToolKey]:
    return list(session.scalars(select(ToolKey).where(ToolKey.state == state).order_by(ToolKey.id)))


def ensure_keys(session: Session) -> None:
    """Make sure there is an active key and a next key (published early so platforms cache it)."""
    if not _by_state(session, "active"):
        session.add(_new_key("active"))
    if not _by_state(session, "next"):
        session.add(_new_key("next"))
    session.commit()


def rotate_keys(session: Session) -> tuple[str, str]:
    """Promote ``next`` to active, retire the old active, add a fresh ``next``.

    Returns (new active kid, new next kid). Platforms that cached our JWKS already know the
    promoted key, because it was published as ``next`` since the previous rotation.
    """
    ensure_keys(session)
    for key in _by_state(session, "active"):
        key.state, key.retired_at = "retired", utcnow()
    promoted = _by_state(session, "next")[0]
    promoted.state, promoted.activated_at = "active", utcnow()
    fresh = _new_key("next")
    session.add(fresh)
    session.commit()
    return promoted.kid, fresh.kid


def jwks(session: Session) -> dict[str, Any]:
    """The public JWKS: active and next keys, never retired ones."""
    keys = _by_state(session, "active") + _by_state(session, "next")
    return {"keys": [public_jwk(k.private_key_pem, k.kid) for k in keys]}
