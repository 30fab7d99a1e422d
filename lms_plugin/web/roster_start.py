"""Starting a course's roster sync from the web: the button on the cohort dashboard, and the
course's first sync as its staff first open its pages (the instructor home, the cohort
dashboard). A module of its own: both view modules call it, and each of them imports the
instructor blueprint, which imports both."""

from __future__ import annotations

from lms_plugin.services import roster
from lms_plugin.web import deps
from lms_plugin.web.deps import enqueue
from worker import dispatch


def dispatch_new(started: roster.Started | None) -> None:
    """Send a sync job this request started to the worker (one it joined runs already)."""
    if started is not None and started.new:
        enqueue(dispatch.sync_roster, started.job.id)


def first_roster_sync(course: int) -> None:
    """Start the course's first roster sync, if it is due one (services.roster.start_first_sync):
    the page then shows it running and reloads when it is done."""
    dispatch_new(roster.start_first_sync(deps.session(), course, deps.settings().roster_sync_hours))
