"""The interface's language over real HTTP after real launches: the launch's
``launch_presentation.locale`` claim (LTI 1.3 Core §5.4.4) picks French or English, the header's
switch overrides it for the rest of the launch; pages outside a launch stay English."""

from __future__ import annotations

import re

import pytest
import requests

from tests.support.content_keys import L1M1
from tests.support.learners import api_launch
from tests.support.lti_platform import CLAIM

pytestmark = pytest.mark.integration

HTML = {"Accept": "text/html"}


def in_locale(locale: str) -> dict[str, object]:
    return {CLAIM + "launch_presentation": {"locale": locale, "document_target": "iframe"}}


def page_language(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def switch_to(browser, tool, language: str, back: str = "/"):
    return browser.post(
        tool.url + "/language",
        data={"language": language, "next": back},
        headers=HTML,
        allow_redirects=False,
    )


@pytest.mark.parametrize("locale", ["fr", "fr-CA", "fr_FR"])
def test_a_french_launch_gets_french_and_the_switch_brings_english_back(tool, platform, locale):
    browser = api_launch(tool, platform, claims=in_locale(locale))
    page = browser.get(tool.url + "/", headers=HTML)
    assert page.status_code == 200
    assert page_language(page.text) == "fr"
    assert "Aller au contenu" in page.text and "Skip to content" not in page.text
    assert '<span lang="en">English</span>' in page.text  # the switch offers the other one
    assert 'data-testid="role">Apprenant</span>' in page.text

    switched = switch_to(browser, tool, "en", back="/programs?x=1")

    assert switched.status_code == 303 and switched.headers["Location"].endswith("/programs?x=1")
    page = browser.get(tool.url + "/", headers=HTML)
    assert page_language(page.text) == "en" and "Skip to content" in page.text
    assert '<span lang="fr">Français</span>' in page.text


def test_an_english_launch_stays_english_and_offers_french(tool, platform):
    browser = api_launch(tool, platform, claims=in_locale("en-GB"))
    page = browser.get(tool.url + "/", headers=HTML)
    assert page_language(page.text) == "en" and "What you will be able to do" in page.text
    assert '<span lang="fr">Français</span>' in page.text


def test_without_a_locale_claim_the_launch_is_english_until_the_person_picks_french(tool, platform):
    browser = api_launch(tool, platform, user="learner-i18n")
    assert page_language(browser.get(tool.url + "/", headers=HTML).text) == "en"

    assert switch_to(browser, tool, "fr").status_code == 303

    module = browser.get(tool.url + f"/modules/{L1M1}", headers=HTML)
    assert page_language(module.text) == "fr" and "Aller au contenu" in module.text


def test_an_unsupported_locale_claim_falls_back_to_english(tool, platform):
    browser = api_launch(tool, platform, claims=in_locale("de-DE"))
    assert page_language(browser.get(tool.url + "/", headers=HTML).text) == "en"


def test_the_switch_goes_back_only_to_a_page_of_this_site(tool, platform):
    browser = api_launch(tool, platform)
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = switch_to(browser, tool, "fr", back=elsewhere)
        assert response.status_code == 303
        assert "evil" not in response.headers["Location"]


def test_a_language_the_tool_does_not_have_is_a_clear_400(tool, platform):
    browser = api_launch(tool, platform)
    response = switch_to(browser, tool, "xx")
    assert response.status_code == 400
    assert "choose English or French" in response.text


def test_the_switch_needs_a_launch(tool):

    response = requests.post(tool.url + "/language", data={"language": "fr"}, headers=HTML)
    assert response.status_code == 401


def test_pages_outside_a_launch_follow_the_browser_and_offer_no_launch_switch(tool):
    """No launch names the reader's language: the browser's Accept-Language does (French when it
    prefers French), else English; the header's switch needs a launch to keep the choice in."""
    french = requests.get(
        tool.url + "/nowhere", headers={**HTML, "Accept-Language": "fr-FR,fr;q=0.9"}
    )
    german = requests.get(tool.url + "/nowhere", headers={**HTML, "Accept-Language": "de-DE"})
    plain = requests.get(tool.url + "/nowhere", headers=HTML)

    assert page_language(french.text) == "fr" and "Accept-Language" in french.headers["Vary"]
    assert page_language(german.text) == "en" and page_language(plain.text) == "en"
    assert "language-switch" not in french.text
