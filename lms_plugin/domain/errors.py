"""The tool's error tree. Every error the tool raises on purpose is an ``LmsError``: it has a
stable ``code``, a sentence for the person in front of the screen, and the HTTP ``status`` the
web answers with (``web/errors.py``); the CLI prints it as one line; tasks sort it into retry,
drop or fail.

LmsError
 ├── LaunchError            a launch or login refused (4xx, nothing stored); codes: LAUNCH_ERRORS
 ├── NotAuthenticatedError  no launch session (401)
 ├── ForbiddenError         wrong role or tenant (403)
 │    └── LockedError       content that opens later; says what is missing
 ├── NotFoundError          (404)
 ├── InvalidInputError      bad arguments or payloads (400)
 │    ├── InvalidAnswerError          domain.grading: an answer that does not fit its item
 │    ├── CredentialError (and its kin) badges: a credential, image or status list refused
 │    ├── AddressNotAllowedError      lti.outbound: a URL on a private address
 │    └── BodyError                   web.openapi: a body that does not fit its schema
 ├── ConflictError          the action does not fit the current state (409)
 ├── TooLargeError          (413)
 ├── RateLimitedError       too many requests from one client address (429, Retry-After)
 ├── UnprocessableError     well-formed but not acceptable (422)
 ├── UpstreamError          the LMS did not do its part (502)
 │    ├── ServiceTokenError lti.service_token: the token endpoint refused or was unreachable
 │    └── AgsError          lti.service_client: an AGS or NRPS call failed, classified
 ├── SettingsError          settings: a setting is missing or invalid; names the variable
 ├── SealedValueError       db.sealed: a sealed value none of the secrets opens
 ├── SchemaBehindError      db.schema_version: the database lacks this code's migrations (503)
 ├── NoIssuerKeyError       services.issuer_keys: no active issuer key of a kind
 ├── NotGradableError       services.lineitems: no line item can be found or made for a score
 └── RetryLater             services.passback: the LMS asked to wait (a drain's control flow)

Errors about the LMS carry the LMS's own HTTP status as ``lms_status``; ``status`` is always the
status this tool answers with.
"""

from __future__ import annotations

from lms_plugin.domain.i18n import ngettext


class LmsError(Exception):
    """Root of every error the tool raises on purpose."""

    status = 400
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.hint = hint


class ContentSpecError(LmsError):
    """A content file read at run time (courses/practice-log.yaml, self-assessment.yaml) does
    not say what it must: the installation's problem, not the request's."""

    status = 500
    code = "content_invalid"


class NotAuthenticatedError(LmsError):
    status = 401
    code = "not_authenticated"


class ForbiddenError(LmsError):
    status = 403
    code = "forbidden"


class NotFoundError(LmsError):
    status = 404
    code = "not_found"


class InvalidInputError(LmsError):
    status = 400
    code = "invalid_input"


