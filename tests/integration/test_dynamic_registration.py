"""LTI Dynamic Registration as an admin meets it: the tool's one-time registration URL pasted
into the LMS, the LMS opening it with its OpenID configuration, the tool registering itself,
and learners launching from that LMS straight after. The LMS is the suite's test platform,
serving its configuration and registration endpoint over HTTP."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from html import unescape
from urllib.parse import urlencode, urljoin

import pytest
import requests

from lms_plugin.services.registration import issue_ticket
from tests.support.app_settings import settings_changed
from tests.support.launch_flow import full_launch
from tests.support.lti_platform import LmsPlatform
from tests.support.lti_platform_registration import TOOL_CONFIGURATION

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _lms_on_loopback(tool) -> Iterator[None]:
    """The test LMS runs on 127.0.0.1: allow private hosts, as outside production
    (test_registration_outbound.py covers the refusal)."""
    with settings_changed(tool.app, allow_private_hosts=1):
        yield


@pytest.fixture
def new_lms(tool) -> Iterator[LmsPlatform]:
    """An LMS the tool does not know yet; its issuer is on the host that serves its config."""
    lms = LmsPlatform(tool_url=tool.url).start()
    lms.issuer = lms.url
    yield lms
    lms.stop()


def _ticket(tool, hours: float = 1, issued_ago: float = 0) -> str:
    clock = lambda: time.time() - issued_ago  # noqa: E731 - a ticket issued that long ago
    return issue_ticket(tool.app.extensions["lms_store"], hours, clock=clock)


def _registration_url(tool, lms: LmsPlatform, ticket: str) -> str:
    """What the LMS opens: our URL (with its ticket) plus the LMS's own parameters."""
    extra = {
        "openid_configuration": lms.url + "/.well-known/openid-configuration",
        "registration_token": lms.registration_token,
    }
    path = f"/lti/register/{ticket}" if ticket else "/lti/register"  # no ticket: the bare URL
    return f"{tool.url}{path}?{urlencode(extra)}"


def _action(page: requests.Response) -> str:
    """Where the confirmation form posts (our URL, with the ticket in its path)."""
    match = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert match is not None, page.text
    return urljoin(page.url, unescape(match.group(1)))


