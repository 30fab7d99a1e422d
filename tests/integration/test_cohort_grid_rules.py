"""The grid's counts for a module whose completion rule asks nothing (the content format allows
both flags false) on PostgreSQL: its practice log entry is still asked, as the learner's own
progress says, so a learner with no row in it has not started it, and the entry (or an
exemption from it) alone passes it, in the cells, the modules passed, the status filter, the
sort and the statistics alike."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lms_plugin.db import db
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.domain.content.model import CompletionRule
from lms_plugin.services import cohort_grid, cohort_learner
from lms_plugin.services.content import CurrentContent, current_content
from tests.support.cohort import launch, read_lesson
from tests.support.content_keys import L1M1

pytestmark = pytest.mark.integration
L1M2 = "l1-m2-theories-models-frameworks"


def content_asking_nothing_of(slug: str) -> CurrentContent:
    """The synced content, but ``slug``'s completion rule asks for nothing."""
    content = current_content(db.session())
    programs = tuple(
        replace(
            program,
            modules=tuple(
                replace(m, completion=CompletionRule(False, False)) if m.slug == slug else m
                for m in program.modules
            ),
        )
        for program in content.programs
    )
    return CurrentContent(programs, content.module_ids)


def test_a_module_asking_nothing_but_the_log_is_passed_by_the_entry_alone(tool, platform):
    reader = launch(tool, platform, "c-started")  # reads a lesson of 1.1 only
    read_lesson(reader, tool)
    launch(tool, platform, "c-idle")  # launched, no work at all
    [(course,)] = tool.rows("SELECT id FROM lti_context")
    with tool.app.app_context():
        content = content_asking_nothing_of(L1M2)
        grid = cohort_grid.grid(db.session(), content, course, GridQuery(level=1))
        cells = {r.name: {s: c.state.code for s, c in r.cells.items()} for r in grid.rows}
        assert cells["Eve Started"][L1M2] == cells["Gus Idle"][L1M2] == "not_started"
        assert {r.name: r.passed for r in grid.rows} == {"Eve Started": 0, "Gus Idle": 0}

    # Eve writes the entry; Gus had completed the module before the log existed.
    tool.rows(
        "INSERT INTO practice_log_entry (context_id, user_id, module_slug, kind, sections,"
        " word_count, status, round, updated_at) SELECT"
        f" {course}, id, '{L1M2}', 'module', '{{}}', 300, 'complete', 0, now()"
        " FROM lti_user WHERE sub = 'c-started' RETURNING id"
    )
    tool.rows(
        "INSERT INTO practice_log_exemption (context_id, user_id, module_slug, created_at)"
        f" SELECT {course}, id, '{L1M2}', now() FROM lti_user WHERE sub = 'c-idle' RETURNING id"
    )
    with tool.app.app_context():
        grid = cohort_grid.grid(db.session(), content, course, GridQuery(level=1))
        cells = {r.name: {s: c.state.code for s, c in r.cells.items()} for r in grid.rows}
        assert cells["Eve Started"][L1M1] == "in_progress"
        assert cells["Gus Idle"][L1M1] == "not_started"
        for name in ("Eve Started", "Gus Idle"):
            assert cells[name][L1M2] == "passed", name
            assert cells[name]["l1-m3-problem-thing-context"] == "not_started", name
        assert {r.name: r.passed for r in grid.rows} == {"Eve Started": 1, "Gus Idle": 1}
        stats = {s.slug: s.counts for s in grid.stats}
        assert {state: n for state, n in stats[L1M2].items() if n} == {"passed": 2}
        assert stats[L1M1] == {"in_progress": 1, "not_started": 1}

        passed = cohort_grid.grid(db.session(), content, course, GridQuery(status="passed"))
        assert {r.name for r in passed.rows} == {"Eve Started", "Gus Idle"}
        started = cohort_grid.grid(db.session(), content, course, GridQuery(status="not_started"))
        assert {r.name for r in started.rows} == {"Eve Started", "Gus Idle"}
        working = cohort_grid.grid(db.session(), content, course, GridQuery(status="in_progress"))
        assert [r.name for r in working.rows] == ["Eve Started"]

        by_1_1 = cohort_grid.grid(db.session(), content, course, GridQuery(sort=L1M1, desc=True))
        assert [r.name for r in by_1_1.rows] == ["Eve Started", "Gus Idle"]
        rows = list(cohort_grid.grid_rows(db.session(), content, course, GridQuery(level=1)))
        assert [r.cells[L1M2].state.code for r in rows] == ["passed", "passed"]


def test_an_exemption_from_the_log_alone_is_no_start_on_the_grid_or_the_learners_page(
    tool, platform
):
    """An exemption (the module was complete before the practice log existed) asks nothing more
    of the log, but it is not the learner's work: where the module still asks for a quiz the
    learner has not passed, the cell is not started, on the grid as on the learner's page."""
    launch(tool, platform, "c-idle")
    [(course,)] = tool.rows("SELECT id FROM lti_context")
    [(user,)] = tool.rows(
        "INSERT INTO practice_log_exemption (context_id, user_id, module_slug, created_at)"
        f" SELECT {course}, id, '{L1M2}', now() FROM lti_user WHERE sub = 'c-idle'"
        " RETURNING user_id"
    )
    with tool.app.app_context():
        content = current_content(db.session())
        assert content.find(L1M2)[1].completion.quiz_passed
        page = cohort_learner.learner_module(db.session(), content, course, user, L1M2)
        grid = cohort_grid.grid(db.session(), content, course, GridQuery(level=1))
        [row] = grid.rows
        assert page.state.code == row.cells[L1M2].state.code == "not_started"
        stats = {s.slug: s.counts for s in grid.stats}
        assert stats[L1M2]["not_started"] == 1
        started = cohort_grid.grid(db.session(), content, course, GridQuery(status="not_started"))
        assert [r.name for r in started.rows] == ["Gus Idle"]
