"""LTI Dynamic Registration 1.0, the tool's side, as pure rules: what a platform's OpenID
configuration must say, what the tool asks to be registered as, and what comes back.

The admin pastes the tool's registration URL into the LMS; the LMS opens it with
``openid_configuration`` (and a ``registration_token``); the tool reads that configuration,
posts its own configuration to the platform's ``registration_endpoint`` and receives a
``client_id`` (and usually a ``deployment_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lms_plugin.domain.canvas_config import (
    HOME_PLACEMENT,
    HOME_VISIBILITY,
    PICKER_PLACEMENTS,
    PRIVACY_LEVEL,
    TOOL_ID,
)
from lms_plugin.domain.errors import InvalidInputError, UpstreamError
from lms_plugin.domain.tool_urls import ToolUrls

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
# What the tool uses: line items and scores (AGS), the roster (NRPS).
WANTED_SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
# product_family_code (Dynamic Registration §3.4.1) -> the tool's product (domain.platform_profiles)
_PRODUCTS = {
    "canvas": "canvas",
    "moodle": "moodle",
    "desire2learn": "brightspace",
    "brightspace": "brightspace",
    "sakai": "sakai",
}
# How the registration page and the admin pages name those products (self-hosted Canvas too).
_TITLES = {
    "canvas": "Canvas",
    "moodle": "Moodle",
    "brightspace": "D2L Brightspace",
    "sakai": "Sakai",
}
# Canvas's extension of the registration (canvas-lms doc/api/registration.md, "LTI Tool
# Configuration schema" and "LTI Message schema"): the keys it documents, with short placement
# names as in its example and its OpenID configuration's messages_supported.
CANVAS_PRIVACY_LEVEL = "https://canvas.instructure.com/lti/privacy_level"
CANVAS_TOOL_ID = "https://canvas.instructure.com/lti/tool_id"
CANVAS_VISIBILITY = "https://canvas.instructure.com/lti/visibility"
CANVAS_DEFAULT_ENABLED = "https://canvas.instructure.com/lti/course_navigation/default_enabled"


@dataclass(frozen=True)
class PlatformConfiguration:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product: str  # canvas / moodle / other
    product_family_code: str
    scopes_supported: tuple[str, ...] | None

    @property
    def scopes_to_request(self) -> list[str]:
        """The services the tool uses that this platform offers (all, if it does not say)."""
        offered = self.scopes_supported
        return [s for s in WANTED_SCOPES if offered is None or s in offered]

    @property
    def name(self) -> str:
        family = _TITLES.get(self.product) or self.product_family_code or "LMS"
        return f"{family} at {urlsplit(self.issuer).netloc}"


def check_configuration_url(url: str, *, allow_http: bool) -> None:
    """Refuse an ``openid_configuration`` (§3.3) the tool must not fetch: not https (http too
    outside production), or carrying a user name or password."""
    if not _is_url(url, allow_http):
        scheme = "http(s)" if allow_http else "https"
        raise InvalidInputError(
            f"The openid_configuration the LMS sent is not an {scheme} URL.",
            code="openid_configuration_invalid",
        )


def parse_platform_configuration(
    config: Any, configuration_url: str, *, allow_http: bool
) -> PlatformConfiguration:
    """Check the platform's OpenID configuration (Dynamic Registration §3.4, §3.5.1).

    Its values are reported by host name only, never echoed whole: the body is the LMS's."""
    if not isinstance(config, Mapping):
        raise UpstreamError("The LMS's OpenID configuration is not a JSON object.")
    issuer = config.get("issuer")
    if not isinstance(issuer, str) or not _is_url(issuer, allow_http):
        raise UpstreamError("The LMS's OpenID configuration has no valid issuer.")
    # §3.5.1: the issuer's domain must be the domain the configuration was read from.
    issuer_host, source_host = _host(issuer), _host(configuration_url)
    if issuer_host != source_host:
        raise InvalidInputError(
            f"The LMS says its issuer is on {issuer_host}, but its configuration came from "
            f"{source_host}; refusing to register.",
            code="issuer_mismatch",
        )
    endpoints = {}
    for name in _ENDPOINTS:
        value = config.get(name)
        if not isinstance(value, str) or not _is_url(value, allow_http):
            raise UpstreamError(f"The LMS's OpenID configuration has no valid {name}.")
        endpoints[name] = value
    # The registration_token (§3.3) goes with the registration request: only to the host that
    # the LMS's own configuration URL and issuer are on, never to a host the body names.
    if _host(endpoints["registration_endpoint"]) != issuer_host:
        raise InvalidInputError(
            f"The LMS's configuration sends registrations to "
            f"{_host(endpoints['registration_endpoint'])}, not to its issuer's host "
            f"{issuer_host}; the tool sends its registration token nowhere else.",
            code="registration_endpoint_foreign",
        )
    algorithms = config.get("id_token_signing_alg_values_supported") or []
    if "RS256" not in algorithms:
        raise UpstreamError("The LMS does not sign id_tokens with RS256, which LTI 1.3 requires.")
    platform = config.get(PLATFORM_CONFIGURATION)
    family = platform.get("product_family_code", "") if isinstance(platform, Mapping) else ""
    scopes = config.get("scopes_supported")
    return PlatformConfiguration(
        issuer=issuer,
        product=_PRODUCTS.get(str(family).lower(), "other"),
        product_family_code=str(family),
        scopes_supported=tuple(scopes) if isinstance(scopes, list) else None,
        **endpoints,
    )


