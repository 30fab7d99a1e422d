"""The question statistics of a module's quiz in the instructor's course (a cohort dashboard
page on the instructor blueprint: instructors only, scoped by the launch's course)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from flask import Response, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from lms_plugin.db.base import MAX_ID, utcnow
from lms_plugin.domain import item_analysis
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.domain.content.markdown import first_paragraph_text
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.services import cohort_grid, extra_attempts
from lms_plugin.services.content import current_content
from lms_plugin.services.question_stats import QuestionReport, question_report
from lms_plugin.web import deps, launch_session
from lms_plugin.web.csv_export import csv_response, filename
from lms_plugin.web.instructor import bp, context_id


@bp.get("/cohort/questions")
def question_stats() -> str:
    """Each question of a module's pool: how often drawn, how well answered, how well it tells
    learners apart, the wrong answer chosen most, and what the figures suggest."""
    column, columns, report = _report()
    return render_template(
        "instructor/questions.html",
        report=report,
        column=column,
        columns=columns,
        rules=item_analysis,
        gist=gist,
        out_of_attempts=extra_attempts.out_of_attempts(deps.session(), context_id(), report.module),
        added=request.args.get("added"),
    )


@bp.post("/cohort/questions/extra-attempts")
def allow_extra_attempts() -> BaseResponse:
    """One more attempt at the module's quiz for each learner the page listed as out of
    attempts (``learner-<user id>`` = the attempt number offered; a form sent twice adds one)."""
    course, session = context_id(), deps.session()
    slug = request.form.get("module", "")
    current_content(session).find(slug)  # a module of the certificate, or 404
    numbers: dict[int, int] = {}
    for key, value in request.form.items():
        user_id = key.removeprefix("learner-")
        if user_id == key:
            continue
        if not all(v.isascii() and v.isdigit() and int(v) <= MAX_ID for v in (user_id, value)):
            raise InvalidInputError(_("Send the form of the question statistics page."))
        numbers[int(user_id)] = int(value)
    added = extra_attempts.allow_one_more_each(
        session, course, slug, numbers, by_user_id=launch_session.current().user_id
    )
    page = launch_session.link("instructor.question_stats", module=slug, added=added)
    return redirect(page + "#out-of-attempts", code=303)


@bp.get("/cohort/questions.csv")
def question_stats_csv() -> Response:
    """The same, one line per question (English headers, figures as computed)."""
    column, _, report = _report()
    header = [
        "Question id",
        "Type",
        "Question",
        "Drawn",
        "Answered right",
        "Mean score %",
        "Discrimination",
        "Most chosen wrong answer",
        "Times chosen",
        "What to look at",
    ]

    def rows() -> Iterator[Sequence[object]]:
        for item, stats in report.questions:
            texts = {option.id: option.text for option in item.choices}
            wrong, times = stats.wrong_answers[0] if stats.wrong_answers else ("", "")
            yield [
                item.id,
                item.type,
                gist(item.prompt, 10_000),
                stats.drawn,
                stats.right,
                "" if stats.mean_score is None else f"{100 * stats.mean_score:.2f}",
                "" if stats.discrimination is None else f"{stats.discrimination:.3f}",
                texts.get(wrong, wrong),
                times,
                item_analysis.ADVICE.get(stats.advice or "", ""),
            ]

    name = filename(launch_session.course_title(), f"questions-{column.code}", utcnow().date())
    return csv_response(header, rows(), name)


def _report() -> tuple[cohort_grid.Column, list[cohort_grid.Column], QuestionReport]:
    """The module asked for (the first by default; a clear 404 for one not in the
    certificate), every module's column, and the module's report in the launch's course."""
    course = context_id()
    session = deps.session()
    content = current_content(session)
    columns = cohort_grid.columns(content, GridQuery())
    slug = request.args.get("module") or columns[0].module.slug
    content.find(slug)
    column = next(c for c in columns if c.module.slug == slug)
    return column, columns, question_report(session, course, column.module)


def gist(markdown: str, limit: int = 160) -> str:
    """A question's prompt in one short line: its first paragraph, Markdown marks dropped."""
    text = first_paragraph_text(markdown)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
