"""Registrations and their deployments as the admin pages show and change them.

``scope`` is the registration an LMS administrator launched from (they see and change only
that one), or None for an admin signed in with ``lms-plugin admin link`` (every platform).
Activating and disabling are the services of ``lms-plugin deployments activate`` and
``disable``: disabling refuses the deployment's launches from then on (``deployment_disabled``)
until it is activated again.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from lms_plugin.db.models import Deployment, Registration
from lms_plugin.domain.errors import NotFoundError
from lms_plugin.lti.tenants import TenantDirectory
from lms_plugin.services.platforms import activate_deployment, set_disabled


def platforms(session: Session, scope: int | None) -> list[Registration]:
    """The registrations in view, with their deployments loaded."""
    query = (
        select(Registration)
        .options(selectinload(Registration.deployments))
        .order_by(Registration.id)
    )
    if scope is not None:
        query = query.where(Registration.id == scope)
    return list(session.scalars(query))


def platform(session: Session, scope: int | None, registration_id: int) -> Registration:
    """One registration in view; 404 for any other (an LMS admin cannot probe for others)."""
    row = session.get(Registration, registration_id)
    if row is None or (scope is not None and row.id != scope):
        raise NotFoundError("No such platform registration.")
    return row


def deployment(session: Session, scope: int | None, deployment_pk: int) -> Deployment:
    """One deployment of a registration in view; 404 for any other."""
    row = session.get(Deployment, deployment_pk)
    if row is None or (scope is not None and row.registration_id != scope):
        raise NotFoundError("No such deployment.")
    return row


def activate(
    session: Session, tenants: TenantDirectory, scope: int | None, deployment_pk: int
) -> Deployment:
    """Trust a pending (or disabled) deployment: its launches are accepted from now on."""
    row = deployment(session, scope, deployment_pk)
    reg = row.registration
    return activate_deployment(session, tenants, reg.issuer, reg.client_id, row.deployment_id)


def disable(
    session: Session, tenants: TenantDirectory, scope: int | None, deployment_pk: int
) -> Deployment:
    """Refuse the deployment's launches from now on (its courses' data stays)."""
    return set_disabled(session, tenants, deployment(session, scope, deployment_pk))
