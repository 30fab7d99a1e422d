"""LTI Dynamic Registration: the page the LMS opens from its "register a tool by URL" form."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from lms_plugin import __version__
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.tool_urls import unreachable_from
from lms_plugin.lti.dynamic_registration import RegistrationClient
from lms_plugin.services import registration
from lms_plugin.web import deps

bp = Blueprint("registration", __name__, url_prefix="/lti")


# The ticket is part of the path: an LMS appends its parameters to the registration URL, and
# one that appends them naively ("?" after an existing query) would otherwise garble it.
@bp.get("/register", defaults={"ticket": ""})
@bp.get("/register/<ticket>")
def confirm(ticket: str) -> str:
    """Show what will be registered, and ask the admin to confirm."""
    configuration_url, token = _params()
    platform = registration.preview(
        deps.store(), _client(), ticket, configuration_url, token, allow_http=_allow_http()
    )
    tool_url = deps.settings().public_url
    return render_template(
        "lti/register.html",
        platform=platform,
        tool_url=tool_url,
        # The LMS's server fetches the tool's key set to grant the tokens grades travel with.
        unreachable=unreachable_from(platform.token_endpoint, tool_url),
        ticket=ticket,
        configuration_url=configuration_url,
        registration_token=token or "",
    )


@bp.post("/register", defaults={"ticket": ""})
@bp.post("/register/<ticket>")
def register(ticket: str) -> str:
    """Register with the platform; the page then tells the LMS to close its dialog."""
    configuration_url, token = _params()
    settings = deps.settings()
    created = registration.register(
        deps.session(),
        deps.tenants(),
        deps.store(),
        _client(),
        ticket=ticket,
        configuration_url=configuration_url,
        registration_token=token,
        tool_url=settings.public_url,
        allow_http=_allow_http(),
    )
    return render_template("lti/registered.html", registration=created)


def _params() -> tuple[str, str | None]:
    """What the LMS adds to our URL: its configuration URL and registration token."""
    configuration_url = request.values.get("openid_configuration", "")
    if not configuration_url:
        raise InvalidInputError(
            "Open this URL from your LMS's tool registration page (by URL): the LMS adds the "
            "openid_configuration it needs.",
            code="openid_configuration_missing",
        )
    return configuration_url, request.values.get("registration_token") or None


def _client() -> RegistrationClient:
    """Calls to the URLs in the request: public hosts only unless the operator allows private
    ones, each call within LMS_HTTP_TIMEOUT_SECONDS in total."""
    settings = deps.settings()
    return RegistrationClient(
        allow_private=bool(settings.allow_private_hosts),
        budget=settings.http_timeout_seconds,
        user_agent=f"isp-lms-plugin/{__version__}",
    )


def _allow_http() -> bool:
    return not deps.settings().is_production
