"""Signing keys rotate on their own: beat asks hourly, and the keys rotate once the active one
has been active for LMS_KEY_ROTATION_DAYS (the next key, published all along, takes over)."""

from __future__ import annotations

import pytest

from lms_plugin.db import db
from lms_plugin.services.keys import rotate_if_due
from worker.config import celery_config

pytestmark = pytest.mark.integration


def _keys(tool) -> dict[str, str]:
    return {kid: state for kid, state in tool.rows("SELECT kid, state FROM tool_key")}


def test_keys_rotate_once_the_active_one_is_old_enough(tool):
    before = _keys(tool)
    active = next(kid for kid, state in before.items() if state == "active")
    upcoming = next(kid for kid, state in before.items() if state == "next")
    with tool.app.app_context():
        assert rotate_if_due(db.session(), 90) is False  # made today
        assert rotate_if_due(db.session(), 0) is False  # rotation by hand only
    assert _keys(tool) == before

    tool.rows("UPDATE tool_key SET activated_at = now() - interval '91 days' RETURNING id")
    with tool.app.app_context():
        assert rotate_if_due(db.session(), 90) is True
        assert rotate_if_due(db.session(), 90) is False  # the new active key is fresh

    after = _keys(tool)
    assert after[active] == "retired" and after[upcoming] == "active"
    assert list(after.values()).count("next") == 1 and len(after) == 3


def test_beat_asks_for_rotation_hourly(tool):
    schedule = celery_config(tool.app.extensions["lms_settings"])["beat_schedule"]
    assert schedule["rotate-keys"] == {"task": "lti.rotate_keys", "schedule": 3600.0}
    from worker import tasks

    assert tasks.rotate_keys.name == "lti.rotate_keys"
