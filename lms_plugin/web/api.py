"""JSON API under /api/v1, authorised by the launch session (cookie + CSRF) or the bearer
launch token, and scoped to the launched learner's own registration + course.

Each route is declared with its schemas (web/openapi.py, web/schemas.py); the OpenAPI document
generated from them is served at /api/v1/openapi.json, the one route open without a launch.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify, request

from lms_plugin import __version__
from lms_plugin.db.learning import QuizAttempt
from lms_plugin.services import assignments, learning
from lms_plugin.services.content import current_content, module_version
from lms_plugin.services.progress import learner_progress
from lms_plugin.web import deps, launch_session
from lms_plugin.web.openapi import ApiRoutes
from lms_plugin.web.player_context import attempt_context
from lms_plugin.web.render import safe_markdown
from lms_plugin.web.schemas import (
    AnswersIn,
    AssignmentStateOut,
    AttemptOut,
    DraftOut,
    MeOut,
    ModuleOut,
    PreviewIn,
    PreviewOut,
    ProgramsOut,
    ProgressOut,
    SubmissionOut,
    TextIn,
)
from lms_plugin.web.serialize import (
    attempt_json,
    display_orders,
    draft_json,
    module_json,
    program_json,
    submission_json,
)
from worker import dispatch

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(launch_session.check_csrf)
api = ApiRoutes(
    bp,
    title="ISP Certificate learner API",
    version=__version__,
    description="What the module player does, as JSON: the launched learner's programs, "
    "modules, quiz attempts and assignment. Authorise with the launch token as a bearer "
    "token; requests with the launch cookie instead must send X-CSRF-Token on changes.",
)


@bp.before_request
def require_launch() -> None:
    """Every route but the document needs a launch (401 without one)."""
    if request.endpoint != "api.openapi_document":
        launch_session.current()


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The document; its server is this blueprint's prefix under the tool's own path."""
    server = request.script_root + (bp.url_prefix or "")
    return jsonify({**api.document(), "servers": [{"url": server}]})


@api.route("GET", "/me", summary="The launched user, roles and course", response=MeOut)
def me() -> Response:
    return jsonify(launch_session.summary())


@api.route(
    "GET", "/programs", summary="Programs with progress", response=ProgramsOut, errors=(403,)
)
def programs() -> Response:
    content = current_content(deps.session())
    progress = learner_progress(deps.session(), content, launch_session.learner())
    return jsonify(programs=[program_json(p, progress) for p in content.programs])


@api.route("GET", "/modules/<slug>", summary="A module", response=ModuleOut, errors=(404,))
def module(slug: str) -> Response:
    _, mod = current_content(deps.session()).find(slug)
    return jsonify(module_json(mod))


@api.route(
    "GET", "/progress", summary="Module and program status", response=ProgressOut, errors=(403,)
)
def progress() -> Response:
    content = current_content(deps.session())
    state = learner_progress(deps.session(), content, launch_session.learner())
    return jsonify(
        programs={slug: asdict(s) for slug, s in state.programs.items()},
        modules={slug: asdict(s) for slug, s in state.modules.items()},
    )


@api.route(
    "POST",
    "/modules/<slug>/attempts",
    summary="Open a quiz attempt (or return the open one)",
    response=AttemptOut,
    status=201,
    errors=(404, 409),
)
def start_attempt(slug: str) -> tuple[Response, int]:
    attempt = learning.start_attempt(
        deps.session(), current_content(deps.session()), launch_session.learner(), slug
    )
    return _attempt(attempt), 201


@api.route(
    "GET",
    "/attempts/<int:attempt_id>",
    summary="A quiz attempt",
    response=AttemptOut,
    errors=(403, 404),
)
def get_attempt(attempt_id: int) -> Response:
    context = attempt_context(attempt_id)  # once graded: feedback, attempts left, cooldown
    attempt = context["attempt"]
    return jsonify(attempt_json(attempt, context["module"], context["orders"], context))


@api.route(
    "POST",
    "/attempts/<int:attempt_id>/answers",
    summary="Submit an attempt's answers (graded on a worker)",
    response=AttemptOut,
    body=AnswersIn,
    errors=(404, 409, 422),
)
def submit_answers(body: AnswersIn, attempt_id: int) -> Response:
    attempt = learning.submit_attempt(
        deps.session(), launch_session.learner(), attempt_id, dict(body.answers)
    )
    deps.ring(dispatch.grade_submitted)
    return _attempt(attempt)


def _attempt(attempt: QuizAttempt) -> Response:
    mod = module_version(deps.session(), attempt.module_id)
    return jsonify(attempt_json(attempt, mod, display_orders(attempt, mod)))


@api.route(
    "PUT",
    "/modules/<slug>/assignment/draft",
    summary="Autosave the assignment draft",
    response=DraftOut,
    body=TextIn,
    errors=(404, 422),
)
def save_draft(body: TextIn, slug: str) -> Response:
    draft = assignments.save_draft(
        deps.session(),
        current_content(deps.session()),
        launch_session.learner(),
        slug,
        body.text,
    )
    return jsonify(draft_json(draft))


@api.route(
    "GET",
    "/modules/<slug>/assignment",
    summary="The assignment draft and submissions",
    response=AssignmentStateOut,
    errors=(403, 404),
)
def get_assignment(slug: str) -> Response:
    learner = launch_session.learner()
    current_content(deps.session()).find(slug)
    draft = assignments.get_draft(deps.session(), learner, slug)
    return jsonify(
        draft=draft_json(draft) if draft else None,
        submissions=[
            submission_json(s) for s in assignments.submissions(deps.session(), learner, slug)
        ],
    )


@api.route(
    "POST",
    "/modules/<slug>/assignment/submissions",
    summary="Submit the assignment (the draft is saved first)",
    response=SubmissionOut,
    status=201,
    body=TextIn,
    errors=(404, 409, 422),
)
def submit_assignment(body: TextIn, slug: str) -> tuple[Response, int]:
    submission = assignments.submit_assignment(
        deps.session(),
        current_content(deps.session()),
        launch_session.learner(),
        slug,
        body.text,
    )
    deps.ring(dispatch.grade_submitted)  # the gradebook is told "needs grading"
    return jsonify(submission_json(submission)), 201


@api.route(
    "POST",
    "/preview",
    summary="Markdown preview, sanitised like everything shown",
    response=PreviewOut,
    body=PreviewIn,
)
def preview(body: PreviewIn) -> Response:
    return jsonify(html=str(safe_markdown(body.text)))
