"""Map errors to 4xx pages (HTML inside the LMS iframe) or JSON (API and ``Accept: json``)."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from flask_limiter import RateLimitExceeded
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from lms_plugin.domain.errors import LaunchError, LmsError, LockedError
from lms_plugin.domain.grading import InvalidAnswerError
from lms_plugin.web.rate_limits import retry_after

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _render(
    status: int,
    code: str,
    message: str,
    hint: str | None = None,
    detail: str | None = None,
    missing: tuple[str, ...] = (),
    retry_url: str | None = None,
) -> tuple[Response | str, int]:
    extra = {"hint": hint, "detail": detail, "missing": list(missing), "retry_url": retry_url}
    if _wants_json():
        body = {"error": code, "message": message, **{k: v for k, v in extra.items() if v}}
        return jsonify(body), status
    page = render_template("error.html", status=status, code=code, message=message, **extra)
    return page, status


def handle_lms_error(error: LmsError) -> tuple[Response | str, int]:
    detail = error.detail if isinstance(error, LaunchError) else None
    if isinstance(error, InvalidAnswerError):
        detail = f"item {error.item_id}"
    if isinstance(error, LaunchError):
        log.info("launch refused: %s (%s)", error.code, detail)
    missing = error.missing if isinstance(error, LockedError) else ()
    retry_url = error.retry_url if isinstance(error, LaunchError) else None
    return _render(error.status, error.code, error.message, error.hint, detail, missing, retry_url)


def handle_http_error(error: HTTPException) -> tuple[Response | str, int]:
    status = error.code or 500
    if request.path == "/lti/launch" and status == 405:
        error_obj = LaunchError("method_not_allowed")
        return _render(405, error_obj.code, error_obj.message)
    code = (error.name or "error").lower().replace(" ", "_")
    return _render(status, code, error.description or error.name)


def handle_too_large(error: RequestEntityTooLarge) -> tuple[Response | str, int]:
    """413 naming the route's body limit (``web.size_limits``)."""
    limit = request.max_content_length
    message = "This request is larger than this page accepts"
    if limit:
        message += f" (at most {limit // 1024:,} KB)"
    return _render(413, "request_too_large", message + ".")


def handle_rate_limited(error: RateLimitExceeded) -> Response:
    """429 with ``Retry-After`` (RFC 6585 §4, RFC 9110 §10.2.3): too many requests from here."""
    seconds = retry_after(error, current_app.extensions.get("lms_limiter"))
    body, status = _render(
        429,
        "rate_limited",
        f"Too many requests from your network. Please wait {seconds} seconds and try again.",
    )
    response = make_response(body, status)
    response.headers["Retry-After"] = str(seconds)
    return response


def handle_unexpected(error: Exception) -> tuple[Response | str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _render(
        500,
        "internal_error",
        "Something went wrong on our side. Nothing you entered was lost; please try again.",
    )


def register(app: Flask) -> None:
    app.register_error_handler(LmsError, handle_lms_error)
    app.register_error_handler(RateLimitExceeded, handle_rate_limited)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
