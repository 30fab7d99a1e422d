"""The readiness probe's answer per part: a check that hits its own socket deadline before the
probe's says "timeout", as one still running does (the two deadlines race on a busy machine)."""

from __future__ import annotations

import threading

import redis

from lms_plugin.web.readiness import Readiness


def _raise(error: BaseException):
    def check() -> None:
        raise error

    return check


def test_each_part_is_answered_by_what_happened():
    release = threading.Event()
    probe = Readiness(
        {
            "ok": lambda: None,
            "socket_deadline": _raise(redis.TimeoutError("Timeout reading from socket")),
            "os_deadline": _raise(TimeoutError()),
            "refused": _raise(redis.ConnectionError("Connection refused")),
            "hanging": lambda: release.wait(5) and None,
        },
        timeout=0.2,
    )
    try:
        assert probe.probe() == {
            "ok": "ok",
            "socket_deadline": "timeout",
            "os_deadline": "timeout",
            "refused": "error: ConnectionError",
            "hanging": "timeout",
        }
    finally:
        release.set()
