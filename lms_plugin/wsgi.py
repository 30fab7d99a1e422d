"""WSGI entry point for gunicorn: ``gunicorn lms_plugin.wsgi:app``."""

from gunicorn.errors import AppImportError

from lms_plugin.settings import SettingsError
from lms_plugin.web.app import create_app

try:
    app = create_app()
except SettingsError as exc:
    # gunicorn prints an AppImportError as one line and halts: no traceback, no workers
    # booted again and again with a setting that cannot work.
    raise AppImportError(f"error: {exc}") from None
