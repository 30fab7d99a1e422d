"""Register an LMS by LTI Dynamic Registration, authorised by a one-time ticket.

The registration URL is open to whoever has it, and registering makes the tool trust a new
platform and fetch URLs that the request names, so the admin issues the URL
(``lms-plugin platform register-url``): it carries a random ticket, kept in the store for a
limited time and used once. A failed registration gives the ticket back.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Protocol

from sqlalchemy.orm import Session

from lms_plugin.db.models import Registration
from lms_plugin.domain.errors import ForbiddenError
from lms_plugin.domain.registration import (
    PlatformConfiguration,
    parse_platform_configuration,
    parse_registration_response,
    tool_registration,
)
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.tenants import TenantDirectory
from lms_plugin.services.platforms import PlatformSpec, add_platform

_TICKET = "lti-registration-ticket:"
CLIENT_NAME = "ISP Certificate"


class RegistrationPort(Protocol):
    def configuration(self, url: str, token: str | None) -> Any: ...
    def register(self, endpoint: str, token: str | None, body: dict[str, Any]) -> Any: ...


def issue_ticket(store: KeyValueStore, hours: float) -> str:
    """A new one-time ticket, valid for ``hours``."""
    ticket = secrets.token_urlsafe(24)
    seconds = max(1, int(hours * 3600))
    store.set(_TICKET + ticket, str(time.time() + seconds), seconds)
    return ticket


def preview(
    store: KeyValueStore,
    port: RegistrationPort,
    ticket: str,
    configuration_url: str,
    registration_token: str | None,
    *,
    allow_http: bool,
) -> PlatformConfiguration:
    """What registering would do (the page asks the admin to confirm); uses nothing up."""
    if not ticket or store.get(_TICKET + ticket) is None:
        raise _invalid_ticket()
    config = port.configuration(configuration_url, registration_token)
    return parse_platform_configuration(config, configuration_url, allow_http=allow_http)


def register(
    session: Session,
    tenants: TenantDirectory,
    store: KeyValueStore,
    port: RegistrationPort,
    *,
    ticket: str,
    configuration_url: str,
    registration_token: str | None,
    tool_url: str,
    allow_http: bool,
) -> Registration:
    """Use the ticket, register with the platform, and trust it (and its deployment)."""
    expires = store.pop(_TICKET + ticket) if ticket else None
    if expires is None:
        raise _invalid_ticket()
    try:
        config = port.configuration(configuration_url, registration_token)
        platform = parse_platform_configuration(config, configuration_url, allow_http=allow_http)
        body = tool_registration(platform, tool_url, CLIENT_NAME)
        answer = parse_registration_response(
            port.register(platform.registration_endpoint, registration_token, body)
        )
        return add_platform(
            session,
            tenants,
            PlatformSpec(
                name=platform.name,
                issuer=platform.issuer,
                client_id=answer.client_id,
                auth_login_url=platform.authorization_endpoint,
                auth_token_url=platform.token_endpoint,
                jwks_url=platform.jwks_uri,
                product=platform.product,
                deployment_ids=(answer.deployment_id,) if answer.deployment_id else (),
            ),
        )
    except BaseException:
        remaining = int(float(expires) - time.time())
        if remaining > 0:  # the admin can try again with the same URL
            store.set(_TICKET + ticket, expires, remaining)
        raise


def _invalid_ticket() -> ForbiddenError:
    return ForbiddenError(
        "This registration URL is not valid: it was used already, has expired, or was not "
        "issued by this tool.",
        code="registration_ticket_invalid",
        hint="Issue a new registration URL with: lms-plugin platform register-url",
    )
