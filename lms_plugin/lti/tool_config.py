"""Registrations and our signing key from the database, and a registration in the form
pylti1p3's Deep Linking response needs (``lti.deep_linking``).

The login builds its authentication request itself (``lti.login``) and the launch is validated
by ``lti.launch``, so nothing asks pylti1p3's tool configuration interface (``ToolConfAbstract``)
for registrations or deployments any more; it is not implemented here.
"""

from __future__ import annotations

from pylti1p3.registration import Registration as PyltiRegistration
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.models import Registration, ToolKey
from lms_plugin.lti.keys import public_pem


def find_registration(session: Session, issuer: str, client_id: str | None) -> Registration | None:
    """The registration for ``issuer`` + ``client_id``; without a client_id only if unambiguous."""
    query = select(Registration).where(Registration.issuer == issuer)
    if client_id:
        return session.scalars(query.where(Registration.client_id == client_id)).first()
    rows = session.scalars(query.limit(2)).all()
    return rows[0] if len(rows) == 1 else None


def active_key(session: Session) -> ToolKey | None:
    """Our signing key: the one in state ``active`` (``next`` is only published, for rotation)."""
    return session.scalars(select(ToolKey).where(ToolKey.state == "active")).first()


def to_pylti_registration(row: Registration, key: ToolKey) -> PyltiRegistration:
    """The registration as pylti1p3 holds it, with our key to sign with."""
    return (
        PyltiRegistration()
        .set_issuer(row.issuer)
        .set_client_id(row.client_id)
        .set_auth_login_url(row.auth_login_url)
        .set_auth_token_url(row.auth_token_url)
        .set_key_set_url(row.jwks_url)
        .set_tool_private_key(key.private_key_pem)
        .set_tool_public_key(public_pem(key.private_key_pem))
    )
