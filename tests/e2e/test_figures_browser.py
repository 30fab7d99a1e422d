"""A lesson's figure in headless Chromium under the pages' real Content-Security-Policy: the
drawing loads (its own policy lets it run nothing), fits a 375 px phone, and the page passes axe."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from playwright.sync_api import expect

from tests.e2e.test_player_browser import CUSTOM, open_launch
from tests.support.axe import axe_violations
from tests.support.content_keys import L1M1, module

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("width", [375, 1280])
def test_a_lessons_figure_loads_and_fits(chromium, tool, platform, width, tmp_path):
    lesson = next(lesson for lesson in module(L1M1).lessons if "figures/" in lesson.markdown)
    context = chromium.new_context(viewport={"width": width, "height": 800})  # CSP enforced
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    hint = json.dumps({CUSTOM: {"module": L1M1}})
    query = urlencode(platform.login_params("learner-1", lti_message_hint=hint))
    page.goto(f"{tool.url}/lti/login?{query}")
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/modules/"))
    page.get_by_role("link", name=lesson.title).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
    figure = page.locator(".lesson img")
    expect(figure).to_have_count(1)
    figure.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('.lesson img').complete")
    natural = figure.evaluate("img => [img.naturalWidth, img.getBoundingClientRect().width]")
    assert natural[0] > 0, "the figure did not load"
    assert natural[1] <= width
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert refused == []
    page.screenshot(path=str(tmp_path / f"figure-{width}.png"), full_page=False)
    context.close()

    # axe is injected as an inline script, which the pages' policy (rightly) refuses.
    page, _ = open_launch(chromium, tool, platform, width=width)
    page.get_by_role("link", name=lesson.title).first.click()
    expect(page.locator(".lesson img")).to_have_count(1)
    assert axe_violations(page) == []
    page.context.close()
