"""The cohort dashboard in real headless Chromium: an instructor opens the grid, filters it,
follows a cell to the learner's work in the module, and the competency view; axe-core on each
page, screenshots at 1280 and 375 px kept under the pytest temporary directory."""

from __future__ import annotations

import io
import json
import re
import statistics
from pathlib import Path
from urllib.parse import urlencode

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.support.axe import axe_violations
from tests.support.cohort import seed_cohort

pytestmark = pytest.mark.e2e
CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cohort-screenshots", numbered=False)
    print(f"\nscreenshots in {folder}")
    return folder


def instructor(chromium: Browser, tool, platform, width: int) -> Page:
    """The instructor's browser after a launch from the course (wherever it lands)."""
    context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    query = urlencode(platform.login_params("teacher-1"))
    page.goto(f"{tool.url}/lti/login?{query}")
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/(instructor|modules)/"))
    return page


def fits(page: Page, width: int) -> None:
    """Nothing but the grid's own scrolling region is wider than the window."""
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"the page scrolls sideways at {width} px ({scroll} px)"


@pytest.mark.parametrize("width", [1280, 375])
def test_grid_to_drill_down_and_competencies(chromium, tool, platform, shots, width):
    seed_cohort(tool, platform)
    page = instructor(chromium, tool, platform, width)
    page.goto(tool.url + "/instructor/cohort")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohort progress")
    grid = page.get_by_test_id("grid")
    expect(grid.get_by_role("row", name=re.compile("Ben Review"))).to_contain_text("review")
    assert axe_violations(page) == []
    fits(page, width)
    page.screenshot(path=str(shots / f"cohort-{width}.png"), full_page=True)

    page.get_by_label("Status in a shown module").select_option("failed")
    page.get_by_role("button", name="Apply filters").click()
    expect(grid.locator("tbody tr")).to_have_count(1)
    row = grid.get_by_role("row", name=re.compile("Cara Failed"))
    row.get_by_role("link", name="Failed: 0%").first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Cara Failed")
    expect(page.get_by_test_id("state")).to_contain_text("Failed")
    expect(page.get_by_test_id("attempts").locator("details")).to_have_count(2)
    # Each answer's points show beside its question at any width (on a phone, labelled under it).
    points = page.get_by_test_id("attempts").locator("details[open] tbody td:last-child")
    expect(points.first).to_be_visible()
    box = points.first.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width, box
    assert axe_violations(page) == []
    fits(page, width)
    page.screenshot(path=str(shots / f"drill-down-{width}.png"), full_page=True)

    page.get_by_role("link", name="Cohort", exact=True).first.click()
    page.get_by_role("link", name="Competency view").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Competency mastery")
    expect(page.get_by_test_id("learner-mastery")).to_contain_text("Ana Passed")
    assert axe_violations(page) == []
    fits(page, width)
    page.screenshot(path=str(shots / f"competencies-{width}.png"), full_page=True)


def _right_edge_shade(box) -> float:
    """How dark the box's right edge looks (0 white, 255 black), its 24 px columns averaged."""
    image = Image.open(io.BytesIO(box.screenshot())).convert("L")
    width, height = image.size
    pixels = [image.getpixel((x, y)) for x in range(width - 24, width) for y in range(height)]
    return 255 - statistics.mean(pixels)


def test_a_grid_wider_than_the_page_fades_its_right_edge_until_its_end_is_shown(
    chromium, tool, platform
):
    """The box says that the grid goes on (frame.js marks it, cohort.css fades the edge)."""
    seed_cohort(tool, platform)
    page = instructor(chromium, tool, platform, 375)
    page.goto(tool.url + "/instructor/cohort")
    box = page.locator(".hm-scroll").filter(has=page.get_by_test_id("grid"))
    assert box.evaluate("b => b.scrollWidth > b.clientWidth + 100"), "the grid fits: no check"

    expect(box).to_have_attribute("data-more", "right")
    faded = _right_edge_shade(box)
    box.evaluate("b => b.removeAttribute('data-more')")  # the same edge, not faded
    plain = _right_edge_shade(box)
    assert plain > 2 and faded < 0.7 * plain, f"the fade does not show: {faded} vs {plain}"

    box.evaluate("b => { b.scrollLeft = b.scrollWidth }")
    expect(box).not_to_have_attribute("data-more", "right")
    box.evaluate("b => { b.scrollLeft = 0 }")
    expect(box).to_have_attribute("data-more", "right")

    wide = instructor(chromium, tool, platform, 2400)  # the whole grid fits
    wide.goto(tool.url + "/instructor/cohort")
    grid_box = wide.locator(".hm-scroll").filter(has=wide.get_by_test_id("grid"))
    assert grid_box.evaluate("b => b.scrollWidth <= b.clientWidth")
    expect(grid_box).not_to_have_attribute("data-more", "right")


LOCALE = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
OUTSIDE = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(t => {
    const r = t.getBoundingClientRect();
    return r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5);
  }).map(t => t.textContent);
})"""


@pytest.mark.parametrize("locale", ["en-US", "fr-CA"])
def test_the_charts_words_stay_inside_their_charts(chromium, tool, platform, locale):
    """French notes are longer ("100 % de réussite"): the chart is drawn wide enough for them,
    not cut at its edge."""
    seed_cohort(tool, platform)
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    hint = json.dumps({LOCALE: {"locale": locale}})
    page.goto(
        f"{tool.url}/lti/login?"
        + urlencode(platform.login_params("teacher-1", lti_message_hint=hint))
    )
    page.wait_for_url(re.compile(re.escape(tool.url) + r"/instructor/"))
    for path in ("/instructor/cohort", "/instructor/cohort/competencies"):
        page.goto(tool.url + path)
        assert page.locator("svg.chart text.chart-note").count() > 0, path  # charts drawn
        assert page.evaluate(OUTSIDE) == [], f"{path} ({locale})"
