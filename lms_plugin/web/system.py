"""Health and metrics endpoints: /healthz (alive), /readyz (its database, broker and cache
answer) and /metrics (Prometheus); also the launch benchmark's baseline route (/healthz)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from sqlalchemy import func, select

from lms_plugin import metrics
from lms_plugin.db import db
from lms_plugin.db.models import Registration
from lms_plugin.metrics_state import OutboxStates, QueueDepths
from lms_plugin.web import deps, observe
from lms_plugin.web.readiness import Readiness, readiness_for

bp = Blueprint("system", __name__)


def init_app(app: Flask) -> None:
    """The request id and launch metrics hooks, the readiness checks, the scrape-time gauges."""
    observe.init_app(app)
    settings = app.extensions["lms_settings"]
    with app.app_context():
        engine = db.engine
    app.extensions["lms_readiness"] = readiness_for(settings, engine)
    app.extensions["lms_metrics_state"] = (
        QueueDepths(settings.broker_url, settings.broker_folder, settings.readyz_timeout_seconds),
        OutboxStates(engine),
    )


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness plus one trivial query: also the baseline route of benchmarks/launch.py."""
    count = db.session.scalar(select(func.count()).select_from(Registration))
    return jsonify(status="ok", platforms=count)


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """200 when the database, broker and cache all answer in time; else 503 naming the parts
    that did not (for load balancers and orchestrators: take this process out of rotation)."""
    readiness: Readiness = current_app.extensions["lms_readiness"]
    checks = readiness.probe()
    failing = sorted(name for name, answer in checks.items() if answer != "ok")
    body = jsonify(status="unavailable" if failing else "ready", checks=checks, failing=failing)
    body.headers["Cache-Control"] = "no-store"
    return body, 503 if failing else 200


@bp.get("/metrics")
def prometheus_metrics() -> Response:
    """Prometheus text exposition of every web process (gunicorn workers summed), with queue
    depths and the score outbox read now. LMS_METRICS_TOKEN: bearer token required."""
    settings = deps.settings()
    refused = metrics.refusal(
        settings.metrics_token,
        request.headers.get("Authorization"),
        request.remote_addr,
        production=settings.is_production,
    )
    if refused == 401:
        response = Response("a bearer token is required\n", 401, mimetype="text/plain")
        response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if refused is not None:
        return Response(
            "set LMS_METRICS_TOKEN to read metrics from another host\n", 403, mimetype="text/plain"
        )
    body, content_type = metrics.exposition(current_app.extensions["lms_metrics_state"])
    response = Response(body, 200, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response
