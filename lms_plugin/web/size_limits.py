"""Request body limits per route: each accepts about what its largest honest request needs.

A larger body is refused with 413 (``web.errors`` says so in a page or JSON) before any of it
is read. ``MAX_CONTENT_LENGTH`` is the limit of every route not named here.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge

from lms_plugin.badges.baking import MAX_IMAGE_BYTES
from lms_plugin.lti.login import LOGIN_PARAMS
from lms_plugin.services.assignments import MAX_TEXT_CHARS
from lms_plugin.settings import Settings

KB = 1024
DEFAULT_BYTES = 64 * KB  # forms of a few fields: quiz answers, deep link choices, actions
# URL-encoded form fields take up to 3 bytes per byte (``%XX``).
FORM_ENCODING = 3


def route_limits(settings: Settings) -> dict[str, int]:
    """Body limits (bytes) by endpoint or by blueprint name; the rest get :data:`DEFAULT_BYTES`."""
    # The longest assignment text: as JSON, up to 6 bytes a character (``\uXXXX``, as Python's
    # json writes any non-ASCII one); as a form, 4 UTF-8 bytes a character, URL-encoded.
    text_json = MAX_TEXT_CHARS * 6
    text_form = MAX_TEXT_CHARS * 4 * FORM_ENCODING
    return {
        # The login parameters, each up to login_param_max_bytes, as a URL-encoded form.
        "lti.login": len(LOGIN_PARAMS) * settings.login_param_max_bytes * FORM_ENCODING + KB,
        # The id_token (its own limit is checked by the launch) and the state.
        "lti.launch": settings.id_token_max_bytes + 4 * KB,
        "lti.launch_continue": 4 * KB,
        "registration": 16 * KB,
        "api": text_json + 64 * KB,
        # The assignment editor without JavaScript posts the same text as a form.
        "player.assignment": text_form + 64 * KB,
        "instructor": 256 * KB,  # written feedback on a submission
        # A badge image with its credential baked in, as a multipart upload.
        "credentials.verify": MAX_IMAGE_BYTES + 64 * KB,
    }


def init_size_limits(app: Flask, settings: Settings) -> None:
    """Set each request's body limit from its endpoint (or blueprint) before any view reads it."""
    limits = route_limits(settings)
    app.config["MAX_CONTENT_LENGTH"] = DEFAULT_BYTES

    @app.before_request
    def limit_body() -> None:
        endpoint = request.endpoint or ""
        limit = limits.get(endpoint) or limits.get(request.blueprint or "") or DEFAULT_BYTES
        request.max_content_length = limit
        # A declared length is refused at once, also on routes that never read the body;
        # Werkzeug refuses a chunked one as soon as it passes the limit while being read.
        if (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()
