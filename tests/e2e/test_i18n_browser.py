"""The language switch in Chromium: a learner picks French in the header, the page is French
(``<html lang="fr">``, the header's words) and passes axe-core; English comes back the same way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_player_browser import open_launch
from tests.support.axe import axe_violations

pytestmark = pytest.mark.e2e


def test_a_learner_switches_to_french_and_back(chromium: Browser, tool, platform, tmp_path):
    page, _ = open_launch(chromium, tool, platform, width=375)
    module_url = page.url

    page.get_by_role("button", name="Language: Français").click()

    page.wait_for_load_state("load")
    assert page.url == module_url  # back on the same page
    assert page.evaluate("() => document.documentElement.lang") == "fr"
    expect(page.get_by_test_id("role")).to_have_text("Apprenant·e")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_attached()
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "module-fr-375.png"), full_page=True)

    page.get_by_role("button", name="Langue : English").click()

    page.wait_for_load_state("load")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    expect(page.get_by_test_id("role")).to_have_text("Learner")
