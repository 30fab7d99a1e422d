"""Dynamic registration calls the URLs a request names (issue 12, finding 5), so those calls are
fenced: no private address after DNS resolution, no redirect, a size and a total time limit, no
fetched body in any error, the registration token only on the issuer's host, and a bounded
number of previews per registration URL. Every server here is real HTTP on a loopback address;
the recording ones prove that a refused call never left the tool."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
import requests

from lms_plugin.services.registration import PREVIEW_LIMIT, issue_ticket
from tests.support.app_settings import settings_changed
from tests.support.hostile_http import RecordingServer, TrickleServer, respond
from tests.support.lti_platform import LmsPlatform
from tests.support.lti_platform_registration import openid_configuration

pytestmark = pytest.mark.integration

MARKER = "INTERNAL-" + uuid.uuid4().hex  # what a server put in its body; never on our pages
JSON = {"Accept": "application/json"}


@pytest.fixture
def new_lms(tool) -> Iterator[LmsPlatform]:
    lms = LmsPlatform(tool_url=tool.url).start()
    lms.issuer = lms.url
    yield lms
    lms.stop()


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer().start()
    yield server
    server.stop()


@pytest.fixture
def private_hosts_allowed(tool) -> Iterator[None]:
    """The suite's servers are all on loopback: tests of the other limits allow it."""
    with settings_changed(tool.app, allow_private_hosts=1):
        yield


def _open(
    browser: requests.Session,
    tool,
    configuration_url: str,
    *,
    token: str = "a-registration-token",  # noqa: S107 - a test value
    ticket: str | None = None,
    accept: dict[str, str] = JSON,
) -> requests.Response:
    """What the LMS opens: our registration URL with its configuration URL and token."""
    ticket = ticket or issue_ticket(tool.app.extensions["lms_store"], 1)
    query = urlencode({"openid_configuration": configuration_url, "registration_token": token})
    return browser.get(f"{tool.url}/lti/register/{ticket}?{query}", headers=accept)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",  # a name that resolves to loopback
        "[::ffff:127.0.0.1]",  # loopback in IPv4-mapped IPv6 form
        "[::1]",
        "0.0.0.0",  # noqa: S104 - "this host": Linux connects it to loopback
        "10.0.0.1",
        "169.254.169.254",  # the cloud metadata service
    ],
)
def test_a_configuration_on_a_private_address_is_refused_and_never_fetched(tool, browser, host):
    v4, v6 = RecordingServer("127.0.0.1").start(), RecordingServer("::1").start()
    port = v6.port if host == "[::1]" else v4.port
    try:
        with settings_changed(tool.app, allow_private_hosts=0):
            response = _open(browser, tool, f"http://{host}:{port}/.well-known/openid")
    finally:
        v4.stop()
        v6.stop()

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "address_not_allowed"
    assert "LMS_ALLOW_PRIVATE_HOSTS" in response.json()["hint"]
    assert v4.requests == [] and v6.requests == []


def test_in_production_a_plain_http_configuration_is_never_fetched(tool, browser, recorder):
    with settings_changed(tool.app, env="production", allow_private_hosts=1):
        response = _open(browser, tool, recorder.url + "/.well-known/openid-configuration")

    assert (
        response.status_code == 400 and response.json()["error"] == "openid_configuration_invalid"
    )
    assert recorder.requests == []


@pytest.mark.usefixtures("private_hosts_allowed")
def test_a_redirect_is_not_followed_nor_its_body_shown(tool, browser, recorder):
    target = RecordingServer().start()
    recorder.reply = respond(302, MARKER.encode(), Location=target.url + "/config")
    try:
        response = _open(browser, tool, recorder.url + "/config", accept={"Accept": "text/html"})
    finally:
        target.stop()

    assert response.status_code == 502 and "a redirect" in response.text
    assert MARKER not in response.text
    assert len(recorder.requests) == 1 and target.requests == []


@pytest.mark.usefixtures("private_hosts_allowed")
@pytest.mark.parametrize("streamed", [False, True], ids=["declared", "streamed"])
def test_an_answer_over_the_size_limit_is_refused(tool, browser, new_lms, recorder, streamed):
    # A valid configuration, padded: only its size is wrong.
    body = json.dumps({**openid_configuration(new_lms), "padding": "x" * 300_000}).encode()
    chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
    recorder.reply = respond(200, chunks if streamed else body, **{"Content-Type": "text/json"})

    response = _open(browser, tool, recorder.url + "/config", token=new_lms.registration_token)

    assert response.status_code == 502, response.text
    assert "larger than 256 KB" in response.json()["message"]