# code -> (HTTP status, sentence for the person in front of the screen, what an admin can do)
LAUNCH_ERRORS: dict[str, tuple[int, str, str | None]] = {
    "login_param_missing": (400, "The LMS login request is missing a required parameter.", None),
    "login_param_too_long": (400, "A parameter of the LMS login request is too long.", None),
    "unknown_platform": (
        400,
        "This LMS is not registered with the tool.",
        "Register it with: lms-plugin platform add --issuer ... --client-id ...",
    ),
    "platform_inactive": (
        403,
        "This LMS registration is switched off.",
        "Re-add the platform with lms-plugin platform add.",
    ),
    "method_not_allowed": (405, "Launches must be sent with POST.", None),
    "state_missing": (400, "The launch did not carry its state parameter.", None),
    "state_unknown": (
        400,
        "This launch has expired or was already used. Open the activity again from your course.",
        None,
    ),
    "state_cookie_mismatch": (
        400,
        "Your browser did not keep the launch cookie, so the launch could not be tied to you. "
        "Open the activity again, or open it in a new window.",
        None,
    ),
    "id_token_missing": (400, "The launch did not carry an id_token.", None),
    "id_token_malformed": (400, "The launch token is not a valid JWT.", None),
    "id_token_too_large": (413, "The launch token is larger than any LMS sends.", None),
    "alg_not_allowed": (401, "The launch token is not signed with RS256.", None),
    "kid_missing": (401, "The launch token does not name its signing key (kid).", None),
    "unknown_kid": (
        401,
        "The launch token is signed with a key the LMS does not publish.",
        "Check the platform's JWKS URL (lms-plugin platform list).",
    ),
    "jwks_unreachable": (
        424,
        "The tool could not fetch the LMS's public keys, so the launch cannot be verified.",
        "Check that the platform JWKS URL is reachable from the tool's servers.",
    ),
    "bad_signature": (401, "The launch token's signature is not valid.", None),
    "issuer_mismatch": (401, "The launch token comes from a different LMS than the login.", None),
    "aud_mismatch": (401, "The launch token is not addressed to this tool.", None),
    "azp_mismatch": (401, "The launch token's authorized party is not this tool.", None),
    "token_expired": (401, "The launch token has expired. Open the activity again.", None),
    "token_not_yet_valid": (
        401,
        "The launch token is dated in the future.",
        "Check the LMS server clock.",
    ),
    "token_too_old": (401, "The launch token is too old. Open the activity again.", None),
    "nonce_missing": (401, "The launch token carries no nonce.", None),
    "nonce_mismatch": (401, "The launch token was not issued for this login.", None),
    "nonce_replayed": (401, "This launch token was already used.", None),
    "deployment_missing": (400, "The launch token names no deployment.", None),
    "deployment_pending": (
        403,
        "This LMS deployment is not activated in the tool yet.",
        "An admin activates it with: lms-plugin deployments activate",
    ),
    "deployment_disabled": (
        403,
        "This LMS deployment is switched off in the tool.",
        "An admin switches it back on at /admin/ or with: lms-plugin deployments activate",
    ),
    "version_unsupported": (400, "Only LTI version 1.3.0 is supported.", None),
    "message_type_not_allowed": (400, "This kind of LTI message is not accepted here.", None),
    "roles_missing": (400, "The launch token carries no roles claim.", None),
    "sub_missing": (400, "The launch token does not identify the user (sub).", None),
    "resource_link_missing": (400, "The launch names no resource link.", None),
    "for_user_missing": (400, "The submission review does not say whose submission it is.", None),
    "review_lineitem_missing": (
        400,
        "The submission review does not name the gradebook column it was opened from.",
        None,
    ),
    "target_link_foreign": (400, "The launch points at a different tool.", None),
    "claim_malformed": (400, "A claim of the launch token has the wrong shape.", None),
}


class LaunchError(LmsError):
    """A refused launch; ``code`` is one of :data:`LAUNCH_ERRORS`."""

    def __init__(
        self,
        code: str,
        detail: str | None = None,
        *,
        hint: str | None = None,
        retry_url: str | None = None,
    ) -> None:
        status, sentence, default_hint = LAUNCH_ERRORS[code]
        super().__init__(sentence, code=code, hint=hint or default_hint)
        self.status = status
        self.detail = detail
        self.retry_url = retry_url  # where the person can try again (e.g. in a new window)


class ConflictError(LmsError):
    """The action does not fit the current state (attempt limit, cooldown, already submitted)."""

    status = 409
    code = "conflict"


class TooLargeError(LmsError):
    status = 413
    code = "too_large"


class RateLimitedError(LmsError):
    """Too many requests from one client address; ``retry_after`` seconds until it may go on."""

    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            ngettext(
                "Too many requests came from your network: please wait %(num)d second and try "
                "again.",
                "Too many requests came from your network: please wait %(num)d seconds and try "
                "again.",
                retry_after,
            )
        )
        self.retry_after = retry_after


class UnprocessableError(LmsError):
    """Well-formed but not acceptable (unknown item id, over the word limit)."""

    status = 422
    code = "unprocessable"


class LockedError(ForbiddenError):
    """Content that opens only after something else is complete; ``missing`` says what."""

    code = "locked"

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing


class UpstreamError(LmsError):
    """The LMS did not do its part (unreachable, refused, answered nonsense)."""

    status = 502
    code = "lms_failed"