def _form(page: requests.Response) -> dict[str, str]:
    return {k: unescape(v) for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', page.text)}


def test_registered_by_url_then_learners_launch(tool, new_lms, browser):
    confirm = browser.get(_registration_url(tool, new_lms, _ticket(tool)))
    assert confirm.status_code == 200 and new_lms.issuer in confirm.text
    assert 'data-testid="tool-unreachable"' not in confirm.text  # both on this computer
    assert new_lms.registrations == []  # nothing registered before the admin confirms

    done = browser.post(_action(confirm), data=_form(confirm))

    assert done.status_code == 200, done.text
    assert new_lms.client_id in done.text and "registration.js" in done.text
    sent = new_lms.registrations[0]
    assert sent["initiate_login_uri"] == tool.url + "/lti/login"
    assert sent["redirect_uris"] == [tool.url + "/lti/launch"]
    assert sent["jwks_uri"] == tool.url + "/lti/jwks"
    assert set(sent["scope"].split()) == {
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    }
    assert sent[TOOL_CONFIGURATION]["messages"][0]["type"] == "LtiDeepLinkingRequest"
    assert "canvas.instructure.com" not in json.dumps(sent)  # Canvas's keys go to Canvas only
    rows = tool.rows(
        "SELECT r.issuer, r.client_id, r.auth_login_url, r.auth_token_url, r.jwks_url, "
        "r.product, d.deployment_id, d.status FROM registration r "
        f"JOIN deployment d ON d.registration_id = r.id WHERE r.issuer = '{new_lms.issuer}'"
    )
    assert rows == [
        (
            new_lms.issuer,
            new_lms.client_id,
            new_lms.url + "/auth",
            new_lms.token_url,
            new_lms.jwks_url,
            "moodle",
            new_lms.deployment_id,
            "active",
        )
    ]
    with requests.Session() as learner:
        learner.headers["Accept"] = "text/html"
        launched = full_launch(learner, tool.url, new_lms)
        assert launched.status_code == 200 and "Lena Learner" in launched.text


def test_canvas_receives_its_extension_and_the_platform_is_recorded_as_canvas(
    tool, new_lms, browser
):
    """A Canvas (product_family_code "canvas", as Canvas's OpenID configuration says) gets the
    keys Canvas documents for Dynamic Registration: privacy level, tool id, and placements."""
    new_lms.product_family_code = "canvas"
    confirm = browser.get(_registration_url(tool, new_lms, _ticket(tool)))

    done = browser.post(_action(confirm), data=_form(confirm))

    assert done.status_code == 200, done.text
    sent = new_lms.registrations[0][TOOL_CONFIGURATION]
    assert sent["https://canvas.instructure.com/lti/privacy_level"] == "public"
    assert sent["https://canvas.instructure.com/lti/tool_id"] == "isp-certificate"
    placements = {
        name: message for message in sent["messages"] for name in message.get("placements", [])
    }
    assert {name: m["type"] for name, m in placements.items()} == {
        "link_selection": "LtiDeepLinkingRequest",
        "assignment_selection": "LtiDeepLinkingRequest",
        "course_navigation": "LtiResourceLinkRequest",
    }
    course_navigation = placements["course_navigation"]
    assert course_navigation["https://canvas.instructure.com/lti/visibility"] == "admins"
    assert course_navigation["target_link_uri"] == tool.url + "/lti/launch"
    assert tool.rows(
        f"SELECT product FROM registration WHERE client_id = '{new_lms.client_id}'"
    ) == [("canvas",)]


class _LmsElsewhere(LmsPlatform):
    """An LMS whose server (its token endpoint) is another machine's, serving its
    configuration from here."""

    @property
    def token_url(self) -> str:
        return "https://lms.example.edu/mod/lti/token.php"


def test_a_tool_on_loopback_warns_an_lms_elsewhere_before_it_registers(tool, browser):
    """The tool's public URL is 127.0.0.1 and the LMS's server is elsewhere: the page says the
    LMS could not fetch the tool's key set, and what to set, before the admin registers."""
    lms = _LmsElsewhere(tool_url=tool.url).start()
    lms.issuer = lms.url
    try:
        confirm = browser.get(_registration_url(tool, lms, _ticket(tool)))
    finally:
        lms.stop()
    assert confirm.status_code == 200, confirm.text
    warning = confirm.text.split('data-testid="tool-unreachable"', 1)[1].split("</div>", 1)[0]
    assert "This LMS will not be able to reach the tool." in warning
    assert tool.url in warning and "LMS_PUBLIC_URL" in warning
    assert lms.registrations == []


def test_registration_url_works_once(tool, new_lms, browser):
    ticket = _ticket(tool)
    confirm = browser.get(_registration_url(tool, new_lms, ticket))
    assert browser.post(_action(confirm), data=_form(confirm)).status_code == 200

    again = browser.get(
        _registration_url(tool, new_lms, ticket), headers={"Accept": "application/json"}
    )
    replayed = browser.post(
        _action(confirm), data=_form(confirm), headers={"Accept": "application/json"}
    )

    assert again.status_code == 403 and again.json()["error"] == "registration_ticket_invalid"
    assert replayed.status_code == 403 and len(new_lms.registrations) == 1


@pytest.mark.parametrize("ticket", ["", "made-up", "expired"])
def test_without_a_valid_ticket_nothing_is_fetched_or_stored(tool, new_lms, browser, ticket):
    if ticket == "expired":  # issued two hours ago for one hour (the store still holds it)
        ticket = _ticket(tool, hours=1, issued_ago=7200)
    platforms = tool.count("registration")

    response = browser.get(
        _registration_url(tool, new_lms, ticket), headers={"Accept": "application/json"}
    )

    assert response.status_code == 403 and response.json()["error"] == "registration_ticket_invalid"
    assert "lms-plugin platform register-url" in response.json()["hint"]
    assert new_lms.registrations == [] and tool.count("registration") == platforms


def test_issuer_on_another_host_than_its_configuration_is_refused(tool, new_lms, browser):
    new_lms.issuer = "https://lms.elsewhere.example"
    ticket = _ticket(tool)

    response = browser.get(
        _registration_url(tool, new_lms, ticket), headers={"Accept": "application/json"}
    )

    assert response.status_code == 400 and response.json()["error"] == "issuer_mismatch"


def test_platform_refusing_the_registration_stores_nothing_and_keeps_the_ticket(
    tool, new_lms, browser
):
    ticket = _ticket(tool)
    confirm = browser.get(_registration_url(tool, new_lms, ticket))
    platforms = tool.count("registration")
    new_lms.registration_status = 500

    failed = browser.post(
        _action(confirm), data=_form(confirm), headers={"Accept": "application/json"}
    )

    assert failed.status_code == 502 and failed.json()["error"] == "lms_failed"
    assert tool.count("registration") == platforms
    new_lms.registration_status = 200  # the LMS is back: the same URL still works
    assert browser.post(_action(confirm), data=_form(confirm)).status_code == 200
    assert tool.count("registration") == platforms + 1


def test_wrong_registration_token_is_the_lms_refusing(tool, new_lms, browser):
    confirm = browser.get(_registration_url(tool, new_lms, _ticket(tool)))
    form = {**_form(confirm), "registration_token": "not-the-lms-token"}

    failed = browser.post(_action(confirm), data=form, headers={"Accept": "application/json"})

    assert failed.status_code == 502 and "401" in failed.json()["message"]
    assert new_lms.registrations == []


def test_opened_without_the_lms_parameters_says_where_to_use_it(tool, browser):
    response = browser.get(
        f"{tool.url}/lti/register/{_ticket(tool)}", headers={"Accept": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"] == "openid_configuration_missing"
