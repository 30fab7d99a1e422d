"""The instructor home's cohort figures: levels completed, active, never launched, stalled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lms_plugin.domain.content.model import Program
from lms_plugin.domain.course_summary import completed_levels, summarize
from tests.support.content_keys import catalogue

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
STALLED = timedelta(days=14)


def programs() -> tuple[Program, ...]:
    return catalogue().programs


def every_module(program: Program) -> set[str]:
    return {m.slug for m in program.modules}


def test_a_level_counts_only_with_every_module_and_its_prerequisite():
    level1, level2 = programs()
    done = {
        1: every_module(level1),
        2: every_module(level1) | every_module(level2),
        3: every_module(level2),  # Level 2's modules without Level 1: not complete
        4: every_module(level1) - {level1.modules[-1].slug},
    }
    levels = completed_levels(programs(), done)
    assert levels == {level1.slug: {1, 2}, level2.slug: {2}}


def test_summarize_counts_learners_only():
    level1, level2 = programs()
    learners = {1, 2, 3, 4, 5}
    last = {
        1: NOW - timedelta(days=1),  # active
        2: NOW - timedelta(days=20),  # stalled
        3: NOW - timedelta(days=10),  # neither active this week nor stalled
        4: NOW - timedelta(days=30),  # finished: never stalled
        99: NOW,  # an instructor previewing: not a learner
    }
    done = {4: every_module(level1) | every_module(level2), 99: every_module(level1)}

    summary = summarize(programs(), learners, last, done, now=NOW, stalled_after=STALLED)

    assert summary.learners == 5 and summary.active_this_week == 1
    assert summary.never_launched == 1 and summary.stalled == 1
    assert summary.levels_completed == {level1.slug: 1, level2.slug: 1}
