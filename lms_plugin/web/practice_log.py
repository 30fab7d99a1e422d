"""The practice log's pages. Learners (player blueprint): "My practice log" (every module's
entries on one page) and the entry forms; instructors (instructor blueprint, instructors only):
the learning-from-failure queue and review page, and the entries in a learner's drill-down
(a template global the drill-down includes). Views are thin: services.practice_log decides."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.db.models import LtiUser
from lms_plugin.domain import rubric
from lms_plugin.domain.errors import LmsError, NotFoundError
from lms_plugin.domain.practice_log import FAILURE, MODULE, entry_words
from lms_plugin.services import practice_log
from lms_plugin.services.content import current_content
from lms_plugin.services.practice_log_facts import log_spec
from lms_plugin.services.progress import Learner, learner_progress, require_open
from lms_plugin.web import deps, launch_session
from lms_plugin.web.deps import ring
from lms_plugin.web.instructor import bp as instructor_bp
from lms_plugin.web.instructor import context_id
from lms_plugin.web.player import bp as player_bp
from lms_plugin.web.player_context import waits_for
from worker import dispatch


@player_bp.get("/practice-log")
def practice_log_page() -> str:
    """My practice log: every module's entry (and the learning-from-failure entry) on one page."""
    session, learner = deps.session(), launch_session.learner()
    content = current_content(session)
    return render_template(
        "player/practice_log.html",
        log=practice_log.learner_log(session, content, learner),
        spec=log_spec(),
        # a locked module's entry opens with the module: say when, instead of a link to a 403
        waits_for=waits_for(content, learner_progress(session, content, learner, lessons=False)),
    )


@player_bp.route("/modules/<slug>/practice-log", methods=["GET", "POST"])
def practice_log_entry(slug: str) -> BaseResponse | str:
    """The module's entry form: saved on every submit, complete at the word minimum."""
    return _entry_form(slug, MODULE)


@player_bp.route("/modules/<slug>/practice-log/failure", methods=["GET", "POST"])
def practice_log_failure(slug: str) -> BaseResponse | str:
    """The learning-from-failure entry: save a draft, or submit it for an instructor's review."""
    return _entry_form(slug, FAILURE)


def _entry_form(slug: str, kind: str) -> BaseResponse | str:
    session, learner = deps.session(), launch_session.learner()
    content = current_content(session)
    require_open(session, content, learner, content.find(slug)[1])  # 404, or 403 while locked
    spec = log_spec()
    sections = spec.failure.sections if kind == FAILURE else spec.sections
    given: dict[str, Any] | None = None
    notice: dict[str, Any] | None = None
    if request.method == "POST":
        given = {k: v for k, v in request.form.items() if k not in ("csrf", "lh", "action")}
        submit = request.form.get("action") == "submit"
        try:
            if kind == FAILURE:
                saved = practice_log.save_failure(
                    session, content, learner, slug, given, submit=submit
                )
            else:
                saved = practice_log.save_entry(session, content, learner, slug, given)
        except LmsError as exc:  # the form again, with the text as typed and the reason
            session.rollback()
            notice = {"kind": "error", "text": exc.message, "status": exc.status}
        else:
            _ring_after(saved.queued)
            anchor = "failure" if kind == FAILURE else "entry"
            target = launch_session.link(
                "player.practice_log_entry" if kind == MODULE else "player.practice_log_failure",
                slug=slug,
            )
            return redirect(f"{target}{'&' if '?' in target else '?'}saved={anchor}", code=303)
    if kind == FAILURE and slug != spec.failure.module:
        raise NotFoundError(_("This module has no learning-from-failure entry."))
    line = practice_log.learner_log(session, content, learner, slug)[0]
    entry = line.failure if kind == FAILURE else line.entry
    text = given if given is not None else (dict(entry.sections) if entry else {})
    if notice is None and request.args.get("saved"):
        notice = {"kind": "ok", "text": _saved_sentence(kind, entry)}
    page = render_template(
        "player/practice_log_entry.html",
        kind=kind,
        line=line,
        program=line.program,
        module=line.module,
        entry=entry,
        sections=sections,
        text=text,
        words=entry_words({k: v for k, v in text.items() if isinstance(v, str)}),
        min_words=spec.failure.min_words if kind == FAILURE else spec.min_words,
        failure=spec.failure,
        notice=notice,
        level_label=lambda score: rubric.level_label(spec.failure.rubric, score),
    )
    status = notice["status"] if notice and notice["kind"] == "error" else 200
    return page if status == 200 else BaseResponse(page, status=status, mimetype="text/html")


