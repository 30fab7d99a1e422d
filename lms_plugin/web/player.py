"""The module player inside the LMS iframe: overview, lessons, quiz attempts, assignment editor.

Views are thin: they read the launch, call one service, and render. Locks and limits are the
services' job and arrive here as typed errors (see web/errors.py).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.domain.errors import LmsError, NotFoundError
from lms_plugin.services import assignments, learning
from lms_plugin.services.content import current_content
from lms_plugin.services.progress import require_open
from lms_plugin.web import deps, launch_session
from lms_plugin.web.answers import answers_from_form
from lms_plugin.web.deps import ring
from lms_plugin.web.my_credentials import badge_states
from lms_plugin.web.player_context import (
    attempt_context,
    grade_state,
    module_context,
    overview_context,
)
from worker import dispatch

bp = Blueprint("player", __name__)
bp.before_request(launch_session.check_csrf)


@bp.get("/")
def home() -> BaseResponse | str:
    """A link naming a module opens it; any other launch shows the certificate overview."""
    summary = launch_session.summary()
    module_slug = (summary.get("resource_link") or {}).get("module_slug")
    if module_slug:
        return redirect(launch_session.link("player.module", slug=module_slug))
    return overview()


@bp.get("/programs")
def overview() -> str:
    """The certificate: the next step, then each level's modules with their true status."""
    badges = badge_states(launch_session.learner().user_id)  # "issuing…" until issued
    return render_template("player/overview.html", badges=badges, **overview_context())


@bp.get("/programs/state")
def overview_state() -> Response:
    """The overview's changing part, polled while a quiz is being graded."""
    badges = badge_states(launch_session.learner().user_id)
    return _state("player/_overview_state.html", {**overview_context(), "badges": badges})


@bp.get("/modules/<slug>")
def module(slug: str) -> str:
    return render_template("player/module.html", **module_context(slug))


@bp.get("/modules/<slug>/state")
def module_state(slug: str) -> Response:
    """The module's quiz and grade, polled while an attempt is being graded."""
    return _state("player/_module_state.html", module_context(slug))


def _state(fragment: str, context: dict[str, Any]) -> Response:
    """``pending`` while the worker has not finished; then the fresh fragment to swap in."""
    if context["pending"]:
        return jsonify(pending=True)
    return jsonify(pending=False, html=render_template(fragment, **context))


@bp.get("/modules/<slug>/lessons/<lesson_slug>")
def lesson(slug: str, lesson_slug: str) -> str:
    content = current_content(deps.session())
    program, mod = content.find(slug)
    learner = launch_session.learner()
    require_open(deps.session(), content, learner, mod)
    learning.view_lesson(deps.session(), content, learner, slug, lesson_slug)
    index = [lesson.slug for lesson in mod.lessons].index(lesson_slug)
    return render_template(
        "player/lesson.html",
        program=program,
        module=mod,
        lesson=mod.lessons[index],
        module_id=content.module_ids[slug],  # the version its figures are served from
        previous=mod.lessons[index - 1] if index > 0 else None,
        next=mod.lessons[index + 1] if index + 1 < len(mod.lessons) else None,
    )


@bp.post("/modules/<slug>/quiz")
def start_quiz(slug: str) -> BaseResponse:
    attempt = learning.start_attempt(
        deps.session(), current_content(deps.session()), launch_session.learner(), slug
    )
    return redirect(launch_session.link("player.attempt", attempt_id=attempt.id), code=303)


@bp.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
def attempt(attempt_id: int) -> BaseResponse | str:
    """The quiz form; once submitted "grading…", which turns into the feedback by itself."""
    context = attempt_context(attempt_id)
    error: LmsError | None = None
    if request.method == "POST":
        try:
            answers = answers_from_form(context["items"], request.form)
            learning.submit_attempt(deps.session(), launch_session.learner(), attempt_id, answers)
        except LmsError as exc:  # show the form again with every choice the learner made
            error = exc
        else:
            ring(dispatch.grade_submitted)
            return redirect(launch_session.link("player.attempt", attempt_id=attempt_id), code=303)
    given = request.form if error else None
    page = render_template("player/attempt.html", error=error, given=given, **context)
    return page if error is None else BaseResponse(page, status=error.status, mimetype="text/html")


@bp.get("/attempts/<int:attempt_id>/state")
def attempt_state(attempt_id: int) -> Response:
    """The attempt's result, polled while it is being graded."""
    return _state("player/_attempt_result.html", attempt_context(attempt_id))


@bp.route("/modules/<slug>/assignment", methods=["GET", "POST"])
def assignment(slug: str) -> BaseResponse | str:
    content = current_content(deps.session())
    program, mod = content.find(slug)
    if mod.assignment is None:
        raise NotFoundError(_("This module has no assignment."))
    learner = launch_session.learner()
    notice: dict[str, Any] | None = None
    preview = None
    if request.method == "POST":
        text = request.form.get("text", "")
        action = request.form.get("action", "save")
        try:
            if action == "submit":
                assignments.submit_assignment(deps.session(), content, learner, slug, text)
                ring(dispatch.grade_submitted)  # the gradebook is told "needs grading"
                notice = {"kind": "ok", "text": _("Submitted. Your instructor will review it.")}
            else:
                assignments.save_draft(deps.session(), content, learner, slug, text)
                notice = {"kind": "ok", "text": _("Draft saved.")}
                preview = text if action == "preview" else None
        except LmsError as exc:  # show the reason beside the editor; the text stays in it
            notice = {"kind": "error", "text": exc.message, "status": exc.status}
            preview = None
    draft = assignments.get_draft(deps.session(), learner, slug)
    text = (
        request.form.get("text", "") if request.method == "POST" else (draft.text if draft else "")
    )
    status = (notice or {}).get("status", 200) if notice and notice["kind"] == "error" else 200
    submissions = assignments.submissions(deps.session(), learner, slug)
    page = render_template(
        "player/assignment.html",
        program=program,
        module=mod,
        assignment=mod.assignment,
        text=text or "",
        draft=draft,
        notice=notice,
        preview=preview,
        submissions=submissions,
        editable=assignments.can_send(submissions),
        **grade_state(learner, slug, submissions),
    )
    return page if status == 200 else BaseResponse(page, status=status, mimetype="text/html")
