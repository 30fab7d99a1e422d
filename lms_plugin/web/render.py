"""Markdown to safe HTML for content and for what learners type (stored as typed, shown clean)."""

from __future__ import annotations

import nh3
from markupsafe import Markup

from lms_plugin.domain.content.markdown import render_markdown


def safe_markdown(text: str) -> Markup:
    """Render Markdown (raw HTML disabled) and sanitise the result once more with nh3."""
    html = nh3.clean(render_markdown(text or ""), link_rel="noopener noreferrer nofollow")
    return Markup(html)  # noqa: S704 - nh3 output is sanitised HTML


def safe_markdown_inline(text: str) -> Markup:
    """Like :func:`safe_markdown` for one-paragraph text: without the wrapping ``<p>``."""
    html = str(safe_markdown(text)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)  # noqa: S704 - derived from sanitised HTML
