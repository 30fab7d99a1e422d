"""Credentials issued through the badges drain on PostgreSQL, from the real content, against
1EdTech's OB 3.0 JSON Schema of the AchievementCredential (tests/fixtures/ob3/SOURCES.md), exactly
as issued and stored: nothing is rewritten before validating."""

from __future__ import annotations

import pytest

from lms_plugin.services import credentials
from tests.support.awards import award_rows, complete_level, drain
from tests.support.ob3_schema import schema_errors

pytestmark = pytest.mark.integration


def test_issued_level_1_and_level_2_credentials_conform(tool, platform):
    from lms_plugin.db import db

    complete_level(tool, platform, "isp-level-1")
    complete_level(tool, platform, "isp-level-2")
    while drain(tool):
        pass
    rows = award_rows(tool)
    assert [(slug, status) for _, slug, status, *_ in rows] == [
        ("isp-level-1", "issued"),
        ("isp-level-2", "issued"),
    ]
    for credential_id, *_ in rows:
        with tool.app.app_context():
            credential = credentials.get_public(db.session(), credential_id).credential
        subject = credential["credentialSubject"]
        assert subject["achievement"]["alignment"] and subject["identifier"]  # all of it is there
        assert credential["evidence"] and credential["credentialStatus"]
        assert isinstance(credential["proof"], list)  # the strict form, not the compacted one
        assert schema_errors(credential) == [], credential_id
