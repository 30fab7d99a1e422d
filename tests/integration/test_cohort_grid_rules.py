"""The grid's counts for modules a learner has no row in, on PostgreSQL: such a module is in its
empty state, which is "passed" for a module whose completion rule asks nothing (the content
format allows both flags false) and "not started" otherwise, in the cells, the modules passed,
the status filter, the sort and the statistics alike."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lms_plugin.db import db
from lms_plugin.domain.cohort_query import GridQuery
from lms_plugin.domain.content.model import CompletionRule
from lms_plugin.services import cohort_grid
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


def test_a_module_asking_nothing_is_passed_without_any_row(tool, platform):
    reader = launch(tool, platform, "c-started")  # reads a lesson of 1.1 only
    read_lesson(reader, tool)
    launch(tool, platform, "c-idle")  # launched, no work at all
    [(course,)] = tool.rows("SELECT id FROM lti_context")
    with tool.app.app_context():
        content = content_asking_nothing_of(L1M2)
        grid = cohort_grid.grid(db.session(), content, course, GridQuery(level=1))
        cells = {r.name: {s: c.state.code for s, c in r.cells.items()} for r in grid.rows}
        assert cells["Eve Started"][L1M1] == "in_progress"
        assert cells["Gus Idle"][L1M1] == "not_started"
        for name in ("Eve Started", "Gus Idle"):
            assert cells[name][L1M2] == "passed", name
            assert cells[name]["l1-m3-problem-thing-context"] == "not_started", name
        assert {r.name: r.passed for r in grid.rows} == {"Eve Started": 1, "Gus Idle": 1}
        stats = {s.slug: s.counts for s in grid.stats}
        assert stats[L1M2] == {"passed": 2} and stats[L1M1] == {"in_progress": 1, "not_started": 1}

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
