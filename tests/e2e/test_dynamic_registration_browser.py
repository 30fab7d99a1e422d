"""LTI Dynamic Registration in real Chromium: the LMS's registration dialog frames the tool's
registration page; the admin confirms; the tool tells the LMS to close the dialog."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from lms_plugin.services.registration import issue_ticket
from tests.support.app_settings import settings_changed
from tests.support.axe import axe_violations
from tests.support.lti_platform import LmsPlatform

pytestmark = pytest.mark.e2e


def test_admin_confirms_and_the_lms_is_told_to_close(chromium, tool):
    lms = LmsPlatform(tool_url=tool.url, host="127.0.0.2").start()
    with settings_changed(tool.app, allow_private_hosts=1):  # the LMS is on loopback
        try:
            lms.issuer = lms.url
            ticket = issue_ticket(tool.app.extensions["lms_store"], 1)
            registration = f"{tool.url}/lti/register/{ticket}?" + urlencode(
                {
                    "openid_configuration": lms.url + "/.well-known/openid-configuration",
                    "registration_token": lms.registration_token,
                }
            )
            page = chromium.new_context(bypass_csp=True).new_page()  # to inject axe-core
            page.goto(f"{lms.url}/tool-registration?" + urlencode({"url": registration}))
            frame = page.frame_locator("#tool")
            frame.get_by_role("button", name="Register").wait_for()
            assert axe_violations(page.frames[1]) == []

            frame.get_by_role("button", name="Register").click()

            frame.get_by_role("heading", name=f"Registered with Moodle at {lms.url[7:]}").wait_for()
            page.wait_for_function("window.received.some(m => m.data.subject.endsWith('close'))")
            received = [  # the page also asks the dialog to fit it (static/frame.js)
                m
                for m in page.evaluate("window.received")
                if m["data"]["subject"] != "lti.frameResize"
            ]
            assert received == [
                {"origin": tool.url, "data": {"subject": "org.imsglobal.lti.close"}}
            ]
            assert len(lms.registrations) == 1
        finally:
            lms.stop()
