"""Map errors to 4xx pages (HTML inside the LMS iframe) or JSON (API and ``Accept: json``).

Every error answer says what happened, what to do next (``web/error_advice.py``) and carries a
reference id, written to the log with the error so an administrator can find it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import (
    Flask,
    Response,
    g,
    jsonify,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from lms_plugin import kv
from lms_plugin.domain.errors import LaunchError, LmsError, LockedError, RateLimitedError
from lms_plugin.domain.grading import InvalidAnswerError
from lms_plugin.domain.i18n import N_, number
from lms_plugin.services.launches import LaunchRecord
from lms_plugin.web import error_advice, launch_session

log = logging.getLogger(__name__)
REFERENCE_HEADER = "X-Error-Reference"
STORAGE_RETRY_SECONDS = 30  # Retry-After when the database or the store did not answer


@dataclass(frozen=True)
class Problem:
    """One error as the person reads it (and the log records it)."""

    status: int
    code: str
    message: str
    hint: str | None = None
    detail: str | None = None
    missing: tuple[str, ...] = ()
    retry_url: str | None = None
    what_to_do: str | None = None


def _wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _render(problem: Problem) -> Response:
    reference = error_advice.reference_id()
    g.lms_error_code = problem.code  # web.observe counts launch refusals by it
    record = _launch()
    advice = problem.what_to_do or error_advice.what_to_do(
        problem.status, problem.code, reader=_reader(record)
    )
    if problem.status >= 500:
        log.exception(
            "error %s: %s %s -> %s", reference, request.method, request.path, problem.code
        )
    else:
        log.info(
            "error %s: %s %s -> %s %s (%s)",
            reference,
            request.method,
            request.path,
            problem.status,
            problem.code,
            problem.detail or problem.message,
        )
    # A sentence the code marked (domain and web) comes back in the page's language; one it did
    # not (or already translated) is shown as it is. The code stays English: it is for programs.
    message = _(problem.message) if problem.message else problem.message
    extra = {
        "hint": problem.hint,
        "detail": problem.detail,
        "missing": list(problem.missing),
        "retry_url": problem.retry_url,
    }
    if _wants_json():
        body = {
            "error": problem.code,
            "message": message,
            "what_to_do": advice,
            "reference": reference,
            **{k: v for k, v in extra.items() if v},
        }
        response = make_response(jsonify(body), problem.status)
    else:
        page = render_template(
            "error.html",
            status=problem.status,
            code=problem.code,
            message=message,
            what_to_do=advice,
            reference=reference,
            way_back=_way_back(record),
            admin_way=_admin_way(record, problem.code),
            **extra,
        )
        response = make_response(page, problem.status)
    response.headers[REFERENCE_HEADER] = reference
    return response


def _launch() -> LaunchRecord | None:
    """The launch this request belongs to, if any: who reads the page."""
    try:
        return launch_session.current()
    except Exception:  # no session, or its store is the very thing that failed
        return None


def _reader(record: LaunchRecord | None) -> str:
    """Who reads the error (error_advice.READERS): the course's staff, a learner, or, on the
    public credential pages without a launch, someone checking a credential."""
    if record is not None:
        return "staff" if record.is_staff else "learner"
    return "public" if request.path.startswith("/credentials/") else "learner"


def _way_back(record: LaunchRecord | None) -> tuple[str, str] | None:
    """A way back into the tool (its link and words) when this request belongs to a launch:
    the course's staff to their instructor home, learners to the certificate overview."""
    if record is None:
        return None
    if record.staff_of_course:
        return launch_session.link("instructor.home"), _("Back to the instructor home")
    return launch_session.link("player.overview"), _("Back to the certificate overview")


def _admin_way(record: LaunchRecord | None, code: str) -> str | None:
    """The admin pages' address for whoever opened the tool's own address directly (no launch,
    no launch handle): most likely the person who installed it."""
    direct = request.path == "/" and "lh" not in request.args
    if record is None and direct and code == "not_authenticated":
        return url_for("admin.home")
    return None


def handle_lms_error(error: LmsError) -> tuple[Response, int]:
    """An error the tool raised on purpose: its own sentence, status and code."""
    detail = error.detail if isinstance(error, LaunchError) else None
    if isinstance(error, InvalidAnswerError):
        detail = _("item %(id)s", id=error.item_id)
    missing = error.missing if isinstance(error, LockedError) else ()
    retry_url = error.retry_url if isinstance(error, LaunchError) else None
    problem = Problem(
        error.status, error.code, error.message, error.hint, detail, missing, retry_url
    )
    return _render(problem), error.status


def handle_http_error(error: HTTPException) -> Response:
    """Werkzeug's errors (unknown URL, wrong method...) in our words, never its own text."""
    status = error.code or 500
    if request.path == "/lti/launch" and status == 405:
        refusal = LaunchError("method_not_allowed")
        return _render(Problem(405, refusal.code, refusal.message))
    code = (error.name or "error").lower().replace(" ", "_")
    return _render(Problem(status, code, error_advice.what_happened(status)))


def handle_too_large(error: RequestEntityTooLarge) -> Response:
    """413 naming the route's body limit (``web.size_limits``)."""
    limit = request.max_content_length
    if limit:
        message = _(
            "This request is larger than this page accepts (at most %(size)s KB).",
            size=number(limit // 1024),
        )
    else:
        message = _("This request is larger than this page accepts.")
    return _render(
        Problem(
            413,
            "request_too_large",
            message,
            what_to_do=_("Shorten the text or choose a smaller file, then try again."),
        )
    )


def handle_rate_limited(error: RateLimitedError) -> Response:
    """429 with ``Retry-After`` (RFC 6585 §4, RFC 9110 §10.2.3): too many requests from here."""
    seconds = error.retry_after
    response = _render(
        Problem(
            429,
            "rate_limited",
            _(
                "Too many requests came from your network: please wait %(seconds)s seconds and "
                "try again.",
                seconds=seconds,
            ),
            what_to_do=_(
                "On a busy shared network (a campus, an office) this can happen; "
                "nothing you entered was lost."
            ),
        )
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def handle_storage_unavailable(error: Exception) -> Response:
    """The database or the shared store did not answer (down, restarting, out of connections):
    the request was not completed and can be sent again, so 503 with Retry-After, not a 500.
    A login or launch is not sent again but started again from the course."""
    launch = request.path.startswith("/lti/")
    response = _render(
        Problem(
            503,
            "storage_unavailable",
            N_(
                "The tool could not reach its database or cache just now, so this request was "
                "not completed."
            ),
            what_to_do=error_advice.what_to_do(503, "storage_unavailable_launch")
            if launch
            else None,
        )
    )
    response.headers["Retry-After"] = str(STORAGE_RETRY_SECONDS)
    return response


def handle_unexpected(error: Exception) -> Response:
    return _render(Problem(500, "internal_error", error_advice.what_happened(500)))


def register(app: Flask) -> None:
    app.register_error_handler(LmsError, handle_lms_error)
    app.register_error_handler(RateLimitedError, handle_rate_limited)
    app.register_error_handler(RequestEntityTooLarge, handle_too_large)
    app.register_error_handler(HTTPException, handle_http_error)
    for unavailable in kv.UNAVAILABLE:
        app.register_error_handler(unavailable, handle_storage_unavailable)
    app.register_error_handler(Exception, handle_unexpected)
