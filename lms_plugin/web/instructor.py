"""The instructor blueprint: every page under /instructor/ is for the course's instructors,
TAs and admins only (403 for learners) and checks CSRF on forms. Its views live beside it:
the course home and gradebook sync in web/instructor_home.py, the review queue and review page
in web/review.py, the cohort dashboard, roster sync and revocation in web/cohort.py."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _

from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.web import launch_session

bp = Blueprint("instructor", __name__, url_prefix="/instructor")
bp.before_request(launch_session.check_csrf)


@bp.before_request
def _instructors_only() -> None:
    launch_session.require_instructor()


def context_id() -> int:
    """The launch's course (the tenant of every instructor page)."""
    record = launch_session.current()
    if record.context_id is None:
        raise InvalidInputError(_("Open the tool from a course to see its instructor pages."))
    return record.context_id


# The views register themselves on bp when imported.
from lms_plugin.web import cohort as _cohort  # noqa: E402, F401
from lms_plugin.web import gradebook_columns as _columns  # noqa: E402, F401
from lms_plugin.web import instructor_home as _home  # noqa: E402, F401
from lms_plugin.web import practice_log as _log  # noqa: E402, F401 (player routes too)
from lms_plugin.web import question_stats as _questions  # noqa: E402, F401
from lms_plugin.web import references as _refs  # noqa: E402, F401 (a player route)
from lms_plugin.web import review as _review  # noqa: E402, F401
from lms_plugin.web import self_assessment as _self  # noqa: E402, F401 (player routes too)
