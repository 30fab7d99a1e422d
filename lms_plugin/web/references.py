"""The learner's References page of a module: the sources it draws on (author, year, title,
where to find it), from the module's ``references`` (docs/content-format.md). Player blueprint."""

from __future__ import annotations

from flask import render_template

from lms_plugin.services.content import current_content
from lms_plugin.web import deps, launch_session
from lms_plugin.web.player import bp


@bp.get("/modules/<slug>/references")
def references(slug: str) -> str:
    """A module's reading list; open even while the module is locked (it is only a list)."""
    launch_session.learner()  # a launch session is needed, as for every player page
    program, module = current_content(deps.session()).find(slug)
    return render_template("player/references.html", program=program, module=module)
