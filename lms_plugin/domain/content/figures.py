"""Figures: the drawings a lesson shows, as ``![what it shows](figures/<name>.svg)``.

A figure is an SVG file in its module's ``figures/`` folder. It travels with the module's content
(the snapshot, so a version keeps its drawings) and is shown as an ``<img>``, where an SVG runs no
script. It must still be a plain, accessible drawing: ``<title>`` and ``<desc>`` first (what a
screen reader says), no script, event handler, foreign content or reference outside the file, no
DOCTYPE (no entities), at most :data:`MAX_FIGURE_BYTES`.
"""

from __future__ import annotations

import re

from lxml import etree

FIGURE_SRC = re.compile(r"figures/([a-z0-9]+(?:-[a-z0-9]+)*)\.svg\Z")
MAX_FIGURE_BYTES = 256 * 1024
SVG = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_FORBIDDEN = {"script", "foreignObject", "iframe", "embed", "object", "image", "use", "a"}
_URL_IN_STYLE = re.compile(r"url\(\s*['\"]?(?!#)", re.IGNORECASE)


def figure_name(src: str) -> str | None:
    """The figure a Markdown image source names (``figures/<name>.svg``), else None."""
    match = FIGURE_SRC.match(src)
    return match.group(1) if match else None


def svg_problems(svg: bytes) -> list[str]:
    """What makes ``svg`` unfit to be a figure (empty when it is fine)."""
    if len(svg) > MAX_FIGURE_BYTES:
        return [f"the figure has {len(svg)} bytes, at most {MAX_FIGURE_BYTES}"]
    if b"<!DOCTYPE" in svg or b"<!ENTITY" in svg:
        return ["a figure has no DOCTYPE or entities"]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(svg, parser)
    except etree.XMLSyntaxError as exc:
        return [f"the figure is not well-formed XML: {exc}"]
    if root.tag != SVG + "svg":
        return ["the figure's root element must be an SVG <svg>"]
    problems = []
    children = [child.tag for child in root if isinstance(child.tag, str)]
    if children[:2] != [SVG + "title", SVG + "desc"]:
        problems.append("the figure must start with <title> then <desc> (what it shows, in words)")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        if name in _FORBIDDEN:
            problems.append(f"<{name}> is not allowed in a figure")
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname
            if local.lower().startswith("on"):
                problems.append(f"event handler '{local}' is not allowed in a figure")
            elif attribute in ("href", _XLINK_HREF) and not value.startswith("#"):
                problems.append(f"a figure refers to nothing outside itself: {value}")
            elif _URL_IN_STYLE.search(value):
                problems.append(f"a figure refers to nothing outside itself: {value[:60]}")
        if name == "style" and element.text and _URL_IN_STYLE.search(element.text):
            problems.append("a figure's <style> refers to nothing outside itself")
    return sorted(set(problems))
