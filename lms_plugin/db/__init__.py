"""SQLAlchemy models and the shared ``db`` handle. Migrations are the only schema path."""

from lms_plugin.db import content, credentials, grading, learning, models, theme  # noqa: F401 - register tables
from lms_plugin.db.base import Base, db

__all__ = ["Base", "db"]
