"""Who may read /metrics, the launch refusal labels, request ids and JSON log lines."""

from __future__ import annotations

import json
import logging

import pytest

from lms_plugin import metrics
from lms_plugin.logging_setup import (
    REQUEST_ID,
    JsonFormatter,
    install_record_factory,
    log_format,
    sane_request_id,
)
from tests.conftest import make_settings

TOKEN = "a-long-metrics-token"


@pytest.mark.parametrize(
    ("token", "authorization", "address", "production", "expected"),
    [
        ("", None, "203.0.113.9", False, None),  # development: open
        ("", None, "127.0.0.1", True, None),  # production, loopback
        ("", None, "::1", True, None),
        ("", None, "203.0.113.9", True, 403),  # production, another host, no token set
        ("", None, None, True, 403),
        (TOKEN, f"Bearer {TOKEN}", "203.0.113.9", True, None),
        (TOKEN, f"bearer {TOKEN}", "203.0.113.9", False, None),
        (TOKEN, None, "127.0.0.1", False, 401),  # a token set is required even from loopback
        (TOKEN, "Bearer wrong", "127.0.0.1", True, 401),
        (TOKEN, f"Bearer {TOKEN}x", "127.0.0.1", True, 401),
        (TOKEN, f"Basic {TOKEN}", "127.0.0.1", True, 401),
        (TOKEN, TOKEN, "127.0.0.1", True, 401),
    ],
)
def test_who_may_read_metrics(token, authorization, address, production, expected):
    assert metrics.refusal(token, authorization, address, production=production) == expected


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("bad_signature", "bad_signature"),
        ("state_unknown", "state_unknown"),
        ("rate_limited", "rate_limited"),
        ("not_found", "other"),
        (None, "other"),
        ("anything a client sends", "other"),
    ],
)
def test_launch_refusal_labels_are_bounded(code, label):
    assert metrics.launch_reason(code) == label


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("4bf92f3577b34da6a3ce929d0e0e4736", True),
        ("lb-7f3a.91:edge@host/x+y=", True),
        ("", False),
        ("has space", False),
        ("line\nbreak", False),
        ("x" * 129, False),
        ("-starts-with-dash", False),
        ("ünïcode", False),
    ],
)
def test_request_ids_from_clients_are_kept_only_when_sane(given, kept):
    rid = sane_request_id(given)
    assert (rid == given) is kept
    assert len(rid) <= 128 and rid.isascii() and " " not in rid


def test_json_log_lines_carry_the_request_id_and_extra_fields():
    install_record_factory()
    logger = logging.getLogger("test.observability")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    token = REQUEST_ID.set("req-42")
    try:
        logger.warning("graded %d attempts", 3, extra={"task": "grading.grade_submitted"})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed")
    finally:
        REQUEST_ID.reset(token)
        logger.removeHandler(handler)
    first, second = (json.loads(JsonFormatter().format(r)) for r in records)
    assert first["message"] == "graded 3 attempts" and first["level"] == "WARNING"
    assert first["request_id"] == "req-42" and first["task"] == "grading.grade_submitted"
    assert first["logger"] == "test.observability" and first["ts"].endswith("+00:00")
    assert "ValueError: boom" in second["exc_info"] and second["request_id"] == "req-42"


def test_json_in_production_text_elsewhere_unless_set(tmp_path):
    assert log_format(make_settings(str(tmp_path))) == "text"
    assert log_format(make_settings(str(tmp_path), env="production")) == "json"
    assert log_format(make_settings(str(tmp_path), env="production", log_format="text")) == "text"
