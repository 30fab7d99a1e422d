"""Markdown for lessons, prompts and feedback: CommonMark plus tables, raw HTML never rendered.

:func:`render_markdown` is what learners see. :func:`markdown_problems` and :func:`headings` serve
the linter: they parse with HTML recognized (so raw HTML can be found) and give 0-based lines.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token

from .figures import figure_name

FigureUrl = Callable[[str], str]  # a figure's name -> the URL that serves it

_RENDER = MarkdownIt("commonmark", {"html": False}).enable("table")
_SCAN = MarkdownIt("commonmark", {"html": True}).enable("table")
_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+", re.IGNORECASE)


def _image(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: Any,
    env: MutableMapping[str, Any],
) -> str:
    """An image whose source names a figure points at the URL ``env["figure_url"]`` gives."""
    token, figure_url = tokens[idx], env.get("figure_url")
    name = figure_name(str(token.attrGet("src") or ""))
    if figure_url is not None and name is not None:
        token.attrSet("src", figure_url(name))
    return RendererHTML.image(renderer, tokens, idx, options, env)


_RENDER.add_render_rule("image", _image)


# A table sits in a box of its own that scrolls sideways when the table is wider than the page
# (a phone, a narrow LMS frame): its words stay whole. The box takes the keyboard focus, so a
# keyboard can scroll it (WCAG 2.1.1; axe's scrollable-region-focusable).
TABLE_BOX_ATTRIBUTES = (("class", "table-scroll"), ("tabindex", "0"))  # web.render lets these by
TABLE_BOX = "<div " + " ".join(f'{name}="{value}"' for name, value in TABLE_BOX_ATTRIBUTES) + ">"


def _boxed_table(
    renderer: RendererHTML,
    tokens: Sequence[Token],
    idx: int,
    options: Any,
    env: MutableMapping[str, Any],
) -> str:
    """``<table>`` and ``</table>``, opening and closing the box around them."""
    tag = renderer.renderToken(tokens, idx, options, env)
    return TABLE_BOX + tag if tokens[idx].nesting == 1 else tag + "</div>\n"


_RENDER.add_render_rule("table_open", _boxed_table)
_RENDER.add_render_rule("table_close", _boxed_table)


def render_markdown(text: str, figure_url: FigureUrl | None = None) -> str:
    """HTML for ``text``: CommonMark plus tables; raw HTML is escaped, never passed through.
    With ``figure_url``, a lesson's ``![…](figures/<name>.svg)`` points where it says."""
    return str(_RENDER.render(text, {"figure_url": figure_url}))


def first_paragraph_text(text: str) -> str:
    """The first block's words as a reader reads them, the Markdown marks dropped (emphasis,
    code, links) and a blank to fill (``______``) kept: a one-line summary of a prompt."""
    for block in _RENDER.parse(text):
        if block.type == "inline":
            words = (
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in block.children or ()
            )
            return " ".join("".join(words).split())
    return ""


def _line_of(lines: list[str], block: Token, needle: str) -> int:
    """The 0-based line of ``needle`` inside ``block`` (its first line if not found)."""
    start, end = block.map or (0, len(lines))
    for number in range(start, min(end, len(lines))):
        if needle and needle in lines[number]:
            return number
    return start


def _is_other_host(href: str) -> bool:
    parts = urlsplit(href.strip())
    return bool(parts.netloc) or parts.scheme.lower() in ("http", "https")


def markdown_problems(text: str, figures: bool = False) -> list[tuple[int, str]]:
    """(0-based line, message) for raw HTML (once per line), images (in lessons, ``figures``,
    only figures with alt text), and links or URLs that point to other hosts."""
    lines = text.splitlines()
    html: dict[int, str] = {}
    found: set[tuple[int, str]] = set()
    for block in _SCAN.parse(text):
        if block.type == "html_block" and block.map:
            html.setdefault(block.map[0], block.content.strip().split("\n", 1)[0])
        for child in block.children or ():
            if child.type == "html_inline":
                html.setdefault(_line_of(lines, block, child.content), child.content)
            elif child.type == "image":
                src, line = str(child.attrs.get("src", "")), _line_of(lines, block, "![")
                if not figures:
                    found.add((line, f"images are not allowed: {src}"))
                elif figure_name(src) is None:
                    found.add((line, f"an image must be a figure, figures/<name>.svg: {src}"))
                elif not child.content.strip():
                    found.add((line, f"the figure needs alt text saying what it shows: {src}"))
            elif child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if _is_other_host(href) and not _URL.search(href):  # http(s): found below
                    line = _line_of(lines, block, href)
                    found.add((line, f"links to other hosts are not allowed: {href}"))
    for number, line_text in enumerate(lines):
        for match in _URL.finditer(line_text):
            url = match.group(0).rstrip(".,;:!?")
            found.add((number, f"links to other hosts are not allowed: {url}"))
    found.update((line, f"raw HTML is not allowed: {snippet}") for line, snippet in html.items())
    return sorted(found)


def figure_sources(text: str) -> list[tuple[int, str]]:
    """(0-based line, figure name) of every figure ``text`` shows."""
    lines, out = text.splitlines(), []
    for block in _SCAN.parse(text):
        for child in block.children or ():
            name = figure_name(str(child.attrs.get("src", ""))) if child.type == "image" else None
            if name is not None:
                out.append((_line_of(lines, block, "!["), name))
    return out


def headings(text: str) -> list[tuple[int, int, str]]:
    """(0-based line, level, source text) of every heading, in order."""
    tokens = _SCAN.parse(text)
    out: list[tuple[int, int, str]] = []
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open":
            out.append((opening.map[0] if opening.map else 0, int(opening.tag[1:]), inline.content))
    return out


def first_block_is_heading(text: str) -> bool:
    """True when the first Markdown block of ``text`` is a heading."""
    tokens = _SCAN.parse(text)
    return bool(tokens) and tokens[0].type == "heading_open"
