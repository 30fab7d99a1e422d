"""Change settings of the running test tool for one test: web code reads them per request."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from flask import Flask


@contextmanager
def settings_changed(app: Flask, **changes: object) -> Iterator[None]:
    """``app`` with ``changes`` applied to its Settings until the block ends."""
    before = app.extensions["lms_settings"]
    app.extensions["lms_settings"] = replace(before, **changes)  # type: ignore[arg-type]
    try:
        yield
    finally:
        app.extensions["lms_settings"] = before
