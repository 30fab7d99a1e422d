"""Draw the Level 1 and Level 2 badge artwork: SVG with its lettering as outlines, then PNG.

    .venv/bin/python scripts/badge_artwork.py          # write lms_plugin/badges/artwork/*
    .venv/bin/python scripts/badge_artwork.py --check  # exit 1 if the SVGs differ from a redraw

The letters are DejaVu Sans Bold glyphs (lms_plugin/badges/fonts) turned into paths with
fontTools, so the SVG needs no font, looks the same in every viewer and embeds nothing external.
The PNGs are the SVGs rendered by headless Chromium (scripts/browser installs it) at 600 px with a
transparent background; they are committed, so the tool never renders SVG at run time.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
ARTWORK = ROOT / "lms_plugin" / "badges" / "artwork"
FONT = ROOT / "lms_plugin" / "badges" / "fonts" / "DejaVuSans-Bold.ttf"
SIZE = 600
CX, CY = 300, 282  # the medal's centre (the ribbon tails hang below it)


@dataclass(frozen=True)
class Palette:
    """A level's colours: the ring, its dark edge, the rosette and ribbon accent, the field."""

    ring: str
    dark: str
    accent: str
    field: str


LEVELS = {
    1: Palette(ring="#0b6e69", dark="#064542", accent="#9fd8cf", field="#f3fbf9"),
    2: Palette(ring="#3f2b7c", dark="#24174d", accent="#e0b23c", field="#fbf8ef"),
}


class Lettering:
    """Glyph outlines of one font, placed as SVG paths (in font units scaled to `size`)."""

    def __init__(self, path: Path) -> None:
        self.font = TTFont(path)
        self.glyphs = self.font.getGlyphSet()
        self.cmap = self.font.getBestCmap()
        self.upm = self.font["head"].unitsPerEm

    def advance(self, char: str, size: float) -> float:
        return self.glyphs[self.cmap[ord(char)]].width * size / self.upm

    def width(self, text: str, size: float, spacing: float = 0) -> float:
        return sum(self.advance(c, size) for c in text) + spacing * (len(text) - 1)

    def glyph(self, char: str, size: float, transform: str) -> str:
        pen = SVGPathPen(self.glyphs)
        self.glyphs[self.cmap[ord(char)]].draw(pen)
        d = pen.getCommands()
        scale = size / self.upm
        return f'<path transform="{transform} scale({scale:.5f} {-scale:.5f})" d="{d}"/>'

    def line(self, text: str, size: float, x: float, y: float, spacing: float = 0) -> str:
        """`text` centred on x, with its baseline at y."""
        at = x - self.width(text, size, spacing) / 2
        paths = []
        for char in text:
            if char != " ":
                paths.append(self.glyph(char, size, f"translate({at:.2f} {y:.2f})"))
            at += self.advance(char, size) + spacing
        return "".join(paths)

    def arc(self, text: str, size: float, radius: float, top: bool, spacing: float = 0) -> str:
        """`text` centred on the top (reading clockwise) or bottom (upright) of a circle."""
        total = self.width(text, size, spacing) / radius  # radians the text spans
        angle = -total / 2
        paths = []
        for char in text:
            step = self.advance(char, size) / radius
            middle = angle + step / 2
            if char != " ":
                # Rotate about the centre, then stand the glyph on (top) or hang it from (bottom)
                # the circle, its middle on the radius line.
                degrees = math.degrees(middle if top else -middle)
                shift = -radius if top else radius + size * 0.72
                x = -self.advance(char, size) / 2
                place = f"rotate({degrees:.3f}) translate({x:.2f} {shift:.2f})"
                paths.append(self.glyph(char, size, f"translate({CX} {CY}) {place}"))
            angle += step + spacing / radius
        return "".join(paths)


def rosette(points: int, outer: float, inner: float) -> str:
    """A scalloped seal edge: a star of `points` points between two radii."""
    corners = []
    for i in range(points * 2):
        r = outer if i % 2 == 0 else inner
        a = math.pi * i / points
        corners.append(f"{CX + r * math.sin(a):.2f},{CY - r * math.cos(a):.2f}")
    return " ".join(corners)


