"""JSON API under /api/v1, authorised by the launch session (cookie + CSRF) or the bearer
launch token, and scoped to the launched learner's own registration + course."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from lms_plugin.db.learning import QuizAttempt
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.services import learning
from lms_plugin.services.content import current_content, module_version
from lms_plugin.services.progress import learner_progress
from lms_plugin.web import deps, launch_session
from lms_plugin.web.render import safe_markdown
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


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInputError(
            "Send a JSON object (Content-Type: application/json).", code="invalid_json"
        )
    return data


@bp.get("/me")
def me() -> Response:
    """The launched user, roles, course context and resource link (401 without a launch)."""
    return jsonify(launch_session.summary())


@bp.get("/programs")
def programs() -> Response:
    content = current_content(deps.session())
    progress = learner_progress(deps.session(), content, launch_session.learner())
    return jsonify(programs=[program_json(p, progress) for p in content.programs])


@bp.get("/modules/<slug>")
def module(slug: str) -> Response:
    _, mod = current_content(deps.session()).find(slug)
    return jsonify(module_json(mod))


@bp.get("/progress")
def progress() -> Response:
    content = current_content(deps.session())
    state = learner_progress(deps.session(), content, launch_session.learner())
    return jsonify(
        programs={slug: _plain(s) for slug, s in state.programs.items()},
        modules={slug: _plain(s) for slug, s in state.modules.items()},
    )


def _plain(status: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(status)


@bp.post("/modules/<slug>/attempts")
def start_attempt(slug: str) -> tuple[Response, int]:
    attempt = learning.start_attempt(
        deps.session(), current_content(deps.session()), launch_session.learner(), slug
    )
    return _attempt(attempt), 201


@bp.get("/attempts/<int:attempt_id>")
def get_attempt(attempt_id: int) -> Response:
    return _attempt(learning.get_attempt(deps.session(), launch_session.learner(), attempt_id))


@bp.post("/attempts/<int:attempt_id>/answers")
def submit_answers(attempt_id: int) -> Response:
    answers = _body().get("answers")
    if not isinstance(answers, dict):
        raise InvalidInputError(
            'Send {"answers": {"<item id>": <answer>, ...}}.', code="invalid_answers"
        )
    attempt = learning.submit_attempt(deps.session(), launch_session.learner(), attempt_id, answers)
    deps.ring(dispatch.grade_submitted)
    return _attempt(attempt)


def _attempt(attempt: QuizAttempt) -> Response:
    mod = module_version(deps.session(), attempt.module_id)
    return jsonify(attempt_json(attempt, mod, display_orders(attempt, mod)))


@bp.put("/modules/<slug>/assignment/draft")
def save_draft(slug: str) -> Response:
    draft = learning.save_draft(
        deps.session(),
        current_content(deps.session()),
        launch_session.learner(),
        slug,
        _body().get("text"),
    )
    return jsonify(draft_json(draft))


@bp.get("/modules/<slug>/assignment")
def get_assignment(slug: str) -> Response:
    learner = launch_session.learner()
    current_content(deps.session()).find(slug)
    draft = learning.get_draft(deps.session(), learner, slug)
    return jsonify(
        draft=draft_json(draft) if draft else None,
        submissions=[
            submission_json(s) for s in learning.submissions(deps.session(), learner, slug)
        ],
    )


@bp.post("/modules/<slug>/assignment/submissions")
def submit_assignment(slug: str) -> tuple[Response, int]:
    submission = learning.submit_assignment(
        deps.session(),
        current_content(deps.session()),
        launch_session.learner(),
        slug,
        _body().get("text"),
    )
    return jsonify(submission_json(submission)), 201


@bp.post("/preview")
def preview() -> Response:
    """Markdown preview for the assignment editor, sanitised like everything shown."""
    launch_session.current()
    text = _body().get("text", "")
    if not isinstance(text, str) or len(text) > learning.MAX_TEXT_CHARS:
        raise InvalidInputError("text must be a string within the size limit")
    return jsonify(html=str(safe_markdown(text)))
