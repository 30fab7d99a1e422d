"""The question statistics of a module's quiz in the instructor's course (a cohort dashboard
page on the instructor blueprint: instructors only, scoped by the launch's course)."""

from __future__ import annotations

import re

from flask import render_template, request

from lms_plugin.domain import item_analysis
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.services import cohort_grid
from lms_plugin.services.content import current_content
from lms_plugin.services.question_stats import question_report
from lms_plugin.web import deps
from lms_plugin.web.instructor import bp, context_id


@bp.get("/cohort/questions")
def question_stats() -> str:
    """Each question of a module's pool: how often drawn, how well answered, how well it tells
    learners apart, the wrong answer chosen most, and what the figures suggest."""
    course = context_id()
    session = deps.session()
    content = current_content(session)
    columns = cohort_grid.columns(content, GridQuery())
    slug = request.args.get("module") or columns[0].module.slug
    content.find(slug)  # a module of this certificate, or a clear 404
    column = next(c for c in columns if c.module.slug == slug)
    return render_template(
        "instructor/questions.html",
        report=question_report(session, course, column.module),
        column=column,
        columns=columns,
        rules=item_analysis,
        gist=gist,
    )


def gist(markdown: str, limit: int = 160) -> str:
    """A question's prompt in one short line: its first paragraph, Markdown marks dropped."""
    first = markdown.strip().split("\n\n")[0]
    text = " ".join(re.sub(r"[*_`#>|]", "", first).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
