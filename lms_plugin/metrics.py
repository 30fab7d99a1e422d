"""Prometheus metrics of the tool, and who may read them (no Flask, no Celery here).

Counters and histograms are module-level objects that web, worker and services increment.
Under gunicorn and Celery's prefork pool each process keeps its own values; with
``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn_conf sets one when it is not) prometheus-client
writes them to files there and :func:`exposition` sums every process's files. Gauges of shared
state (queue depths, the score outbox) are read when scraped (``metrics_state``), not kept.

Labels stay few: a launch refusal's ``reason`` is one of the LaunchError codes (or ``other``),
a platform is its issuer.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from lms_plugin.domain.errors import LAUNCH_ERRORS

# No *_created series: Prometheus does not read them, and they double every scrape's size.
disable_created_metrics()  # type: ignore[no-untyped-call]
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BATCH_SECONDS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
# Refusals that are not LaunchErrors but happen at the launch URL
OTHER_REFUSALS = frozenset(
    {"rate_limited", "request_too_large", "forbidden", "cross_site_request", "internal_error"}
)

if os.environ.get(MULTIPROC_ENV):  # prometheus-client writes there from the first metric on
    Path(os.environ[MULTIPROC_ENV]).mkdir(parents=True, exist_ok=True)

LAUNCHES = Counter(
    "lms_launches_total",
    "LTI launches by outcome (accepted, browser_check, refused) and refusal reason",
    ["outcome", "reason"],
)
LAUNCH_SECONDS = Histogram(
    "lms_launch_duration_seconds",
    "Time the tool took to answer a launch POST, by outcome",
    ["outcome"],
    buckets=SECONDS,
)
GRADING_SECONDS = Histogram(
    "lms_grading_batch_duration_seconds",
    "Time to grade one batch of submitted attempts (one drain transaction)",
    buckets=BATCH_SECONDS,
)
GRADING_WAIT_SECONDS = Histogram(
    "lms_grading_wait_seconds",
    "Time from a learner's quiz submit to its grade being recorded (queue wait + grading)",
    buckets=SECONDS,
)
GRADED = Counter("lms_graded_total", "Attempts graded and review rounds announced")
ISSUING_SECONDS = Histogram(
    "lms_issuing_batch_duration_seconds",
    "Time to issue one batch of credentials (sign, bake, store)",
    buckets=BATCH_SECONDS,
)
ISSUED = Counter("lms_credentials_issued_total", "Credentials issued")
TASK_SECONDS = Histogram(
    "lms_task_duration_seconds", "Celery task run time", ["task"], buckets=BATCH_SECONDS
)
TASKS = Counter(
    "lms_tasks_total", "Celery tasks run, by outcome (success, retry, failure)", ["task", "outcome"]
)
SCORES = Counter(
    "lms_scores_total",
    "Score sends by outcome: sent, failed (refused, shown to people), pending (to retry)",
    ["outcome"],
)
PLATFORM_CALL_FAILURES = Counter(
    "lms_platform_call_failures_total",
    "Failed calls to an LMS's services, by platform (issuer), service (ags, nrps) and status "
    "(the LMS's HTTP status, or the failure class when it gave none: network, ...)",
    ["platform", "service", "status"],
)


def launch_reason(code: str | None) -> str:
    """A bounded label for a launch refusal's error code."""
    if code in LAUNCH_ERRORS or code in OTHER_REFUSALS:
        return str(code)
    return "other"


def multiprocess_dir() -> str | None:
    """The directory the processes write their values to, when there is one."""
    return os.environ.get(MULTIPROC_ENV) or None


class _DefaultRegistry(Collector):
    """This process's own metrics (no multiprocess directory): the default registry."""

    def collect(self) -> Iterator[object]:  # type: ignore[override]
        yield from REGISTRY.collect()


def exposition(extra: Iterable[Collector] = ()) -> tuple[bytes, str]:
    """The text exposition of every process's metrics plus ``extra`` collectors."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_DefaultRegistry())
    for collector in extra:
        registry.register(collector)
    # The classic text format's media type: every Prometheus version reads it (our names are
    # plain ASCII, so the UTF-8 names of format 1.0.0 are not needed).
    return generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4


def clear_multiprocess_dir() -> None:
    """Start a run with no values of an earlier one (the documented multiprocess practice);
    called by the process that owns the directory (gunicorn's arbiter, the Celery worker)."""
    folder = multiprocess_dir()
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink(missing_ok=True)


def process_dead(pid: int) -> None:
    """A worker process exited: drop its live gauges' files (gunicorn's child_exit)."""
    if multiprocess_dir():
        mark_process_dead(pid)  # type: ignore[no-untyped-call]


def refusal(
    token: str, authorization: str | None, remote_addr: str | None, *, production: bool
) -> int | None:
    """Who may read /metrics: with LMS_METRICS_TOKEN set, only ``Authorization: Bearer
    <token>`` (compared in constant time; 401 otherwise); without one, anyone in development
    and only loopback in production (403). None: allowed."""
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        return 401
    if production and not is_loopback(remote_addr):
        return 403
    return None


def is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False
