"""The Canvas developer key JSON against what Canvas's importer accepts.

CANVAS_SCHEMA is Canvas's own validation, transcribed into JSON Schema from canvas-lms
lib/schemas/lti_configuration.rb (the "external" configuration of doc/api/lti_dev_key_config.md)
and the placement and settings properties it takes from lib/schemas/internal_lti_configuration.rb;
the enums of placements, message types and scopes come from lib/schemas/lti/tool_configuration.rb
and the documented allowed values. A key Canvas would refuse fails here first."""

from __future__ import annotations

import jsonschema
import pytest

from lms_plugin.domain.canvas_config import canvas_configuration

PLACEMENTS = [
    "account_navigation", "similarity_detection", "assignment_edit", "assignment_group_menu",
    "assignment_index_menu", "assignment_menu", "assignment_selection", "assignment_view",
    "collaboration", "conference_selection", "course_assignments_menu",
    "course_home_sub_navigation", "course_navigation", "course_settings_sub_navigation",
    "discussion_topic_menu", "discussion_topic_index_menu", "editor_button", "file_menu",
    "file_index_menu", "global_navigation", "homework_submission", "link_selection",
    "migration_selection", "module_group_menu", "module_index_menu", "module_menu",
    "post_grades", "quiz_index_menu", "quiz_menu", "resource_selection",
    "submission_type_selection", "student_context_card", "tool_configuration",
    "user_navigation", "wiki_index_menu", "wiki_page_menu",
]  # fmt: skip
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://canvas.instructure.com/lti/public_jwk/scope/update",
]
SETTINGS = {
    "message_type": {"type": "string", "enum": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]},
    "text": {"type": "string"},
    "custom_fields": {"type": "object"},
    "selection_height": {"type": "number"},
    "selection_width": {"type": "number"},
    "icon_url": {"type": "string"},
    "target_link_uri": {"type": "string"},
    "visibility": {"type": "string", "enum": ["admins", "members", "public"]},
    "default": {"type": "string", "enum": ["disabled", "enabled"]},
}
CANVAS_SCHEMA = {
    "type": "object",
    "required": ["title", "description", "target_link_uri", "oidc_initiation_url"],
    "properties": {
        "title": {"type": "string"},
        "description": {"type": "string"},
        "custom_fields": {"oneOf": [{"type": "object"}, {"type": "string"}]},
        "target_link_uri": {"type": "string"},
        "oidc_initiation_url": {"type": "string"},
        "public_jwk_url": {"type": "string"},
        "public_jwk": {"type": "object"},
        "scopes": {"type": "array", "items": {"type": "string", "enum": SCOPES}},
        "extensions": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["platform", "settings"],
                "properties": {
                    "platform": {"type": "string", "const": "canvas.instructure.com"},
                    "domain": {"type": "string"},
                    "tool_id": {"type": "string"},
                    "privacy_level": {
                        "type": "string",
                        "enum": ["anonymous", "name_only", "email_only", "public"],
                    },
                    "settings": {
                        "type": "object",
                        "required": ["placements"],
                        "properties": {
                            **SETTINGS,
                            "placements": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["placement"],
                                    "properties": {
                                        "placement": {"type": "string", "enum": PLACEMENTS},
                                        "enabled": {"type": "boolean"},
                                        **SETTINGS,
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    # "public_jwk: Required if public_jwk_url is omitted" (lti_dev_key_config.md)
    "anyOf": [{"required": ["public_jwk_url"]}, {"required": ["public_jwk"]}],
}

TOOL = "https://isp.example.edu"


def config() -> dict:
    return canvas_configuration(TOOL, title="ISP Certificate", description="The certificate")


def test_canvas_would_import_it():
    jsonschema.validate(config(), CANVAS_SCHEMA)


@pytest.mark.parametrize(
    "breakage",
    [
        lambda c: c.pop("oidc_initiation_url"),
        lambda c: c.pop("public_jwk_url"),
        lambda c: c["extensions"][0].pop("settings"),
        lambda c: c["extensions"][0]["settings"]["placements"][0].update(placement="gradebook"),
        lambda c: c["extensions"][0].update(privacy_level="everything"),
        lambda c: c["scopes"].append("https://purl.imsglobal.org/spec/lti-ags/scope/everything"),
    ],
)
def test_the_schema_refuses_what_canvas_refuses(breakage):
    broken = config()
    breakage(broken)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, CANVAS_SCHEMA)


def test_urls_are_the_tools_own_endpoints():
    c = config()
    assert c["oidc_initiation_url"] == TOOL + "/lti/login"
    assert c["target_link_uri"] == TOOL + "/lti/launch"
    assert c["public_jwk_url"] == TOOL + "/lti/jwks"
    assert c["extensions"][0]["domain"] == "isp.example.edu"


def test_placements_and_their_message_types():
    placements = {p["placement"]: p for p in config()["extensions"][0]["settings"]["placements"]}
    assert set(placements) == {"link_selection", "assignment_selection", "course_navigation"}
    assert placements["link_selection"]["message_type"] == "LtiDeepLinkingRequest"
    assert placements["assignment_selection"]["message_type"] == "LtiDeepLinkingRequest"
    navigation = placements["course_navigation"]
    assert navigation["message_type"] == "LtiResourceLinkRequest"
    assert navigation["visibility"] == "admins"  # instructors, TAs, designers, admins only
    assert all(p["target_link_uri"] == TOOL + "/lti/launch" for p in placements.values())


def test_scopes_are_the_services_the_tool_calls():
    assert set(config()["scopes"]) == {
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    }


def test_privacy_level_sends_names_and_emails():
    assert config()["extensions"][0]["privacy_level"] == "public"
