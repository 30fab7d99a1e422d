"""Draw the favicon's raster forms from lms_plugin/web/static/favicon.svg.

    .venv/bin/python scripts/favicon.py   # favicon.ico (16, 32, 48 px), apple-touch-icon.png

Browsers that take SVG icons use favicon.svg itself; the ICO is for those that do not (and for
``/favicon.ico``), the 180 px PNG for iOS home screens. Headless Chromium (scripts/browser)
draws the SVG; the files are committed, so the tool never renders SVG at run time.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image

STATIC = Path(__file__).resolve().parents[1] / "lms_plugin" / "web" / "static"
TOUCH = 180  # iOS draws its own rounded corners, on a square without transparency


def render(svg: str, size: int, background: str | None = None) -> Image.Image:
    """The SVG drawn by Chromium at ``size`` px (transparent unless ``background``)."""
    from playwright.sync_api import sync_playwright  # a dev dependency, only for drawing

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page(viewport={"width": size, "height": size})
        fill = f"background:{background};" if background else ""
        page.set_content(
            f"<style>*{{margin:0}}html{{{fill}}}svg{{width:{size}px;height:{size}px;"
            f"display:block}}</style>{svg}"
        )
        png = page.screenshot(omit_background=background is None)
        browser.close()
    return Image.open(io.BytesIO(png))


def main() -> int:
    svg = (STATIC / "favicon.svg").read_text(encoding="utf-8")
    big = render(svg, 256)
    big.save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    touch_svg = svg.replace('rx="7"', 'rx="0"')  # full bleed: iOS rounds the corners itself
    render(touch_svg, TOUCH, background="#0b5cad").convert("RGB").save(
        STATIC / "apple-touch-icon.png", optimize=True
    )
    print("wrote favicon.ico and apple-touch-icon.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
