"""pylti1p3 tool configuration backed by our database (registrations, deployments, keys)."""

from __future__ import annotations

from typing import Any, Protocol

from pylti1p3.deployment import Deployment as PyltiDeployment
from pylti1p3.registration import Registration as PyltiRegistration
from pylti1p3.request import Request
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms_plugin.db.models import Deployment, Registration, ToolKey
from lms_plugin.lti.keys import public_pem


class RegistrationLike(Protocol):
    """A registration row or its cached snapshot (``lti.tenants.RegistrationInfo``)."""

    @property
    def issuer(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def auth_login_url(self) -> str: ...
    @property
    def auth_token_url(self) -> str: ...
    @property
    def jwks_url(self) -> str: ...


def find_registration(session: Session, issuer: str, client_id: str | None) -> Registration | None:
    """The registration for ``issuer`` + ``client_id``; without a client_id only if unambiguous."""
    query = select(Registration).where(Registration.issuer == issuer)
    if client_id:
        return session.scalars(query.where(Registration.client_id == client_id)).first()
    rows = session.scalars(query.limit(2)).all()
    return rows[0] if len(rows) == 1 else None


def active_key(session: Session) -> ToolKey | None:
    return session.scalars(select(ToolKey).where(ToolKey.state == "active")).first()


class DbToolConf(ToolConfAbstract[Request]):
    """Every issuer may have many clients (Canvas), so lookups always go by issuer + client_id."""

    def __init__(self, session: Session, *, with_private_key: bool = False) -> None:
        super().__init__()
        self._session = session
        self._with_private_key = with_private_key  # only service calls (AGS, NRPS) sign
        self._found: dict[tuple[str, str | None], RegistrationLike | None] = {}

    def remember(
        self, registration: RegistrationLike, *, asked_client_id: str | None = None
    ) -> DbToolConf:
        """Answer pylti1p3's lookups with what we already resolved (also for a login that
        named no client_id, which pylti1p3 looks up as ``(issuer, None)``)."""
        self._found[(registration.issuer, registration.client_id)] = registration
        self._found[(registration.issuer, asked_client_id or None)] = registration
        return self

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Any:
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Any:
        asked = (iss, client_id or None)  # pylti1p3 asks with "" when the login named none
        if asked not in self._found:  # pylti1p3 asks again for what we already know
            self._found[asked] = find_registration(self._session, iss, client_id)
        row = self._found[asked]
        if row is None:
            return None
        key = active_key(self._session) if self._with_private_key else None
        return to_pylti_registration(row, key)

    def find_deployment(self, iss: str, deployment_id: str) -> Any:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> Any:
        registration = find_registration(self._session, iss, client_id)
        if registration is None:
            return None
        row = self._session.scalars(
            select(Deployment).where(
                Deployment.registration_id == registration.id,
                Deployment.deployment_id == deployment_id,
                Deployment.status == "active",
            )
        ).first()
        return PyltiDeployment().set_deployment_id(row.deployment_id) if row else None


def to_pylti_registration(row: RegistrationLike, key: ToolKey | None) -> PyltiRegistration:
    registration = (
        PyltiRegistration()
        .set_issuer(row.issuer)
        .set_client_id(row.client_id)
        .set_auth_login_url(row.auth_login_url)
        .set_auth_token_url(row.auth_token_url)
        .set_key_set_url(row.jwks_url)
    )
    if key is not None:
        registration.set_tool_private_key(key.private_key_pem)
        registration.set_tool_public_key(public_pem(key.private_key_pem))
    return registration
