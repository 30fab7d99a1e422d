"""The stylesheet's colours keep WCAG 2.2 AA: every text colour on the backgrounds it is drawn on
(4.5:1, SC 1.4.3), and the edges people must see (3:1, SC 1.4.11); and the theme rules in
domain/theme.py check accents against the very surfaces app.css draws."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lms_plugin.domain.theme import (
    AA_TEXT,
    DEFAULT_ACCENT,
    LIGHT_SURFACES,
    WHITE,
    contrast_ratio,
    strong_shade,
)

CSS = Path(__file__).resolve().parents[2] / "lms_plugin" / "web" / "static" / "app.css"


def custom_properties() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", CSS.read_text(), re.S)
    assert root is not None
    return {
        name: value.lower()
        for name, value in re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root.group(1))
    }


V = custom_properties()

# (text, background): where app.css puts the one on the other
TEXT = [
    ("ink", "bg"),
    ("ink", "surface"),
    ("muted", "bg"),
    ("muted", "surface"),  # .meta in notices, breadcrumbs, table heads
    ("muted", "err-bg"),  # .meta inside an error notice
    ("muted", "warn-bg"),
    ("accent", "bg"),  # links
    ("accent", "surface"),  # links in breadcrumbs and notices
    ("accent-strong", "surface"),  # hovered buttons
    ("white", "accent"),  # primary buttons
    ("white", "accent-strong"),
    ("ok", "ok-bg"),
    ("ok", "bg"),
    ("warn", "warn-bg"),
    ("err", "err-bg"),
    ("err", "bg"),
    ("info", "info-bg"),
    ("ink", "err-bg"),
    ("ink", "warn-bg"),
]
# (edge, background): shapes that carry meaning, WCAG 2.2 SC 1.4.11
EDGES = [("line-strong", "bg"), ("line-strong", "surface"), ("accent", "surface")]


def colour(name: str) -> str:
    return WHITE if name == "white" else V[name]


@pytest.mark.parametrize(("text", "background"), TEXT)
def test_text_colours_reach_aa(text, background):
    ratio = contrast_ratio(colour(text), colour(background))
    assert ratio >= AA_TEXT, f"--{text} on --{background}: {ratio:.2f}:1"


@pytest.mark.parametrize(("edge", "background"), EDGES)
def test_edges_that_carry_meaning_reach_3_to_1(edge, background):
    ratio = contrast_ratio(colour(edge), colour(background))
    assert ratio >= 3.0, f"--{edge} on --{background}: {ratio:.2f}:1"


def test_the_theme_rules_check_against_the_stylesheets_own_surfaces():
    assert (V["bg"], V["surface"]) == LIGHT_SURFACES
    assert V["accent"] == DEFAULT_ACCENT
    assert V["accent-strong"] == strong_shade(DEFAULT_ACCENT)  # as /theme/accent/<hex>.css
