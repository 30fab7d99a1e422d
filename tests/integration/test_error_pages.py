"""Errors that help (issue 14 §8), over real HTTP: every error page and JSON error says what
happened in plain words and what to do next, never a bare HTTP code or Werkzeug's own text, and
carries a reference id that is in the log line of that error."""

from __future__ import annotations

import logging
import re

import pytest
import requests

from tests.support.content_keys import L1M1
from tests.support.edge_tool import edge_tool
from tests.support.learners import api_launch

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}
REFERENCE = re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$")
WERKZEUG_TEXT = ("Not Found", "Method Not Allowed", "Internal Server Error", "requested URL")


def page_parts(response: requests.Response) -> tuple[str, str, str]:
    """(heading, what to do, reference) of an error page; asserts the page has all three."""
    text = response.text
    heading = re.search(r'<h1 id="err-title">(.*?)</h1>', text, re.S)
    advice = re.search(r'<p data-testid="what-to-do">(.*?)</p>', text, re.S)
    reference = re.search(r'<strong data-testid="reference">(.*?)</strong>', text)
    assert heading and advice and reference, text[:2000]
    return heading.group(1).strip(), advice.group(1).strip(), reference.group(1)


def assert_helpful_page(response: requests.Response, status: int) -> tuple[str, str]:
    """The page says what happened and what to do, with a reference also in the header."""
    assert response.status_code == status, response.text[:500]
    heading, advice, reference = page_parts(response)
    assert REFERENCE.match(reference)
    assert response.headers["X-Error-Reference"] == reference
    assert heading.endswith(".") and len(heading.split()) >= 4, heading
    assert len(advice.split()) >= 5, advice
    assert f"HTTP {status}" not in response.text
    assert not any(text in response.text for text in WERKZEUG_TEXT), response.text
    return heading, advice


@pytest.mark.parametrize(
    "method, path, status, says, advice",
    [
        ("GET", "/no/such/page", 404, "does not exist", "Check the address"),
        ("GET", f"/modules/{L1M1}/quiz", 405, "cannot be used that way", "own links"),
        ("GET", "/programs", 401, "Open this activity from your course", "Open the activity"),
        ("PUT", "/lti/launch", 405, "must be sent with POST", "Open the activity again"),
    ],
)
def test_error_pages_say_what_happened_and_what_to_do(tool, method, path, status, says, advice):
    response = requests.request(method, tool.url + path, headers=HTML)
    heading, what_to_do = assert_helpful_page(response, status)
    assert says in heading
    assert advice in what_to_do


@pytest.mark.parametrize(
    "method, path, status, code",
    [
        ("GET", "/api/v1/progress", 401, "not_authenticated"),
        ("GET", "/api/v1/nowhere", 404, "not_found"),
        ("DELETE", "/api/v1/me", 405, "method_not_allowed"),
    ],
)
def test_json_errors_carry_advice_and_a_reference(tool, method, path, status, code):
    response = requests.request(method, tool.url + path, headers=JSON)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == code
    assert REFERENCE.match(body["reference"])
    assert body["reference"] == response.headers["X-Error-Reference"]
    assert body["message"].endswith(".") and len(body["what_to_do"].split()) >= 5
    assert "Not Found" not in body["message"] and "Not Allowed" not in body["message"]


def test_every_error_has_its_own_reference_and_the_log_names_it(tool, caplog):
    caplog.set_level(logging.INFO, logger="lms_plugin.web.errors")
    first = requests.get(tool.url + "/no/such/page", headers=JSON)
    second = requests.get(tool.url + "/no/such/page", headers=JSON)
    references = [first.json()["reference"], second.json()["reference"]]
    assert references[0] != references[1]
    for reference in references:
        [line] = [r.getMessage() for r in caplog.records if reference in r.getMessage()]
        assert "GET /no/such/page" in line and "404" in line


def test_a_server_error_is_a_page_with_a_reference_logged_with_its_traceback(
    tool, platform, caplog, monkeypatch
):
    browser = api_launch(tool, platform)

    def broken(*args, **kwargs):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr("lms_plugin.web.player_context.learner_progress", broken)
    caplog.set_level(logging.INFO, logger="lms_plugin.web.errors")
    response = browser.get(tool.url + "/programs", headers=HTML)

    heading, advice = assert_helpful_page(response, 500)
    assert "Nothing you entered was lost" in heading and "reference" in advice
    assert "the database fell over" not in response.text  # no internals shown
    reference = response.headers["X-Error-Reference"]
    [record] = [r for r in caplog.records if reference in r.getMessage()]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert "the database fell over" in str(record.exc_info[1])


def test_a_launched_learner_gets_a_way_back_to_the_overview(tool, platform):
    browser = api_launch(tool, platform)
    response = browser.get(tool.url + "/modules/no-such-module", headers=HTML)
    assert_helpful_page(response, 404)
    back = re.search(
        r'<a href="([^"]+)" data-testid="way-back">Back to the certificate overview</a>',
        response.text,
    )
    assert back is not None and back.group(1).startswith("/programs")
    assert browser.get(tool.url + back.group(1).replace("&amp;", "&"), headers=HTML).ok


