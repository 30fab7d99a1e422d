"""Our signing keys: ensure one exists, rotate (next -> active -> retired), publish JWKS."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from lms_plugin.db.base import utcnow
from lms_plugin.db.credentials import IssuerKey
from lms_plugin.db.models import ToolKey
from lms_plugin.db.sealed import Sealer
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


def reseal_keys(
    session: Session, sealer: Sealer, model: type[ToolKey] | type[IssuerKey] = ToolKey
) -> int:
    """Seal again, with the current secret, every private key (of the tool, or of the
    credential issuer) stored in plain text or sealed with a previous secret; returns how many
    were."""
    raw_column = type_coerce(model.private_key_pem, Text)  # as stored, not opened
    stored = session.execute(select(model.id, raw_column)).all()
    stale = [key_id for key_id, raw in stored if not sealer.is_current(raw)]
    for key in session.scalars(select(model).where(model.id.in_(stale))):
        flag_modified(key, "private_key_pem")  # written back through the sealed column
    session.commit()
    return len(stale)


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


def rotate_if_due(session: Session, max_age_days: int, now: datetime | None = None) -> bool:
    """Rotate when the active key has been active for ``max_age_days`` (0: never); True if it
    did. The promoted key was published as ``next`` since the last rotation, so platforms that
    cache our JWKS already know it."""
    if max_age_days <= 0:
        return False
    ensure_keys(session)
    active = _by_state(session, "active")[0]
    started = active.activated_at or active.created_at
    if (now or utcnow()) - started < timedelta(days=max_age_days):
        return False
    rotate_keys(session)
    return True


def jwks(session: Session) -> dict[str, Any]:
    """The public JWKS: active and next keys, never retired ones."""
    keys = _by_state(session, "active") + _by_state(session, "next")
    return {"keys": [public_jwk(k.private_key_pem, k.kid) for k in keys]}
