"""Register LMS platforms and manage their deployments (what an LMS admin does once)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.base import utcnow
from lms_plugin.db.models import Deployment, Registration
from lms_plugin.domain.errors import InvalidInputError, NotFoundError
from lms_plugin.domain.platform_profiles import PRODUCTS
from lms_plugin.domain.service_urls import parse_service_host
from lms_plugin.lti.tenants import TenantDirectory
from lms_plugin.services.service_urls import Rescreened, rescreen


@dataclass(frozen=True)
class PlatformSpec:
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    product: str = "other"
    deployment_ids: tuple[str, ...] = ()
    service_hosts: tuple[str, ...] = ()  # hosts of its service URLs besides its own four URLs


def _check_url(field: str, value: str) -> None:
    parsed = urlparse(value)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise InvalidInputError(f"{field} must be an absolute http(s) URL, got {value!r}")


def add_platform(session: Session, tenants: TenantDirectory, spec: PlatformSpec) -> Registration:
    """Validate everything first, then write the registration and its deployments in one commit."""
    if not spec.name.strip() or not spec.client_id.strip():
        raise InvalidInputError("name and client_id must not be empty")
    if spec.product not in PRODUCTS:
        raise InvalidInputError(f"product must be one of {', '.join(PRODUCTS)}")
    _check_url("issuer", spec.issuer)
    for field in ("auth_login_url", "auth_token_url", "jwks_url"):
        _check_url(field, getattr(spec, field))
    if len(set(spec.deployment_ids)) != len(spec.deployment_ids):
        raise InvalidInputError("deployment ids must be distinct")
    service_hosts = _service_hosts(spec.service_hosts)
    exists = session.scalars(
        select(Registration).filter_by(issuer=spec.issuer, client_id=spec.client_id)
    ).first()
    if exists is not None:
        raise InvalidInputError(
            f"a platform with issuer {spec.issuer} and client_id {spec.client_id} already exists"
        )
    registration = Registration(
        name=spec.name,
        issuer=spec.issuer,
        client_id=spec.client_id,
        auth_login_url=spec.auth_login_url,
        auth_token_url=spec.auth_token_url,
        jwks_url=spec.jwks_url,
        product=spec.product,
        active=True,
        service_hosts=service_hosts,
    )
    registration.deployments = [
        Deployment(deployment_id=d, status="active", activated_at=utcnow())
        for d in spec.deployment_ids
    ]
    session.add(registration)
    session.commit()
    tenants.forget_all()  # an issuer with a second client_id: logins without one now ask which
    return registration


def _service_hosts(values: tuple[str, ...]) -> list[str]:
    """The allow-list as stored: normalized host names, each once, in the order given."""
    hosts: list[str] = []
    for value in values:
        try:
            host = parse_service_host(value)
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from None
        if host not in hosts:
            hosts.append(host)
    return hosts


def set_service_hosts(
    session: Session,
    tenants: TenantDirectory,
    issuer: str,
    client_id: str,
    hosts: tuple[str, ...],
    *,
    require_https: bool,
) -> tuple[Registration, Rescreened]:
    """Replace the platform's allowed service hosts, then screen its courses' service URLs
    again: refused ones on a host now allowed are used from now on, and the reverse."""
    registration = get_platform(session, issuer, client_id)
    registration.service_hosts = _service_hosts(hosts)
    session.commit()
    rescreened = rescreen(session, registration, require_https=require_https)
    tenants.forget_all()
    return registration, rescreened


def list_platforms(session: Session) -> list[Registration]:
    return list(session.scalars(select(Registration).order_by(Registration.id)))


def get_platform(session: Session, issuer: str, client_id: str) -> Registration:
    row = session.scalars(
        select(Registration).filter_by(issuer=issuer, client_id=client_id)
    ).first()
    if row is None:
        raise NotFoundError(f"no platform with issuer {issuer} and client_id {client_id}")
    return row


def remove_platform(
    session: Session, tenants: TenantDirectory, issuer: str, client_id: str
) -> None:
    session.delete(get_platform(session, issuer, client_id))
    session.commit()
    tenants.forget_all()


def list_deployments(session: Session, status: str | None = None) -> list[Deployment]:
    query = select(Deployment).order_by(Deployment.id)
    if status:
        query = query.where(Deployment.status == status)
    return list(session.scalars(query))


DISABLED = "disabled"


def disable_deployment(
    session: Session, tenants: TenantDirectory, issuer: str, client_id: str, deployment_id: str
) -> Deployment:
    """Refuse a deployment's launches from now on (``deployment_disabled``); its courses' data
    stays, and activating it again lets its launches in again."""
    return set_disabled(
        session, tenants, find_deployment(session, issuer, client_id, deployment_id)
    )


def find_deployment(
    session: Session, issuer: str, client_id: str, deployment_id: str
) -> Deployment:
    """The deployment named as the LMS names it; NotFoundError says how to list them."""
    row = session.scalars(
        select(Deployment)
        .join(Registration)
        .where(
            Registration.issuer == issuer,
            Registration.client_id == client_id,
            Deployment.deployment_id == deployment_id,
        )
    ).first()
    if row is None:
        raise NotFoundError(
            f"no deployment {deployment_id} of {issuer} (client {client_id}); "
            "see lms-plugin deployments list",
            code="deployment_not_found",
        )
    return row


def set_disabled(session: Session, tenants: TenantDirectory, deployment: Deployment) -> Deployment:
    deployment.status = DISABLED
    session.commit()
    tenants.forget_all()  # the launch path reads cached snapshots of active deployments
    return deployment


def activate_deployment(
    session: Session, tenants: TenantDirectory, issuer: str, client_id: str, deployment_id: str
) -> Deployment:
    """Trust a deployment: create it active, or promote the pending one a launch recorded."""
    registration = get_platform(session, issuer, client_id)
    deployment = session.scalars(
        select(Deployment).filter_by(registration_id=registration.id, deployment_id=deployment_id)
    ).first()
    if deployment is None:
        deployment = Deployment(registration_id=registration.id, deployment_id=deployment_id)
        session.add(deployment)
    deployment.status = "active"
    deployment.activated_at = utcnow()
    session.commit()
    tenants.forget_all()
    return deployment
