"""Thin tasks named ``<area>.<verb>``: ids in, one service call out."""

from __future__ import annotations

from celery import shared_task
from sqlalchemy import text

from lms_plugin.db import db


@shared_task(name="system.ping")  # type: ignore[untyped-decorator]
def ping(token: str) -> None:
    """Round trip check used by ``lms-plugin check`` and the tests: store the token."""
    from lms_plugin.web import deps

    db.session.execute(text("SELECT 1"))
    deps.store().set("ping:" + token, "pong", 300)
