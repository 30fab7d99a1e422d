"""The Canvas developer key's JSON configuration (Canvas doc/api/lti_dev_key_config.md,
"Anatomy of a JSON configuration"; checked against Canvas's importer schema,
lib/schemas/lti_configuration.rb, in tests/unit/domain/test_canvas_config.py).

An admin pastes its URL (Developer Keys -> + LTI Key -> Method: Enter URL) and Canvas fills the
key from it: the tool's login, launch and keyset URLs, the services it may call, what it may
learn about people, and where it appears:

* ``link_selection`` (Modules -> add an External Tool) and ``assignment_selection`` (an
  assignment's submission type "External Tool") open the module picker (Deep Linking); each
  chosen module becomes a link with ``module=<slug>`` and its own gradebook column;
* ``course_navigation``, shown to the course's staff only (``visibility: admins``), opens the
  instructor home with the cohort, reviews and gradebook sync.

The tool reads one custom parameter, ``module`` (which module a link opens); Deep Linking sets
it per link, so the key declares no tool-wide custom field.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from lms_plugin.domain.tool_urls import ToolUrls

CANVAS_PLATFORM = "canvas.instructure.com"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)
# Names and email: the tool shows learners' names to their instructors and addresses
# credentials to the email (Canvas: "public" is the level that sends both).
PRIVACY_LEVEL = "public"
TOOL_ID = "isp-certificate"
# Where the tool appears: the module picker (Deep Linking), and the instructor home, which only
# those who manage the course see (Canvas's visibility "admins": administrators and instructors).
PICKER_PLACEMENTS = ("link_selection", "assignment_selection")
HOME_PLACEMENT, HOME_VISIBILITY = "course_navigation", "admins"
# The picker lists a dozen modules with their descriptions.
SELECTION_WIDTH = 800
SELECTION_HEIGHT = 600


def canvas_configuration(tool_url: str, *, title: str, description: str) -> dict[str, Any]:
    """The JSON Canvas imports for a developer key of the tool served at ``tool_url``."""
    urls = ToolUrls.at(tool_url)
    base, launch = urls.base, urls.launch
    picker = {
        "message_type": "LtiDeepLinkingRequest",
        "target_link_uri": launch,
        "selection_width": SELECTION_WIDTH,
        "selection_height": SELECTION_HEIGHT,
    }
    return {
        "title": title,
        "description": description,
        "oidc_initiation_url": urls.login,
        "target_link_uri": launch,
        "public_jwk_url": urls.jwks,
        "scopes": list(SCOPES),
        "extensions": [
            {
                "platform": CANVAS_PLATFORM,
                "domain": urlsplit(base).netloc,
                "tool_id": TOOL_ID,
                "privacy_level": PRIVACY_LEVEL,
                "settings": {
                    "text": title,
                    "placements": [
                        *(
                            {"placement": name, "text": title, **picker}
                            for name in PICKER_PLACEMENTS
                        ),
                        {
                            "placement": HOME_PLACEMENT,
                            "text": title,
                            "message_type": "LtiResourceLinkRequest",
                            "target_link_uri": launch,
                            "visibility": HOME_VISIBILITY,
                            "default": "enabled",
                        },
                    ],
                },
            }
        ],
    }
