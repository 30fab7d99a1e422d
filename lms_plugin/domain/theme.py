"""A deployment's theme rules: accent colours that keep WCAG 2.2 AA contrast, institution names.

The accent colour is used three ways by ``static/app.css``: as link text on the page's light
backgrounds, as the background of primary buttons under white text, and as the focus outline.
WCAG 2.2 SC 1.4.3 (Contrast, Minimum) asks 4.5:1 for normal text; SC 1.4.11 (Non-text Contrast)
asks 3:1 for the outline, which 4.5:1 implies. So an accent is accepted only when it reaches
4.5:1 against white and against every light surface the pages draw text on.
"""

from __future__ import annotations

import colorsys
import re
import unicodedata

from lms_plugin.domain.errors import InvalidInputError

AA_TEXT = 4.5  # WCAG 2.2 SC 1.4.3, normal-size text
WHITE = "#ffffff"
# The light backgrounds accent-coloured text sits on (app.css: --bg, --surface); a test keeps
# them equal to the stylesheet's values.
LIGHT_SURFACES = (WHITE, "#f4f6f9")
DEFAULT_ACCENT = "#0b5cad"
NAME_MAX = 100

# Bidirectional embeddings, overrides and isolates can make a header read as something else
# (Unicode TR #9); joiners (U+200C, U+200D), which some scripts need, are kept.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse_hex(value: str) -> str:
    """``#RGB`` or ``#RRGGBB`` (the ``#`` optional) as lower-case ``#rrggbb``."""
    match = _HEX.fullmatch(value.strip())
    if match is None:
        raise InvalidInputError(
            f"the accent colour must be a hex colour such as #0b5cad, got {value!r}",
            code="invalid_colour",
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def _channels(colour: str) -> tuple[float, float, float]:
    digits = parse_hex(colour)[1:]
    r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


def relative_luminance(colour: str) -> float:
    """Relative luminance of an sRGB colour, as WCAG 2.2 defines it (0 black, 1 white)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(one: str, other: str) -> float:
    """WCAG 2.2 contrast ratio between two colours: from 1 (same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(one), relative_luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def accent_contrast(accent: str) -> float:
    """The accent's worst contrast: against white text and the lightest surfaces."""
    return min(contrast_ratio(accent, surface) for surface in LIGHT_SURFACES)


def darken_to_pass(colour: str) -> str:
    """The same hue and saturation, with the lightness lowered until it reaches AA."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*_channels(colour))
    candidate = parse_hex(colour)
    while accent_contrast(candidate) < AA_TEXT and lightness > 0:
        lightness = max(0.0, lightness - 0.005)
        r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
        candidate = "#" + "".join(f"{round(c * 255):02x}" for c in (r, g, b))
    return candidate


def check_accent(value: str) -> str:
    """The accent as ``#rrggbb``; refused, with a darker shade that passes, below 4.5:1."""
    accent = parse_hex(value)
    ratio = accent_contrast(accent)
    if ratio < AA_TEXT:
        raise InvalidInputError(
            f"the accent colour {accent} has a contrast of {ratio:.2f}:1 with white text and "
            f"the page backgrounds; WCAG 2.2 AA needs at least {AA_TEXT}:1. "
            f"The same hue, darker, passes: {darken_to_pass(accent)}",
            code="accent_contrast",
        )
    return accent


def strong_shade(accent: str) -> str:
    """A darker shade of an accepted accent, for hover and pressed states (more contrast)."""
    r, g, b = _channels(accent)
    return "#" + "".join(f"{round(c * 255 * 0.8):02x}" for c in (r, g, b))


def check_institution_name(value: str) -> str:
    """An institution name as shown in the page header: trimmed, one line, printable."""
    name = " ".join(value.split())
    if not name:
        raise InvalidInputError("the institution name must not be empty", code="invalid_name")
    if len(name) > NAME_MAX:
        raise InvalidInputError(
            f"the institution name is {len(name)} characters; at most {NAME_MAX} fit the header",
            code="invalid_name",
        )
    if any(unicodedata.category(ch) in ("Cc", "Co", "Cs") or ch in _BIDI for ch in name):
        raise InvalidInputError(
            "the institution name contains control characters", code="invalid_name"
        )
    return name
