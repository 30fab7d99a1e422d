"""The keys as the admin pages list and rotate them: the tool's LTI signing keys and the
credential issuer's keys. Rotation is ``lms-plugin keys rotate [--purpose credentials]``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.credentials import IssuerKey
from lms_plugin.db.models import ToolKey
from lms_plugin.services.issuer_keys import rotate_issuer_keys
from lms_plugin.services.keys import rotate_keys

Purpose = Literal["lti", "credentials"]
PURPOSES: tuple[Purpose, ...] = ("lti", "credentials")


@dataclass(frozen=True)
class KeyLine:
    purpose: Purpose
    kind: str  # rsa for the tool's keys; ed25519 or rsa for the issuer's
    kid: str
    state: str  # lti: next | active | retired; credentials: active | retired
    created_at: datetime
    retired_at: datetime | None


def key_lines(session: Session) -> list[KeyLine]:
    """Every key, the tool's first; private keys are not read (nor unsealed)."""
    tool = session.execute(
        select(ToolKey.kid, ToolKey.state, ToolKey.created_at, ToolKey.retired_at).order_by(
            ToolKey.id.desc()
        )
    )
    issuer = session.execute(
        select(
            IssuerKey.kind,
            IssuerKey.kid,
            IssuerKey.state,
            IssuerKey.created_at,
            IssuerKey.retired_at,
        ).order_by(IssuerKey.id.desc())
    )
    return [KeyLine("lti", "rsa", *row) for row in tool] + [
        KeyLine("credentials", *row) for row in issuer
    ]


def rotate(session: Session, purpose: Purpose) -> list[str]:
    """Rotate one purpose's keys; the kids now in use (lti: active then next)."""
    if purpose == "credentials":
        return [key.kid for key in rotate_issuer_keys(session)]
    return list(rotate_keys(session))
