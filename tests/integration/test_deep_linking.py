"""Deep Linking 2.0: instructors pick modules; the LMS receives signed ltiResourceLink items."""

from __future__ import annotations

import re
from html import unescape

import jwt
import pytest
import requests

from tests.support.content_keys import L1M1, catalogue, module
from tests.support.launch_flow import full_launch

pytestmark = pytest.mark.integration
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
HTML = {"Accept": "text/html"}


def dl_claims(platform, **settings):
    return {
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        CLAIM + "resource_link": None,
        DL + "deep_linking_settings": {
            "deep_link_return_url": platform.url + "/dl/return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True,
            "data": "opaque-42",
            **settings,
        },
    }


def dl_launch(tool, platform, user="teacher-1", **settings):
    browser = requests.Session()
    browser.headers.update(HTML)
    return browser, full_launch(
        browser, tool.url, platform, login_hint=user, claims=dl_claims(platform, **settings)
    )


def test_instructor_picks_modules_and_the_lms_gets_a_signed_response(tool, platform):
    browser, picker = dl_launch(tool, platform)
    assert picker.status_code == 200 and "/deep-link" in picker.url
    assert module(L1M1).title in picker.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', picker.text).group(1)
    handle = re.search(r'name="lh" value="([^"]+)"', picker.text).group(1)

    answer = browser.post(
        tool.url + "/deep-link",
        data={"csrf": csrf, "lh": handle, "module": [L1M1, "l1-m2-theories-models-frameworks"]},
    )

    assert answer.status_code == 200
    assert f'action="{platform.url}/dl/return"' in answer.text
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1))
    keys = requests.get(tool.url + "/lti/jwks", timeout=5).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid)).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=platform.issuer)
    assert claims["iss"] == platform.client_id
    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[CLAIM + "version"] == "1.3.0"
    assert claims[CLAIM + "deployment_id"] == platform.deployment_id
    assert claims[DL + "data"] == "opaque-42"
    items = claims[DL + "content_items"]
    assert [i["custom"]["module"] for i in items] == [L1M1, "l1-m2-theories-models-frameworks"]
    assert all(
        i["type"] == "ltiResourceLink" and i["url"] == tool.url + "/lti/launch" for i in items
    )
    assert items[0]["lineItem"] == {
        "scoreMaximum": 100,
        "label": module(L1M1).title,
        "resourceId": L1M1,
        "tag": "isp-module-grade",
        "submissionReview": {  # the gradebook can open the learner's work (Submission Review)
            "reviewableStatus": ["InProgress", "Submitted", "Completed"],
            "label": "Open the work in ISP Certificate",
            "custom": {"module": L1M1},
        },
    }

    again = browser.post(
        tool.url + "/deep-link", data={"csrf": csrf, "lh": handle, "module": [L1M1]}
    )
    assert again.status_code == 409


def test_learners_cannot_add_activities_and_nothing_is_stored(tool, platform):
    _, response = dl_launch(tool, platform, user="learner-1")
    assert response.status_code == 403 and "Only instructors" in response.text
    assert tool.count("lti_user") == 0


def test_a_request_without_a_return_url_is_refused(tool, platform):
    _, response = dl_launch(tool, platform, deep_link_return_url="")
    assert response.status_code == 400 and "claim_malformed" in response.text


def test_choosing_nothing_shows_the_list_again_saying_so(tool, platform):
    """A 422 that keeps the instructor in the LMS's dialog: the list again, the reason above it,
    and the request still open for the next choice."""
    browser, picker = dl_launch(tool, platform)
    csrf = re.search(r'name="csrf" value="([^"]+)"', picker.text).group(1)
    handle = re.search(r'name="lh" value="([^"]+)"', picker.text).group(1)
    response = browser.post(tool.url + "/deep-link", data={"csrf": csrf, "lh": handle})
    assert response.status_code == 422
    refusal = re.search(r'data-testid="picker-refusal"><p>([^<]+)</p>', response.text)
    assert refusal is not None and refusal.group(1) == "Choose at least one module."
    assert f'value="{L1M1}"' in response.text and " checked" not in response.text

    chosen = browser.post(
        tool.url + "/deep-link", data={"csrf": csrf, "lh": handle, "module": [L1M1]}
    )
    assert chosen.status_code == 200 and 'name="JWT"' in chosen.text


