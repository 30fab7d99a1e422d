"""Register an LMS by LTI Dynamic Registration, authorised by a one-time ticket.

The registration URL is open to whoever has it, and registering makes the tool trust a new
platform and fetch URLs that the request names, so the admin issues the URL
(``lms-plugin platform register-url``): it carries a random ticket, kept in the store for a
limited time and used once. A failed registration gives the ticket back. Each preview and
each attempt to register fetches the URLs the request names, so a ticket allows at most
:data:`PREVIEW_LIMIT` of them together.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.orm import Session

from lms_plugin.db.models import Registration
from lms_plugin.domain.errors import ForbiddenError
from lms_plugin.domain.registration import (
    PlatformConfiguration,
    check_configuration_url,
    parse_platform_configuration,
    parse_registration_response,
    tool_registration,
)
from lms_plugin.kv import KeyValueStore
from lms_plugin.lti.tenants import TenantDirectory
from lms_plugin.services.platforms import PlatformSpec, add_platform

_TICKET = "lti-registration-ticket:"
_PREVIEWS = "lti-registration-previews:"
CLIENT_NAME = "ISP Certificate"
PREVIEW_LIMIT = 10  # an admin who reloads the page a few times is fine; a fetch loop is not
Clock = Callable[[], float]


class RegistrationPort(Protocol):
    def configuration(self, url: str, token: str | None) -> Any: ...
    def register(self, endpoint: str, token: str | None, body: dict[str, Any]) -> Any: ...


def issue_ticket(store: KeyValueStore, hours: float, *, clock: Clock = time.time) -> str:
    """A new one-time ticket, valid for ``hours``; it records when it expires."""
    ticket = secrets.token_urlsafe(24)
    seconds = max(1, int(hours * 3600))
    store.set(_TICKET + ticket, str(clock() + seconds), seconds)
    return ticket


def preview(
    store: KeyValueStore,
    port: RegistrationPort,
    ticket: str,
    configuration_url: str,
    registration_token: str | None,
    *,
    allow_http: bool,
    clock: Clock = time.time,
) -> PlatformConfiguration:
    """What registering would do (the page asks the admin to confirm); counts as one of the
    ticket's :data:`PREVIEW_LIMIT` uses."""
    expires = _live(store.get(_TICKET + ticket) if ticket else None, clock)
    _count_use(store, ticket, expires, clock)
    check_configuration_url(configuration_url, allow_http=allow_http)
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
    clock: Clock = time.time,
) -> Registration:
    """Use the ticket, register with the platform, and trust it (and its deployment)."""
    expires = _live(store.pop(_TICKET + ticket) if ticket else None, clock)
    try:
        _count_use(store, ticket, expires, clock)
        check_configuration_url(configuration_url, allow_http=allow_http)
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
        remaining = int(expires - clock())
        if remaining > 0:  # the admin can try again with the same URL
            store.set(_TICKET + ticket, str(expires), remaining)
        raise


def _live(stored: str | None, clock: Clock) -> float:
    """When the ticket expires, if it exists and has not expired (the store's TTL is in whole
    seconds, the recorded time is exact)."""
    expires = float(stored) if stored is not None else 0.0
    if expires <= clock():
        raise _invalid_ticket()
    return expires


def _count_use(store: KeyValueStore, ticket: str, expires: float, clock: Clock) -> None:
    """Count one use of the ticket, for as long as the ticket lives; refuse past the limit.
    Each use takes the first free numbered slot with an atomic add, so two concurrent uses
    can never both take the last one."""
    ttl = max(1, int(expires - clock()) + 1)
    for slot in range(PREVIEW_LIMIT):
        if store.add(f"{_PREVIEWS}{ticket}:{slot}", "1", ttl):
            return
    raise ForbiddenError(
        f"This registration URL has been opened {PREVIEW_LIMIT} times, the most it may be.",
        code="registration_ticket_overused",
        hint="Issue a new registration URL with: lms-plugin platform register-url",
    )


def _invalid_ticket() -> ForbiddenError:
    return ForbiddenError(
        "This registration URL is not valid: it was used already, has expired, or was not "
        "issued by this tool.",
        code="registration_ticket_invalid",
        hint="Issue a new registration URL with: lms-plugin platform register-url",
    )
