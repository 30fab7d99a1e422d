"""Log lines as JSON (production) or text, each carrying the request id it belongs to.

The request id lives in a context variable: the web sets it per request (``web.observe``), a
task sets it from its message's header (``worker.observability``), and every log record made
meanwhile carries it as ``record.request_id`` (a record factory, so handlers installed by
others, Celery's or gunicorn's, see it too).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from lms_plugin.settings import Settings

REQUEST_ID: ContextVar[str | None] = ContextVar("lms_request_id", default=None)
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")
_OURS = "_lms_handler"  # marks the handler configure() installed
# LogRecord attributes that are not "extra" fields a caller passed
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def sane_request_id(candidate: str | None) -> str:
    """``candidate`` (an X-Request-ID header) when it is a short token of safe characters,
    else a fresh id: a client's id is kept for tracing, never written raw into the logs."""
    if candidate and _SANE_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_format(settings: Settings) -> str:
    """``json`` or ``text``: LMS_LOG_FORMAT, else JSON in production and text elsewhere."""
    return settings.log_format or ("json" if settings.is_production else "text")


def formatter(settings: Settings) -> logging.Formatter:
    if log_format(settings) == "json":
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT)


def install_record_factory() -> None:
    """Every log record gets ``request_id`` from the context (once per process)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "_lms_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        record.request_id = REQUEST_ID.get()
        return record

    factory._lms_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure(
    settings: Settings, level: int | str | None = None, logfile: str | None = None
) -> None:
    """The root logger at ``level`` (default LMS_LOG_LEVEL) with one handler of ours in
    LMS_LOG_FORMAT, on stderr or ``logfile``; a root that already has someone else's handlers
    (a test runner's, an embedding app's) is left to them."""
    install_record_factory()
    root = logging.getLogger()
    ours = [h for h in root.handlers if getattr(h, _OURS, False)]
    if ours:
        ours[0].setFormatter(formatter(settings))
    elif not root.handlers:
        handler = logging.FileHandler(logfile) if logfile else logging.StreamHandler()
        handler.setFormatter(formatter(settings))
        setattr(handler, _OURS, True)
        root.addHandler(handler)
    else:
        return
    root.setLevel(level or settings.log_level)
