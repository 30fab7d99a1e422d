"""A module's References page in headless Chromium: reached from the module page by keyboard,
every reference listed, external links opening in a new tab, axe-core clean at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_player_browser import open_launch
from tests.support.axe import axe_violations
from tests.support.content_keys import L1M1, module

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [320, 1024])
def test_the_references_page_from_the_module_page(chromium, tool, platform, width):
    page, _ = open_launch(chromium, tool, platform, width=width)
    link = page.get_by_test_id("references-link")
    link.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("References")
    references = module(L1M1).references
    expect(page.get_by_test_id("references").locator("li")).to_have_count(len(references))
    for ref in references:
        expect(page.get_by_test_id("references")).to_contain_text(ref.title)
    linked = [ref for ref in references if ref.url]
    outside = page.get_by_test_id("references").locator("a")
    expect(outside).to_have_count(len(linked))
    for index in range(len(linked)):
        expect(outside.nth(index)).to_have_attribute("target", "_blank")
        expect(outside.nth(index)).to_have_attribute("rel", "noopener noreferrer")
    assert axe_violations(page) == []
    assert page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth"
    )  # no sideways scroll
    page.get_by_role("link", name="Back to the module").click()
    expect(page.get_by_test_id("references-link")).to_be_visible()
    page.context.close()
