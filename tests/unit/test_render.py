"""Markdown to safe HTML: a table comes in its scrolling box, and the sanitiser lets through
that box and no other class or tabindex (a second layer: the renderer escapes raw HTML)."""

from __future__ import annotations

from lms_plugin.web.render import safe_markdown, sanitise


def test_a_table_comes_in_a_box_the_keyboard_can_scroll():
    html = str(safe_markdown("| Measure | Type |\n|---|---|\n| Reach | RE-AIM |\n"))
    assert html.startswith('<div class="table-scroll" tabindex="0"><table>')
    assert html.rstrip().endswith("</table>\n</div>")


def test_the_sanitiser_keeps_only_that_box():
    dirty = (
        '<div class="table-scroll" tabindex="0">a</div>'
        '<div class="notice" tabindex="5" onclick="x()">b</div>'
        '<p class="table-scroll" tabindex="0">c</p>'
    )
    assert sanitise(dirty) == '<div class="table-scroll" tabindex="0">a</div><div>b</div><p>c</p>'
    assert "&lt;div" in str(safe_markdown('<div class="table-scroll" tabindex="0">x</div>'))