def test_an_instructor_gets_a_way_back_to_the_instructor_home(tool, platform):
    browser = api_launch(tool, platform, user="teacher-1")
    response = browser.get(tool.url + "/instructor/cohort?module=nope", headers=HTML)
    assert_helpful_page(response, 400)
    back = re.search(r'<a href="([^"]+)" data-testid="way-back">([^<]+)</a>', response.text)
    assert back is not None and back.group(2) == "Back to the instructor home"
    assert back.group(1).startswith("/instructor/")
    home = browser.get(tool.url + back.group(1).replace("&amp;", "&"), headers=HTML)
    assert home.ok and "Instructor home" in home.text


def test_staff_are_sent_to_whoever_runs_the_tool_and_learners_to_their_instructor(tool, platform):
    teacher = api_launch(tool, platform, user="teacher-1")
    refused = teacher.get(tool.url + "/instructor/cohort?module=nope", headers=HTML)
    _, advice = assert_helpful_page(refused, 400)
    assert "runs the tool at your institution" in advice and "instructor" not in advice

    learner = api_launch(tool, platform)
    response = learner.put(
        tool.url + f"/api/v1/modules/{L1M1}/assignment/draft",
        data="x",
        headers={"Content-Type": "text/plain"},
    )
    advice = response.json()["what_to_do"]
    assert response.status_code == 400 and "tell your instructor" in advice
    assert "runs the tool" not in advice


def test_the_admin_pages_say_who_opens_them_not_to_ask_about_a_course_role(tool, platform):
    for user, who in (("learner-1", "learner"), ("teacher-1", "instructor")):
        browser = api_launch(tool, platform, user=user)
        heading, advice = assert_helpful_page(browser.get(tool.url + "/admin/", headers=HTML), 403)
        assert "The administration pages are for your LMS" in heading, who
        assert "site administrator" in advice and "account admin" in advice, who
        assert "role in the course" not in advice, who


def test_a_locked_module_says_what_is_missing_and_that_it_opens_by_itself(tool, platform):
    browser = api_launch(tool, platform)
    level_2 = "l2-m1-co-creation-trust-power"
    response = browser.post(tool.url + f"/api/v1/modules/{level_2}/attempts", headers=JSON)
    body = response.json()
    assert response.status_code == 403 and body["error"] == "locked"
    assert body["missing"] and "opens by itself" in body["what_to_do"]


def test_too_large_and_rate_limited_pages_help_too(tmp_path):
    with edge_tool(tmp_path, rate_limit_lti="1/hour") as tool:
        params = tool.lms.login_params()
        assert requests.get(tool.url + "/lti/login", params=params, allow_redirects=False).ok
        limited = requests.get(tool.url + "/lti/login", params=params, headers=HTML)
        heading, advice = assert_helpful_page(limited, 429)
        assert "Too many requests" in heading and "wait" in heading
        assert int(limited.headers["Retry-After"]) > 0

        too_large = requests.post(
            tool.url + "/deep-link", data={"module": "m" * (100 * 1024)}, headers=HTML
        )
        heading, advice = assert_helpful_page(too_large, 413)
        assert "KB" in heading and "smaller" in advice


def test_the_public_credential_pages_send_no_one_to_an_instructor(tool, monkeypatch):
    """Someone checking a credential (an employer, a registrar) has no instructor and no course:
    they are sent to the organisation that issued it."""
    missing = requests.get(
        tool.url + "/credentials/7d0c2a6e-0000-4000-8000-000000000000", headers=HTML
    )
    _, advice = assert_helpful_page(missing, 404)
    assert "certificate or in the badge" in advice and "course" not in advice

    def broken(*args, **kwargs):
        raise RuntimeError("the status list fell over")

    monkeypatch.setattr("lms_plugin.services.credentials.get_public", broken)
    failed = requests.get(
        tool.url + "/credentials/7d0c2a6e-0000-4000-8000-000000000001", headers=HTML
    )
    _, advice = assert_helpful_page(failed, 500)
    assert "organisation that issued the credential" in advice and "instructor" not in advice


def test_the_tools_address_opened_directly_points_its_admin_to_the_admin_pages(tool):
    """Whoever installed the tool opens its address in a browser: beside the learner's advice
    (open the activity from the course), a link to the administration pages. It said only
    "No active launch", and the admin pages were found in the README or not at all. A learner
    whose launch ended (a page of the tool, or the top with its launch handle) is not sent there."""
    direct = requests.get(tool.url + "/", headers=HTML)
    assert_helpful_page(direct, 401)
    [link] = re.findall(r'<a href="([^"]*)" data-testid="admin-way">([^<]*)</a>', direct.text)
    assert link[0] == "/admin/" and "administration pages" in link[1], link
    assert requests.get(tool.url + link[0], headers=HTML).status_code == 401  # its sign-in page
    for ended in ("/programs", "/?lh=expired"):
        assert 'data-testid="admin-way"' not in requests.get(tool.url + ended, headers=HTML).text
