"""Health endpoints for load balancers and the launch benchmark's baseline route."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import func, select

from lms_plugin.db import db
from lms_plugin.db.models import Registration

bp = Blueprint("system", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness plus one trivial query: also the baseline route of benchmarks/launch.py."""
    count = db.session.scalar(select(func.count()).select_from(Registration))
    return jsonify(status="ok", platforms=count)
