"""The test LMS's side of LTI Dynamic Registration: its OpenID configuration, and the registration
endpoint that checks what a tool sends and makes a client and a deployment for it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.lti_platform import LmsPlatform

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
_REQUIRED = {
    "application_type": "web",
    "response_types": ["id_token"],
    "token_endpoint_auth_method": "private_key_jwt",
}


def openid_configuration(lms: LmsPlatform) -> dict[str, Any]:
    """The platform's OpenID configuration (LTI Dynamic Registration §3.4)."""
    from tests.support.lti_platform import AGS_SCOPES, NRPS_SCOPE

    return {
        "issuer": lms.issuer,
        "authorization_endpoint": lms.url + "/auth",
        "token_endpoint": lms.token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": lms.jwks_url,
        "registration_endpoint": lms.url + "/register",
        "scopes_supported": ["openid", *sorted(AGS_SCOPES), NRPS_SCOPE],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
        "https://purl.imsglobal.org/spec/lti-platform-configuration": {
            "product_family_code": lms.product_family_code,
            "version": "4.5",
            "messages_supported": [
                {"type": "LtiResourceLinkRequest"},
                {"type": "LtiDeepLinkingRequest"},
            ],
        },
    }


def register_tool(lms: LmsPlatform, body: dict[str, Any]) -> dict[str, Any] | None:
    """The registration (§3.6): None when required fields are missing or wrong; else the LMS
    now knows the tool under a new client id and deployment, and answers with them."""
    tool = body.get(TOOL_CONFIGURATION) or {}
    if any(body.get(k) != v for k, v in _REQUIRED.items()) or not (
        {"implicit", "client_credentials"} <= set(body.get("grant_types", []))
        and body.get("initiate_login_uri")
        and body.get("redirect_uris")
        and body.get("jwks_uri")
        and tool.get("domain")
        and tool.get("target_link_uri")
    ):
        return None
    lms.registrations.append(body)
    lms.client_id = "client-" + uuid.uuid4().hex[:6]
    lms.deployment_id = "deployment-" + uuid.uuid4().hex[:6]
    return {
        **body,
        "client_id": lms.client_id,
        TOOL_CONFIGURATION: {**tool, "deployment_id": lms.deployment_id},
    }
