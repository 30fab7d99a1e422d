"""Celery worker: app factory (celery_app), thin tasks (tasks), enqueue helpers (dispatch)."""
