"""The review queue (filterable, with each reviewed round's outcome) and the review page: the
submission beside its rubric grid, earlier rounds and their feedback, save and next.
Routes on the instructor blueprint (instructors only, CSRF checked)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.db.grading import Review
from lms_plugin.domain import rubric
from lms_plugin.domain.content.model import Assignment
from lms_plugin.domain.errors import InvalidInputError, LmsError
from lms_plugin.domain.i18n import N_
from lms_plugin.domain.rubric_outcome import PassRule
from lms_plugin.services import practice_log, review_queue, reviews
from lms_plugin.services.content import current_content, module_version
from lms_plugin.web import deps, launch_session
from lms_plugin.web.deps import enqueue
from lms_plugin.web.instructor import bp, context_id
from worker import dispatch

FILTER_LABELS = {  # the page translates them (``|tr``)
    "submitted": N_("Waiting for review"),
    "reviewed": N_("Reviewed"),
    "passed": N_("Passed"),
    "revise": N_("Revision requested"),
    "failed": N_("Not passed"),
    "all": N_("All"),
}


@bp.get("/reviews", endpoint="reviews")
def reviews_queue() -> str:
    """This course's submissions under a filter (status, module), a page at a time."""
    course, session = context_id(), deps.session()
    content = current_content(session)
    titles = {m.slug: m.title for p in content.programs for m in p.modules if m.assignment}
    status = request.args.get("status", "submitted")
    status = status if status in review_queue.FILTERS else "submitted"
    module_slug = request.args.get("module") or None
    module_slug = module_slug if module_slug in titles else None
    page = request.args.get("page", 1, type=int)
    return render_template(
        "instructor/reviews.html",
        queue=review_queue.review_queue(session, course, status, module_slug, page=page),
        status=status,
        module_slug=module_slug,
        titles=titles,
        filters=FILTER_LABELS,
        saved=_saved(course),
        failures=practice_log.failures_waiting(session, course),
    )


@bp.get("/reviews/<int:submission_id>")
def review(submission_id: int) -> str:
    """A submission beside its rubric (or, once reviewed, its outcome)."""
    return _review_page(submission_id, form=MultiDict())


@bp.post("/reviews/<int:submission_id>")
def save_review(submission_id: int) -> BaseResponse | str:
    """Record the rubric and the outcome; then the next waiting submission ("save and next"),
    or the queue with this outcome on top."""
    course, session = context_id(), deps.session()
    submission = reviews.get_submission(session, course, submission_id)
    module = module_version(session, submission.module_id)
    assert module.assignment is not None
    criteria = module.assignment.criteria
    try:
        done = reviews.record_review(
            session,
            context_id=course,
            reviewer_id=launch_session.current().user_id,
            submission_id=submission_id,
            scores={c.id: _level(request.form.get(f"c-{c.id}")) for c in criteria},
            feedback=request.form.get("feedback", ""),
            decision=request.form.get("decision", ""),
        )
    except LmsError as exc:  # the page again, with every choice made and why it was refused
        session.rollback()
        page = _review_page(submission_id, form=request.form, error=exc)
        return BaseResponse(page, status=exc.status, mimetype="text/html")
    enqueue(dispatch.finalize_review, done.id)
    if request.form.get("then") != "queue":
        following = review_queue.next_waiting(session, course, submission)
        if following is not None:
            target = launch_session.link("instructor.review", submission_id=following)
            return redirect(_with_saved(target, submission_id), code=303)
    target = launch_session.link("instructor.reviews", status="reviewed")
    return redirect(_with_saved(target, submission_id), code=303)


def _review_page(submission_id: int, form: Any, error: LmsError | None = None) -> str:
    course, session = context_id(), deps.session()
    page = reviews.review_page(session, course, submission_id)
    module = module_version(session, page.current.submission.module_id)
    assert module.assignment is not None
    chosen = _chosen(module.assignment, form, page.current)
    rule = _rule(module.assignment, page.current.review)
    tally = rubric.tally(module.assignment, chosen, rule)
    return render_template(
        "instructor/review.html",
        page=page,
        submission=page.current.submission,
        module=module,
        assignment=module.assignment,
        chosen=chosen,
        tally=tally,
        total_sentence=rubric.total_sentence(tally),
        rule_sentence=rubric.rule_sentence(tally),
        pass_rule=rubric.pass_rule(module.assignment, rule),
        rule=rule,
        rule_of=lambda done: rubric.pass_rule(module.assignment, _rule(module.assignment, done)),
        level_label=lambda score: rubric.level_label(module.assignment, score),
        rounds_left=reviews.resubmissions_left(page.current.submission, module.assignment),
        error=error,
        form=form,
        saved=_saved(course),
    )


def _rule(assignment: Assignment, review: Review | None) -> PassRule:
    """The rule a saved review was graded under (recorded with it), else the assignment's."""
    if review is None:
        return PassRule.of(assignment)
    return PassRule(review.rule_min_level, review.rule_min_mean)


def _chosen(assignment: Assignment, form: Any, current: reviews.Round) -> dict[str, int | None]:
    """The level of each criterion: as saved, or as chosen in the form being shown again."""
    if current.review is not None:
        return {c.id: current.review.scores.get(c.id) for c in assignment.criteria}
    return {c.id: _maybe_level(form.get(f"c-{c.id}")) for c in assignment.criteria}


def _maybe_level(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) == 1 else None


def _level(raw: str | None) -> int:
    level = _maybe_level(raw)
    if level is None:
        raise InvalidInputError(_("Choose a level (1-4) for every criterion."))
    return level


def _saved(course: int) -> dict[str, Any] | None:
    """The round just saved (``?saved=<id>``, this course's only), to say its outcome."""
    saved_id = request.args.get("saved", type=int)
    if saved_id is None:
        return None
    try:
        page = reviews.review_page(deps.session(), course, saved_id)
    except LmsError:
        return None
    return {"round": page.current, "learner": page.learner}


def _with_saved(target: str, submission_id: int) -> str:
    return f"{target}{'&' if '?' in target else '?'}saved={submission_id}"
