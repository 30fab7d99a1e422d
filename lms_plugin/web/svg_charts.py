"""Charts drawn on the server as inline SVG: no script, no CDN, nothing to load.

Each chart is an image with a title and a description (``role="img"``, ``aria-labelledby``),
every mark carries its own ``<title>`` (shown on hover, read on focus by some readers), and the
page puts a table of the same numbers beside it. Colours come from classes (cohort.css: the
page's CSP allows no inline style), and state segments also carry the state's glyph where they
are wide enough, so no chart relies on colour alone. A few bars and labels do not need a
charting library; the ones that draw SVG pull in JavaScript for interaction or a plotting stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import count

from flask_babel import gettext as _
from markupsafe import Markup, escape

from lms_plugin.domain.i18n import percent

_ids = count(1)
# The widest a character of the charts' 12 px text runs, on average over words (DejaVu Sans,
# the widest of the usual sans fonts, is about 7 px): room for a note is made from its length,
# so a longer translation ("100 % de réussite") is not cut at the chart's edge.
_CHAR_W = 7.5


def _room(texts: Sequence[str], least: int) -> int:
    """Width for the longest of ``texts`` with a margin, and at least ``least``."""
    return max(least, round(max((len(t) for t in texts), default=0) * _CHAR_W) + 12)


@dataclass(frozen=True)
class Segment:
    """A part of a bar: its value, the class that colours it, a glyph, and words for its title."""

    value: float
    css: str
    glyph: str
    title: str


@dataclass(frozen=True)
class Bar:
    label: str
    segments: Sequence[Segment]
    note: str = ""  # printed at the bar's end (e.g. "24% passed")


def _frame(width: int, height: int, title: str, desc: str, body: list[str], css: str) -> Markup:
    n = next(_ids)
    return Markup(  # noqa: S704 - every text and attribute value is escaped
        f'<svg class="chart {escape(css)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" '
        f'role="img" aria-labelledby="chart{n}-t chart{n}-d" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart{n}-t">{escape(title)}</title><desc id="chart{n}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def stacked_bars(bars: Sequence[Bar], total: float, title: str, desc: str) -> Markup:
    """Horizontal bars of segments (e.g. learners per state, per module) over ``total``."""
    label_w, bar_w, row_h = 40, 380, 28
    note_w = _room([bar.note for bar in bars], 96)
    width = label_w + bar_w + note_w
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = 6 + i * row_h
        body.append(_text(label_w - 8, y + 15, bar.label, "end", "chart-label"))
        x = float(label_w)
        for seg in bar.segments:
            if seg.value <= 0 or total <= 0:
                continue
            w = bar_w * seg.value / total
            body.append(
                f'<g class="{escape(seg.css)}"><title>{escape(seg.title)}</title>'
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="20"></rect>'
                + (_text(x + w / 2, y + 15, seg.glyph, "middle", "chart-glyph") if w >= 16 else "")
                + "</g>"
            )
            x += w
        body.append(
            f'<rect class="chart-outline" x="{label_w}" y="{y}" width="{bar_w}" height="20"></rect>'
        )
        body.append(_text(label_w + bar_w + 8, y + 15, bar.note, "start", "chart-note"))
    return _frame(width, 12 + len(bars) * row_h, title, desc, body, "chart-stacked")


def histogram(counts: Sequence[int], labels: Sequence[str], title: str, desc: str) -> Markup:
    """Columns of counts over bins (e.g. learners per score band), the axis labelled."""
    width, height, base, left = 160, 100, 76, 4
    peak = max(counts) if counts and max(counts) > 0 else 1
    col = (width - 2 * left) / max(1, len(counts))
    body = [
        f'<line class="chart-axis" x1="{left}" y1="{base}" x2="{width - left}" y2="{base}"></line>'
    ]
    for i, (n, label) in enumerate(zip(counts, labels, strict=True)):
        h = 62 * n / peak
        x = left + i * col
        body.append(
            f'<g class="chart-col"><title>{escape(label)}: {n}</title>'
            f'<rect x="{x + 1:.1f}" y="{base - h:.1f}" width="{col - 2:.1f}" '
            f'height="{h:.1f}"></rect>'
            + (_text(x + col / 2, base - h - 3, str(n), "middle", "chart-count") if n else "")
            + "</g>"
        )
    body.append(_text(left, height - 8, percent(0), "start", "chart-tick"))
    body.append(_text(width / 2, height - 8, percent(50), "middle", "chart-tick"))
    body.append(_text(width - left, height - 8, percent(100), "end", "chart-tick"))
    return _frame(width, height, title, desc, body, "chart-histogram")


def percent_bars(rows: Sequence[tuple[str, float | None, str]], title: str, desc: str) -> Markup:
    """One bar per row on a 0-100% scale with its value printed; ``None`` is drawn as "no
    evidence". Rows: (label, percent, css class)."""
    label_w, bar_w, note_w, row_h = 236, 240, 48, 26
    width = label_w + bar_w + note_w
    body: list[str] = []
    for i, (label, value, css) in enumerate(rows):
        y = 6 + i * row_h
        short = label if len(label) <= 32 else label[:31] + "…"
        body.append(_text(label_w - 8, y + 14, short, "end", "chart-label"))
        body.append(
            f'<rect class="chart-outline" x="{label_w}" y="{y}" width="{bar_w}" height="18"></rect>'
        )
        if value is None:
            body.append(_text(label_w + 8, y + 14, _("no evidence yet"), "start", "chart-note"))
            continue
        w = bar_w * max(0.0, min(100.0, value)) / 100
        body.append(
            f'<g class="{escape(css)}"><title>{escape(label)}: {value:.0f}%</title>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="18"></rect></g>'
        )
        body.append(_text(label_w + bar_w + 8, y + 14, percent(value, 0), "start", "chart-note"))
    for mark in (50, 80):  # the bands' edges (domain.cohort_mastery)
        x = label_w + bar_w * mark / 100
        bottom = 8 + len(rows) * row_h
        body.append(
            f'<line class="chart-mark" x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{bottom}"></line>'
        )
    return _frame(width, 12 + len(rows) * row_h, title, desc, body, "chart-percent")


def _text(x: float, y: float, text: str, anchor: str, css: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" class="{css}">{escape(text)}</text>'
    )
