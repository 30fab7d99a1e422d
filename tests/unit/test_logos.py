"""Logos cleaned before they are stored: raster images redrawn as a PNG the header can use,
SVG without anything that acts or calls out, entity tricks refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.services.logos import BOX, clean_logo


def image(fmt: str, size=(300, 100), mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "#7a1f5c").save(out, fmt, **save)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "GIF"])
def test_raster_logos_become_pngs(fmt):
    logo = clean_logo(image(fmt))
    assert logo.content_type == "image/png"
    with opened(logo.data) as drawn:
        assert drawn.format == "PNG" and drawn.size == (300, 100)


def test_metadata_does_not_survive_the_redraw():
    exif = Image.Exif()
    exif[0x010E] = "secret description"  # ImageDescription
    source = image("JPEG", exif=exif.tobytes())
    assert b"secret description" in source
    assert b"secret description" not in clean_logo(source).data


def test_transparency_is_kept_and_big_logos_fit_the_header_box():
    logo = clean_logo(image("PNG", size=(2400, 600), mode="RGBA"))
    with opened(logo.data) as drawn:
        assert drawn.mode == "RGBA"
        assert drawn.size[0] <= BOX[0] and drawn.size[1] <= BOX[1]
        assert drawn.size == (576, 144)  # the aspect ratio kept


def test_an_animation_keeps_its_first_frame_only():
    out = io.BytesIO()
    frames = [Image.new("RGB", (40, 40), c) for c in ("#7a1f5c", "#14532d")]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    with opened(clean_logo(out.getvalue()).data) as drawn:
        assert getattr(drawn, "n_frames", 1) == 1
        assert drawn.convert("RGB").getpixel((0, 0)) == (122, 31, 92)


def test_the_digest_names_the_cleaned_bytes():
    one, two = clean_logo(image("PNG")), clean_logo(image("PNG"))
    assert one.sha256 == two.sha256 and len(one.sha256) == 64


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>"""


@pytest.mark.parametrize("svg", [LAUGHS, EXTERNAL])
def test_svg_with_a_doctype_is_refused(svg):
    with pytest.raises(InvalidInputError, match="DOCTYPE"):
        clean_logo(svg)


def test_svg_keeps_its_drawing():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<circle cx="5" cy="5" r="4" fill="#7a1f5c"/></svg>'
    )
    logo = clean_logo(svg)
    assert logo.content_type == "image/svg+xml"
    assert b'<circle cx="5" cy="5" r="4" fill="#7a1f5c"/>' in logo.data
