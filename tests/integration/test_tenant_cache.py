"""Registrations and deployments are read from the store on the launch path, and every change
an admin makes through the tool takes effect at once, in every process (it retires the cache)."""

from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import text

from lms_plugin.db import db
from lms_plugin.lti import tenants as tenants_module
from lms_plugin.services.platforms import (
    PlatformSpec,
    activate_deployment,
    add_platform,
    remove_platform,
)
from lms_plugin.web import deps
from tests.support.launch_flow import full_launch, post_launch, start_login
from tests.support.lti_platform import CLAIM, LmsPlatform

pytestmark = pytest.mark.integration


def _tenants_in(tool):  # what a CLI process builds: its own app, the same database and store
    return tool.app.extensions["lms_tenants"]


def test_snapshot_serves_logins_until_a_change_retires_it(tool, platform):
    with tool.app.app_context():
        tenants = deps.tenants()
        first = tenants.registration(db.session(), platform.issuer, platform.client_id)
        assert first is not None and first.jwks_url == platform.url + "/jwks"
        # Edited behind the tool's back (SQL by hand): the snapshot still answers (TTL-bound).
        db.session.execute(text("UPDATE registration SET name = 'renamed'"))
        db.session.commit()
        cached = tenants.registration(db.session(), platform.issuer, platform.client_id)
        assert cached is not None and cached.name == first.name
        tenants.forget_all()  # what every change through the tool does
        fresh = tenants.registration(db.session(), platform.issuer, platform.client_id)
        assert fresh is not None and fresh.name == "renamed"


def test_removed_platform_cannot_finish_a_login_started_before(tool, platform, browser):
    assert full_launch(browser, tool.url, platform).status_code == 200  # snapshots cached
    auth = start_login(browser, tool.url, platform)
    with tool.app.app_context():
        remove_platform(db.session(), _tenants_in(tool), platform.issuer, platform.client_id)
    token = platform.id_token(platform.claims(nonce=auth["nonce"]))

    response = post_launch(browser, tool.url, auth["state"], token)

    assert response.status_code == 403 and response.json()["error"] == "platform_inactive"
    again = browser.get(
        tool.url + "/lti/login", params=platform.login_params(), allow_redirects=False
    )
    assert again.status_code == 400 and again.json()["error"] == "unknown_platform"


def test_second_client_for_an_issuer_makes_logins_without_client_id_ambiguous(
    tool, platform, browser
):
    params = {k: v for k, v in platform.login_params().items() if k != "client_id"}
    for _ in range(2):  # one client for this issuer: unambiguous, and then cached
        first = browser.get(tool.url + "/lti/login", params=params, allow_redirects=False)
        assert first.status_code == 302
    spec = PlatformSpec(**{**platform.registration_args(), "client_id": "second-client"})
    with tool.app.app_context():
        add_platform(db.session(), _tenants_in(tool), spec)

    again = browser.get(tool.url + "/lti/login", params=params, allow_redirects=False)

    assert again.status_code == 400 and again.json()["error"] == "unknown_platform"


def test_activated_deployment_launches_at_once(tool, platform: LmsPlatform, browser):
    claims = {CLAIM + "deployment_id": "dep-later"}
    auth = start_login(browser, tool.url, platform)
    token = platform.id_token(platform.claims(nonce=auth["nonce"], **claims))
    refused = post_launch(browser, tool.url, auth["state"], token)
    assert refused.status_code == 403 and refused.json()["error"] == "deployment_pending"
    with tool.app.app_context():
        activate_deployment(
            db.session(), _tenants_in(tool), platform.issuer, platform.client_id, "dep-later"
        )

    auth = start_login(browser, tool.url, platform)
    token = platform.id_token(platform.claims(nonce=auth["nonce"], **claims))
    response = post_launch(browser, tool.url, auth["state"], token)

    assert response.status_code == 200, response.text
    assert tool.rows("SELECT status FROM deployment WHERE deployment_id = 'dep-later'") == [
        ("active",)
    ]


def test_an_edit_made_by_hand_is_seen_once_the_snapshots_expire(
    tool, platform, browser, monkeypatch
):
    def login() -> requests.Response:
        return browser.get(
            tool.url + "/lti/login", params=platform.login_params(), allow_redirects=False
        )

    for _ in range(3):  # the generation starts, then the store and this process cache it
        assert login().status_code == 302
    with tool.app.app_context():  # an admin deactivates the platform in SQL, not via the tool
        db.session.execute(text("UPDATE registration SET active = false"))
        db.session.commit()
    assert login().status_code == 302  # unseen while the snapshots are young
    later = time.time() + tenants_module.SNAPSHOT_SECONDS + 1
    monkeypatch.setattr(_tenants_in(tool), "clock", lambda: later)

    again = login()

    assert again.status_code == 403 and again.json()["error"] == "platform_inactive"
