"""The Level 1 and Level 2 badge artwork, as SVG and as 600 px PNG (package data).

Drawn by scripts/badge_artwork.py: a medal with "Implementation Support Practitioner" around its
ring and "Level N" in the centre, lettering outlined (no fonts, no external references), with an
accessible title and description. These are the unbaked images: baking.py puts a credential in.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from lms_plugin.domain.errors import NotFoundError

LEVELS = (1, 2)


def badge_svg(level: int) -> bytes:
    """The SVG artwork of `level`."""
    return _read(level, "svg")


def badge_png(level: int) -> bytes:
    """The PNG artwork of `level` (600 x 600, transparent background)."""
    return _read(level, "png")


@cache
def _read(level: int, kind: str) -> bytes:
    if level not in LEVELS:
        raise NotFoundError(f"There is no badge for level {level}.", code="badge_level_unknown")
    return (files(__package__) / f"level-{level}.{kind}").read_bytes()
