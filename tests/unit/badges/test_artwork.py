"""The badge artwork: two distinct, self-contained, accessible SVGs, up to date with their
generator, and PNG renderings of them that bake and unbake."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from lms_plugin.badges.artwork import LEVELS, badge_png, badge_svg
from lms_plugin.badges.baking import bake_png, bake_svg, unbake
from lms_plugin.domain.errors import NotFoundError

ROOT = Path(__file__).resolve().parents[3]
SVG = "{http://www.w3.org/2000/svg}"
RING = {1: (0x0B, 0x6E, 0x69), 2: (0x3F, 0x2B, 0x7C)}  # each level's ring colour


@pytest.mark.parametrize("level", LEVELS)
def test_the_svg_is_accessible_and_names_the_program_and_level(level: int):
    root = etree.fromstring(badge_svg(level))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 600 600"
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == f"Implementation Support Practitioner, Level {level}"
    assert "Implementation Support Practitioner" in desc.text and f"Level {level}" in desc.text


@pytest.mark.parametrize("level", LEVELS)
def test_the_svg_needs_no_font_and_references_nothing_outside(level: int):
    root = etree.fromstring(badge_svg(level))
    tags = {etree.QName(element).localname for element in root.iter(etree.Element)}
    assert tags <= {"svg", "title", "desc", "g", "path", "polygon", "circle"}, tags
    attributes = {name for element in root.iter(etree.Element) for name in element.attrib}
    assert not {a for a in attributes if "href" in a or a in {"style", "font-family"}}
    assert b"url(" not in badge_svg(level) and b"@import" not in badge_svg(level)


def test_the_svgs_are_what_the_generator_draws():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "badge_artwork.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("level", LEVELS)
def test_the_png_is_a_600px_medal_in_its_level_colour(level: int):
    with Image.open(io.BytesIO(badge_png(level))) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (600, 600), "RGBA")
        pixels = Counter({colour: n for n, colour in image.getcolors(600 * 600)})
    assert pixels[(0, 0, 0, 0)] > 600 * 600 * 0.1  # transparent around the medal
    opaque = sum(n for colour, n in pixels.items() if colour[3] == 255)
    assert opaque > 600 * 600 * 0.5  # not blank
    ring = {level: sum(n for c, n in pixels.items() if c[:3] == RING[level]) for level in LEVELS}
    assert ring[level] > opaque * 0.2
    assert all(ring[other] == 0 for other in LEVELS if other != level)


@pytest.mark.parametrize("level", LEVELS)
def test_the_artwork_bakes(level: int):
    token = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln"
    assert unbake(bake_png(badge_png(level), token)) == token
    assert unbake(bake_svg(badge_svg(level), {"id": "x"})) == {"id": "x"}


def test_an_unknown_level_is_not_found():
    with pytest.raises(NotFoundError):
        badge_png(3)
