"""Markdown to safe HTML for content and for what learners type (stored as typed, shown clean)."""

from __future__ import annotations

import nh3
from flask import url_for
from markupsafe import Markup

from lms_plugin.domain.content.markdown import TABLE_BOX_ATTRIBUTES, render_markdown

# nh3's defaults, and the one attribute-carrying box the renderer wraps tables in (see
# domain.content.markdown.TABLE_BOX); any other class or tabindex is dropped.
_BOX = frozenset(TABLE_BOX_ATTRIBUTES)
_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, "div": {name for name, _ in _BOX}}


def _only_the_table_box(tag: str, attribute: str, value: str) -> str | None:
    if tag == "div":
        return value if (attribute, value) in _BOX else None
    return value


def sanitise(html: str) -> str:
    """``html`` with only what nh3 allows, and the table box (``_BOX``)."""
    return nh3.clean(
        html,
        attributes=_ATTRIBUTES,
        attribute_filter=_only_the_table_box,
        link_rel="noopener noreferrer nofollow",
    )


def safe_markdown(text: str) -> Markup:
    """Render Markdown (raw HTML disabled) and sanitise the result once more with nh3."""
    return Markup(sanitise(render_markdown(text or "")))  # noqa: S704 - nh3 output is sanitised HTML


def safe_markdown_inline(text: str) -> Markup:
    """Like :func:`safe_markdown` for one-paragraph text: without the wrapping ``<p>``."""
    html = str(safe_markdown(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)  # noqa: S704 - derived from sanitised HTML


def safe_lesson_markdown(text: str, module_id: int) -> Markup:
    """Like :func:`safe_markdown` for a lesson of the module version ``module_id``: its
    ``![…](figures/<name>.svg)`` are served by web/figures.py."""

    def figure_url(name: str) -> str:
        return url_for("figures.figure", module_id=module_id, name=name)

    return Markup(sanitise(render_markdown(text or "", figure_url)))  # noqa: S704 - nh3 output is sanitised HTML
