"""Markdown to safe HTML for content and for what learners type (stored as typed, shown clean)."""

from __future__ import annotations

import nh3
from flask import url_for
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


def safe_lesson_markdown(text: str, module_id: int) -> Markup:
    """Like :func:`safe_markdown` for a lesson of the module version ``module_id``: its
    ``![…](figures/<name>.svg)`` are served by web/figures.py."""

    def figure_url(name: str) -> str:
        return url_for("figures.figure", module_id=module_id, name=name)

    html = nh3.clean(
        render_markdown(text or "", figure_url), link_rel="noopener noreferrer nofollow"
    )
    return Markup(html)  # noqa: S704 - nh3 output is sanitised HTML