def star(x: float, y: float, r: float) -> str:
    """A five-pointed star centred on (x, y)."""
    corners = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.42
        a = math.pi * i / 5
        corners.append(f"{x + radius * math.sin(a):.2f},{y - radius * math.cos(a):.2f}")
    return " ".join(corners)


def badge_svg(level: int, letters: Lettering) -> str:
    """The SVG document of a level's badge."""
    p = LEVELS[level]
    edge = f'stroke="{p.dark}" stroke-linejoin="round"'
    offsets = [-22, 22] if level == 2 else [0]
    stars = "".join(f'<polygon points="{star(CX + dx, 196, 15)}"/>' for dx in offsets)
    ring_text = letters.arc("IMPLEMENTATION SUPPORT", 33, 180, True, 1.5)
    ring_text += letters.arc("PRACTITIONER", 33, 180, False, 3)
    centre = letters.line("LEVEL", 44, CX, 262, 4) + letters.line(str(level), 150, CX, 392)
    dots = "".join(f'<circle cx="{CX + dx}" cy="{CY + 14}" r="7"/>' for dx in (-191, 191))
    title = f"Implementation Support Practitioner, Level {level}"
    colours = "teal" if level == 1 else "deep purple and gold"
    desc = (
        f"A round medal in {colours} on a ribbon. Around its ring: Implementation Support "
        f"Practitioner. In the centre: Level {level}."
    )
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}"'
        f' height="{SIZE}" role="img" aria-labelledby="title desc">',
        f'  <title id="title">{title}</title>',
        f'  <desc id="desc">{desc}</desc>',
        f'  <g id="ribbon" fill="{p.ring}" {edge} stroke-width="4">',
        '    <polygon points="222,430 168,586 214,560 242,596 290,452"/>',
        '    <polygon points="378,430 432,586 386,560 358,596 310,452"/>',
        "  </g>",
        f'  <polygon id="seal" fill="{p.accent}" {edge} stroke-width="4"'
        f' points="{rosette(36, 262, 244)}"/>',
        f'  <circle id="ring" cx="{CX}" cy="{CY}" r="236" fill="{p.ring}" {edge}'
        ' stroke-width="6"/>',
        f'  <circle cx="{CX}" cy="{CY}" r="226" fill="none" stroke="{p.accent}" stroke-width="3"/>',
        f'  <circle id="field" cx="{CX}" cy="{CY}" r="156" fill="{p.field}"'
        f' stroke="{p.accent}" stroke-width="8"/>',
        f'  <g id="ring-text" fill="#ffffff">{ring_text}</g>',
        f'  <g id="dots" fill="{p.accent}">{dots}</g>',
        f'  <g id="stars" fill="{p.accent}" {edge} stroke-width="2">{stars}</g>',
        f'  <g id="centre" fill="{p.dark}">{centre}</g>',
        "</svg>",
    ]
    return "\n".join(lines) + "\n"


def render_pngs(svgs: dict[int, str]) -> dict[int, bytes]:
    """Each SVG drawn by headless Chromium at SIZE px, transparent around the medal."""
    from playwright.sync_api import sync_playwright  # a dev dependency, only for drawing

    pngs = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": SIZE, "height": SIZE})
        for level, svg in svgs.items():
            body = svg.split("?>", 1)[1]
            page.set_content(f"<style>*{{margin:0}}</style>{body}")
            pngs[level] = page.screenshot(omit_background=True)
        browser.close()
    return pngs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="compare the SVGs, write nothing")
    args = parser.parse_args()
    letters = Lettering(FONT)
    svgs = {level: badge_svg(level, letters) for level in LEVELS}
    if args.check:
        stale = [f"level-{n}.svg" for n, svg in svgs.items() if _read(n) != svg]
        print("stale: " + ", ".join(stale) if stale else "artwork up to date")
        return 1 if stale else 0
    for level, png in render_pngs(svgs).items():
        (ARTWORK / f"level-{level}.svg").write_text(svgs[level], encoding="utf-8")
        (ARTWORK / f"level-{level}.png").write_bytes(png)
        print(f"wrote level-{level}.svg and level-{level}.png")
    return 0


def _read(level: int) -> str | None:
    path = ARTWORK / f"level-{level}.svg"
    return path.read_text(encoding="utf-8") if path.exists() else None


if __name__ == "__main__":
    sys.exit(main())
