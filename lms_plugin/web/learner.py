"""Learner-facing pages. The module player arrives with the content issue."""

from __future__ import annotations

from flask import Blueprint, render_template

from lms_plugin.web import launch_session
from lms_plugin.web.views import landing_context

bp = Blueprint("learner", __name__)


@bp.get("/")
def home() -> str:
    """The landing page again (e.g. after a reload), from the launch cookie."""
    return render_template(
        "home.html", launch_token=None, **landing_context(launch_session.summary())
    )
