"""Check the claims of an LTI 1.3 id_token once its signature is verified.

Everything here is pure: the caller passes the decoded claims, the time and what was bound at
login. Spec references: LTI 1.3 Core §5.1 (message claims), §5.3 (resource link launch),
1EdTech Security Framework §5.1.3 (authentication response validation), LTI Submission Review
Service 1.0 (the ``LtiSubmissionReviewRequest`` message and its ``for_user`` claim), the LTI 1.3
Migration Guide (the ``lti1p1`` claim carrying the LTI 1.1 ``user_id``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lms_plugin.domain.errors import LaunchError
from lms_plugin.domain.roles import AccessLevel, access_level, context_roles

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
# Canvas sends the LTI 1.1 user_id in a claim of its own too (its 1.1 -> 1.3 migration).
CANVAS_LTI11_USER = CLAIM + "lti11_legacy_user_id"

RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
SUBMISSION_REVIEW = "LtiSubmissionReviewRequest"
# Messages that open a resource link of the tool: its target must be the tool's own URL.
_LINK_MESSAGES = frozenset({RESOURCE_LINK, SUBMISSION_REVIEW})


@dataclass(frozen=True)
class TimePolicy:
    """How much clock skew to forgive and how old an id_token may be."""

    leeway_seconds: int = 5
    max_age_seconds: int = 300


@dataclass(frozen=True)
class LaunchContext:
    """What a validated launch tells the tool; the input of ``services.launches.record_launch``."""

    issuer: str
    client_id: str
    deployment_id: str
    message_type: str
    sub: str
    roles: tuple[str, ...]
    name: str | None = None
    email: str | None = None
    context_id: str | None = None
    context_title: str | None = None
    context_label: str | None = None
    resource_link_id: str | None = None
    resource_link_title: str | None = None
    target_link_uri: str | None = None
    custom: Mapping[str, str] = field(default_factory=dict)
    ags: Mapping[str, Any] | None = None
    nrps_url: str | None = None
    locale: str | None = None  # launch_presentation.locale, a BCP 47 tag such as "fr-CA"
    # Submission review: the learner whose work the gradebook opened (for_user.user_id).
    for_user: str | None = None
    # The person's LTI 1.1 user_id where the platform migrated from 1.1 and it differs from sub.
    lti1p1_user_id: str | None = None

    @property
    def access(self) -> AccessLevel:
        return access_level(self.roles)

    @property
    def context_role_names(self) -> list[str]:
        return context_roles(self.roles)


def check_audience(claims: Mapping[str, Any], client_id: str) -> None:
    """``aud`` must contain our client_id; with several audiences ``azp`` must be ours.

    OpenID Connect Core §3.1.3.7, items 3-5; LTI 1.3 Security Framework §5.1.3.
    """
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or client_id not in audiences:
        raise LaunchError("aud_mismatch")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise LaunchError("azp_mismatch")


def check_times(claims: Mapping[str, Any], now: float, policy: TimePolicy) -> None:
    """``exp`` in the future, ``iat`` not in the future and not older than the maximum age."""
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise LaunchError("claim_malformed", "exp and iat must be numbers")
    if exp + policy.leeway_seconds < now:
        raise LaunchError("token_expired")
    if iat - policy.leeway_seconds > now:
        raise LaunchError("token_not_yet_valid")
    if now - iat > policy.max_age_seconds + policy.leeway_seconds:
        raise LaunchError("token_too_old")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and nbf - policy.leeway_seconds > now:
        raise LaunchError("token_not_yet_valid")


def check_nonce(claims: Mapping[str, Any], expected_nonce: str) -> str:
    """The token's nonce must be the one we issued at this login (bound to its state)."""
    nonce = claims.get("nonce")
    if not nonce:
        raise LaunchError("nonce_missing")
    if nonce != expected_nonce:
        raise LaunchError("nonce_mismatch")
    return str(nonce)


