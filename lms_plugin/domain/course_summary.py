"""The cohort of a course in a few numbers, for the instructor's home: who is there, who was
active this week, who never launched or has stalled, who completed each level.

Activity is the cohort dashboard's (services/cohort_grid.py): a learner's latest work or launch.
Active this week and never launched are its "last activity" filters; stalled is the idle half of
its at-risk rule (domain.cohort: launched, not finished, idle for IDLE_DAYS or more), so each
figure is the size of a list the dashboard shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lms_plugin.domain.content.model import Program

ACTIVE_WITHIN = timedelta(days=7)


@dataclass(frozen=True)
class CohortSummary:
    learners: int
    active_this_week: int
    never_launched: int  # on the roster, never opened the tool, no work
    stalled: int  # launched, not finished, nothing done within the stalled period
    levels_completed: dict[str, int]  # program slug -> learners who completed it


def completed_levels(
    programs: Sequence[Program], modules_done: Mapping[int, set[str]]
) -> dict[str, set[int]]:
    """Program slug -> learners who completed it: every module complete, and every
    prerequisite program too (as domain.completion.program_status rules)."""
    done: dict[str, set[int]] = {}
    for program in programs:  # prerequisites come first in the catalogue
        slugs = {m.slug for m in program.modules}
        users = {u for u, modules in modules_done.items() if slugs and slugs <= modules}
        for prerequisite in program.prerequisites:
            users &= done.get(prerequisite, set())
        done[program.slug] = users
    return done


def summarize(
    programs: Sequence[Program],
    learners: set[int],
    last_activity: Mapping[int, datetime],  # latest work or launch
    modules_done: Mapping[int, set[str]],
    *,
    now: datetime,
    stalled_after: timedelta,
) -> CohortSummary:
    """Count the course's learners (user ids) by what they did and when."""
    levels = completed_levels(programs, {u: m for u, m in modules_done.items() if u in learners})
    finished = set.intersection(*levels.values()) if levels else set()
    seen = {u: at for u, at in last_activity.items() if u in learners}
    return CohortSummary(
        learners=len(learners),
        active_this_week=sum(1 for at in seen.values() if now - at <= ACTIVE_WITHIN),
        never_launched=len(learners - seen.keys()),
        stalled=sum(1 for u, at in seen.items() if u not in finished and now - at > stalled_after),
        levels_completed={slug: len(users) for slug, users in levels.items()},
    )
