"""The tool's configuration in the shapes LMSs import: Canvas's developer key JSON."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lms_plugin.domain.canvas_config import canvas_configuration
from lms_plugin.services.registration import CLIENT_NAME
from lms_plugin.web import deps

bp = Blueprint("lti_config", __name__, url_prefix="/lti/config")

DESCRIPTION = (
    "The Implementation Support Practitioner (ISP) certificate, Level 1 and Level 2: modules "
    "with lessons, quizzes and reviewed assignments, grades in the gradebook, and an Open "
    "Badges 3.0 credential for each level completed."
)


@bp.get("/canvas.json")
def canvas() -> Response:
    """Canvas: Developer Keys -> + LTI Key -> Method "Enter URL" (doc/api/lti_dev_key_config.md)."""
    config = canvas_configuration(
        deps.settings().public_url, title=CLIENT_NAME, description=DESCRIPTION
    )
    response = jsonify(config)
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