def _obj(claims: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = claims.get(CLAIM + name, {})
    if not isinstance(value, Mapping):
        raise LaunchError("claim_malformed", f"{name} must be an object")
    return value


# Identifiers "MUST NOT exceed 255 ASCII characters" (OIDC Core §2 for sub; LTI 1.3 Core §5.3.3
# deployment_id, §5.3.5 resource link id, §5.4.1 context id): longer ones are refused. Display
# text has no limit in the specs, so it is shortened to what the tool keeps.
ID_MAX = 255
TEXT_MAX = 500
URL_MAX = 1000


def _text(value: Any) -> str | None:
    """A string (or a number, as some platforms send ids) that is not empty, else None."""
    return str(value) if isinstance(value, str | int) and value != "" else None


def _opt_str(value: Any, limit: int = TEXT_MAX) -> str | None:
    text = _text(value)
    return text[:limit] if text is not None else None


def _id(value: Any, name: str) -> str | None:
    """An identifier claim: a string (or number) of at most 255 characters, or absent."""
    text = _text(value)
    if text is not None and len(text) > ID_MAX:
        raise LaunchError("claim_malformed", f"{name} is longer than {ID_MAX} characters")
    return text


def _url(value: Any) -> str | None:
    """A service URL the tool will call later: a string that fits, or none."""
    return value if isinstance(value, str) and 0 < len(value) <= URL_MAX else None


def _ags(value: Any) -> Mapping[str, Any] | None:
    """The AGS endpoint claim (AGS §3.1), keeping only what has the right shape."""
    if not isinstance(value, Mapping):
        return None
    scope = value.get("scope")
    return {
        "scope": [s for s in scope if isinstance(s, str)] if isinstance(scope, list) else [],
        "lineitem": _url(value.get("lineitem")),
        "lineitems": _url(value.get("lineitems")),
    }


def _locale(claims: Mapping[str, Any]) -> str | None:
    """The user's language (LTI 1.3 Core §5.4.4 launch presentation claim, ``locale``).

    Optional and only a preference: a malformed claim is ignored, not refused."""
    presentation = claims.get(CLAIM + "launch_presentation")
    value = presentation.get("locale") if isinstance(presentation, Mapping) else None
    return value if isinstance(value, str) and 0 < len(value) <= 35 else None  # RFC 5646 §4.4.1


def _email(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= TEXT_MAX else None


def check_message(
    claims: Mapping[str, Any],
    *,
    client_id: str,
    allowed_message_types: frozenset[str],
    tool_url: str,
) -> LaunchContext:
    """Check version, message type, sub, roles, links and target; return the launch context."""
    if claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchError("version_unsupported")
    message_type = claims.get(CLAIM + "message_type")
    if message_type not in allowed_message_types:
        raise LaunchError("message_type_not_allowed", f"got {message_type!r}")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise LaunchError("sub_missing")
    _id(sub, "sub")
    roles = claims.get(CLAIM + "roles")
    if roles is None:
        raise LaunchError("roles_missing")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise LaunchError("claim_malformed", "roles must be a list of strings")
    deployment_id = claims.get(CLAIM + "deployment_id")
    if not isinstance(deployment_id, str) or not deployment_id:
        raise LaunchError("deployment_missing")
    _id(deployment_id, "deployment_id")
    link = _obj(claims, "resource_link")
    link_id = _id(link.get("id"), "resource_link.id")
    if message_type in _LINK_MESSAGES and not link_id:
        raise LaunchError("resource_link_missing")
    target = claims.get(CLAIM + "target_link_uri")
    if message_type in _LINK_MESSAGES and not is_tool_url(target, tool_url):
        raise LaunchError("target_link_foreign", f"got {target!r}")
    context = _obj(claims, "context")
    context_id = _id(context.get("id"), "context.id")
    custom = _obj(claims, "custom")
    ags = _ags(claims.get(AGS_CLAIM))
    nrps = claims.get(NRPS_CLAIM)
    for_user = _for_user(claims, ags) if message_type == SUBMISSION_REVIEW else None
    return LaunchContext(
        issuer=str(claims.get("iss")),
        client_id=client_id,
        deployment_id=deployment_id,
        message_type=str(message_type),
        sub=sub,
        roles=tuple(roles),
        name=_opt_str(claims.get("name")),
        email=_email(claims.get("email")),
        context_id=context_id,
        context_title=_opt_str(context.get("title")),
        context_label=_opt_str(context.get("label"), ID_MAX),
        resource_link_id=link_id,
        resource_link_title=_opt_str(link.get("title")),
        target_link_uri=_url(target),
        custom={str(k): str(v) for k, v in custom.items()},
        ags=ags,
        nrps_url=_url(nrps.get("context_memberships_url")) if isinstance(nrps, Mapping) else None,
        locale=_locale(claims),
        for_user=for_user,
        lti1p1_user_id=_lti1p1_user(claims, sub),
    )


def _for_user(claims: Mapping[str, Any], ags: Mapping[str, Any] | None) -> str:
    """The learner a submission review is about (Submission Review 1.0: the ``for_user``
    claim with its ``user_id``, and the AGS claim naming the reviewed ``lineitem``, are
    required)."""
    for_user = _obj(claims, "for_user")
    user_id = _id(for_user.get("user_id"), "for_user.user_id")
    if not user_id:
        raise LaunchError("for_user_missing")
    if ags is None or not ags.get("lineitem"):
        raise LaunchError("review_lineitem_missing")
    return user_id


def _lti1p1_user(claims: Mapping[str, Any], sub: str) -> str | None:
    """The person's LTI 1.1 user_id (LTI 1.3 Migration Guide, ``lti1p1`` claim; Canvas also
    sends ``lti11_legacy_user_id``), when it differs from ``sub``. Optional: a malformed one is
    ignored, never refused."""
    legacy = claims.get(CLAIM + "lti1p1")
    value = legacy.get("user_id") if isinstance(legacy, Mapping) else None
    if not isinstance(value, str) or not value:
        value = claims.get(CANVAS_LTI11_USER)
    if not isinstance(value, str) or not 0 < len(value) <= ID_MAX or value == sub:
        return None
    return value


def is_tool_url(target: Any, tool_url: str) -> bool:
    """The target link must be on this tool's public origin (scheme + host + port)."""
    if not isinstance(target, str):
        return False
    origin = tool_url.rstrip("/")
    return target == origin or target.startswith(origin + "/")
