"""Brightspace checks the client assertion's audience against https://api.brightspace.com/auth/
token, not its token URL: a registration of product brightspace sends that audience, others
their token URL (the test LMS checks the audience it is told to, as D2L does)."""

from __future__ import annotations

import pytest

from lms_plugin.domain.platform_profiles import BRIGHTSPACE_TOKEN_AUDIENCE
from tests.support.content_keys import L1M1
from tests.support.gradebook import drain, launch_link
from tests.support.learners import submit_quiz

pytestmark = pytest.mark.integration


@pytest.fixture
def d2l(platform, tool):
    platform.reset_ags()
    platform.token_audience = BRIGHTSPACE_TOKEN_AUDIENCE
    products = tool.rows("SELECT id, product FROM registration")
    yield platform
    platform.reset_ags()
    for registration_id, product in products:  # the session's tool outlives this test
        value = "NULL" if product is None else "'" + str(product).replace("'", "''") + "'"
        tool.rows(
            f"UPDATE registration SET product = {value} WHERE id = {registration_id} RETURNING id"
        )


def test_a_brightspace_registration_gets_its_token_with_its_audience(tool, d2l):
    tool.rows("UPDATE registration SET product = 'brightspace' RETURNING id")
    link = d2l.place_link(custom={"module": L1M1}, title="Module 1")
    submit_quiz(launch_link(tool, d2l, link), tool)
    drain(tool)
    assert d2l.scores, tool.rows("SELECT status, last_error FROM score_outbox")
    assert tool.rows("SELECT status FROM score_outbox") == [("sent",)]


def test_another_product_would_be_refused_by_brightspace(tool, d2l):
    link = d2l.place_link(custom={"module": L1M1}, title="Module 1")
    submit_quiz(launch_link(tool, d2l, link), tool)
    drain(tool)
    assert not d2l.scores
    assert tool.rows("SELECT status, classification FROM score_outbox") == [
        ("failed", "unauthorized")
    ]