def tool_registration(
    platform: PlatformConfiguration, tool_url: str, client_name: str
) -> dict[str, Any]:
    """The client registration request the tool sends (Dynamic Registration §3.5.2); Canvas's
    carries its extension too (see :func:`_canvas_tool_configuration`)."""
    urls = ToolUrls.at(tool_url)
    base, launch = urls.base, urls.launch
    tool_configuration: dict[str, Any] = {
        "domain": urlsplit(base).netloc,
        "target_link_uri": launch,
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        "messages": [
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": launch,
                "label": f"{client_name}: add modules",
            }
        ],
    }
    if platform.product == "canvas":
        tool_configuration.update(_canvas_tool_configuration(launch, client_name))
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login,
        "redirect_uris": [launch],
        "client_name": client_name,
        "jwks_uri": urls.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(platform.scopes_to_request),
        TOOL_CONFIGURATION: tool_configuration,
    }


def _canvas_tool_configuration(launch: str, client_name: str) -> dict[str, Any]:
    """What makes a dynamically registered Canvas developer key the one ``canvas.json`` makes
    (domain.canvas_config): privacy level and tool id; the module picker (Deep Linking) at
    ``link_selection`` and ``assignment_selection``; the instructor home at
    ``course_navigation``, on by default and seen only by those who manage the course
    (``admins``: "in courses means administrators and instructors"). Canvas names each
    placement after its message's label."""
    return {
        CANVAS_PRIVACY_LEVEL: PRIVACY_LEVEL,
        CANVAS_TOOL_ID: TOOL_ID,
        "messages": [
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": launch,
                "label": client_name,
                "placements": list(PICKER_PLACEMENTS),
            },
            {
                "type": "LtiResourceLinkRequest",
                "target_link_uri": launch,
                "label": client_name,
                "placements": [HOME_PLACEMENT],
                CANVAS_VISIBILITY: HOME_VISIBILITY,
                CANVAS_DEFAULT_ENABLED: True,
            },
        ],
    }


@dataclass(frozen=True)
class Registered:
    client_id: str
    deployment_id: str | None


def parse_registration_response(body: Any) -> Registered:
    """The platform's answer: our client_id, and the deployment it made (if it made one)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("client_id"), str):
        raise UpstreamError("The LMS's registration response has no client_id.")
    tool = body.get(TOOL_CONFIGURATION)
    deployment = tool.get("deployment_id") if isinstance(tool, Mapping) else None
    return Registered(
        client_id=body["client_id"],
        deployment_id=str(deployment) if deployment not in (None, "") else None,
    )


def _is_url(value: str, allow_http: bool) -> bool:
    try:
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port  # a port that is not a number raises here
    except ValueError:
        return False
    schemes = ("https", "http") if allow_http else ("https",)
    no_credentials = parts.username is None and parts.password is None
    return parts.scheme in schemes and bool(host) and no_credentials


def _host(url: str) -> str:
    """The URL's host name, lower case: hosts are compared by name, as §3.5.1 compares domains
    (the port does not make another platform)."""
    return urlsplit(url).hostname or ""
