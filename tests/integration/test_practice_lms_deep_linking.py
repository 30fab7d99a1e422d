"""Adding activities in the practice LMS through the tool's picker (Deep Linking 2.0): the
practice LMS's request, the tool's signed answer verified against the tool's JWKS, an activity
per module with its own gradebook column, and learners launching it into that module."""

from __future__ import annotations

import uuid

import jwt
import pytest

from lms_plugin.demo.claims import CLAIM
from lms_plugin.demo.deep_linking import DL
from lms_plugin.lti.keys import new_private_key_pem
from tests.support.practice_lms import (
    add_activities,
    launch_as,
    register_practice_lms,
    served_practice_lms,
)

pytestmark = pytest.mark.integration

MODULE = "l1-m2-theories-models-frameworks"


@pytest.fixture
def practice(tool, tmp_path):
    with served_practice_lms(tmp_path, tool.url) as (config, app):
        register_practice_lms(tool, config)
        yield config, app


def test_a_module_added_by_the_instructor_is_an_activity_with_its_own_column(
    tool, practice, browser
):
    config, app = practice
    added, _ = add_activities(browser, config, [MODULE])
    assert added.status_code == 200, added.text
    activities = app.extensions["practice"]["activities"].all()
    assert [a.module for a in activities] == [None, MODULE]
    new = activities[1]
    column = app.extensions["practice"]["book"].item("isp-practice", new.lineitem)
    assert column.resource_id == MODULE and column.resource_link_id == new.link_id
    assert new.title in added.text

    learner = launch_as(browser, config, "sam", new.link_id)
    assert learner.status_code == 200 and f"/modules/{MODULE}" in learner.url
    link = tool.rows(
        "SELECT module_slug, ags_lineitem_url FROM resource_link "
        f"WHERE resource_link_id = '{new.link_id}'"
    )
    assert link == [(MODULE, config.lineitem_url(new.lineitem))]


def test_an_answer_counts_once(tool, practice, browser):
    config, _ = practice
    first, answer = add_activities(browser, config, [MODULE])
    assert first.status_code == 200
    again = browser.post(config.deep_link_return_url, data={"JWT": answer})
    assert again.status_code == 400 and "answers no request" in again.text


def test_learners_cannot_add_activities(practice, browser):
    config, _ = practice
    assert browser.get(config.lms_url + "/as/sam/add-activities").status_code == 404
    browser.get(config.lms_url + "/as/sam")
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": config.client_id,
        "redirect_uri": config.launch_url,
        "login_hint": "sam",
        "lti_message_hint": "add-activities",
        "state": "s",
        "nonce": "n",
    }
    page = browser.get(config.auth_url, params=params)
    assert page.status_code == 400 and 'name="id_token"' not in page.text


def test_an_answer_signed_by_another_key_is_refused(practice, browser):
    config, app = practice
    data = app.extensions["practice"]["activities"].expect_answer()
    claims = {
        "iss": config.client_id,
        "aud": config.issuer,
        "iat": 2_000_000_000 - 10,
        "exp": 2_000_000_000,
        "nonce": uuid.uuid4().hex,
        CLAIM + "message_type": "LtiDeepLinkingResponse",
        CLAIM + "version": "1.3.0",
        CLAIM + "deployment_id": "practice-deployment-1",
        DL + "data": data,
        DL + "content_items": [{"type": "ltiResourceLink", "title": "Forged"}],
    }
    forged = jwt.encode(claims, new_private_key_pem(), algorithm="RS256", headers={"kid": "x"})
    refused = browser.post(config.deep_link_return_url, data={"JWT": forged})
    assert refused.status_code == 400 and "does not verify" in refused.text
    assert len(app.extensions["practice"]["activities"].all()) == 1
