"""Deep Linking 2.0: the instructor picks modules, the LMS gets one ltiResourceLink per module,
each with a custom ``module`` parameter and a gradebook line item (DL 2.0 §3, §4); or the
whole certificate, one ltiResourceLink without a module whose line item receives each
learner's progress (domain.gradebook).

Built on pylti1p3's DeepLink / DeepLinkResource / LineItem; the response JWT is signed with our
active key, whose kid is in our JWKS.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from lms_plugin.db.models import Registration, ToolKey
from lms_plugin.domain.errors import LaunchError
from lms_plugin.domain.gradebook import CERTIFICATE
from lms_plugin.domain.launch import DL_CLAIM
from lms_plugin.domain.submission_review import submission_review
from lms_plugin.lti.tool_config import to_pylti_registration

TAG = "isp-module-grade"
CERTIFICATE_TAG = "isp-certificate-progress"
CERTIFICATE_RESOURCE = "isp-certificate"


@dataclass(frozen=True)
class DeepLinkChoice:
    slug: str
    title: str


def settings_from(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The deep_linking_settings claim, checked: a return URL and ltiResourceLink accepted."""
    settings = claims.get(DL_CLAIM)
    if not isinstance(settings, Mapping) or not settings.get("deep_link_return_url"):
        raise LaunchError("claim_malformed", "deep_linking_settings.deep_link_return_url missing")
    if "ltiResourceLink" not in (settings.get("accept_types") or []):
        raise LaunchError("claim_malformed", "the LMS does not accept ltiResourceLink items")
    return dict(settings)


class _DeepLink(DeepLink):
    def get_message_jwt(self, resources: Sequence[DeepLinkResource]) -> dict[str, object]:
        message = super().get_message_jwt(resources)
        # DL 2.0 §4.2: `data` must be echoed when the request had it, and only then.
        if message.get("https://purl.imsglobal.org/spec/lti-dl/claim/data") is None:
            message.pop("https://purl.imsglobal.org/spec/lti-dl/claim/data", None)
        return message


def response_jwt(
    registration: Registration,
    key: ToolKey,
    deployment_id: str,
    settings: Mapping[str, Any],
    choices: Sequence[DeepLinkChoice],
    launch_url: str,
) -> str:
    """The signed LtiDeepLinkingResponse for the chosen modules."""
    resources = [_resource(choice, launch_url) for choice in choices]
    deep_link = _DeepLink(to_pylti_registration(registration, key), deployment_id, settings)  # type: ignore[arg-type]
    return str(deep_link.get_response_jwt(resources))


def _resource(choice: DeepLinkChoice, launch_url: str) -> DeepLinkResource:
    """One ltiResourceLink with its line item (DL 2.0 §3.1; AGS 2.0 §3.2.3 lineItem)."""
    resource = DeepLinkResource().set_type("ltiResourceLink").set_title(choice.title)
    resource.set_url(launch_url)
    line_item = LineItem().set_label(choice.title).set_score_maximum(100)
    module = None if choice.slug == CERTIFICATE else choice.slug
    if module is None:  # no module: the link opens the overview
        line_item.set_resource_id(CERTIFICATE_RESOURCE).set_tag(CERTIFICATE_TAG)
    else:
        resource.set_custom_params({"module": module})
        line_item.set_resource_id(module).set_tag(TAG)
    review = submission_review(module)  # the gradebook can open the learner's work here
    line_item.set_submission_review(
        review["reviewableStatus"], label=review["label"], custom=review.get("custom")
    )
    return resource.set_lineitem(line_item)
