"""Fixtures shared by the integration tests (the session-wide tool and LMS: tests/conftest.py)."""

from tests.support.migrations import database_url  # noqa: F401 - the migration tests' fixture
