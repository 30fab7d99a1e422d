"""An institution's logo, made safe to serve from the tool's own origin.

Raster images (PNG, JPEG, WebP, GIF) are decoded and drawn again as a PNG no larger than the
header needs: whatever else the file carried (metadata, a second format, frames) is gone. SVG is
parsed without DTDs, entities or network, and loses what can act (scripts, event handlers,
foreign objects, animations, links outside the file); it is also served under a sandboxing CSP
(web.theming), so even a missed trick cannot run on this origin.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from lxml import etree
from PIL import Image, UnidentifiedImageError

from lms_plugin.domain.errors import InvalidInputError

MAX_BYTES = 512 * 1024
MAX_PIXELS = 4096 * 4096  # refused before decoding: a small file can claim a huge canvas
BOX = (720, 144)  # the header shows it 40 px high: room for 3x screens and wide logos

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_ACTIVE = frozenset(
    {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
    | {"animate", "animateMotion", "animateTransform", "animateColor", "set", "discard"}
)
_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"\s]*)", re.IGNORECASE)
_SAFE_DATA = tuple(f"data:image/{kind};base64," for kind in ("png", "jpeg", "gif", "webp"))


@dataclass(frozen=True)
class Logo:
    content_type: str  # image/png or image/svg+xml
    data: bytes
    sha256: str


def clean_logo(data: bytes) -> Logo:
    """The logo to store and serve, or InvalidInputError saying why the file is refused."""
    if len(data) > MAX_BYTES:
        raise _refused(f"the logo file is {len(data) // 1024} KB; at most 512 KB")
    if _looks_like_svg(data):
        return _logo("image/svg+xml", _clean_svg(data))
    return _logo("image/png", _redraw_raster(data))


def _logo(content_type: str, data: bytes) -> Logo:
    return Logo(content_type, data, hashlib.sha256(data).hexdigest())


def _refused(message: str) -> InvalidInputError:
    return InvalidInputError(message, code="invalid_logo")


def _looks_like_svg(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype"))


def _redraw_raster(data: bytes) -> bytes:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=("PNG", "JPEG", "WEBP", "GIF")) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise _refused("the logo image is larger than 4096 by 4096 pixels")
                image.seek(0)  # the first frame of an animation
                drawn = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _refused("the logo must be a PNG, JPEG, WebP, GIF or SVG image") from exc
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _refused("the logo image is larger than 4096 by 4096 pixels") from exc
    drawn.thumbnail(BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    drawn.save(out, "PNG", optimize=True)
    return out.getvalue()


def _clean_svg(data: bytes) -> bytes:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise _refused(f"the SVG logo is not well-formed XML ({exc.msg})") from exc
    if root.getroottree().docinfo.doctype:
        raise _refused("the SVG logo has a DOCTYPE; save it without one")
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _refused("the SVG logo's root element is not <svg> in the SVG namespace")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in _ACTIVE or (local == "style" and _names_other_files(element.text or "")):
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
            continue
        for name in list(element.attrib):
            if _unsafe_attribute(name, element.attrib[name]):
                del element.attrib[name]
    return bytes(etree.tostring(root, xml_declaration=False, encoding="utf-8"))


def _unsafe_attribute(name: str, value: str) -> bool:
    local = etree.QName(name).localname.lower()
    if local.startswith("on"):
        return True  # event handlers
    if local == "href" or name == XLINK_HREF:
        target = value.strip()
        return not (target.startswith("#") or target.startswith(_SAFE_DATA))
    return _names_other_files(value)


def _names_other_files(css: str) -> bool:
    """``url(...)`` naming anything but a fragment of this file, or an ``@import``."""
    return "@import" in css.lower() or any(
        not target.startswith("#") for target in _URL.findall(css)
    )
