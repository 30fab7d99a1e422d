"""Request bodies are limited per route (issue 12, finding 2): each route takes about what its
largest honest request needs, and a larger body is refused with a clear 413 before any of it
is parsed; the longest assignment text still fits where a learner sends it."""

from __future__ import annotations

import pytest
import requests

from lms_plugin.services.assignments import MAX_TEXT_CHARS
from tests.support.content_keys import L1M1
from tests.support.learners import api_launch

pytestmark = pytest.mark.integration

KB = 1024
JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html"}


def _assert_too_large(response: requests.Response) -> None:
    assert response.status_code == 413, response.text[:300]
    body = response.json()
    assert (
        body["error"] == "request_too_large" and "larger than this page accepts" in body["message"]
    )


@pytest.mark.parametrize(
    "path, data",
    [
        # An id_token over its own limit by a little is the launch's to refuse (id_token_too_large);
        # a launch form far over it is never read.
        ("/lti/launch", {"state": "s" * (100 * KB), "id_token": "x"}),
        ("/lti/launch/continue", {"handle": "h", "state": "s" * (8 * KB)}),
        ("/lti/login", {"iss": "i", "login_hint": "l", "lti_message_hint": "m" * (120 * KB)}),
        ("/lti/register/ticket", {"openid_configuration": "x" * (32 * KB)}),
        ("/deep-link", {"module": "m" * (100 * KB)}),  # any other route: 64 KB
    ],
)
def test_a_body_over_the_route_limit_is_refused_with_413(tool, path, data):
    response = requests.post(tool.url + path, data=data, headers={**JSON, "Origin": tool.url})

    _assert_too_large(response)


def test_the_413_page_inside_the_lms_iframe_is_html(tool):
    response = requests.post(
        tool.url + "/lti/launch",
        data={"id_token": "x" * (200 * KB)},
        headers={"Accept": "text/html"},
    )

    assert response.status_code == 413 and response.headers["Content-Type"].startswith("text/html")
    assert "request_too_large" in response.text and "KB" in response.text


def test_the_api_takes_the_longest_text_but_not_much_more(tool, platform):
    browser = api_launch(tool, platform)
    url = tool.url + f"/api/v1/modules/{L1M1}/assignment/draft"

    # requests writes JSON as Python does: each of these as "\\u6587", 6 bytes.
    longest = browser.put(url, json={"text": "文" * MAX_TEXT_CHARS})
    too_big = browser.put(url, json={"text": "x" * (MAX_TEXT_CHARS * 8)})

    assert longest.status_code == 200, longest.text[:300]
    _assert_too_large(too_big)


def test_the_assignment_form_takes_the_longest_text_the_quiz_form_does_not(tool, platform):
    """Without JavaScript the editor posts a URL-encoded form: 100,000 characters of 3 UTF-8
    bytes each are 900 KB there; a quiz form is a few answers."""
    browser = api_launch(tool, platform)
    form = {"text": "文" * MAX_TEXT_CHARS, "action": "save"}

    saved = browser.post(tool.url + f"/modules/{L1M1}/assignment", data=form, headers=HTML)
    quiz = browser.post(tool.url + f"/modules/{L1M1}/quiz", data=form, headers=JSON)

    assert saved.status_code == 200, saved.text[:300]
    draft = browser.get(tool.url + f"/api/v1/modules/{L1M1}/assignment").json()["draft"]
    assert draft["text"] == form["text"]
    _assert_too_large(quiz)
