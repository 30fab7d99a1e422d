"""gunicorn settings for the tool.

Run as ``gunicorn -c python:lms_plugin.gunicorn_conf lms_plugin.wsgi:app``.

The settings are checked once, in the arbiter, before any worker is forked: a setting that cannot
work (production without a real secret, say) is said in one line and gunicorn exits 1. Checked
only in the workers, each of them would fail, and gunicorn's arbiter halts with a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

from lms_plugin.settings import SettingsError, load_settings


def on_starting(server: Any) -> None:
    """gunicorn's hook, run in the arbiter before the first worker starts."""
    try:
        load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
