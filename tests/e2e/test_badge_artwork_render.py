"""The committed badge PNGs are renderings of the committed SVGs (headless Chromium draws them
again; a stale PNG differs), so nobody has to trust a picture that was drawn once."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageStat
from playwright.sync_api import Browser

from lms_plugin.badges.artwork import LEVELS, badge_png, badge_svg

pytestmark = pytest.mark.e2e


def _render(chromium: Browser, svg: bytes) -> Image.Image:
    page = chromium.new_page(viewport={"width": 600, "height": 600})
    try:
        body = svg.decode("utf-8").split("?>", 1)[1]
        page.set_content(f"<style>*{{margin:0}}</style>{body}")
        return Image.open(io.BytesIO(page.screenshot(omit_background=True))).convert("RGBA")
    finally:
        page.close()


@pytest.mark.parametrize("level", LEVELS)
def test_the_png_is_the_svg_drawn(chromium: Browser, level: int):
    committed = Image.open(io.BytesIO(badge_png(level))).convert("RGBA")
    drawn = _render(chromium, badge_svg(level))
    # Anti-aliasing may move by a shade between Chromium releases; a changed design moves a lot.
    difference = ImageStat.Stat(ImageChops.difference(committed, drawn)).mean
    assert max(difference) < 2.0, difference
    other = Image.open(io.BytesIO(badge_png(3 - level))).convert("RGBA")
    assert max(ImageStat.Stat(ImageChops.difference(other, drawn)).mean) > 10  # the check bites