def _saved_sentence(kind: str, entry: Any) -> str:
    if entry is None:
        sentence = _("Saved.")
    elif kind == FAILURE and entry.status == "submitted":
        sentence = _("Submitted. An instructor will review your entry.")
    elif kind == FAILURE:
        sentence = _("Draft saved.")
    elif entry.status == "complete":
        sentence = _("Saved. Your entry is complete.")
    else:
        sentence = _(
            "Draft saved. The entry is complete once every section is written and it reaches "
            "the word minimum."
        )
    return str(sentence)


def _ring_after(queued: list[int]) -> None:
    """The grade refresh may have queued scores and recorded an award: wake their drains."""
    if queued:
        ring(dispatch.publish_scores)
    ring(dispatch.issue_awards)


@player_bp.app_template_global()
def my_practice_log(slug: str) -> Any:
    """The learner's log in one module (the module page's practice log box)."""
    session = deps.session()
    found = practice_log.learner_log(
        session, current_content(session), launch_session.learner(), slug
    )
    return found[0] if found else None


# -- instructors ------------------------------------------------------------------------------


@instructor_bp.app_template_global()
def learner_practice_log(user_id: int, slug: str) -> Any:
    """A learner's log in one module of this course (the drill-down's practice log section)."""
    session = deps.session()
    found = practice_log.learner_log(
        session, current_content(session), Learner(context_id(), user_id), slug
    )
    return found[0] if found else None


@instructor_bp.app_template_global()
def log_sections() -> Any:
    """The module entry's sections, in order (titles for the drill-down)."""
    return log_spec().sections


@instructor_bp.get("/practice-log/failures")
def failure_queue() -> str:
    """Learning-from-failure entries waiting for review in this course."""
    return render_template(
        "instructor/practice_log_queue.html",
        waiting=practice_log.failure_queue(deps.session(), context_id()),
        failure=log_spec().failure,
    )


@instructor_bp.route("/practice-log/failures/<int:entry_id>", methods=["GET", "POST"])
def failure_review(entry_id: int) -> BaseResponse | str:
    """The entry beside its rubric; POST scores it (pass, or revise under the rule)."""
    course, session = context_id(), deps.session()
    error: LmsError | None = None
    criteria = log_spec().failure.rubric.criteria
    if request.method == "POST":
        scores = {
            c.id: level
            for c in criteria
            if (level := _maybe_level(request.form.get(f"c-{c.id}"))) is not None
        }
        try:
            _, queued = practice_log.record_failure_review(
                session,
                current_content(session),
                context_id=course,
                reviewer_id=launch_session.current().user_id,
                entry_id=entry_id,
                scores=scores,
                feedback=request.form.get("feedback", ""),
            )
        except LmsError as exc:
            session.rollback()
            error = exc
        else:
            _ring_after(queued)
            target = launch_session.link("instructor.failure_review", entry_id=entry_id)
            return redirect(target, code=303)
    page = _review_page(course, entry_id, request.form if error else MultiDict(), error)
    return page if error is None else BaseResponse(page, status=error.status, mimetype="text/html")


def _review_page(course: int, entry_id: int, form: Any, error: LmsError | None) -> str:
    session = deps.session()
    entry = practice_log.failure_entry(session, course, entry_id)
    reviews = practice_log.reviews_of(session, entry.id)
    spec = log_spec().failure
    assessed = spec.rubric
    latest = reviews[-1] if reviews and entry.status != "submitted" else None
    chosen = (
        {c.id: latest.scores.get(c.id) for c in assessed.criteria}
        if latest
        else {c.id: _maybe_level(form.get(f"c-{c.id}")) for c in assessed.criteria}
    )
    tally = rubric.tally(assessed, chosen)
    _, module = current_content(session).find(entry.module_slug)
    return render_template(
        "instructor/practice_log_review.html",
        entry=entry,
        reviews=reviews,
        latest=latest,
        learner=_learner_name(entry.user_id),
        module=module,
        failure=spec,
        assignment=assessed,
        chosen=chosen,
        total_sentence=rubric.total_sentence(tally),
        pass_rule=_pass_rule(spec.rubric),
        level_label=lambda score: rubric.level_label(assessed, score),
        error=error,
        form=form,
    )


def _pass_rule(assessed: Any) -> str:
    label = rubric.level_label(assessed, assessed.min_criterion_level)
    return str(
        _(
            "To pass, every criterion needs %(label)s (%(level)s) or above and the mean of the "
            "criteria needs %(mean)s or above; otherwise the learner is asked to revise.",
            label=label,
            level=assessed.min_criterion_level,
            mean=rubric.format_mean(assessed.min_mean),
        )
    )


def _learner_name(user_id: int) -> str:
    user = deps.session().get(LtiUser, user_id)
    return (user.name or user.sub) if user else str(user_id)


def _maybe_level(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) == 1 else None
