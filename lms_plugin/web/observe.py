"""Per-request observation: the request id (X-Request-ID in, X-Request-ID out, on every log
line and into the tasks the request queues) and the launch metrics (outcome, refusal reason,
latency), counted from the answer the launch endpoints gave: no launch code is involved.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from lms_plugin import metrics
from lms_plugin.logging_setup import REQUEST_ID, sane_request_id

REQUEST_ID_HEADER = "X-Request-ID"
LAUNCH_ENDPOINTS = frozenset({"lti.launch", "lti.launch_continue"})


def init_app(app: Flask) -> None:
    """Register first, so the id is set before any other hook logs."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)
    app.teardown_request(_forget)


def _start() -> None:
    g.lms_started = time.perf_counter()
    g.lms_request_id_token = REQUEST_ID.set(sane_request_id(request.headers.get(REQUEST_ID_HEADER)))


def _finish(response: Response) -> Response:
    rid = REQUEST_ID.get()
    if rid:
        response.headers[REQUEST_ID_HEADER] = rid
    if request.endpoint in LAUNCH_ENDPOINTS or (
        request.path == "/lti/launch" and request.endpoint is None
    ):
        _count_launch(response.status_code)
    return response


def _count_launch(status: int) -> None:
    if status in (302, 303):
        outcome, reason = "accepted", ""
    elif status == 200:  # the platform-storage check page: confirmed by a second request
        outcome, reason = "browser_check", ""
    else:
        outcome, reason = "refused", metrics.launch_reason(g.get("lms_error_code"))
    metrics.LAUNCHES.labels(outcome, reason).inc()
    started = g.get("lms_started")
    if started is not None:
        metrics.LAUNCH_SECONDS.labels(outcome).observe(time.perf_counter() - started)


def _forget(_error: BaseException | None) -> None:
    token = g.pop("lms_request_id_token", None)
    if token is not None:
        try:
            REQUEST_ID.reset(token)
        except ValueError:  # torn down in another context than it started in
            REQUEST_ID.set(None)