@pytest.mark.usefixtures("private_hosts_allowed")
@pytest.mark.parametrize("slow", ["head", "body"])
def test_a_trickling_server_is_cut_when_the_time_budget_is_spent(tool, browser, new_lms, slow):
    body = json.dumps(openid_configuration(new_lms)).encode()
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
    head %= len(body)
    # Each byte comes well within a per-read timeout; the whole takes about 4 s.
    interval = 4.0 / len(head if slow == "head" else body)
    server = TrickleServer(head, body, slow=slow, interval=interval).start()
    try:
        with settings_changed(tool.app, http_timeout_seconds=1.0):
            response = _open(browser, tool, server.url + "/config")
    finally:
        server.stop()

    assert response.status_code == 502, response.text
    assert "did not answer within 1 s" in response.json()["message"]
    assert server.connections == 1


@pytest.mark.usefixtures("private_hosts_allowed")
@pytest.mark.parametrize("status", [500, 401, 404])
def test_an_error_page_never_shows_what_the_server_sent(tool, browser, recorder, status):
    recorder.reply = respond(status, f"<html><body><p>{MARKER}</p></body></html>".encode())

    page = _open(browser, tool, recorder.url + "/config", accept={"Accept": "text/html"})
    data = _open(browser, tool, recorder.url + "/config")

    assert page.status_code == 502 and f"answered {status}" in page.text
    assert MARKER not in page.text and MARKER not in data.text


@pytest.mark.usefixtures("private_hosts_allowed")
def test_json_nested_past_the_parsers_limit_is_the_lms_answering_nonsense(tool, browser, recorder):
    recorder.reply = respond(200, b"[" * 100_000 + b"]" * 100_000)

    response = _open(browser, tool, recorder.url + "/config")

    assert response.status_code == 502 and response.json()["error"] == "lms_failed"
    assert "not JSON" in response.json()["message"]


@pytest.mark.usefixtures("private_hosts_allowed")
def test_the_registration_token_never_reaches_a_registration_endpoint_on_another_host(
    tool, browser, new_lms, recorder
):
    elsewhere = RecordingServer("127.0.0.2").start()
    recorder.reply = {
        **openid_configuration(new_lms),
        "registration_endpoint": elsewhere.url + "/register",
    }
    token = new_lms.registration_token
    ticket = issue_ticket(tool.app.extensions["lms_store"], 1)
    fields = {"openid_configuration": recorder.url + "/config", "registration_token": token}
    try:
        page = _open(browser, tool, fields["openid_configuration"], token=token, ticket=ticket)
        # as if the form were posted anyway
        posted = browser.post(f"{tool.url}/lti/register/{ticket}", data=fields, headers=JSON)
    finally:
        elsewhere.stop()

    for response in (page, posted):
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "registration_endpoint_foreign"
    assert elsewhere.requests == []
    # The configuration URL, which the LMS sent along with the token, gets it (Canvas needs it).
    assert [r["headers"].get("Authorization") for r in recorder.requests] == ["Bearer " + token] * 2
    assert new_lms.registrations == []


@pytest.mark.usefixtures("private_hosts_allowed")
def test_a_registration_url_shows_its_page_a_limited_number_of_times(
    tool, browser, new_lms, recorder
):
    recorder.reply = openid_configuration(new_lms)
    ticket = issue_ticket(tool.app.extensions["lms_store"], 1)
    configuration = recorder.url + "/config"

    shown = [_open(browser, tool, configuration, ticket=ticket) for _ in range(PREVIEW_LIMIT)]
    refused = _open(browser, tool, configuration, ticket=ticket)
    posted = browser.post(
        f"{tool.url}/lti/register/{ticket}",
        data={"openid_configuration": configuration, "registration_token": "t"},
        headers=JSON,
    )

    assert PREVIEW_LIMIT == 10 and [r.status_code for r in shown] == [200] * 10
    for response in (refused, posted):
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "registration_ticket_overused"
        assert "lms-plugin platform register-url" in response.json()["hint"]
    assert len(recorder.requests) == 10