@pytest.mark.parametrize(
    "modules",
    [
        [],
        ["no-such-module"],
        ["x" * 5000],
        [L1M1] * 500,
        ["", "\x00", "../../etc"],
    ],
    ids=["none", "unknown", "very long", "500 times the same", "odd strings"],
)
def test_odd_module_choices_get_a_clear_answer(tool, platform, modules):
    browser, picker = dl_launch(tool, platform)
    csrf = re.search(r'name="csrf" value="([^"]+)"', picker.text).group(1)
    handle = re.search(r'name="lh" value="([^"]+)"', picker.text).group(1)

    answer = browser.post(
        tool.url + "/deep-link", data={"csrf": csrf, "lh": handle, "module": modules}
    )

    assert answer.status_code < 500, answer.text
    if answer.status_code == 200:  # what goes back to the LMS names each real module once
        token = unescape(re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1))
        items = jwt.decode(token, options={"verify_signature": False})[DL + "content_items"]
        slugs = [item["custom"]["module"] for item in items]
        assert slugs == sorted(set(slugs), key=slugs.index) and set(slugs) <= {L1M1}


def test_lms_that_accepts_one_item_gets_one(tool, platform):
    browser, picker = dl_launch(tool, platform, accept_multiple=False)
    assert 'type="radio"' in picker.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', picker.text).group(1)
    handle = re.search(r'name="lh" value="([^"]+)"', picker.text).group(1)
    form = {"csrf": csrf, "lh": handle}

    two = browser.post(
        tool.url + "/deep-link", data={**form, "module": [L1M1, "l1-m2-theories-models-frameworks"]}
    )
    one = browser.post(tool.url + "/deep-link", data={**form, "module": [L1M1]})

    assert two.status_code == 422 and "Choose one module" in two.text
    assert f'value="{L1M1}" id="m-{L1M1}" checked' in two.text  # the choice is kept
    assert one.status_code == 200
    token = unescape(re.search(r'name="JWT" value="([^"]+)"', one.text).group(1))
    assert len(jwt.decode(token, options={"verify_signature": False})[DL + "content_items"]) == 1


def test_a_request_from_outside_a_course_names_the_person_with_nothing_dangling(tool, platform):
    browser = requests.Session()
    browser.headers.update(HTML)
    claims = {**dl_claims(platform), CLAIM + "context": None}  # LTI DL: the context is optional

    picker = full_launch(browser, tool.url, platform, login_hint="teacher-1", claims=claims)

    assert picker.status_code == 200 and "/deep-link" in picker.url
    who = re.search(r'<div class="who"><p>(.*?)</p></div>', picker.text, re.S).group(1)
    assert unescape(re.sub(r"<[^>]+>", "", who)) == platform.users["teacher-1"].name


def test_a_course_without_a_title_is_named_by_its_label(tool, platform):
    browser = requests.Session()
    browser.headers.update(HTML)
    untitled = {CLAIM + "context": {"id": "course-untitled", "label": "ISP-7"}}  # title optional

    picker = full_launch(
        browser, tool.url, platform, login_hint="teacher-1", claims=dl_claims(platform) | untitled
    )

    assert picker.status_code == 200
    assert '<span data-testid="course">ISP-7</span>' in picker.text
    assert "None" not in re.search(r'<div class="who">.*?</div>', picker.text, re.S).group(0)


def test_the_picker_marks_what_this_course_has_opened_already(tool, platform):
    """A module whose link was opened from this course, and the whole certificate's link, are
    marked; another module is not, and another course sees only what it opened."""
    l1m2 = catalogue().programs[0].modules[1].slug
    opened = requests.Session()
    full_launch(opened, tool.url, platform, claims={CLAIM + "custom": {"module": L1M1}})
    full_launch(opened, tool.url, platform, claims={CLAIM + "resource_link": {"id": "cert"}})
    other_course = {"context_id": "course-202", CLAIM + "custom": {"module": l1m2}}
    full_launch(opened, tool.url, platform, claims=other_course)

    _, picker = dl_launch(tool, platform)
    marked = re.findall(r'<label for="m-([\w-]+)">[^\n]*data-testid="opened-before"', picker.text)
    assert sorted(marked) == sorted([L1M1, "certificate"]), marked
    assert 'data-testid="opened-note"' in picker.text

    teacher = requests.Session()
    teacher.headers.update(HTML)
    claims = {**dl_claims(platform), "context_id": "course-202"}
    elsewhere = full_launch(teacher, tool.url, platform, login_hint="teacher-1", claims=claims)
    assert elsewhere.status_code == 200 and "/deep-link" in elsewhere.url
    assert re.findall(r'<label for="m-([\w-]+)">[^\n]*opened-before', elsewhere.text) == [l1m2]
