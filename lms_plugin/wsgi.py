"""WSGI entry point for gunicorn: ``gunicorn lms_plugin.wsgi:app``."""

from lms_plugin.web.app import create_app

app = create_app()
