"""Theme rules: WCAG 2.2 contrast, accent colours refused below AA with a passing shade, names."""

from __future__ import annotations

import colorsys

import pytest

from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.theme import (
    AA_TEXT,
    DEFAULT_ACCENT,
    accent_contrast,
    check_accent,
    check_institution_name,
    contrast_ratio,
    darken_to_pass,
    parse_hex,
    relative_luminance,
    strong_shade,
)


@pytest.mark.parametrize(
    ("one", "other", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#000000", 21.0),  # order does not matter
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#777777", "#ffffff", 4.48),  # one step lighter fails
        ("#0000ff", "#ffffff", 8.59),
        ("#ff0000", "#ffffff", 4.0),
        ("#00ff00", "#000000", 15.3),
    ],
)
def test_contrast_ratio_matches_published_values(one, other, ratio):
    assert contrast_ratio(one, other) == pytest.approx(ratio, abs=0.01)


def test_relative_luminance_ends_and_the_green_weight():
    assert relative_luminance("#000") == 0.0
    assert relative_luminance("#fff") == pytest.approx(1.0)
    assert relative_luminance("#00ff00") == pytest.approx(0.7152)


@pytest.mark.parametrize(
    ("given", "parsed"),
    [("#0B5CAD", "#0b5cad"), ("0b5cad", "#0b5cad"), ("#06c", "#0066cc"), (" #06C ", "#0066cc")],
)
def test_hex_colours_are_normalised(given, parsed):
    assert parse_hex(given) == parsed


@pytest.mark.parametrize("given", ["blue", "#12345", "", "#gggggg", "rgb(0,0,0)", "#0b5cad00"])
def test_what_is_no_hex_colour_is_refused(given):
    with pytest.raises(InvalidInputError) as caught:
        parse_hex(given)
    assert caught.value.code == "invalid_colour"


@pytest.mark.parametrize("accent", [DEFAULT_ACCENT, "#0066cc", "#14532d", "#6b21a8", "#000000"])
def test_accents_with_aa_contrast_are_accepted(accent):
    assert check_accent(accent) == accent
    assert accent_contrast(accent) >= AA_TEXT


@pytest.mark.parametrize("accent", ["#ff9900", "#00a3e0", "#ffffff", "#767676", "#e11d48"])
def test_accents_below_aa_are_refused_with_a_darker_shade_that_passes(accent):
    with pytest.raises(InvalidInputError) as caught:
        check_accent(accent)
    assert caught.value.code == "accent_contrast"
    suggestion = caught.value.message.rsplit(" ", 1)[-1]
    assert suggestion == darken_to_pass(accent)
    assert check_accent(suggestion) == suggestion  # the suggestion itself is accepted
    assert accent_contrast(suggestion) < AA_TEXT + 0.5  # darkened only as far as needed


def test_white_text_on_the_page_surface_counts_not_only_white():
    # #767676 passes on pure white (4.54:1) but not on the light grey surface of notices.
    assert contrast_ratio("#767676", "#ffffff") >= AA_TEXT
    with pytest.raises(InvalidInputError):
        check_accent("#767676")


def test_the_suggested_shade_keeps_the_hue():
    def hue(colour: str) -> float:
        rgb = tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return colorsys.rgb_to_hls(*rgb)[0]

    assert hue(darken_to_pass("#ff9900")) == pytest.approx(hue("#ff9900"), abs=0.01)


def test_the_strong_shade_is_darker_and_still_passes():
    strong = strong_shade(DEFAULT_ACCENT)
    assert relative_luminance(strong) < relative_luminance(DEFAULT_ACCENT)
    assert accent_contrast(strong) > accent_contrast(DEFAULT_ACCENT)


TEHRAN = "\u062f\u0627\u0646\u0634\u06af\u0627\u0647\u200c\u062a\u0647\u0631\u0627\u0646"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("  Northwind   University ", "Northwind University"),
        ("Université\nde Montréal", "Université de Montréal"),
        (TEHRAN, TEHRAN),  # with the zero-width non-joiner Persian needs
    ],
)
def test_institution_names_are_one_trimmed_line(given, shown):
    assert check_institution_name(given) == shown


@pytest.mark.parametrize(
    "given", ["", "   ", "x" * 101, "North\x00wind", "Evil\u202eytisrevinU", "\ue000 Private"]
)
def test_institution_names_that_would_mislead_or_overflow_are_refused(given):
    with pytest.raises(InvalidInputError) as caught:
        check_institution_name(given)
    assert caught.value.code == "invalid_name"
