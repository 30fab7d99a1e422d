"""The registration request with Canvas's extension (canvas-lms doc/api/registration.md, "LTI
Tool Configuration schema" and "LTI Message schema"), and without it for every other LMS.

Registering Canvas by Dynamic Registration must give the developer key that pasting
``/lti/config/canvas.json`` gives: the same privacy level, tool id and placements."""

from __future__ import annotations

import json
from typing import Any

import pytest

from lms_plugin.domain.canvas_config import canvas_configuration
from lms_plugin.domain.registration import (
    TOOL_CONFIGURATION,
    PlatformConfiguration,
    parse_platform_configuration,
    tool_registration,
)
from tests.support.openid_config import LMS, openid_configuration

TOOL = "https://tool.example.org"
LAUNCH = TOOL + "/lti/launch"
NAME = "ISP Certificate"
CANVAS = "https://canvas.instructure.com/lti/"


def _platform(family: str | None) -> PlatformConfiguration:
    config = openid_configuration()
    if family is not None:
        config["https://purl.imsglobal.org/spec/lti-platform-configuration"] = {
            "product_family_code": family
        }
    return parse_platform_configuration(config, LMS + "/config", allow_http=False)


# The request every LMS but Canvas gets, written out: it must not change.
STANDARD = {
    "application_type": "web",
    "response_types": ["id_token"],
    "grant_types": ["implicit", "client_credentials"],
    "initiate_login_uri": TOOL + "/lti/login",
    "redirect_uris": [LAUNCH],
    "client_name": NAME,
    "jwks_uri": TOOL + "/lti/jwks",
    "token_endpoint_auth_method": "private_key_jwt",
    "scope": " ".join(
        [
            "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
            "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
            "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
        ]
    ),
    TOOL_CONFIGURATION: {
        "domain": "tool.example.org",
        "target_link_uri": LAUNCH,
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        "messages": [
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": LAUNCH,
                "label": "ISP Certificate: add modules",
            }
        ],
    },
}


@pytest.mark.parametrize("family", ["moodle", "desire2learn", "sakai", "blackboard", "", None])
def test_other_platforms_get_the_standard_request_without_canvas_keys(family):
    sent = tool_registration(_platform(family), TOOL + "/", NAME)

    assert sent == STANDARD
    assert "canvas.instructure.com" not in json.dumps(sent)


def test_canvas_gets_its_extension_and_the_standard_fields_unchanged():
    sent = tool_registration(_platform("canvas"), TOOL, NAME)

    assert {k: v for k, v in sent.items() if k != TOOL_CONFIGURATION} == {
        k: v for k, v in STANDARD.items() if k != TOOL_CONFIGURATION
    }
    assert sent[TOOL_CONFIGURATION] == {
        "domain": "tool.example.org",
        "target_link_uri": LAUNCH,
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        CANVAS + "privacy_level": "public",
        CANVAS + "tool_id": "isp-certificate",
        "messages": [
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": LAUNCH,
                "label": NAME,
                "placements": ["link_selection", "assignment_selection"],
            },
            {
                "type": "LtiResourceLinkRequest",
                "target_link_uri": LAUNCH,
                "label": NAME,
                "placements": ["course_navigation"],
                CANVAS + "visibility": "admins",
                CANVAS + "course_navigation/default_enabled": True,
            },
        ],
    }


def _placements_from_registration(tool: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The placements Canvas documents a registration to make: one per placement name of each
    message, with the message's type, target and label (as the placement's text), its
    visibility, and course_navigation "default" off only when default_enabled is false."""
    made = {}
    for message in tool["messages"]:
        for name in message.get("placements", []):
            made[name] = {
                "message_type": message["type"],
                "target_link_uri": message.get("target_link_uri", tool["target_link_uri"]),
                "text": message.get("label"),
                "visibility": message.get(CANVAS + "visibility"),
                "enabled": message.get(CANVAS + "course_navigation/default_enabled", True)
                if name == "course_navigation"
                else True,
            }
    return made


def test_canvas_registration_makes_the_developer_key_canvas_json_makes():
    tool = tool_registration(_platform("canvas"), TOOL, NAME)[TOOL_CONFIGURATION]
    key = canvas_configuration(TOOL, title=NAME, description="any")["extensions"][0]

    from_json = {
        p["placement"]: {
            "message_type": p["message_type"],
            "target_link_uri": p["target_link_uri"],
            "text": p["text"],
            "visibility": p.get("visibility"),
            "enabled": p.get("default", "enabled") == "enabled",
        }
        for p in key["settings"]["placements"]
    }
    assert _placements_from_registration(tool) == from_json
    assert tool[CANVAS + "privacy_level"] == key["privacy_level"]
    assert tool[CANVAS + "tool_id"] == key["tool_id"]
    assert tool["domain"] == key["domain"]
