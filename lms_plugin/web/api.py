"""JSON API under /api/v1, authorised by the launch session or the bearer launch token."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from lms_plugin.web import launch_session

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/me")
def me() -> Response:
    """The launched user, roles, course context and resource link (401 without a launch)."""
    return jsonify(launch_session.summary())
