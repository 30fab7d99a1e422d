"""The id_token claims the practice LMS sends: a launch of one of its activities, or an
instructor's request to add activities (Deep Linking).

LTI 1.3 Core §5.3 (resource link launch: version, message type, deployment, target link,
resource link, roles), §5.4 (context, platform, launch presentation, custom), Deep Linking 2.0
§4.4 (the request and its settings), AGS 2.0 §3.1 (endpoint claim) and NRPS 2.0 §3.6.1
(service claim). The seeding builds its learners' launch records from these same claims, so
they hold what a launch through the browser records.
"""

from __future__ import annotations

from typing import Any

from lms_plugin import __version__
from lms_plugin.demo import course
from lms_plugin.demo.activities import Activity, certificate
from lms_plugin.demo.config import PracticeConfig

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
AGS_SCOPES = (
    AGS_SCOPE + "lineitem",
    AGS_SCOPE + "lineitem.readonly",
    AGS_SCOPE + "result.readonly",
    AGS_SCOPE + "score",
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ID_TOKEN_SECONDS = 300
LINK_LINEITEM = 1  # the certificate activity's own gradebook column, made when the LMS starts
CERTIFICATE = certificate(LINK_LINEITEM)


def launch_claims(
    config: PracticeConfig,
    person: course.Person,
    *,
    nonce: str,
    now: int,
    activity: Activity = CERTIFICATE,
) -> dict[str, Any]:
    """Every claim of a resource link launch of ``activity`` by ``person``."""
    claims = _common(config, person, nonce=nonce, now=now)
    claims.update(
        {
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "resource_link": {"id": activity.link_id, "title": activity.title},
            AGS_CLAIM: {
                "scope": list(AGS_SCOPES),
                "lineitems": config.lineitems_url(),
                "lineitem": config.lineitem_url(activity.lineitem),
            },
        }
    )
    if activity.module is not None:
        claims[CLAIM + "custom"] = {"module": activity.module}
    return claims


def deep_linking_claims(
    config: PracticeConfig, person: course.Person, *, nonce: str, now: int, data: str
) -> dict[str, Any]:
    """An instructor's request to pick activities from the tool (Deep Linking 2.0 §4.4)."""
    claims = _common(config, person, nonce=nonce, now=now)
    claims.update(
        {
            CLAIM + "message_type": "LtiDeepLinkingRequest",
            DL_CLAIM: {
                "deep_link_return_url": config.deep_link_return_url,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "auto_create": True,
                "title": "Add activities to " + course.COURSE_LABEL,
                "data": data,
            },
            AGS_CLAIM: {"scope": list(AGS_SCOPES), "lineitems": config.lineitems_url()},
        }
    )
    return claims


def _common(
    config: PracticeConfig, person: course.Person, *, nonce: str, now: int
) -> dict[str, Any]:
    """What every message from this LMS says: who, in which course, on which platform."""
    return {
        "iss": config.issuer,
        "aud": config.client_id,
        "azp": config.client_id,
        "sub": person.sub,
        "iat": now,
        "exp": now + ID_TOKEN_SECONDS,
        "nonce": nonce,
        "name": person.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email": person.email,
        "locale": "en",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": course.DEPLOYMENT_ID,
        CLAIM + "target_link_uri": config.launch_url,
        CLAIM + "roles": list(person.roles),
        CLAIM + "context": {
            "id": course.COURSE_ID,
            "label": course.COURSE_LABEL,
            "title": course.COURSE_TITLE,
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        },
        CLAIM + "tool_platform": {
            "guid": config.issuer,
            "name": course.PLATFORM_NAME,
            "product_family_code": "isp-practice-lms",
            "version": __version__,
        },
        CLAIM + "launch_presentation": {
            "document_target": "iframe",
            "return_url": config.lms_url + "/",
            "locale": "en",
        },
        NRPS_CLAIM: {
            "context_memberships_url": config.memberships_url(),
            "service_versions": ["2.0"],
        },
    }
